"""Model files are input from outside: hostile names, broken contents, absurd zips."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from codegen.build import RESERVED
from codegen.cli import main
from codegen.identifiers import NameTable
from codegen.generate import generate
from codegen.reader.normalize import LstmgenWarning
from oracle import load_module, randomize, relative_error, save
from test_cli_errors import assert_refused

HOSTILE = [
    '"""; import os; os.system("touch PWNED") #',
    "x\nimport os\nos.system('touch PWNED')",
    "class",
    "predict",
    "np",
    "a.b c/d",
    "\u00e9l\u00e8ve \u4e2d\u6587",
    "'''\\",
    "__import__('os').system('touch PWNED')",
    "{__import__('os').system('touch PWNED')}",
    "x\u2028import os\u0085#\r\x1b[2J",
    "state",
    "new_state",
    "inputs",
]


@pytest.fixture(scope="module")
def base_model(tmp_path_factory, keras2):
    K = keras2
    model = K.Sequential(
        [
            K.Input((4, 3), name="seq"),
            K.layers.LSTM(3, return_sequences=True, name="first"),
            K.layers.Dense(2, name="second"),
            K.layers.LSTM(2, name="third"),
        ]
    )
    randomize(model, seed=8)
    return model, save(model, tmp_path_factory.mktemp("hostile"), "h5")


def rename_layers(source, target, names):
    """Give the layers (and the model and its input) hostile names, weights included."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        layers = config["config"]["layers"]
        config["config"]["name"] = names[0]
        weights = handle["model_weights"]
        old_names = [layer["config"]["name"] for layer in layers]
        for layer, name in zip(layers, names):
            layer["config"]["name"] = name
            old = old_names[layers.index(layer)]
            if old in weights:
                weights.move(old, name)
        weights.attrs["layer_names"] = [n.encode() for n in names[1 : len(layers)]]
        handle.attrs["model_config"] = json.dumps(config)
    return target


@pytest.mark.parametrize("offset", range(4))
def test_hostile_names_are_inert(base_model, tmp_path, offset):
    model, path = base_model
    names = [HOSTILE[(offset * 4 + k) % len(HOSTILE)] for k in range(4)]
    names[1:] = [f"{n}{k}" for k, n in enumerate(names[1:])]  # layer names stay unique
    edited = rename_layers(path, str(tmp_path / "hostile.h5"), names)
    out = tmp_path / "predictor.py"
    assert main([edited, "-o", str(out), "-q"]) == 0
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import predictor"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr
    assert not os.path.exists(tmp_path / "PWNED")
    module = load_module(str(out))
    x = np.random.default_rng(1).normal(size=(3, 4, 3)).astype(np.float32)
    assert relative_error(module.predict(x), model(x)) <= 1e-5
    assert module.OUTPUT_NAMES == [names[-1]]


def test_hostile_names_in_messages_and_the_streaming_api(keras3, tmp_path):
    """Names end up in error messages (f-strings) and next to step()'s locals too."""
    K = keras3
    payload = "{__import__('os').system('touch PWNED')}"
    inputs = K.Input((5,), name="state")  # float: Keras casts the ids, so do we
    x = K.layers.Embedding(10, 4, name=payload)(inputs)
    x = K.layers.LSTM(3, return_sequences=True, name="new_state")(x)
    model = K.Model(inputs, K.layers.Dense(2, name="inputs")(x))
    randomize(model, seed=3)
    out = tmp_path / "predictor.py"
    assert main([save(model, tmp_path, "keras"), "-o", str(out), "-q"]) == 0
    module = load_module(str(out))
    ids = np.random.default_rng(0).integers(0, 10, (2, 5))
    assert relative_error(module.predict(ids), np.asarray(model(ids))) <= 1e-5
    state, expected = module.initial_state(2), np.asarray(model(ids))
    for t in range(5):
        y, state = module.step(ids[:, t], state)
        assert relative_error(y, expected[:, t]) <= 1e-5
    with pytest.raises(ValueError) as error:
        module.predict(np.full((1, 5), 99))
    assert payload in str(error.value)
    assert not (tmp_path / "PWNED").exists() and not os.path.exists("PWNED")


def test_json_that_is_not_a_model(capsys, tmp_path, base_model):
    _, path = base_model
    for index, config in enumerate(['{"hello": 1}', "[1, 2]", '"text"', "{not json"]):
        target = tmp_path / f"notmodel{index}.h5"
        shutil.copy(path, target)
        with h5py.File(target, "r+") as handle:
            handle.attrs["model_config"] = config
        assert_refused(capsys, tmp_path, target, f"notmodel{index}.h5")


def test_empty_model(capsys, tmp_path, keras3):
    path = save(keras3.Sequential([keras3.Input((3,))]), tmp_path, "keras")
    assert_refused(capsys, tmp_path, path, "no layers")


