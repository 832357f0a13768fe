"""Golden files (tests/data/golden) and source snapshots (tests/data/snapshots), Keras-free.

The golden files are made by tests/data/make_golden.py (it needs Keras). The snapshots
are lstmgen's output for some of them; after an intended change to the generated code:

    python tests/golden.py      # rewrite tests/data/snapshots, then review the diff
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Dict, List, Tuple

import black
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from lstmgen.emitter import generate_source  # noqa: E402
from lstmgen.freshness import same_predictor  # noqa: E402
from lstmgen.build import build_graph  # noqa: E402
from lstmgen.reader import read_model  # noqa: E402
from lstmgen.options import Options  # noqa: E402

GOLDEN = os.path.join(ROOT, "tests", "data", "golden")
SNAPSHOTS = os.path.join(ROOT, "tests", "data", "snapshots")
BLACK_VERSION = os.path.join(SNAPSHOTS, "black-version.txt")  # the black that made them

# (golden file, options): one snapshot per template family, and per option that changes
# the text (unrolled or looped, masks, stacked cells, readable, float64, weights file).
SNAPSHOT_SPECS: List[Tuple[str, Options]] = [
    ("lstm_stack.k2.h5", Options()),
    ("lstm_stack.k3.keras", Options()),
    ("lstm_stack.k3.keras", Options(unroll=False)),
    ("lstm_stack.k2.h5", Options(fast=False)),
    ("lstm_stack.k3.keras", Options(float64=True)),
    ("lstm_stack.k3.keras", Options(weights_file=True)),
    ("lstm_free_time.k3.keras", Options()),
    ("lstm_free_time.k3.keras", Options(timesteps=3)),
    ("gru_simple_rnn.k2.h5", Options()),
    ("gru_simple_rnn.k3.keras", Options(fast=False, unroll=False)),
    ("bidirectional_masked.k3.keras", Options()),
    ("bidirectional_masked.k2.h5", Options(unroll=False)),
    ("rnn_cells.k3.keras", Options()),
    ("rnn_cells.k2.h5", Options(fast=False)),
    ("conv_lstm.k3.keras", Options()),
    ("convolutions.k3.h5", Options()),
    ("transposed_depthwise_einsum.k3.h5", Options()),
    ("embedding_masked.k3.keras", Options()),
    ("attention.k2.keras", Options()),
    ("multi_head_attention.k3.keras", Options()),
    ("merges.k3.h5", Options()),
    ("normalizations.k3.keras", Options()),
    ("activations.k2.h5", Options()),
    ("activations.k3.keras", Options(float64=True)),
    ("reshaping.k3.h5", Options()),
    ("time_distributed.k2.h5", Options()),
    ("inference_noops.k2.keras", Options()),
    ("nested.k3.keras", Options()),
    ("stateful.k2.h5", Options()),
    ("encoder_decoder.k2.keras", Options()),
    ("streaming.k3.keras", Options()),
    ("preprocessing.k2.h5", Options()),
    ("preprocessing.k3.keras", Options()),
    ("augmentation.k2.keras", Options()),
    ("augmentation.k3.h5", Options()),
    ("keras1_lstm_gpu.k1.h5", Options()),
]


def manifest() -> Dict[str, dict]:
    """Golden file name -> what made it (tests/data/golden/manifest.json)."""
    with open(os.path.join(GOLDEN, "manifest.json")) as handle:
        return json.load(handle)


def golden_path(name: str) -> str:
    return os.path.join(GOLDEN, name)


def recorded(name: str) -> Dict[str, np.ndarray]:
    """The arrays stored beside a golden file."""
    with np.load(golden_path(name) + ".npz") as data:
        return {key: data[key] for key in data.files}


def calls(arrays: Dict[str, np.ndarray]) -> List[Tuple[List[np.ndarray], List[np.ndarray]]]:
    """(inputs, Keras's outputs) of each recorded call, in order."""
    result, call = [], 0
    while f"call{call}.in0" in arrays:
        result.append((_numbered(arrays, f"call{call}.in"), _numbered(arrays, f"call{call}.out")))
        call += 1
    return result


def prefixes(arrays: Dict[str, np.ndarray]) -> List[List[np.ndarray]]:
    """Keras's outputs on the first 1, 2, ... steps of the first call's input."""
    result, steps = [], 1
    while f"prefix{steps}.out0" in arrays:
        result.append(_numbered(arrays, f"prefix{steps}.out"))
        steps += 1
    return result


def _numbered(arrays, prefix):
    count = sum(1 for key in arrays if key.startswith(prefix))
    return [arrays[f"{prefix}{k}"] for k in range(count)]


def snapshot_path(name: str, options: Options) -> str:
    """tests/data/snapshots/NAME[.FLAGS].py"""
    flags = options.flags().replace("--", "").replace(" ", "_")
    return os.path.join(SNAPSHOTS, name + (f".{flags}" if flags else "") + ".py")


@functools.lru_cache(maxsize=None)
def read_golden(name: str):
    """A golden file as lstmgen reads it, read once per process (each reading forks a
    child, which is slow in a process that holds TensorFlow)."""
    return read_model(golden_path(name))


def read_golden_graph(name: str, options: Options = Options()):
    """The IR of a golden file: what lstmgen.generate.read_graph gives."""
    return build_graph(read_golden(name), options)


def generated(name: str, options: Options = Options()) -> str:
    """lstmgen's module source for a golden file (only the source with --weights-file)."""
    return generate_source(read_golden_graph(name, options), "predictor").source


def write_snapshots() -> None:
    """Rewrite the snapshots that changed (not for the self-test's BLAS rounding alone)
    and remove the ones no longer listed."""
    os.makedirs(SNAPSHOTS, exist_ok=True)
    wanted = set()
    for name, options in SNAPSHOT_SPECS:
        path = snapshot_path(name, options)
        wanted.add(os.path.basename(path))
        fresh = generated(name, options)
        if os.path.exists(path) and same_predictor(open(path, encoding="utf-8").read(), fresh):
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(fresh)
            print(f"wrote {os.path.relpath(path, ROOT)}")
    wanted.add(os.path.basename(BLACK_VERSION))
    with open(BLACK_VERSION, "w") as handle:
        handle.write(black.__version__ + "\n")
    for stale in set(os.listdir(SNAPSHOTS)) - wanted:
        os.remove(os.path.join(SNAPSHOTS, stale))


if __name__ == "__main__":
    write_snapshots()
