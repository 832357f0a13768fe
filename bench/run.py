"""Benchmark: the generated predictor against Keras, ONNX Runtime and NumPy by hand.

    python -m pip install -e ".[bench]"
    python bench/run.py            # the full matrix (several minutes), writes bench/results/
    python bench/run.py --quick    # fewer repeats and batch sizes, for a smoke test
    OPENBLAS_NUM_THREADS=1 python bench/run.py ...   # every engine on one thread

Everything runs in ONE process, side by side on the same inputs; the tables give median
times and ratios to the generated module, which is what the README quotes.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from baseline import baseline_for  # noqa: E402
from blas import blas_core  # noqa: E402
from models import DEFAULT_MODELS, MODELS, lstm_growth, randomize  # noqa: E402

from lstmgen.generate import generate  # noqa: E402
from lstmgen.options import Options  # noqa: E402

# OPENBLAS_NUM_THREADS=1 (set before NumPy starts) runs every engine on one thread: on a
# shared machine, threads that wait for busy cores make the timings chaotic.
THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS", "0"))

ENGINES = [
    "generated",
    "generated (loop)",
    "keras predict",
    "keras call",
    "onnxruntime",
    "numpy by hand",
]


def median_time(fn, x, min_time, repeats):
    """Median seconds per call over `repeats` runs of enough calls to last `min_time`."""
    fn(x)
    start = time.perf_counter()
    fn(x)
    once = time.perf_counter() - start
    number = max(1, int(min_time / max(once, 1e-7)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn(x)
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def load(path, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_time(folder, name):
    """Seconds to import the module in a fresh interpreter (NumPy imported before, .pyc
    already written): decoding its weights and defining its functions."""
    import py_compile

    py_compile.compile(os.path.join(folder, f"{name}.py"), doraise=True)
    code = (
        f"import sys, time, numpy; sys.path.insert(0, {folder!r}); t = time.perf_counter(); "
        f"import {name}; print(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return min(runs)


def generate_measured(path, out, options):
    """Generation seconds (a clean run) and the generator's peak traced memory (a second
    run under tracemalloc, which slows Python down)."""
    name = os.path.splitext(os.path.basename(out))[0]
    start = time.perf_counter()
    source = generate(path, name, options)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    generate(path, name, options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with open(out, "w") as handle:
        handle.write(source)
    return seconds, peak


def onnx_session(model, folder, shape):
    import onnxruntime

    model(np.zeros((1,) + shape[1:], np.float32))  # Keras exports only models that ran
    path = os.path.join(folder, "model.onnx")
    model.export(path, format="onnx", verbose=False)
    options = onnxruntime.SessionOptions()
    if THREADS:
        options.intra_op_num_threads = options.inter_op_num_threads = THREADS
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


def optional(engine, key, make):
    """An engine that may not handle every model (no by-hand code, no ONNX export): None."""
    try:
        return make()
    except Exception as error:  # noqa: BLE001 (any failure: the engine sits this model out)
        print(f"  {key}: no {engine} ({type(error).__name__}: {str(error)[:120]})", flush=True)
        return None


def bench_model(keras, key, builder, batches, min_time, repeats, folder):
    model = randomize(builder(keras), seed=1)
    shape = model.inputs[0].shape
    path = os.path.join(folder, f"{key}.keras")
    model.save(path)
    stats = {"params": model.count_params(), "weight_bytes": 4 * model.count_params()}
    fast_out = os.path.join(folder, f"{key}_fast.py")
    stats["generation_s"], stats["peak_bytes"] = generate_measured(path, fast_out, Options())
    loop_out = os.path.join(folder, f"{key}_loop.py")
    generate_measured(path, loop_out, Options(unroll=False))
    stats["file_bytes"] = os.path.getsize(fast_out)
    stats["import_s"] = import_time(folder, f"{key}_fast")
    fast, loop = load(fast_out, f"{key}_fast"), load(loop_out, f"{key}_loop")
    engines = {
        "generated": fast.predict,
        "generated (loop)": loop.predict,
        "keras predict": lambda x: model.predict(x, batch_size=len(x), verbose=0),
        "keras call": lambda x: np.asarray(model(x, training=False)),
        "onnxruntime": optional(
            "onnxruntime", key, lambda: onnx_session(model, folder, tuple(shape))
        ),
        "numpy by hand": optional("numpy by hand", key, lambda: baseline_for(model)),
    }
    engines = {name: fn for name, fn in engines.items() if fn is not None}
    times, errors = {}, {}
    for batch in batches:
        x = np.random.default_rng(batch).normal(size=(batch,) + tuple(shape[1:])).astype(np.float32)
        expected = np.asarray(model(x, training=False))
        errors[batch] = max(
            float(np.max(np.abs(engines[e](x) - expected) / (1 + np.abs(expected))))
            for e in ("generated", "generated (loop)")
        )
        for engine, fn in engines.items():
            times[(batch, engine)] = median_time(fn, x, min_time, repeats)
        print(
            f"  {key} batch {batch}: "
            + ", ".join(f"{e} {times[(batch, e)] * 1e3:.3f} ms" for e in engines),
            flush=True,
        )
    return times, errors, stats


def growth(keras, folder, min_time, repeats):
    """Time vs timesteps (64 units) and vs units (50 steps), batch 16."""
    series = {"steps": {}, "units": {}}
    for axis, points in (("steps", [10, 25, 50, 100, 200]), ("units", [16, 32, 64, 128, 256])):
        for value in points:
            steps, units = (value, 64) if axis == "steps" else (50, value)
            model = randomize(lstm_growth(keras, steps, units), seed=2)
            path = os.path.join(folder, f"growth_{axis}_{value}.keras")
            model.save(path)
            out = os.path.join(folder, f"growth_{axis}_{value}.py")
            generate_measured(path, out, Options())
            module = load(out, f"growth_{axis}_{value}")
            x = np.random.default_rng(0).normal(size=(16, steps, 32)).astype(np.float32)
            series[axis][value] = {
                "generated": median_time(module.predict, x, min_time, repeats),
                "onnxruntime": median_time(
                    onnx_session(model, folder, (None, steps, 32)), x, min_time, repeats
                ),
                "numpy by hand": median_time(baseline_for(model), x, min_time, repeats),
            }
    return series


def machine() -> str:
    """What the numbers were measured on, and how loaded the machine was."""
    import platform

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} "
        f"cores, {platform.machine()}, Python {platform.python_version()}, NumPy "
        f"{np.__version__} (OpenBLAS kernels: {blas_core()}), "
        f"{f'{THREADS} thread(s) per engine' if THREADS else 'default threads'}; "
        f"load average at the end (1, 5, 15 min): {load}."
    )


def as_json(results, batches):
    """The run's numbers, for docs/performance.md's tables (bench/docs_tables.py)."""
    return {
        "machine": machine(),
        "batches": batches,
        "models": {
            key: {
                "ms": {
                    engine: {
                        str(b): times[(b, engine)] * 1e3 for b in batches if (b, engine) in times
                    }
                    for engine in ENGINES
                },
                "max_rel_error": {str(b): errors[b] for b in batches},
            }
            for key, (times, errors, _) in results.items()
        },
    }


def markdown(results, batches):
    lines = [machine(), "", "### Median time per call (ms)", ""]
    lines.append("| model | batch | " + " | ".join(ENGINES) + " |")
    lines.append("|---|---|" + "---|" * len(ENGINES))
    for key, (times, _, _) in results.items():
        for batch in batches:
            cells = [
                f"{times[(batch, e)] * 1e3:.3f}" if (batch, e) in times else "n/a" for e in ENGINES
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + " |")
    lines += ["", "### Time relative to the generated module (x slower; < 1: faster than it)", ""]
    lines.append("| model | batch | " + " | ".join(ENGINES[1:]) + " | max rel. error vs Keras |")
    lines.append("|---|---|" + "---|" * len(ENGINES))
    for key, (times, errors, _) in results.items():
        for batch in batches:
            base = times[(batch, "generated")]
            cells = [
                f"{times[(batch, e)] / base:.2f}" if (batch, e) in times else "n/a"
                for e in ENGINES[1:]
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + f" | {errors[batch]:.1e} |")
    lines += ["", "### Generator and module", ""]
    lines.append(
        "| model | parameters | generation (s) | generator peak memory / weight bytes | "
        "file size / weight bytes | file size (KB) | import (ms) |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    for key, (_, _, s) in results.items():
        lines.append(
            f"| {key} | {s['params']:,} | {s['generation_s']:.2f} | {s['peak_bytes'] / s['weight_bytes']:.2f} | "
            f"{s['file_bytes'] / s['weight_bytes']:.2f} | {s['file_bytes'] / 1024:.0f} | {s['import_s'] * 1e3:.1f} |"
        )
    return "\n".join(lines) + "\n"


def plot(results, batches, series, folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.6), squeeze=False)
    for ax, (key, (times, _, _)) in zip(axes[0], results.items()):
        for engine in ENGINES:
            if (batches[0], engine) in times:
                ax.plot(
                    batches, [times[(b, engine)] * 1e3 for b in batches], marker="o", label=engine
                )
        ax.set(xscale="log", yscale="log", title=key, xlabel="batch size", ylabel="ms per call")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "batch.png"), dpi=110)
    if series:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
        for ax, axis in zip(axes, ("steps", "units")):
            points = sorted(series[axis])
            for engine in ("generated", "onnxruntime", "numpy by hand"):
                ax.plot(
                    points,
                    [series[axis][p][engine] * 1e3 for p in points],
                    marker="o",
                    label=engine,
                )
            ax.set(
                xscale="log",
                yscale="log",
                xlabel=axis,
                ylabel="ms per call (batch 16)",
                title=f"LSTM, time vs {axis}",
            )
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(folder, "growth.png"), dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, batches 1 and 256")
    parser.add_argument("--models", nargs="*", default=DEFAULT_MODELS, choices=list(MODELS))
    parser.add_argument("--no-growth", action="store_true", help="skip the growth curves")
    parser.add_argument(
        "--batches", nargs="*", type=int, help="batch sizes (default 1 16 256 1024)"
    )
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args(argv)
    import keras

    if THREADS:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    batches = args.batches or ([1, 256] if args.quick else [1, 16, 256, 1024])
    min_time, repeats = (0.05, 3) if args.quick else (0.2, 3)
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for key in args.models:
            print(f"{key} ...", flush=True)
            results[key] = bench_model(keras, key, MODELS[key], batches, min_time, repeats, folder)
        series = None if args.no_growth else growth(keras, folder, min_time, repeats)
    text = markdown(results, batches)
    print(text)
    with open(os.path.join(args.out, "latest.json"), "w") as handle:
        json.dump(as_json(results, batches), handle, indent=1, sort_keys=True)
        handle.write("\n")
    with open(os.path.join(args.out, "latest.md"), "w") as handle:
        handle.write(text)
    plot(results, batches, series, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