def edit_weight(source, target, layer, index, edit):
    """Copy the file and let `edit(group, name)` change one of the layer's weights."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        group = handle["model_weights"][layer]
        name = group.attrs["weight_names"][index]
        edit(group, name.decode() if isinstance(name, bytes) else name)
    return target


def test_integer_weights_are_refused(capsys, tmp_path, base_model):
    _, path = base_model

    def to_int(group, name):
        data = group[name][()]
        del group[name]
        group[name] = data.astype(np.int32)

    target = edit_weight(path, tmp_path / "ints.h5", "second", 0, to_int)
    assert_refused(capsys, tmp_path, target, "layer 'second'", "int32")


def test_nan_weights_warn_and_still_generate(capsys, tmp_path, base_model):
    _, path = base_model

    def to_nan(group, name):
        group[name][0] = np.nan

    target = edit_weight(path, tmp_path / "nan.h5", "second", 1, to_nan)
    out = tmp_path / "nan.py"
    assert main([str(target), "-o", str(out)]) == 0
    assert "NaN or inf" in capsys.readouterr().err
    module = load_module(str(out))
    assert np.isnan(module.predict(np.zeros((1, 4, 3), np.float32))).any()
    assert module.self_test()[0]  # NaN where the vector has NaN counts as agreement


def test_unknown_keras_version_warns(capsys, tmp_path, base_model):
    _, path = base_model
    target = tmp_path / "future.h5"
    shutil.copy(path, target)
    with h5py.File(target, "r+") as handle:
        handle.attrs["keras_version"] = "9.1.0"
    assert main([str(target), "-o", str(tmp_path / "f.py")]) == 0
    assert "newer than lstmgen knows" in capsys.readouterr().err


def test_terminal_escapes_from_the_file_are_not_printed(capsys, tmp_path, base_model):
    _, path = base_model
    target = tmp_path / "escape.h5"
    shutil.copy(path, target)
    with h5py.File(target, "r+") as handle:
        handle.attrs["keras_version"] = "9.1.0\x1b[2J\x07"
    assert main([str(target), "-o", str(tmp_path / "f.py")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2J" in err


def test_non_finite_options_are_refused(capsys, tmp_path, base_model):
    _, path = base_model
    target = tmp_path / "nan_option.h5"
    shutil.copy(path, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        leaky = {"class_name": "LeakyReLU", "config": {"name": "leaky", "alpha": float("inf")}}
        config["config"]["layers"].insert(2, leaky)
        handle.attrs["model_config"] = json.dumps(config)
    assert_refused(capsys, tmp_path, target, "layer 'leaky' (LeakyReLU)", "alpha=inf", "not a finite number")


def test_many_names_that_sanitise_alike_are_numbered_in_linear_time():
    """A file with 30,000 layers all named 'a!', 'a!!', ... (all 'a'): numbering them used
    to take minutes (counting up from 2 every time); now it is instant. The bound is 100x
    what it needs, so a noisy machine cannot fail it, but a quadratic one can."""
    table = NameTable(RESERVED)
    started = time.perf_counter()
    names = [table.claim("a" + "!" * k) for k in range(30000)]
    assert time.perf_counter() - started < 10
    assert names[:3] == ["a", "a_2", "a_3"] and len(set(names)) == 30000


def test_zip_bomb_and_lying_headers_are_refused(capsys, tmp_path, keras3):
    path = save(keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(2)]), tmp_path, "keras")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", members["metadata.json"])
        archive.writestr("model.weights.h5", members["model.weights.h5"])
        archive.writestr("config.json", b" " * (80 << 20))  # 80 MB of spaces, a few KB packed
    assert_refused(capsys, tmp_path, bomb, "config.json", "implausibly large")


def test_concurrent_predict_calls_agree(base_model, tmp_path):
    _, path = base_model
    out = tmp_path / "threads.py"
    out.write_text(generate(path, "threads"))
    module = load_module(str(out))
    inputs = [np.random.default_rng(k).normal(size=(k % 5 + 1, 4, 3)).astype(np.float32) for k in range(16)]
    expected = [module.predict(x) for x in inputs]
    failures = []

    def hammer(offset):
        for round_ in range(30):
            k = (offset + round_) % len(inputs)
            if not np.array_equal(module.predict(inputs[k]), expected[k]):
                failures.append(k)

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_import_has_no_side_effects(base_model, tmp_path):
    _, path = base_model
    (tmp_path / "quiet.py").write_text(generate(path, "quiet"))
    code = (
        "import sys, builtins\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "builtins.open = lambda *a, **k: opened.append(a) or real_open(*a, **k)\n"
        "import socket\n"
        "socket.socket = None\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import numpy\n"
        "before = set(sys.modules)\n"
        "import quiet\n"
        "new = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in ('quiet', 'numpy'))\n"
        "assert not opened, opened\n"
        "print(new)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    imported = eval(result.stdout)  # a list of module names printed above
    assert set(imported) <= {"base64", "binascii", "zlib", "struct", "_struct"}, imported


def test_warnings_are_lstmgen_warnings(base_model):
    _, path = base_model
    with warnings.catch_warnings():
        warnings.simplefilter("error", LstmgenWarning)
        generate(path)
