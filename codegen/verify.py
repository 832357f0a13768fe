"""`lstmgen verify MODEL PREDICTOR.py`: run Keras and the predictor side by side."""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import List, Optional, Sequence, Tuple

import numpy as np

from codegen.errors import LstmgenError
from codegen.reader import read_model

KERAS_FOR = {2: ("tf_keras", "tf-keras==2.21.*"), 3: ("keras", "keras>=3.10")}


def load_keras_model(path: str):
    """The model loaded by the Keras that matches the file's major version."""
    model = read_model(path)
    if model.keras_version.startswith("1."):
        raise LstmgenError(
            f"{path}: saved by Keras {model.keras_version}; no Keras that installs today loads "
            "Keras 1 files, so verify cannot run it (compare with your own reference outputs)"
        )
    major = model.keras_major
    package, requirement = KERAS_FOR[major]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        keras = importlib.import_module(package)
    except ImportError:
        raise LstmgenError(
            f"verify needs Keras {major} to run {path}: pip install '{requirement}' tensorflow-cpu"
        ) from None
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - Keras raises many kinds
        raise LstmgenError(f"{path}: Keras {major} cannot load it: {' '.join(str(error).split())}") from None


def load_predictor(path: str):
    """Import a generated predictor from its path."""
    if not os.path.isfile(path):
        raise LstmgenError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location("lstmgen_verified", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_inputs(predictor, batch: int, steps: int, seed: int) -> List[np.ndarray]:
    """Inputs of the predictor's shapes: normal floats, or small token ids."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, dtype in zip(predictor.INPUT_SHAPES, predictor.INPUT_DTYPES):
        full = (batch,) + tuple(steps if n is None else n for n in shape[1:])
        if dtype.startswith(("int", "uint")):
            arrays.append(rng.integers(0, 2, full).astype(np.int32))
        else:
            arrays.append(rng.standard_normal(full).astype(np.float32))
    return arrays


def compare(model, predictor, inputs: Sequence[np.ndarray]) -> List[Tuple[str, float, float]]:
    """(output name, max |a - b|, max |a - b| / (1 + |b|)) per output."""
    expected = model(inputs[0] if len(inputs) == 1 else list(inputs), training=False)
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    got = predictor.predict(list(inputs))
    got = got if isinstance(got, list) else [got]
    rows = []
    for name, a, b in zip(predictor.OUTPUT_NAMES, got, expected):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        diff = np.abs(a - b)
        rows.append((name, float(diff.max(initial=0.0)), float((diff / (1 + np.abs(b))).max(initial=0.0))))
    return rows


def verify(model_path: str, predictor_path: str, tolerance: float,
           npy_inputs: Optional[Sequence[str]] = None, batch: int = 4, steps: int = 7) -> Tuple[str, bool]:
    """The report and whether every output is within `tolerance` (relative)."""
    model = load_keras_model(model_path)
    predictor = load_predictor(predictor_path)
    cases = [(f"random {seed + 1}", random_inputs(predictor, batch, steps, seed)) for seed in (0, 1)]
    if npy_inputs:
        cases.append(("given", [np.load(p, allow_pickle=False) for p in npy_inputs]))
    lines, ok = [f"{'input':8s} {'output':24s} {'max abs':>10s} {'max rel':>10s}  result"], True
    for label, inputs in cases:
        try:
            rows = compare(model, predictor, inputs)
        except ValueError as error:
            raise LstmgenError(
                f"{predictor_path} and {model_path} disagree on inputs: {' '.join(str(error).split())}"
            ) from None
        for name, absolute, relative in rows:
            passed = relative <= tolerance
            ok &= passed
            lines.append(f"{label:8s} {name[:24]:24s} {absolute:10.2e} {relative:10.2e}  "
                         f"{'pass' if passed else 'FAIL'} (tolerance {tolerance:g})")
    return "\n".join(lines) + "\n", ok
