"""Benchmark: the generated predictor's convolutions against Keras (and ONNX Runtime).

    python bench/convolutions.py            # writes bench/results/convolutions.md
    python bench/convolutions.py --quick    # fewer repeats, for a smoke test
    python bench/convolutions.py --blas-threads 1   # NumPy's matmuls on one thread

One layer per model, Keras 3 with random weights: Conv2D, Conv2DTranspose,
DepthwiseConv2D and SeparableConv2D on 32 x 32 images, timed side by side in ONE process
on the same inputs, the engines taking turns (each repeat times every engine once), and
the generated module also in a process of its own that imports only NumPy, as a project
that vendors it runs it; the table gives median times, each engine's ratio to that one,
and the largest relative error against Keras's answer.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# --blas-threads N (or =N) is set before NumPy loads OpenBLAS, which reads it once
for k, arg in enumerate(sys.argv[1:], 1):
    if arg.startswith("--blas-threads="):
        os.environ["OPENBLAS_NUM_THREADS"] = arg.split("=", 1)[1]
    elif arg == "--blas-threads" and k + 1 < len(sys.argv):
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[k + 1]

import numpy as np  # noqa: E402 (after OPENBLAS_NUM_THREADS)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from models import randomize  # noqa: E402
from run import load, onnx_session, optional  # noqa: E402

from lstmgen.generate import generate  # noqa: E402

ENGINES = ["generated", "generated (own process)", "keras predict", "keras call", "onnxruntime"]
BASE = "generated (own process)"  # what a project that vendors the module runs

# Times the module in a process of its own that imports only NumPy (no TensorFlow, whose
# threads compete with NumPy's in the benchmark's process): the same inputs and timing.
OWN_PROCESS = """
import importlib.util, json, statistics, sys, time
import numpy as np  # noqa: E402 (after OPENBLAS_NUM_THREADS)
path, shape, batches, min_time, repeats = json.loads(sys.argv[1])
spec = importlib.util.spec_from_file_location("module", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = {}
for batch in batches:
    x = np.random.default_rng(batch).normal(size=[batch] + shape).astype(np.float32)
    module.predict(x)
    start = time.perf_counter()
    module.predict(x)
    number = max(1, int(min_time / max(time.perf_counter() - start, 1e-7)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            module.predict(x)
        samples.append((time.perf_counter() - start) / number)
    result[batch] = statistics.median(samples)
print(json.dumps(result))
"""


def models(keras):
    """name -> (description, a one-layer model)."""
    L = keras.layers

    def one(shape, layer):
        return keras.Sequential([keras.Input(shape), layer])

    return {
        "conv2d": (
            "Conv2D(32, 3x3, same, relu) on 32x32x16",
            one((32, 32, 16), L.Conv2D(32, 3, padding="same", activation="relu")),
        ),
        "conv2d_transpose": (
            "Conv2DTranspose(16, 3x3, strides 2, same, relu) on 16x16x32 -> 32x32x16",
            one(
                (16, 16, 32),
                L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
            ),
        ),
        "depthwise_conv2d": (
            "DepthwiseConv2D(3x3, same, relu) on 32x32x32",
            one((32, 32, 32), L.DepthwiseConv2D(3, padding="same", activation="relu")),
        ),
        "separable_conv2d": (
            "SeparableConv2D(32, 3x3, same, relu) on 32x32x32",
            one((32, 32, 32), L.SeparableConv2D(32, 3, padding="same", activation="relu")),
        ),
    }


def interleaved(engines, x, min_time, repeats):
    """{engine: median seconds per call}: each repeat times every engine in turn (enough
    calls to last `min_time`), so that a busy machine slows them alike."""
    numbers = {}
    for engine, fn in engines.items():
        fn(x)
        start = time.perf_counter()
        fn(x)
        numbers[engine] = max(1, int(min_time / max(time.perf_counter() - start, 1e-7)))
    samples = {engine: [] for engine in engines}
    for _ in range(repeats):
        for engine, fn in engines.items():
            start = time.perf_counter()
            for _ in range(numbers[engine]):
                fn(x)
            samples[engine].append((time.perf_counter() - start) / numbers[engine])
    return {engine: statistics.median(values) for engine, values in samples.items()}


def own_process(path, shape, batches, min_time, repeats):
    """{batch: median seconds per call} of the module at `path`, in a NumPy-only process."""
    argument = json.dumps([path, list(shape[1:]), batches, min_time, repeats])
    run = subprocess.run(
        [sys.executable, "-c", OWN_PROCESS, argument], capture_output=True, text=True, check=True
    )
    return {int(batch): seconds for batch, seconds in json.loads(run.stdout).items()}


def bench(keras, key, model, batches, min_time, repeats, folder):
    """{(batch, engine): seconds}, {batch: max relative error of the generated module}."""
    path = os.path.join(folder, f"{key}.keras")
    model.save(path)
    out = os.path.join(folder, f"{key}.py")
    with open(out, "w") as handle:
        handle.write(generate(path, key))
    module = load(out, key)
    shape = tuple(model.inputs[0].shape)
    engines = {
        "generated": module.predict,
        "keras predict": lambda x: model.predict(x, batch_size=len(x), verbose=0),
        "keras call": lambda x: np.asarray(model(x, training=False)),
        "onnxruntime": optional("onnxruntime", key, lambda: onnx_session(model, folder, shape)),
    }
    engines = {name: fn for name, fn in engines.items() if fn is not None}
    times, errors = {}, {}
    for batch, seconds in own_process(out, shape, batches, min_time, repeats).items():
        times[(batch, BASE)] = seconds
    for batch in batches:
        x = np.random.default_rng(batch).normal(size=(batch,) + shape[1:]).astype(np.float32)
        expected = np.asarray(model(x, training=False), np.float64)
        got = module.predict(x).astype(np.float64)
        errors[batch] = float(np.max(np.abs(got - expected) / (1 + np.abs(expected))))
        for engine, seconds in interleaved(engines, x, min_time, repeats).items():
            times[(batch, engine)] = seconds
        print(
            f"  {key} batch {batch}: "
            + ", ".join(f"{e} {times[(batch, e)] * 1e3:.3f} ms" for e in [BASE, *engines]),
            flush=True,
        )
    return times, errors


def markdown(results, descriptions, batches):
    """The results as two tables: median times, then ratios to the module in its own process."""
    lines = ["### Median time per call (ms)", "", "| model | batch | " + " | ".join(ENGINES) + " |"]
    lines.append("|---|---|" + "---|" * len(ENGINES))
    for key, (times, _) in results.items():
        for batch in batches:
            cells = [
                f"{times[(batch, e)] * 1e3:.3f}" if (batch, e) in times else "n/a" for e in ENGINES
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + " |")
    others = [engine for engine in ENGINES if engine != BASE]
    lines += ["", f"### Time relative to the {BASE} (x slower; < 1: faster than it)", ""]
    lines.append("| model | batch | " + " | ".join(others) + " | max rel. error vs Keras |")
    lines.append("|---|---|" + "---|" * (len(others) + 1))
    for key, (times, errors) in results.items():
        for batch in batches:
            own = times[(batch, BASE)]
            cells = [
                f"{times[(batch, e)] / own:.2f}" if (batch, e) in times else "n/a" for e in others
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + f" | {errors[batch]:.1e} |")
    lines += ["", "Models:", ""] + [f"- `{key}`: {text}" for key, text in descriptions.items()]
    return "\n".join(lines) + "\n"


def load_note():
    """The machine's load average when the run ended: what else competed for the cores."""
    try:
        return f"load average {os.getloadavg()[0]:.1f} at the end of the run"
    except OSError:
        return "load average unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "convolutions.md"))
    parser.add_argument(
        "--blas-threads",
        help="OPENBLAS_NUM_THREADS for the generated module's matmuls (default: OpenBLAS's own)",
    )
    args = parser.parse_args(argv)
    import keras

    batches = [1, 16] if args.quick else [1, 16, 128]
    min_time, repeats = (0.05, 3) if args.quick else (0.3, 7)
    results, descriptions = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for key, (description, model) in models(keras).items():
            descriptions[key] = description
            randomize(model, seed=1)
            results[key] = bench(keras, key, model, batches, min_time, repeats, folder)
    text = markdown(results, descriptions, batches)
    with open(args.out, "w") as handle:
        flags = f" --blas-threads {args.blas_threads}" if args.blas_threads else ""
        handle.write(
            f"# Convolutions: generated module vs Keras 3 (`python bench/convolutions.py{flags}`)"
            f"\n\nOne run, {os.cpu_count()} cores; {load_note()}\n\n"
        )
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
