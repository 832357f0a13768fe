"""Time and peak memory of refusing each class of hostile file, side by side with
generating the seed model (generated_examples/seed_lstm) in the same run; and what
reading a file in a child process costs next to reading it in this process.

    python bench/refusals.py            # prints a Markdown table

Each run is a fresh `lstmgen` process under a 3 GiB address-space cap (tests/hostile.py):
"seconds" is the time of main() (the interpreter's start and imports excluded), "peak"
the largest resident set of lstmgen or of its reading child. The files are built the way
tests/test_hostile_files.py builds them, without Keras.
"""

import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

import hostile as H  # noqa: E402


def cases(folder):
    """(class, command-line arguments) for each case measured."""
    free = H.with_timesteps_free(os.path.join(folder, "free.h5"))
    out = os.path.join(folder, "out.py")
    made = {
        "polyglot: HDF5 with a .keras appended": H.polyglot_h5_then_zip(f"{folder}/p1.h5"),
        "polyglot: .keras in an HDF5 user block": H.polyglot_zip_then_h5(f"{folder}/p2.keras"),
        "nested models 6 deep x 10 calls": H.nested_functional(f"{folder}/n.h5", 6, 10),
        "MaxPooling1D(2**21), stride 1": H.pooling_model(f"{folder}/pool.h5", 1 << 21, 1 << 21),
        "RepeatVector(2**21) of 1,000": H.repeat_vector_model(f"{folder}/rep.h5", 1 << 21, 1000),
        "10,000 inputs and 10,000 layers": H.many_inputs_model(f"{folder}/wide.h5", 10_000),
        "4,000 hard links to 1 MiB (.keras)": H.hard_links_keras(f"{folder}/l.keras", 4000),
        "4,000 repeated weight names (.h5)": H.repeated_names_h5(f"{folder}/r.h5", 4000),
        "1,000,000-character name, 1,500 layers": H.long_name_model(
            f"{folder}/name.h5", 1_000_000, 1500
        ),
        "corrupt local heap (libhdf5 allocates without end)": H.CORRUPT_HEAP,
    }
    for kind in ("deep json", "encrypted", "compression", "corrupt deflate", "past the end"):
        made[f"zip: {kind}"] = H.zip_damage(f"{folder}/{kind.replace(' ', '_')}.keras", kind)
    rows = [("generate the seed model (reference)", [H.SEED_H5, "-o", out, "-q"])]
    rows += [(name, [path, "-o", out]) for name, path in made.items()]
    rows += [
        ("--timesteps 100000 --unroll", [free, "-o", out, "--timesteps", "100000", "--unroll"]),
        ("--timesteps 10**12", [free, "-o", out, "--timesteps", str(10**12)]),
        ("inspect: corrupt local heap", ["inspect", H.CORRUPT_HEAP]),
        ("verify: a polyglot (before Keras)", ["verify", made[next(iter(made))], H.SEED_PREDICTOR]),
    ]
    return rows


def reading_costs(repeats=15):
    """Median milliseconds to read the seed model: in this process, in a forked child,
    and in a fresh interpreter (what a caller with other threads gets)."""
    from lstmgen.reader import read_model, read_model_here

    def median(read):
        read(H.SEED_H5)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            read(H.SEED_H5)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    here, forked = median(read_model_here), median(read_model)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        spawned = median(read_model)
    finally:
        stop.set()
        other.join()
    print("\n| reading the seed model | ms (median) | x in-process |")
    print("|---|---|---|")
    for name, value in (
        ("in this process", here),
        ("forked child", forked),
        ("fresh interpreter", spawned),
    ):
        print(f"| {name} | {value:.1f} | {value / here:.1f} |")


def main():
    with tempfile.TemporaryDirectory() as folder:
        rows = cases(folder)
        results = [(name, H.run_capped(*args, timeout=300)) for name, args in rows]
    reference = results[0][1]
    print("| case | exit | seconds | peak MB | time / seed generation |")
    print("|---|---|---|---|---|")
    for name, outcome in results:
        ratio = outcome.seconds / reference.seconds
        print(
            f"| {name} | {outcome.code} | {outcome.seconds:.2f} | {outcome.peak / 2**20:.0f} "
            f"| {ratio:.2f} |"
        )
    worst = max(results[1:], key=lambda item: item[1].peak)
    print(f"\nlargest peak: {worst[0]} ({worst[1].peak / 2**20:.0f} MB)")
    reading_costs()


if __name__ == "__main__":
    main()
