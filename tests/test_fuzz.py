"""Fuzz: hypothesis mutates real model files; every run ends in a working module or in
one clean line with exit code 2 - never a traceback, a hang or a broken module.

Mutation families: JSON configs and attributes, raw bytes, truncation, weight shapes and
dtypes, zip members, hostile renames, weight storage (gzip, external, unwritten), and the
hostile classes of issue 12: polyglots (zip and HDF5 at once), hard links and repeated
references to one array, nested repetition of the whole model, huge declared sizes (in
the config and in zip headers) and numbers written as strings.

LSTMGEN_FUZZ_EXAMPLES sets the number of mutations per file format: 150 by default (within
the suite's time budget), LSTMGEN_FUZZ_EXAMPLES=2000 for a long run.
A module that generates must pass its self-test and, for the first KERAS_CHECKS per
format that Keras itself can load, agree with Keras (so a wrong module cannot pass).
The seeds are golden files (tests/data/golden/fuzz_seed.*): the mutations drawn do not
depend on which tests built Keras models before. Each format's test keeps its own counts.
"""

import collections
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import Counter, List

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from golden import golden_path
from lstmgen import verify
from lstmgen.cli import main
from oracle import load_module

pytestmark = pytest.mark.keras  # generated modules are checked against Keras
EXAMPLES = int(os.environ.get("LSTMGEN_FUZZ_EXAMPLES", "150"))
KERAS_CHECKS = 15
SEEDS = {"h5": golden_path("fuzz_seed.k2.h5"), "keras": golden_path("fuzz_seed.k3.keras")}


@dataclass
class Outcomes:
    """How the runs of one fuzz test ended."""

    generated: int = 0
    refused: int = 0
    checked_against_keras: int = 0
    keras_cannot_load_either: int = 0
    catch_all: List[str] = field(default_factory=list)  # refusals by the catch-all handler
    families: Counter = field(default_factory=collections.Counter)  # "<family>: <outcome>"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


# Names built to break out of strings, comments, f-strings and identifiers.
HOSTILE_NAMES = st.text(
    st.sampled_from(list("ab_.'\"{}\\#\n\r\t \u2028\u0085\u00e9\x1b")), min_size=1, max_size=12
) | st.sampled_from(["class", "predict", "np", "state", "new_state", "inputs", "x", "'''", "{x!r}"])
SEED_NAMES = ["x", "lstm", "gru", "dense", "k2", "mask", "bi", "conv", "k3"]


def rename_everywhere(tree, old, new):
    """Every JSON string equal to `old` (names and the references to them) becomes `new`."""
    if isinstance(tree, dict):
        return {key: rename_everywhere(value, old, new) for key, value in tree.items()}
    if isinstance(tree, list):
        return [rename_everywhere(value, old, new) for value in tree]
    return new if tree == old else tree


def rename_json(data, draw):
    tree = json.loads(data)
    for _ in range(draw(st.integers(1, 3))):
        tree = rename_everywhere(tree, draw(st.sampled_from(SEED_NAMES)), draw(HOSTILE_NAMES))
    return json.dumps(tree)


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


H5_KINDS = ["config", "bytes", "truncate", "attrs", "weights", "names", "storage"]
HOSTILE_KINDS = ["polyglot", "links", "repeats", "nested", "huge", "strings"]


def mutate_h5(path, draw, seeds):
    kind = draw(st.sampled_from(H5_KINDS + HOSTILE_KINDS))
    if kind in HOSTILE_KINDS:
        hostile_h5(path, kind, draw, seeds)
        return kind
    if kind == "names":
        rename_h5(
            path, draw(st.sampled_from(["lstm", "gru", "dense", "x", "k2"])), draw(HOSTILE_NAMES)
        )
        return kind
    if kind == "storage":
        mutate_storage(path, draw)
        return kind
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
                    handle.attrs[key] = draw(
                        st.text(
                            st.characters(exclude_characters="\x00", exclude_categories=["Cs"]),
                            max_size=10,
                        )
                    )
            else:
                datasets = []
                handle["model_weights"].visititems(
                    lambda name, obj: (
                        datasets.append(name) if isinstance(obj, h5py.Dataset) else None
                    )
                )
                name = draw(st.sampled_from(datasets))
                shape = tuple(draw(st.lists(st.integers(0, 7), max_size=3)))
                dtype = draw(st.sampled_from(["float32", "float64", "float16", "int8", "bool"]))
                del handle["model_weights"][name]
                handle["model_weights"][name] = np.ones(shape, dtype=dtype)
    return kind


