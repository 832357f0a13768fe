"""Fuzz: hypothesis mutates real model files; every run ends in a working module or in
one clean line with exit code 2 - never a traceback, a hang or a broken module.

LSTMGEN_FUZZ_EXAMPLES sets the number of mutations per file format (default 600).
"""

import io
import json
import os
import shutil
import signal
import sys
import tempfile
import zipfile
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.cli import main
from oracle import load_module, randomize, save

EXAMPLES = int(os.environ.get("LSTMGEN_FUZZ_EXAMPLES", "600"))
OUTCOMES = {"generated": 0, "refused": 0, "refused by the catch-all": 0}
CATCH_ALL = []

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory, keras2, keras3):
    folder = tmp_path_factory.mktemp("fuzz")
    # Explicit names: the files, and so the drawn mutations, do not depend on which
    # other tests built Keras layers before (Keras numbers default names globally).
    K = keras2
    L = K.layers
    k2 = K.Sequential(
        [K.Input((5, 3), name="x"), L.LSTM(3, return_sequences=True, name="lstm"),
         L.GRU(2, name="gru"), L.Dense(2, name="dense")],
        name="k2",
    )
    K = keras3
    L = K.layers
    x = K.Input((5, 3), name="x")
    y = L.Bidirectional(L.LSTM(2, return_sequences=True, name="lstm"), name="bi")(L.Masking(name="mask")(x))
    y = L.Dense(2, activation="softmax", name="dense")(L.Conv1D(2, 2, name="conv")(y))
    k3 = K.Model(x, y, name="k3")
    return {
        "h5": save(randomize(k2, 1) or k2, folder, "h5"),
        "keras": save(randomize(k3, 2) or k3, folder, "keras"),
    }


def paths_in(tree, prefix=()):
    """Every (path, value) in a JSON tree."""
    yield prefix, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths_in(value, prefix + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from paths_in(value, prefix + (index,))


def mutate_json(data, draw):
    tree = json.loads(data)
    candidates = [path for path, _ in paths_in(tree) if path]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(candidates))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            try:
                parent[path[-1]] = draw(JSON_VALUES)
            except (IndexError, KeyError, TypeError):
                pass
        candidates = [p for p, _ in paths_in(tree) if p] or candidates
    return json.dumps(tree)


def flip_bytes(data, draw):
    data = bytearray(data)
    if not data:
        return bytes(data)
    for _ in range(draw(st.integers(1, 24))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def mutate_h5(path, draw):
    kind = draw(st.sampled_from(["config", "bytes", "truncate", "attrs", "weights"]))
    if kind == "bytes":
        data = open(path, "rb").read()
        open(path, "wb").write(flip_bytes(data, draw))
    elif kind == "truncate":
        data = open(path, "rb").read()
        open(path, "wb").write(data[: draw(st.integers(0, len(data) - 1))])
    else:
        with h5py.File(path, "r+") as handle:
            if kind == "config":
                handle.attrs["model_config"] = mutate_json(handle.attrs["model_config"], draw)
            elif kind == "attrs":
                key = draw(st.sampled_from(["keras_version", "backend", "model_config"]))
                if draw(st.booleans()):
                    del handle.attrs[key]
                else:
                    handle.attrs[key] = draw(st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=10))
            else:
                datasets = []
                handle["model_weights"].visititems(
                    lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None
                )
                name = draw(st.sampled_from(datasets))
                shape = tuple(draw(st.lists(st.integers(0, 7), max_size=3)))
                dtype = draw(st.sampled_from(["float32", "float64", "float16", "int8", "bool"]))
                del handle["model_weights"][name]
                handle["model_weights"][name] = np.ones(shape, dtype=dtype)


def mutate_keras(path, draw):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    member = draw(st.sampled_from(sorted(members)))
    kind = draw(st.sampled_from(["json", "bytes", "drop"]))
    if kind == "drop":
        del members[member]
    elif kind == "json" and member.endswith(".json"):
        members[member] = mutate_json(members[member], draw).encode()
    else:
        members[member] = flip_bytes(members[member], draw)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def run_once(path, folder):
    out = os.path.join(folder, "fuzzed.py")
    stderr = io.StringIO()

    def hang(*_):
        raise TimeoutError("lstmgen took more than 60 s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(60)
    try:
        with redirect_stderr(stderr), redirect_stdout(io.StringIO()):
            code = main([path, "-o", out, "-q"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    message = stderr.getvalue()
    if code == 0:
        OUTCOMES["generated"] += 1
        module = load_module(out)
        ok, error = module.self_test()
        assert ok, f"a generated module fails its self-test ({error})"
        return
    OUTCOMES["refused"] += 1
    if "could not be translated" in message:
        OUTCOMES["refused by the catch-all"] += 1
        CATCH_ALL.append(message.strip()[-160:])
    assert code == 2, message
    lines = message.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmgen: error: "), message
    assert "Traceback" not in message
    assert not os.path.exists(out)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["h5", "keras"])
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_files_end_cleanly(seeds, fmt, data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"model.{fmt}")
        shutil.copy(seeds[fmt], path)
        (mutate_h5 if fmt == "h5" else mutate_keras)(path, data.draw)
        run_once(path, folder)


def test_report_fuzz_outcomes():
    """How the fuzz runs above ended (-s shows it): no refusal came from the catch-all
    handler, i.e. every broken file met a check that names what is wrong."""
    print(f"fuzz outcomes: {OUTCOMES}", file=sys.stderr)
    for message in sorted(set(CATCH_ALL))[:40]:
        print("  catch-all:", message, file=sys.stderr)
    assert not CATCH_ALL
