"""Benchmark: the generated predictor's convolutions against Keras (and ONNX Runtime).

    python bench/convolutions.py            # writes bench/results/convolutions.md
    python bench/convolutions.py --quick    # fewer repeats, for a smoke test

One layer per model, Keras 3 with random weights: Conv2D, Conv2DTranspose,
DepthwiseConv2D and SeparableConv2D on 32 x 32 images, timed side by side in ONE process
on the same inputs; the table gives median times and the ratio of each engine to the
generated module, and the largest relative error against Keras's answer.
"""

import argparse
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from models import randomize  # noqa: E402
from run import load, median_time, onnx_session, optional  # noqa: E402

from lstmgen.generate import generate  # noqa: E402

ENGINES = ["generated", "keras predict", "keras call", "onnxruntime"]


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
    for batch in batches:
        x = np.random.default_rng(batch).normal(size=(batch,) + shape[1:]).astype(np.float32)
        expected = np.asarray(model(x, training=False), np.float64)
        got = module.predict(x).astype(np.float64)
        errors[batch] = float(np.max(np.abs(got - expected) / (1 + np.abs(expected))))
        for engine, fn in engines.items():
            times[(batch, engine)] = median_time(fn, x, min_time, repeats)
        print(
            f"  {key} batch {batch}: "
            + ", ".join(f"{e} {times[(batch, e)] * 1e3:.3f} ms" for e in engines),
            flush=True,
        )
    return times, errors


def markdown(results, descriptions, batches):
    """The results as two tables: median times, then ratios to the generated module."""
    lines = ["### Median time per call (ms)", "", "| model | batch | " + " | ".join(ENGINES) + " |"]
    lines.append("|---|---|" + "---|" * len(ENGINES))
    for key, (times, _) in results.items():
        for batch in batches:
            cells = [
                f"{times[(batch, e)] * 1e3:.3f}" if (batch, e) in times else "n/a" for e in ENGINES
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + " |")
    others = ENGINES[1:]
    lines += ["", "### Time relative to the generated module (x slower; < 1: faster than it)", ""]
    lines.append("| model | batch | " + " | ".join(others) + " | max rel. error vs Keras |")
    lines.append("|---|---|" + "---|" * (len(others) + 1))
    for key, (times, errors) in results.items():
        for batch in batches:
            own = times[(batch, "generated")]
            cells = [
                f"{times[(batch, e)] / own:.2f}" if (batch, e) in times else "n/a" for e in others
            ]
            lines.append(f"| {key} | {batch} | " + " | ".join(cells) + f" | {errors[batch]:.1e} |")
    lines += ["", "Models:", ""] + [f"- `{key}`: {text}" for key, text in descriptions.items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "convolutions.md"))
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
        handle.write(
            "# Convolutions: generated module vs Keras 3 (`python bench/convolutions.py`)\n\n"
        )
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