def rename_h5(path, old, new):
    """Rename a layer (or the model, or its input) in the config and its weight group."""
    with h5py.File(path, "r+") as handle:
        handle.attrs["model_config"] = json.dumps(
            rename_everywhere(json.loads(handle.attrs["model_config"]), old, new)
        )
        weights = handle["model_weights"]
        if old in weights and "/" not in new and new not in (".", "..") and new not in weights:
            weights.move(old, new)
            names = [
                n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]
            ]
            weights.attrs["layer_names"] = [
                (new if n == old else n).encode("utf-8", "surrogatepass") for n in names
            ]


def mutate_storage(path, draw):
    """Store one weight array another way: compressed and chunked (the same numbers),
    in an external file, or as a huge array never written (all fill value)."""
    with h5py.File(path, "r+") as handle:
        group = handle["model_weights"]
        datasets = []
        group.visititems(
            lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None
        )
        name = draw(st.sampled_from(datasets))
        data = group[name][()]
        del group[name]
        how = draw(st.sampled_from(["gzip", "external", "unwritten"]))
        if how == "gzip":
            group.create_dataset(name, data=data, chunks=True, compression="gzip")
        elif how == "external":
            outside = os.path.join(os.path.dirname(path), "outside.bin")
            data.astype("<f4").tofile(outside)
            group.create_dataset(
                name, shape=data.shape, dtype="<f4", external=[(outside, 0, data.nbytes)]
            )
        else:
            group.create_dataset(
                name, shape=(1 << 16, 1 << 14), dtype="f4", chunks=(64, 64), compression="gzip"
            )


def mutate_keras(path, draw, seeds):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    member = draw(st.sampled_from(sorted(members)))
    kind = draw(st.sampled_from(["json", "bytes", "drop", "names"] + HOSTILE_KINDS))
    if kind in HOSTILE_KINDS:
        hostile_keras(path, kind, draw, seeds)
        return kind
    if kind == "names":  # .keras weights are found by class order: renaming is free
        members["config.json"] = rename_json(members["config.json"], draw).encode()
    elif kind == "drop":
        del members[member]
    elif kind == "json" and member.endswith(".json"):
        members[member] = mutate_json(members[member], draw).encode()
    else:
        members[member] = flip_bytes(members[member], draw)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return kind


# --- the hostile classes of issue 12 ------------------------------------------------------

HUGE = [1 << 21, (1 << 24) - 1, 1 << 24, 1 << 31, 10**12]


def nest(config, draw):
    """The model wrapped in functional models `depth` deep, each calling the one inside
    `calls` times in a row (a few KB that can stand for calls**depth layer calls)."""
    depth, calls = draw(st.integers(1, 7)), draw(st.integers(1, 12))
    inner_input = next(
        (
            item["config"]
            for item in config["config"]["layers"]
            if item["class_name"] == "InputLayer"
        ),
        {"batch_input_shape": [None, 5, 3]},
    )
    shape = inner_input.get("batch_input_shape") or inner_input.get("batch_shape")
    for level in range(depth):
        name = f"nest{level}"
        nodes = [[[f"in{level}", 0, 0, {}]]] + [[[name, k, 0, {}]] for k in range(1, calls)]
        config = {
            "class_name": "Functional",
            "config": {
                "name": f"outer{level}",
                "layers": [
                    {
                        "class_name": "InputLayer",
                        "config": {"name": f"in{level}", "batch_input_shape": shape},
                        "inbound_nodes": [],
                    },
                    {**config, "name": name, "inbound_nodes": nodes},
                ],
                "input_layers": [[f"in{level}", 0, 0]],
                "output_layers": [[name, calls, 0]],
            },
        }
        config["config"]["layers"][1]["config"] = {
            **config["config"]["layers"][1]["config"],
            "name": name,
        }
    return config


