"""Hostile inputs found by a red-team review: classes tests/test_hostile_files.py did not
cover. Each attempt runs capped in its own process (hostile.run_capped), Keras-free.

- `-o` (or OUT.npz of --weights-file) naming the model file itself, by its path, a
  symlink or a hard link: once replaced the model with the generated source, exit 0.
- .keras members lstmgen does not read (assets): Keras's loader unpacks every one of them
  to disk, each up to 256 MiB unchecked; a 1 MB file once made `lstmgen verify` write
  630 MB.
- A --weights-file module's OUT.npz: loading it once read every member whole (a 0.6 MB
  file with an extra deflated member took 640 MB and 8 s at import).
- An .h5 whose `layer_names` lists the layers in another order than the config: Keras
  assigns weights by that order, lstmgen by name; the predictor silently disagreed.
- A .keras whose config lists layers in another order than Keras derives from the graph:
  Keras names weight groups by class, counted in its order (`layers/lstm`,
  `layers/lstm_1`); lstmgen counted in list order, so two layers of one class swapped
  their weights (silently, where the shapes agree).
- `lstmgen verify --tolerance nan` (or -1): loaded Keras, then failed every output, exit 1.
- .npy inputs whose header declares a negative dimension: the generated command line
  predicted on an empty batch, `lstmgen verify --input` failed in its catch-all.
- A zip declaring 200,000 members: its directory was parsed (2.5 s, 150 MB) before the
  member count was checked.
- `verify --input` with more arrays than inputs; verify's table printing output names
  raw (terminal escapes); an input dimension of 0 (the catch-all); the generated
  module's usage errors (two lines); a full stdout (blamed the model; a traceback in the
  module); a threaded caller's reading child importing numpy.py from the current folder.
"""

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest

import hostile as H
from lstmgen.errors import PathError
from lstmgen.loading import read_npy
from lstmgen.reader import limits

FAST = dict(seconds=10, peak=400 << 20)


def refused(*args, fragments=()):
    """lstmgen, capped: one line, exit 2, fast and small."""
    outcome = H.run_capped(*args, timeout=60)
    command = args[0] if args[0] in ("inspect", "verify") else ""
    line = H.assert_one_line(outcome, *fragments, prefix=f"lstmgen {command}".strip() + ": error: ")
    assert outcome.seconds < FAST["seconds"] and outcome.peak < FAST["peak"], line
    return line


def npy_header(shape, descr="<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


# --- the output is never the model file ------------------------------------------------


@pytest.mark.parametrize("route", ["same path", "symlink", "hard link", "weights file"])
def test_the_output_is_never_the_model_file(tmp_path, route):
    # A model named m.py: an -o not ending in .py is refused for its name already.
    model = tmp_path / {"weights file": "m.npz", "same path": "m.py"}.get(route, "m.h5")
    shutil.copy(H.SEED_H5, model)
    before = model.read_bytes()
    out, flags = model, []
    if route == "symlink":
        out = tmp_path / "link.py"
        os.symlink(model, out)
    elif route == "hard link":
        out = tmp_path / "hard.py"
        os.link(model, out)
    elif route == "weights file":
        out, flags = tmp_path / "m.py", ["--weights-file"]
    line = refused(str(model), "-o", str(out), *flags, fragments=("lstmgen never overwrites",))
    assert str(model) in line
    assert model.read_bytes() == before
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".lstmgen")]
    assert not os.path.exists(tmp_path / "m.py") or route == "same path"


def test_an_empty_output_name_is_a_usage_error(tmp_path):
    refused(H.SEED_H5, "-o", "", fragments=("-o needs a file name",))


# --- every member of a .keras zip is bounded, not only the three lstmgen reads ---------


def keras_with_assets(target, *assets):
    """The seed .keras plus `assets` (name, data, compression) members."""
    shutil.copy(H.SEED_KERAS, target)
    with zipfile.ZipFile(target, "a") as archive:
        for name, data, compression in assets:
            archive.writestr(name, data, compress_type=compression)
    return str(target)


@pytest.mark.parametrize("command", ["generate", "inspect", "verify"])
def test_members_keras_would_unpack_are_bounded(tmp_path, command):
    model = keras_with_assets(tmp_path / "m.keras")
    H.add_deflate_bomb(model, "assets/x", b"", 200)  # 200 MiB from 0.2 MB
    args = {
        "generate": [model, "-o", str(tmp_path / "p.py")],
        "inspect": ["inspect", model],
        "verify": ["verify", model, H.SEED_PREDICTOR],
    }[command]
    line = refused(*args, fragments=("'assets/x'", "Keras unpacks them all"))
    assert "100:1" in line
    assert not os.path.exists(tmp_path / "p.py")


