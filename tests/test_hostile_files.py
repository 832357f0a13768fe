"""Model files are input from outside: hostile names, broken contents, absurd zips."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import lstmgen.reader.limits
from lstmgen.build import RESERVED
from lstmgen.cli import main
from lstmgen.identifiers import NameTable
from lstmgen.generate import generate
from lstmgen.errors import LstmgenWarning
from golden import calls, golden_path, recorded
from oracle import assert_refused, edit_weight, load_module, randomize, relative_error, save

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = b"TOP-SECRET-lstmgen-0042!"  # 24 bytes: a (3, 2) float32 kernel's worth

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
def base_model():
    """A golden file saved by tf_keras (seq -> LSTM first -> Dense second -> LSTM third),
    and (inputs, Keras's outputs) for it."""
    name = "hostile_base.k2.h5"
    (inputs, outputs), *_ = calls(recorded(name))
    return (inputs[0], outputs[0]), golden_path(name)


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
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr
    assert not os.path.exists(tmp_path / "PWNED")
    module = load_module(str(out))
    x, expected = model
    assert relative_error(module.predict(x), expected) <= 1e-5
    assert module.OUTPUT_NAMES == [names[-1]]


@pytest.mark.keras
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


@pytest.mark.keras
def test_empty_model(capsys, tmp_path, keras3):
    path = save(keras3.Sequential([keras3.Input((3,))]), tmp_path, "keras")
    assert_refused(capsys, tmp_path, path, "no layers")


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
    assert_refused(
        capsys, tmp_path, target, "layer 'leaky' (LeakyReLU)", "alpha=inf", "not a finite number"
    )


def test_many_names_that_sanitise_alike_are_numbered_in_linear_time():
    """A file with 30,000 layers all named 'a!', 'a!!', ... (all 'a'): numbering them used
    to take minutes (counting up from 2 every time); now it is instant. The bound is 100x
    what it needs, so a noisy machine cannot fail it, but a quadratic one can."""
    table = NameTable(RESERVED)
    started = time.perf_counter()
    names = [table.claim("a" + "!" * k) for k in range(30000)]
    assert time.perf_counter() - started < 10
    assert names[:3] == ["a", "a_2", "a_3"] and len(set(names)) == 30000


def test_zip_bomb_and_lying_headers_are_refused(capsys, tmp_path, model_files):
    with zipfile.ZipFile(model_files["keras"]) as archive:
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
    inputs = [
        np.random.default_rng(k).normal(size=(k % 5 + 1, 4, 3)).astype(np.float32)
        for k in range(16)
    ]
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
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    imported = eval(result.stdout)  # a list of module names printed above
    assert set(imported) <= {"base64", "binascii", "zlib", "struct", "_struct"}, imported


def test_warnings_are_lstmgen_warnings(base_model):
    _, path = base_model
    with warnings.catch_warnings():
        warnings.simplefilter("error", LstmgenWarning)
        generate(path)


@pytest.fixture(scope="module")
def model_files():
    """The same small model as `.h5` (Keras 2) and as `.keras` (Keras 3): golden files."""
    return {"h5": golden_path("hostile_base.k2.h5"), "keras": golden_path("hostile_base.k3.keras")}


def replace_kernel(source, target, replace):
    """Copy a model file, letting `replace(group, name)` swap the Dense layer's (3, 2)
    kernel for a crafted dataset; in a `.keras` file, inside its model.weights.h5."""
    target = str(target)
    if source.endswith(".h5"):
        shutil.copy(source, target)
        with h5py.File(target, "r+") as handle:
            group = handle["model_weights"]["second"]
            name = group.attrs["weight_names"][0]
            replace(group, name.decode() if isinstance(name, bytes) else name)
        return target
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = target + ".weights.h5"
    with open(weights, "wb") as handle:
        handle.write(members["model.weights.h5"])
    with h5py.File(weights, "r+") as handle:
        replace(handle["layers/dense/vars"], "0")
    with open(weights, "rb") as handle:
        members["model.weights.h5"] = handle.read()
    os.remove(weights)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def external_storage(path):
    def replace(group, name):
        del group[name]
        group.create_dataset(name, shape=(3, 2), dtype="f4", external=[(str(path), 0, 24)])

    return replace


def refused_leaving_no_trace(capsys, tmp_path, model, *fragments):
    """assert_refused, with the output in a folder of its own that must hold no secret."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    line = assert_refused(capsys, out_dir, model, *fragments)
    for name in os.listdir(out_dir):
        with open(out_dir / name, "rb") as handle:
            assert SECRET not in handle.read()
    return line


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_external_storage_is_refused(capsys, tmp_path, monkeypatch, model_files, fmt):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET)
    model = replace_kernel(model_files[fmt], tmp_path / f"external.{fmt}", external_storage(secret))
    scratch = tmp_path / "scratch"  # where a .keras file's weights get unpacked
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    dataset = "/model_weights/second/second/kernel:0" if fmt == "h5" else "/layers/dense/vars/0"
    refused_leaving_no_trace(capsys, tmp_path, model, model, dataset, "external storage")
    assert os.listdir(scratch) == []


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_virtual_dataset_is_refused(capsys, tmp_path, model_files, fmt):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as handle:
        handle["d"] = np.frombuffer(SECRET, np.float32).reshape(3, 2)

    def virtual(group, name):
        del group[name]
        layout = h5py.VirtualLayout(shape=(3, 2), dtype="f4")
        layout[:] = h5py.VirtualSource(str(secret), "d", shape=(3, 2))
        group.create_virtual_dataset(name, layout)

    model = replace_kernel(model_files[fmt], tmp_path / f"virtual.{fmt}", virtual)
    refused_leaving_no_trace(capsys, tmp_path, model, model, "virtual dataset")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("link", ["external", "soft"])
def test_links_are_not_followed(capsys, tmp_path, model_files, fmt, link):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as handle:
        handle["d"] = np.frombuffer(SECRET, np.float32).reshape(3, 2)

    def linked(group, name):
        group.file["stash"] = group[name][()]
        del group[name]
        group[name] = (
            h5py.ExternalLink(str(secret), "/d") if link == "external" else h5py.SoftLink("/stash")
        )

    model = replace_kernel(model_files[fmt], tmp_path / f"link.{fmt}", linked)
    refused_leaving_no_trace(
        capsys,
        tmp_path,
        model,
        model,
        f"is an {link} link" if link == "external" else "is a soft link",
    )


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("route", ["external storage", "external link"])
def test_fifo_does_not_hang(tmp_path, model_files, fmt, route):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def to_fifo(group, name):
        if route == "external storage":
            return external_storage(fifo)(group, name)
        del group[name]
        group[name] = h5py.ExternalLink(str(fifo), "/d")

    model = replace_kernel(model_files[fmt], tmp_path / f"fifo.{fmt}", to_fifo)
    out = tmp_path / "out.py"
    command = [sys.executable, "-m", "lstmgen.cli", model, "-o", str(out)]
    # Before the fix, reading the FIFO blocked forever: the timeout turns that into a failure.
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lstmgen: error: {model}: "), result.stderr
    assert route in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize(
    "rows, fragment",
    [(65536, "more than the 2147483648 bytes"), (16384, "expands")],  # 4 GiB, 1 GiB
)
def test_unwritten_huge_dataset_is_refused_fast(capsys, tmp_path, model_files, fmt, rows, fragment):
    def huge(group, name):
        del group[name]
        group.create_dataset(
            name, shape=(rows, 16384), dtype="f4", chunks=(64, 16384), compression="gzip"
        )

    model = replace_kernel(model_files[fmt], tmp_path / f"huge.{fmt}", huge)
    assert os.path.getsize(model) < 64 << 10
    start = time.monotonic()
    assert_refused(capsys, tmp_path, model, model, fragment)
    assert time.monotonic() - start < 5


def test_all_weights_together_are_bounded(capsys, tmp_path, monkeypatch, model_files):
    monkeypatch.setattr(lstmgen.reader.limits, "MAX_WEIGHT_BYTES", 100)
    assert_refused(capsys, tmp_path, model_files["h5"], "exceed the 100 bytes", "whole model")


def test_group_linked_into_itself_is_refused(capsys, tmp_path, model_files):
    def loop(group, _name):
        group.parent["again"] = group.parent

    model = replace_kernel(model_files["keras"], tmp_path / "loop.keras", loop)
    assert_refused(capsys, tmp_path, model, "/layers/dense", "linked in twice")


def padded_keras(source, target, padding, compression):
    """A copy of a .keras file whose model.weights.h5 has `padding` appended (HDF5
    ignores bytes after its end), packed with `compression`."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(target, "w", compression) as archive:
        for name in ("config.json", "metadata.json"):
            archive.writestr(name, members[name])
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            member.write(members["model.weights.h5"])
            for chunk in padding:
                member.write(chunk)
    return str(target)


def cli_peak_memory(model, out):
    """Run the CLI in a fresh process: its exit code, stderr and peak RSS in bytes
    (VmHWM: getrusage's maxrss would include the forked pytest's)."""
    code = (
        "import sys; from lstmgen.cli import main; code = main(sys.argv[1:]);"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0];"
        "print(status, file=sys.stderr); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, model, "-o", str(out), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    *message, peak = result.stderr.strip().splitlines()
    return result.returncode, message, int(peak) * 1024


def test_highly_compressed_weights_member_is_refused(tmp_path, model_files):
    # 128 MiB, nearly all zeros: 150:1 packed. No real model's weights compress like this.
    noise = np.random.default_rng(0).bytes(700 << 10)
    padding = [noise] + [bytes(1 << 20)] * 128
    model = padded_keras(
        model_files["keras"], tmp_path / "packed.keras", padding, zipfile.ZIP_DEFLATED
    )
    info = zipfile.ZipFile(model).getinfo("model.weights.h5")
    assert 100 < info.file_size / info.compress_size < 200
    code, message, peak = cli_peak_memory(model, tmp_path / "out.py")
    assert code == 2 and len(message) == 1, message
    assert "model.weights.h5 is implausibly large" in message[0]
    assert peak < 100 << 20


def test_weights_member_is_streamed_not_read_into_memory(tmp_path, model_files):
    # A member of 64 MiB (that HDF5 ignores): unpacked to disk, so memory stays flat.
    padding = [np.random.default_rng(0).bytes(1 << 20) for _ in range(64)]
    model = padded_keras(model_files["keras"], tmp_path / "big.keras", padding, zipfile.ZIP_STORED)
    code, message, plain_peak = cli_peak_memory(model_files["keras"], tmp_path / "plain.py")
    assert code == 0, message
    code, message, big_peak = cli_peak_memory(model, tmp_path / "big.py")
    assert code == 0, message
    assert big_peak - plain_peak < 32 << 20


def test_a_fifo_as_the_model_file_is_refused_not_read(tmp_path):
    fifo = tmp_path / "model.h5"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "lstmgen.cli", str(fifo), "-o", str(tmp_path / "p.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.keras
def test_a_merge_of_absurdly_many_tensors_is_refused(capsys, tmp_path, keras2):
    """Hundreds of thousands of inputs to one Add once ran for minutes and then failed
    to compile; 256 is far beyond any real model and still generates."""
    K = keras2
    x = K.Input((3,), name="x")
    model = K.Model(x, K.layers.Add(name="wide")([x, x]))
    path = save(model, tmp_path, "h5")
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        (node,) = config["config"]["layers"][1]["inbound_nodes"]
        config["config"]["layers"][1]["inbound_nodes"] = [node[:1] * 300]
        handle.attrs["model_config"] = json.dumps(config)
    assert_refused(capsys, tmp_path, path, "layer 'wide' (Add)", "300 input tensors", "256")


@pytest.mark.keras
def test_a_layer_named_like_a_step_function(tmp_path, keras3):
    """'first' (an LSTM) gets a first_step() for step(); a layer named 'first_step'
    must not replace it."""
    K = keras3
    model = K.Sequential(
        [
            K.Input((None, 3)),
            K.layers.LSTM(4, return_sequences=True, name="first"),
            K.layers.Dense(2, name="first_step"),
        ]
    )
    randomize(model, seed=5)
    out = tmp_path / "p.py"
    assert main([save(model, tmp_path, "keras"), "-o", str(out), "-q"]) == 0
    module = load_module(str(out))
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype(np.float32)
    state, expected = module.initial_state(2), np.asarray(model(x))
    for t in range(4):
        y, state = module.step(x[:, t], state)
        assert relative_error(y, expected[:, t]) <= 1e-5


def test_inspect_and_errors_show_escapes_not_control_characters(capsys, tmp_path, base_model):
    _, path = base_model
    names = ["\x1b[2J\x07", "\ud800x\n\x1c\x85\u2028fake line", "third"]
    target = tmp_path / "esc.h5"
    shutil.copy(path, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        config["config"]["name"] = names[0]
        config["config"]["layers"][1]["config"]["name"] = names[1]
        handle.attrs["model_config"] = json.dumps(config)
    assert main(["inspect", str(target)]) == 0  # the weights no longer match: not translatable
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J\\x07" in out and "\\ud800x" in out
    assert not any(line.startswith("fake line") for line in out.splitlines())
    assert all(c.isprintable() for line in out.splitlines() for c in line)
    missing = tmp_path / "nonexistent\x1b[31m.h5"
    assert main([str(missing), "-o", str(tmp_path / "p.py")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31m.h5: no such file" in err


def test_a_corrupt_heap_that_makes_libhdf5_allocate_without_end(capsys, tmp_path, monkeypatch):
    """A .keras the fuzz test made: a flipped byte in a group's local heap sends libhdf5
    into a loop that allocates until the machine runs out (24 GB here). Reading runs
    under an address-space cap, so the allocation fails and the file is refused (the
    cap is lowered here from its 6 GiB only to keep the test quick)."""
    monkeypatch.setattr(lstmgen.reader.limits, "READ_MEMORY", 1 << 30)
    path = os.path.join(ROOT, "tests", "data", "corrupt_local_heap.keras")
    assert_refused(capsys, tmp_path, path, "corrupt_local_heap.keras", "memory allocation failed")