def hostile_json(data, kind, draw):
    """The config with one hostile change: huge numbers, numbers as strings, or nesting."""
    tree = json.loads(data)
    if kind == "nested":
        return json.dumps(nest(tree, draw))
    numbers = [
        path
        for path, value in paths_in(tree)
        if path and isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    for _ in range(draw(st.integers(1, 3)) if numbers else 0):
        path = draw(st.sampled_from(numbers))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        value = parent[path[-1]]
        if kind == "huge":
            parent[path[-1]] = draw(st.sampled_from(HUGE))
        else:
            parent[path[-1]] = draw(st.sampled_from([str(value), "nan", "inf", "-inf", "1e999"]))
    return json.dumps(tree)


def hostile_h5(path, kind, draw, seeds):
    if kind == "polyglot":
        shutil.copy(path, path + ".h5")
        hostile.polyglot_h5_then_zip(path, h5=path + ".h5", keras=seeds["keras"])
        os.remove(path + ".h5")
        return
    with h5py.File(path, "r+") as handle:
        if kind in ("nested", "huge", "strings"):
            handle.attrs["model_config"] = hostile_json(handle.attrs["model_config"], kind, draw)
            return
        weights = handle["model_weights"]
        datasets = []
        weights.visititems(lambda n, o: datasets.append(n) if isinstance(o, h5py.Dataset) else None)
        target = weights[draw(st.sampled_from(datasets))]
        layer = weights[
            draw(st.sampled_from(sorted(k for k in weights if "weight_names" in weights[k].attrs)))
        ]
        count = draw(st.sampled_from([1, 2, 100, 4000]))
        names = [n.decode() if isinstance(n, bytes) else n for n in layer.attrs["weight_names"]]
        if kind == "links":  # hard links to one array, listed as the layer's weights
            if draw(st.booleans()):
                target = layer.create_dataset("unwritten", **hostile.UNWRITTEN)
            for k in range(count):
                layer[f"link{k}"] = target
            names += [f"link{k}" for k in range(count)]
        else:  # repeats: one of the layer's own names over and over
            names += [draw(st.sampled_from(names))] * count if names else []
        layer.attrs["weight_names"] = [n.encode("utf-8", "surrogatepass") for n in names]


def hostile_keras(path, kind, draw, seeds):
    if kind == "polyglot":
        shutil.copy(path, path + ".keras")
        hostile.polyglot_zip_then_h5(path, keras=path + ".keras", h5=seeds["h5"])
        os.remove(path + ".keras")
        return
    if kind in ("nested", "strings") or (kind == "huge" and draw(st.booleans())):
        members = hostile.members_of(path)
        members["config.json"] = hostile_json(members["config.json"], kind, draw).encode()
        hostile.write_zip(path, members)
        return
    if kind == "huge":  # a member's zip headers claim a huge size
        name = draw(st.sampled_from(["config.json", "metadata.json", "model.weights.h5"]))
        hostile.lie_about_size(path, name, draw(st.sampled_from(HUGE[:4])))
        return
    count = draw(st.sampled_from([1, 2, 100, 4000]))

    def edit(handle):
        groups = []
        handle.visititems(lambda n, o: groups.append(n) if n.endswith("/vars") else None)
        variables = handle[draw(st.sampled_from(groups))]
        keys = sorted(variables.keys(), key=lambda k: (len(k), k))
        source = variables[keys[0]] if keys and draw(st.booleans()) else None
        if source is None:
            source = variables.create_dataset(str(len(keys)), **hostile.UNWRITTEN)
            keys.append(str(len(keys)))
        for k in range(len(keys), len(keys) + count):
            variables[str(k)] = source  # hard links (the "repeats" of a .keras file)
        if kind == "repeats" and keys:
            variables.parent["again"] = variables.parent  # a group reached twice

    hostile.edit_keras_weights(path, edit, source=path)


def agrees_with_keras(path, out, outcomes):
    """For the first KERAS_CHECKS generated modules that Keras can load, lstmgen's own
    verify (random batches and the self-test input) must pass."""
    if outcomes.checked_against_keras >= KERAS_CHECKS:
        return
    try:
        model = verify.load_keras_model(path)
    except Exception:  # Keras is stricter than lstmgen about some mutations
        outcomes.keras_cannot_load_either += 1
        return
    outcomes.checked_against_keras += 1
    report, ok = verify.verify_loaded(model, path, out, 1e-5)
    assert ok, f"a generated module disagrees with Keras:\n{report}"


def run_once(path, folder, kind, outcomes):
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
    outcomes.families[f"{kind}: {'generated' if code == 0 else 'refused'}"] += 1
    if code == 0:
        outcomes.generated += 1
        module = load_module(out)
        ok, error = module.self_test()
        assert ok, f"a generated module fails its self-test ({error})"
        agrees_with_keras(path, out, outcomes)
        return
    outcomes.refused += 1
    if "could not be translated" in message:
        outcomes.catch_all.append(message.strip()[-160:])
    assert code == 2, message
    lines = message.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmgen: error: "), message
    assert "Traceback" not in message
    assert not os.path.exists(out)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_mutated_files_end_cleanly(fmt):
    """Every mutation ends cleanly; none is refused by the catch-all handler (every broken
    file meets a check that names what is wrong); modules are checked against Keras."""
    outcomes = Outcomes()

    @settings(
        max_examples=EXAMPLES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def mutate_and_run(data):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"model.{fmt}")
            shutil.copy(SEEDS[fmt], path)
            kind = (mutate_h5 if fmt == "h5" else mutate_keras)(path, data.draw, SEEDS)
            run_once(path, folder, kind, outcomes)

    mutate_and_run()
    print(f"fuzz outcomes ({fmt}): {outcomes}", file=sys.stderr)  # shown with -s
    assert not outcomes.catch_all, sorted(set(outcomes.catch_all))[:40]
    if outcomes.generated >= KERAS_CHECKS:
        assert outcomes.checked_against_keras > 0, "no generated module was checked against Keras"