def test_many_small_members_together_are_bounded(tmp_path, monkeypatch, capsys):
    from lstmgen import cli

    monkeypatch.setattr(limits, "MAX_OTHER_MEMBER_BYTES", 3000)
    within = keras_with_assets(
        tmp_path / "ok.keras", *[(f"assets/{k}", b"x" * 1000, zipfile.ZIP_STORED) for k in range(3)]
    )
    assert cli.main([within, "-o", str(tmp_path / "ok.py"), "-q"]) == 0
    beyond = keras_with_assets(
        tmp_path / "m.keras", *[(f"assets/{k}", b"x" * 1000, zipfile.ZIP_STORED) for k in range(4)]
    )
    assert cli.main([beyond, "-o", str(tmp_path / "p.py"), "-q"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "'assets/3'" in err, err


# --- a --weights-file module reads only what its shapes hold -------------------------


@pytest.fixture(scope="module")
def weights_module(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weights")
    outcome = H.run_capped(H.SEED_H5, "-o", str(folder / "p.py"), "--weights-file", "-q")
    assert outcome.code == 0, outcome.err
    return folder


def imported_with(tmp_path, folder, edit):
    """Import a copy of the --weights-file module whose p.npz `edit(path)` changed."""
    for name in ("p.py", "p.npz"):
        shutil.copy(folder / name, tmp_path / name)
    edit(str(tmp_path / "p.npz"))
    script = tmp_path / "load.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "try:\n    import p\nexcept ValueError as error:\n    print(error)\n    sys.exit(2)\n"
    )
    return H.run_capped(script=str(script), timeout=60)


def rewritten(path, replace):
    """Rewrite the .npz at `path` with members {name: data or None to drop} replaced."""
    members = H.members_of(path)
    members.update(replace)
    H.write_zip(path, {name: data for name, data in members.items() if data is not None})


@pytest.mark.parametrize(
    "case, fragment",
    [
        ("extra bomb", "unexpected ['junk']"),
        ("declared huge", "this predictor expects float32 (28, 20)"),
        ("huge string", "this predictor expects a string ()"),
        ("format 2.0", "not a .npy array of format 1.0"),
        ("short", "ends after"),
        ("pickled", "expects float32"),
        ("many members", "bytes, more than the"),
    ],
)
def test_a_weights_file_is_checked_before_its_data_is_read(
    tmp_path, weights_module, case, fragment
):
    kernel = "lstm_kernel.npy"

    def edit(path):
        if case == "extra bomb":
            H.add_deflate_bomb(path, "junk.npy", npy_header((100 << 18,)), 100)
        elif case == "declared huge":
            rewritten(path, {kernel: None})
            H.add_deflate_bomb(path, kernel, npy_header((100 << 18, 1)), 100)
        elif case == "huge string":
            rewritten(path, {"source-sha256.npy": None})
            H.add_deflate_bomb(path, "source-sha256.npy", npy_header((), "<U25000000"), 100)
        elif case == "format 2.0":
            data = H.members_of(path)[kernel]
            rewritten(path, {kernel: b"\x93NUMPY\x02\x00" + data[8:]})
        elif case == "short":
            rewritten(path, {kernel: npy_header((28, 20)) + bytes(100)})
        elif case == "many members":  # zipfile would parse every directory entry
            with zipfile.ZipFile(path, "a") as archive:
                for k in range(20_000):
                    archive.writestr(f"{k}.npy", b"")
        elif case == "pickled":
            buffer = io.BytesIO()
            np.save(buffer, np.array([{}], dtype=object), allow_pickle=True)
            rewritten(path, {kernel: buffer.getvalue()})

    outcome = imported_with(tmp_path, weights_module, edit)
    assert outcome.code == 2 and fragment in outcome.out, (outcome.out, outcome.err)
    assert outcome.seconds < FAST["seconds"] and outcome.peak < 100 << 20, outcome.peak >> 20


def test_duplicate_members_in_a_weights_file_are_refused(tmp_path, weights_module):
    def edit(path):
        with zipfile.ZipFile(path, "a") as archive:
            with pytest.warns(UserWarning):
                archive.writestr("lstm_kernel.npy", b"")

    outcome = imported_with(tmp_path, weights_module, edit)
    assert outcome.code == 2 and "not the weights of this predictor" in outcome.out, outcome.out


# --- Keras assigns .h5 weights by the order of layer_names --------------------------


@pytest.mark.parametrize("listed", [["b", "a"], ["a", "c"], ["c", "b"]])
def test_layer_names_that_keras_would_read_otherwise_are_refused(tmp_path, listed):
    config = H.sequential(
        [None, 3],
        H.layer("Dense", "a", units=3, activation="linear"),
        H.layer("Dense", "b", units=3, activation="tanh"),
    )
    weights = {n: [np.eye(3) * k, np.full(3, k)] for k, n in enumerate("abc", 1)}
    model = H.h5_model(tmp_path / "m.h5", config, weights)  # also a group "c" of weights
    for names, outcome in ((["a", "b"], 0), (listed, 2)):
        with h5py.File(model, "r+") as handle:
            handle["model_weights"].attrs["layer_names"] = [n.encode() for n in names]
        assert H.run_capped("inspect", model).code == outcome
    refused(
        model,
        "-o",
        str(tmp_path / "p.py"),
        fragments=(f"layers {listed!r} in that order", "Keras assigns weights by that order"),
    )


# --- .keras weight groups are counted in Keras's order, not the config's list order ----


def test_a_reordered_keras_layer_list_is_refused(tmp_path):
    """Keras finds a .keras layer's weights by class, counted in the order it derives from
    the graph; a list edited into another order would give two layers each other's
    weights in lstmgen's reading: refused, naming the layer and both weight paths."""
    golden = os.path.join(H.ROOT, "tests", "data", "golden", "encoder_decoder.k2.keras")
    config = json.loads(H.members_of(golden)["config.json"])
    layers = config["config"]["layers"]
    names = [layer["config"]["name"] for layer in layers]
    encoder, decoder = names.index("encoder"), names.index("decoder")
    layers[encoder], layers[decoder] = layers[decoder], layers[encoder]
    reordered = H.keras_with(tmp_path / "m.keras", golden, config_json=json.dumps(config).encode())
    refused(str(reordered), "-o", str(tmp_path / "p.py"), fragments=("another order", "layers/"))
    assert not (tmp_path / "p.py").exists()


# --- .npy headers with negative dimensions ----------------------------------------------


def test_negative_dimensions_in_npy_headers_are_refused(tmp_path, weights_module):
    negative = tmp_path / "neg.npy"
    negative.write_bytes(npy_header((-1, 32, 28)) + bytes(2 * 32 * 28 * 4))
    twice = tmp_path / "twice.npy"
    twice.write_bytes(npy_header((-1, -1)) + bytes(16))
    for path in (negative, twice):
        with pytest.raises(PathError, match="with a negative dimension") as error:
            read_npy(str(path))  # verify --input
        assert str(error.value).count("not a readable .npy array") == 1
        outcome = H.run_capped(str(path), script=str(weights_module / "p.py"), timeout=60)
        assert outcome.code == 2 and len(outcome.lines) == 1, outcome.err
        assert outcome.lines[0].startswith(f"error: {path}: the header declares shape (-1")
        assert outcome.lines[0].endswith("with a negative dimension")


# --- options: verify's --tolerance is checked like the main command's ---------------


@pytest.mark.parametrize("value", ["nan", "-1", "-inf", "abc"])
@pytest.mark.parametrize("command", ["verify", "--verify"])
def test_a_tolerance_that_no_difference_can_pass_is_a_usage_error(capsys, command, value):
    from lstmgen import cli

    args = {
        "verify": ["verify", H.SEED_H5, H.SEED_PREDICTOR],
        "--verify": [H.SEED_H5, "--verify", "-o", os.devnull + ".py"],
    }[command]
    with pytest.raises(SystemExit) as stop:
        cli.main([*args, f"--tolerance={value}"])  # before Keras is imported
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"expected a number >= 0, got {value!r}" in err, err


# --- a zip's central directory is sized up before it is parsed ------------------------


def test_a_zip_of_many_members_is_refused_before_its_directory_is_parsed(tmp_path):
    """200,000 empty members (a zip64 end record), made by hand in a moment: parsing
    their directory took 2.5 s and 150 MB before the count was checked."""
    count, local, directory = 200_000, bytearray(), bytearray()
    for k in range(count):
        name = b"%x" % k
        directory += (
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                len(name),
                0,
                0,
                0,
                0,
                0,
                len(local),
            )
            + name
        )
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0)
        local += name
    end = len(local) + len(directory)
    zip64 = struct.pack(
        "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), len(local)
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    record = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    model = tmp_path / "many.keras"
    model.write_bytes(bytes(local + directory) + zip64 + locator + record)
    outcome = H.run_capped(str(model), "-o", str(tmp_path / "p.py"), timeout=60)
    H.assert_one_line(outcome, "200000 members, more than the 10000")
    assert outcome.seconds < 1 and outcome.peak < 100 << 20, (outcome.seconds, outcome.peak)


def test_verify_input_files_must_match_the_inputs_in_number():
    """Two --input arrays for a one-input model were stacked into one (2, 2, 32, 28)
    array and reported as a shape disagreement between predictor and model."""
    from lstmgen.verify import verify_loaded

    x = np.zeros((2, 32, 28), np.float32)
    given = [("a.npy", x), ("b.npy", x)]
    with pytest.raises(PathError, match=r"--input: 2 file\(s\) for 1 input\(s\)"):
        verify_loaded(None, H.SEED_H5, H.SEED_PREDICTOR, 1e-5, given=given)  # Keras unused


# --- input shapes: a dimension of 0 --------------------------------------------------


@pytest.mark.parametrize("shape", [[None, 0, 28], [0, 32, 28], [None, 32, 0]])
def test_an_input_dimension_of_zero_is_refused_by_the_reader(tmp_path, capsys, shape):
    """(None, 0, 28) and a fixed batch of 0 once fell through to the catch-all
    ("could not be translated (ValueError: cannot reshape array of size 0 ...)")."""
    from lstmgen import cli

    config = H.config_of(H.SEED_H5)
    config["config"]["layers"][0]["config"]["batch_input_shape"] = shape
    model = H.h5_with_config(tmp_path / "m.h5", json.dumps(config))
    assert cli.main([model, "-o", str(tmp_path / "p.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid shape" in err and "could not be" not in err, err


# --- the generated module's command line: usage errors are one line too ----------------


@pytest.mark.parametrize("args", [[], ["a.npy", "b.npy"], ["--bogus"], ["-o"]])
def test_usage_errors_of_the_generated_module_are_one_line(args):
    outcome = H.run_capped(*args, script=H.SEED_PREDICTOR, timeout=60)
    assert outcome.code == 2 and len(outcome.lines) == 1, outcome.err
    assert outcome.lines[0].startswith("error: ") and outcome.lines[0].endswith("(see --help)")


# --- verify's table shows output names escaped -------------------------------------------


def test_the_verify_table_escapes_output_names():
    """Output names come from the model file; the table (stdout of lstmgen verify, stderr
    of --verify) printed them raw: terminal escape sequences reached the terminal."""
    from lstmgen.verdict import Row, table

    name = "\x1b[2J\x1b]0;owned\x07out\nfake"
    text, _ = table([Row("given", name, 0.0, 0.0, None, None)], 1e-5, no_exact="x\x1b[31m")
    assert "\x1b" not in text and "\x07" not in text and "fake" not in text.splitlines()[2]
    assert "\\x1b[2J" in text


# --- stdout that cannot be written: one line naming it -------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args, line",
    [
        ([H.SEED_H5, "-q"], "lstmgen: error: <stdout>: cannot write: No space left on device"),
        (["inspect", H.SEED_H5], "lstmgen inspect: error: <stdout>: cannot write: No space"),
        ([H.SEED_PREDICTOR, "--self-test"], "error: No space left on device"),
    ],
)
def test_a_full_stdout_is_one_line(args, line):
    """Printing the module to a full disk once blamed the model file ("could not be
    translated (OSError ...)"); the module's --self-test gave a traceback."""
    command = (
        [sys.executable, *args]
        if args[0].endswith(".py")
        else [sys.executable, "-m", "lstmgen", *args]
    )
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            command,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=H.ROOT,
            env=dict(os.environ, PYTHONPATH=H.ROOT),
        )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(line), done.stderr


# --- the reading child of a threaded caller imports nothing from the current folder ------


def test_a_threaded_callers_reading_child_ignores_modules_in_the_current_folder(tmp_path):
    """A threaded caller's model is read in a fresh interpreter, once started with
    `python -m`, which puts the current folder first on its path: a numpy.py next to the
    model (a downloaded folder) ran in the child."""
    evil = tmp_path / "downloaded"
    evil.mkdir()
    marker = tmp_path / "RAN"
    for name in ("numpy", "h5py", "lstmgen"):
        (evil / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    script = tmp_path / "threaded.py"
    script.write_text(
        "import os, sys, threading, time\n"
        "from lstmgen import cli\n"
        "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        f"os.chdir({str(evil)!r})\n"
        f"sys.exit(cli.main([{H.SEED_H5!r}, '-o', {str(tmp_path / 'p.py')!r}, '-q']))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=H.ROOT,
        env=dict(os.environ, PYTHONPATH=H.ROOT),
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_an_input_of_a_rank_the_layer_cannot_take_names_the_shape(tmp_path):
    """A rank-1 input to an LSTM: no handler check names it, so the one place handlers run
    says the config does not fit the input shape, and which shape."""
    model = tmp_path / "rank1.h5"
    shutil.copy(H.SEED_H5, model)
    with h5py.File(model, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        for layer in config["config"]["layers"]:
            for key in ("batch_input_shape", "batch_shape"):
                if key in layer["config"]:
                    layer["config"][key] = [None]
        handle.attrs["model_config"] = json.dumps(config)
    refused(str(model), "-o", str(tmp_path / "p.py"), fragments=("input shape(s) (batch)",))
