"""Layer names are text from a stranger's file, and every template family prints them (in
docstrings and comments). Each golden file, its layers (nested ones too) renamed to
strings that would break out of a comment, a docstring or a string literal, must give a
module that predicts exactly what the module of the original file predicts, and runs
nothing. A new template family gets a golden file, so this covers it too. No Keras."""

import json
import os
import shutil
import zipfile

import h5py
import numpy as np
import pytest

from golden import calls, golden_path, manifest, recorded
from lstmgen.cli import main
from oracle import load_module

HOSTILE = [
    '"""; import os; os.system("touch PWNED") #',
    "x\nimport os\nos.system('touch PWNED')",
    "'''\\",
    "x\u2028import os\u0085#\r\x1b[2J",
    "{__import__('os').system('touch PWNED')}",
    "\\N{",
    "# fmt: off",
]


REFERENCES = ("inbound_nodes", "input_layers", "output_layers")


def is_layer(value) -> bool:
    """A layer's or model's entry (not a dtype policy's, an initializer's, ...)."""
    config = value.get("config")
    return (
        "class_name" in value
        and isinstance(config, dict)
        and isinstance(config.get("name"), str)
        and ("trainable" in config or "layers" in config or value["class_name"] == "InputLayer")
    )


def layer_names(value, found):
    """Every layer's and model's name in a config, at any depth."""
    if isinstance(value, dict):
        if is_layer(value):
            found.append(value["config"]["name"])
        for item in value.values():
            layer_names(item, found)
    elif isinstance(value, list):
        for item in value:
            layer_names(item, found)
    return found


def renamed(value, mapping, reference=False):
    """The config with each layer's name and every reference to it replaced."""
    if isinstance(value, dict):
        result = {
            key: renamed(item, mapping, reference or key in REFERENCES)
            for key, item in value.items()
        }
        if is_layer(value):
            name = value["config"]["name"]
            result["config"]["name"] = mapping.get(name, name)
        return result
    if isinstance(value, list):
        return [renamed(item, mapping, reference) for item in value]
    if reference and isinstance(value, str):
        return mapping.get(value, value)
    return value


def hostile_mapping(config, nested=True):
    """Old name -> hostile name (legacy HDF5 files find a nested model's weights by its
    layers' names: there only the outer names change)."""
    if nested:
        names = sorted(set(layer_names(config, [])))
    else:
        outer = config["config"]  # a list of layers in old Sequential configs
        layers = outer if isinstance(outer, list) else outer["layers"]
        names = sorted({layer["config"]["name"] for layer in layers if is_layer(layer)})
    return {name: f"{HOSTILE[k % len(HOSTILE)]}{k}" for k, name in enumerate(names)}


def rename_h5(source, target):
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        mapping = hostile_mapping(config, nested=False)
        handle.attrs["model_config"] = json.dumps(renamed(config, mapping))
        weights = handle["model_weights"] if "model_weights" in handle else handle
        for old in list(weights.keys()):
            if old in mapping:
                weights.move(old, mapping[old])
        listed = [n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]]
        weights.attrs["layer_names"] = [mapping.get(n, n).encode() for n in listed]


def rename_keras(source, target):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for member in old.namelist():
            data = old.read(member)
            if member == "config.json":
                config = json.loads(data)
                data = json.dumps(renamed(config, hostile_mapping(config))).encode()
            new.writestr(member, data)


CASES = [name for name in sorted(manifest()) if ".k1." not in name]  # Keras 1: test_keras1


@pytest.mark.parametrize("name", CASES)
def test_hostile_layer_names_change_nothing_but_the_text(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a PWNED file would land here
    hostile = tmp_path / os.path.basename(name)
    (rename_keras if name.endswith(".keras") else rename_h5)(golden_path(name), hostile)
    assert main([str(hostile), "-o", str(tmp_path / "hostile_module.py"), "-q"]) == 0
    assert main([golden_path(name), "-o", str(tmp_path / "plain_module.py"), "-q"]) == 0
    module = load_module(str(tmp_path / "hostile_module.py"))
    plain = load_module(str(tmp_path / "plain_module.py"))
    for inputs, _ in calls(recorded(name)):
        given = inputs if len(inputs) > 1 else inputs[0]
        got, expected = module.predict(given), plain.predict(given)
        got = got if isinstance(got, list) else [got]
        expected = expected if isinstance(expected, list) else [expected]
        assert all(np.array_equal(a, b) for a, b in zip(got, expected))
    assert not (tmp_path / "PWNED").exists()
