"""Every value of a model config replaced by a value of another type, one at a time: the
reader refuses the file with its own error, or reads it; it never crashes (which the CLI
would report through its catch-all). The fuzz test found two such crashes; a search over
every golden file found no others. Keras-free."""

import copy
import json
import shutil
import warnings
import zipfile

import h5py
import pytest

from golden import golden_path
from lstmgen.emitter import generate_source
from lstmgen.errors import LstmgenError
from lstmgen.build import build_graph
from lstmgen.options import Options
from lstmgen.reader import read_model_here

OTHER_TYPES = [3, [1], {"a": 1}]  # a scalar, a list, an object


def paths(tree, prefix=()):
    """The path of every value below the root of a JSON tree."""
    if isinstance(tree, (dict, list)):
        for key, value in tree.items() if isinstance(tree, dict) else enumerate(tree):
            yield prefix + (key,)
            yield from paths(value, prefix + (key,))


def replaced(tree, path, value):
    tree = copy.deepcopy(tree)
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


def write_h5(source, target, config):
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        handle.attrs["model_config"] = json.dumps(config)


def write_keras(source, target, config):
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("name", ["fuzz_seed.k2.h5", "fuzz_seed.k3.keras"])
def test_a_value_of_another_type_is_refused_or_read(name, tmp_path):
    source = golden_path(name)
    if name.endswith(".h5"):
        with h5py.File(source, "r") as handle:
            config, write = json.loads(handle.attrs["model_config"]), write_h5
    else:
        with zipfile.ZipFile(source) as archive:
            config, write = json.loads(archive.read("config.json")), write_keras
    target = str(tmp_path / ("edited" + name[name.rindex(".") :]))
    crashes = []
    for path in paths(config):
        for value in OTHER_TYPES:
            write(source, target, replaced(config, path, value))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    # In this process, not a reading child: a crash shows its traceback.
                    build_graph(read_model_here(target), Options())
            except LstmgenError:
                pass
            except Exception as error:
                crashes.append(f"{path} = {value!r}: {type(error).__name__}: {error}")
    assert not crashes, crashes[:10]


def test_one_input_fixing_the_batch_size_fixes_it_for_all(tmp_path):
    """Two inputs, one of them with a fixed batch size: the model takes that batch size
    for both, and the embedded self-test uses it (it used a batch of 2 for the free one)."""
    source = golden_path("merges.k3.h5")
    with h5py.File(source, "r") as handle:
        config = json.loads(handle.attrs["model_config"])
    inputs = [layer for layer in config["config"]["layers"] if layer["class_name"] == "InputLayer"]
    inputs[0]["config"]["batch_shape"][0] = 3
    write_h5(source, tmp_path / "fixed.h5", config)
    graph = build_graph(read_model_here(str(tmp_path / "fixed.h5")), Options())
    assert [tensor.shape[0] for tensor in graph.inputs] == [3, None]
    assert generate_source(graph, "fixed").source
    inputs[1]["config"]["batch_shape"][0] = 5
    write_h5(source, tmp_path / "two.h5", config)
    with pytest.raises(LstmgenError, match=r"different batch sizes \[3, 5\]"):
        generate_source(build_graph(read_model_here(str(tmp_path / "two.h5")), Options()), "two")
