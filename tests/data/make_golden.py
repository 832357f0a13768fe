"""Write the golden files: small models saved by Keras, with Keras's outputs beside them.

    python tests/data/make_golden.py            # all; needs TensorFlow, tf_keras, Keras 3
    python tests/data/make_golden.py CASE ...   # only these cases (golden_models.py, keras1)
    python tests/golden.py                      # then refresh the source snapshots

For every case in golden_models.py and every (Keras, format) it lists, this builds the
model, gives every weight a random value, saves it as tests/data/golden/NAME.kK.FMT and
stores in NAME.kK.FMT.npz the inputs and Keras's outputs for them (`model(x)`, inference):
`callC.inI` / `callC.outJ` for consecutive calls (stateful models carry their states
across calls), `prefixT.outJ` for the outputs on the first T steps (for step()). Keras 1
files are written with h5py in Keras 1.2's layout (tests/keras1_files.py) and a Keras 2.1
file in its layout (tests/legacy_files.py), from tf_keras models whose outputs are the
reference. manifest.json lists every file. Files are rewritten only here, never by a test.
"""

from __future__ import annotations

import json
import os
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path[:0] = [HERE, TESTS]

import golden_keras1  # noqa: E402
from golden_models import CASES, Case  # noqa: E402
from oracle import flatten, zero_padding  # noqa: E402

OUT = os.path.join(HERE, "golden")
TAGS = {"keras2": "k2", "keras3": "k3"}


def keras_module(name: str):
    """`tf_keras` for keras2, `keras` for keras3."""
    if name == "keras2":
        import tf_keras

        return tf_keras
    import keras

    return keras


def randomize(model, seed: int, scale: float) -> None:
    """Random weights; variances positive; Normalization keeps what adapt() computed."""
    rng = np.random.default_rng(seed)
    for layer in model_layers(model):
        if type(layer).__name__ == "Normalization":
            continue
        for weight in layer.weights:
            value = rng.normal(0.0, scale, tuple(weight.shape)).astype(np.float32)
            weight.assign(np.abs(value) + 0.1 if "variance" in weight.name else value)


def model_layers(model):
    """Every layer, nested models' layers included, each once."""
    seen, order = set(), []
    for layer in model.layers:
        inner = model_layers(layer) if hasattr(layer, "layers") else [layer]
        for item in inner:
            if id(item) not in seen:
                seen.add(id(item))
                order.append(item)
    return order


def inputs_for(model, case: Case, seed: int):
    """One batch of the case's kind of inputs, free axes given case.steps."""
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        shape = tuple(tensor.shape)
        first = case.batch if shape[0] is None else shape[0]
        full = (first,) + tuple(case.steps if n is None else n for n in shape[1:])
        if case.inputs in ("ids", "masked_ids"):
            ids = rng.integers(1, 12, full)
            if case.inputs == "masked_ids":
                ids = zero_padding(ids, rng)
            arrays.append(ids.astype(np.int32))
        else:
            x = rng.normal(size=full)
            arrays.append((zero_padding(x, rng) if case.inputs == "padded" else x).astype("f4"))
    return arrays


def outputs_of(model, inputs):
    result = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    return [np.asarray(y, np.float32) for y in flatten(result)]


def record(model, case: Case, seed: int):
    """The arrays of the .npz: every call's inputs and outputs, then the prefixes'."""
    arrays = {}
    for call in range(case.calls):
        inputs = inputs_for(model, case, seed + call)
        arrays.update({f"call{call}.in{k}": x for k, x in enumerate(inputs)})
        arrays.update({f"call{call}.out{k}": y for k, y in enumerate(outputs_of(model, inputs))})
    if case.prefixes:
        (x,) = inputs_for(model, case, seed)
        for t in range(1, x.shape[1] + 1):
            outputs = outputs_of(model, [x[:, :t]])
            arrays.update({f"prefix{t}.out{k}": y for k, y in enumerate(outputs)})
    return arrays


def write(name: str, model, fmt: str, arrays, about: dict, manifest: dict) -> None:
    path = os.path.join(OUT, f"{name}.{fmt}")
    if os.path.exists(path):
        os.remove(path)
    model.save(path)
    np.savez(path + ".npz", **arrays)
    manifest[os.path.basename(path)] = about


def make_cases(manifest: dict, names) -> None:
    for name, case in sorted(CASES.items()):
        if names and name not in names:
            continue
        for version, fmt in case.saves:
            K = keras_module(version)
            K.backend.clear_session()
            model = case.build(K)
            seed = zlib.crc32(name.encode()) % 10000
            randomize(model, seed, case.scale)
            for layer in model_layers(model):
                if getattr(layer, "stateful", False):
                    layer.reset_states()  # the recorded calls start from zero states
            about = {
                "case": name,
                "saved_by": f"{K.__name__} {K.__version__}",
                "calls": case.calls,
                "prefixes": case.prefixes,
                "outputs": len(model.outputs),
            }
            arrays = record(model, case, seed)
            write(f"{name}.{TAGS[version]}", model, fmt, arrays, about, manifest)
            print(f"{name}.{TAGS[version]}.{fmt}")


def main(names) -> None:
    os.makedirs(OUT, exist_ok=True)
    manifest: dict = {}
    listed = os.path.join(OUT, "manifest.json")
    if names and os.path.exists(listed):
        with open(listed) as handle:
            manifest = json.load(handle)
    make_cases(manifest, names)
    if not names or "keras1" in names:
        for filename, arrays, about in golden_keras1.files(keras_module("keras2"), OUT, randomize):
            np.savez(os.path.join(OUT, filename + ".npz"), **arrays)
            manifest[filename] = about
            print(filename)
    with open(os.path.join(OUT, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
