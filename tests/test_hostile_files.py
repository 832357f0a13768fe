"""Model files, options, output paths and inputs from outside: every one ends in a working
module or in one clean line (exit 2), in bounded time and memory, with no side effect.

The files are made from the small real models in generated_examples with h5py, zipfile
and json (tests/hostile.py); every attempt runs in its own process under an address-space
cap and a timeout (hostile.run_capped), so a regression fails instead of hanging the
suite. Only the tests that show what Keras's own loaders do need Keras (marked).
"""

import collections
import json
import os
import pickle
import resource
import shutil
import signal
import socket
import stat
import threading
import time
import zipfile

import h5py
import numpy as np
import pytest

import hostile as H
import lstmgen.budget
import lstmgen.reader.limits
from lstmgen import cli
from lstmgen.errors import LstmgenError, PathError
from lstmgen.build import RESERVED
from lstmgen.generate import generate, translate
from lstmgen.identifiers import NameTable
from lstmgen.reader import channel, read_model

SECRET = b"TOP-SECRET-lstmgen-0042!"  # 24 bytes: a (3, 2) float32 kernel's worth
FAST = dict(seconds=10, peak=400 << 20)  # what refusing a hostile file may take at most
TEST_SECONDS, TEST_MEMORY = 300, 2 << 30  # for the parts of a test run in this process


@pytest.fixture(autouse=True)
def bounded(request):
    """Every test here, in this process too, under a timeout and (but for the tests that
    run Keras, which reserves address space freely) an address-space cap above what the
    process uses now; both are lifted afterwards. Runs of lstmgen have their own caps."""

    def too_slow(*_):
        raise TimeoutError(f"the test ran for more than {TEST_SECONDS} s")

    limits = resource.getrlimit(resource.RLIMIT_AS)
    if request.node.get_closest_marker("keras") is None:
        with open("/proc/self/statm") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + TEST_MEMORY, limits[1]))
    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, limits)


def refused(*args, fragments=(), prefix="lstmgen: error: ", tmp=None, **limits):
    """Run lstmgen capped; assert one line, exit 2, within FAST, and no output left."""
    outcome = H.run_capped(*args)
    line = H.assert_one_line(outcome, *fragments, prefix=prefix)
    bounds = {**FAST, **limits}
    assert outcome.seconds < bounds["seconds"], (outcome.seconds, line)
    assert outcome.peak < bounds["peak"], (outcome.peak >> 20, line)
    if tmp is not None:
        assert not [n for n in os.listdir(tmp) if n.endswith(".py") or n.startswith(".lstmgen")]
    return line


def generated(tmp_path, model, *flags, name="p.py"):
    out = tmp_path / name
    outcome = H.run_capped(str(model), "-o", str(out), "-q", *flags)
    assert outcome.code == 0, outcome.err
    return out


# --- 1. Keras loads exactly the bytes lstmgen checked -----------------------------------


@pytest.mark.parametrize("layout", ["h5 then zip", "zip then h5"])
@pytest.mark.parametrize("command", ["generate", "verify", "inspect", "--verify"])
def test_a_file_that_is_both_zip_and_hdf5_is_refused_by_every_command(tmp_path, layout, command):
    build = H.polyglot_h5_then_zip if layout == "h5 then zip" else H.polyglot_zip_then_h5
    model = build(tmp_path / "poly.h5")
    out = str(tmp_path / "p.py")
    args = {
        "generate": [model, "-o", out],
        "--verify": [model, "-o", out, "--verify"],
        "verify": ["verify", model, H.SEED_PREDICTOR],
        "inspect": ["inspect", model],
    }[command]
    prefix = (
        f"lstmgen {command}: error: " if command in ("verify", "inspect") else "lstmgen: error: "
    )
    refused(*args, prefix=prefix, fragments=(model, "both a zip and an HDF5 file"), tmp=tmp_path)


def test_a_keras_zip_whose_weights_happen_to_start_at_a_superblock_offset_is_read(tmp_path):
    """A stored model.weights.h5 at byte 8192 makes the .keras file an HDF5 file too; that
    HDF5 file is the weights lstmgen reads, so it is no polyglot."""
    members = H.members_of(H.SEED_KERAS)
    config = members["config.json"]
    for pad in range(0, 8192):
        members["config.json"] = config + b" " * pad
        path = H.write_zip(tmp_path / "aligned.keras", members)
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("model.weights.h5")
        if info.header_offset + 30 + len(info.filename) + len(info.extra) == 8192:
            break
    assert h5py.is_hdf5(path) and zipfile.is_zipfile(path)
    assert read_model(path).file_format == "keras"


# --- 2. never replace or block on what is not a regular file ----------------------------


def special_files(tmp_path):
    """A FIFO, a socket, a folder, a symlink to a FIFO, and (as root) a character device."""
    made = {}
    # Named like modules (-o takes nothing else), so that the file type is what is refused.
    os.mkfifo(tmp_path / "fifo.py")
    made["fifo"] = tmp_path / "fifo.py"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    made["socket"] = tmp_path / "sock.py"
    (tmp_path / "folder.py").mkdir()
    made["folder"] = tmp_path / "folder.py"
    os.symlink(tmp_path / "fifo.py", tmp_path / "link.py")
    made["link to a fifo"] = tmp_path / "link.py"
    if os.geteuid() == 0:  # a node of our own, like /dev/null: replacing it harms nothing
        os.mknod(tmp_path / "null.py", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made["character device"] = tmp_path / "null.py"
    return made, server


def test_outputs_that_are_not_regular_files_are_refused_before_anything(tmp_path):
    made, server = special_files(tmp_path)
    try:
        for kind, path in made.items():
            before = os.lstat(path)
            line = refused(H.SEED_H5, "-o", str(path))
            assert line.startswith(f"lstmgen: error: {path}: "), line
            after = os.lstat(path)
            assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode), kind
    finally:
        server.close()


def test_a_fifo_npz_next_to_the_module_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.npz")
    out = tmp_path / "p.py"
    refused(H.SEED_H5, "-o", str(out), "--weights-file", fragments=(f"{tmp_path / 'p.npz'}:",))
    assert not out.exists() and stat.S_ISFIFO(os.lstat(tmp_path / "p.npz").st_mode)
    # A stale OUT.npz is looked at without --weights-file too: never opened if not regular.
    assert H.run_capped(H.SEED_H5, "-o", str(out), "-q").code == 0


def test_verify_refuses_fifo_inputs_and_devices_before_keras(tmp_path):
    os.mkfifo(tmp_path / "x.npy")
    refused(
        "verify",
        H.SEED_H5,
        H.SEED_PREDICTOR,
        "--input",
        str(tmp_path / "x.npy"),
        prefix="lstmgen verify: error: ",
        fragments=("x.npy: not a readable .npy array", "not a regular file"),
    )
    refused(
        "verify",
        H.SEED_H5,
        "/dev/zero",
        prefix="lstmgen verify: error: ",
        fragments=("/dev/zero: not a regular file",),
    )


def test_output_into_a_missing_folder_is_refused_before_reading(tmp_path):
    refused(H.SEED_H5, "-o", str(tmp_path / "nowhere" / "p.py"), fragments=("does not exist",))


# --- 3. bounded work for every file, whatever it declares -------------------------------

BOUNDED = {
    "nested models 6 deep, each called 10 times": (
        lambda t: H.nested_functional(t / "nested.h5", 6, 10),
        "nested models expand to more than the 8192 layer calls",
    ),
    "MaxPooling1D(2**21), stride 1": (
        lambda t: H.pooling_model(t / "pool.h5", 1 << 21, 1 << 21),
        "layer 'pool' (MaxPooling1D): the self-test's input (shapes (2, 2097152, 1)) would need "
        "about 8.8e+12 multiply-adds",
    ),
    "RepeatVector(2**21)": (
        lambda t: H.repeat_vector_model(t / "repeat.h5", 1 << 21, 1000),
        "layer 'rep' (RepeatVector): the self-test's input (shapes (2, 1000)) would need about "
        "1.68e+10 bytes in one array",
    ),
    "10,000 inputs and 10,000 layers": (
        lambda t: H.many_inputs_model(t / "wide.h5", 10_000),
        "20000 layers called 20000 times, more than the 8192",
    ),
    "4,000 hard links to one unwritten 1 MiB array (.keras)": (
        lambda t: H.hard_links_keras(t / "links.keras", 4000),
        "more than 100:1 (arrays reached again and again",
    ),
    "4,000 repeated weight names of one unwritten 1 MiB array (.h5)": (
        lambda t: H.repeated_names_h5(t / "repeated.h5", 4000),
        "more than 100:1 (arrays reached again and again",
    ),
    "a 1,000,000-character name over 1,500 layers": (
        lambda t: H.long_name_model(t / "names.h5", 1_000_000, 1500),
        "is 1000000 characters long",
    ),
}


@pytest.mark.parametrize("case", sorted(BOUNDED))
@pytest.mark.parametrize("command", ["generate", "inspect"])
def test_files_declaring_absurd_work_are_refused_fast(tmp_path, case, command):
    build, fragment = BOUNDED[case]
    model = build(tmp_path)
    if command == "inspect":
        outcome = H.run_capped("inspect", model)
        bounded = outcome.seconds < FAST["seconds"] and outcome.peak < FAST["peak"]
        assert bounded and "Traceback" not in outcome.err, (outcome.seconds, outcome.peak)
        assert fragment in outcome.out + outcome.err and len(outcome.lines) <= 1
        assert len(outcome.out) < 20_000  # no name printed a million times
        return
    refused(model, "-o", str(tmp_path / "p.py"), fragments=(model, fragment), tmp=tmp_path)


def test_a_thousand_inputs_build_in_linear_time(tmp_path):
    model = read_model(H.many_inputs_model(tmp_path / "wide.h5", 1000))
    started = time.perf_counter()
    graph = translate(model)
    assert len(graph.inputs) == 1000 and time.perf_counter() - started < 10


def test_timesteps_beyond_the_line_budget_loop_instead_or_are_refused(tmp_path):
    model = H.with_timesteps_free(tmp_path / "free.h5")
    out = tmp_path / "p.py"
    outcome = H.run_capped(model, "-o", str(out), "--timesteps", "100000")
    assert outcome.code == 0 and "loop over time instead" in outcome.err, outcome.err
    assert outcome.seconds < 60 and outcome.peak < FAST["peak"]
    text = out.read_text()
    assert "for t in range(" in text and "--no-unroll --timesteps 100000" in text
    refused(
        model, "-o", str(out), "--timesteps", "100000", "--unroll", fragments=("1,000,040 lines",)
    )
    for flag in ("--timesteps", "--unroll-limit"):
        refused(model, "-o", str(out), flag, str(10**12), fragments=(f"argument {flag}", "2**24"))


# --- 4. one error boundary, a message for each broken zip -------------------------------

ZIPS = {
    "deep json": "config.json is nested more than 200 levels deep",
    "encrypted": "config.json is encrypted",
    "compression": "config.json uses zip compression method 99",
    "corrupt deflate": "config.json: its compressed data is corrupt",
    "past the end": "config.json: it extends past the end of the file",
}


@pytest.mark.parametrize("kind", sorted(ZIPS))
@pytest.mark.parametrize("command", ["generate", "inspect", "verify"])
def test_each_broken_zip_gets_its_own_message_from_every_command(tmp_path, kind, command):
    model = H.zip_damage(tmp_path / "broken.keras", kind)
    args = {
        "generate": [model, "-o", str(tmp_path / "p.py")],
        "inspect": ["inspect", model],
        "verify": ["verify", model, H.SEED_PREDICTOR],
    }[command]
    prefix = f"lstmgen {command}: error: " if command != "generate" else "lstmgen: error: "
    line = refused(*args, prefix=prefix, fragments=(model, ZIPS[kind]), tmp=tmp_path)
    assert "could not be" not in line  # not the catch-all


def test_deep_json_in_an_h5_config_too(tmp_path):
    model = H.h5_with_config(tmp_path / "deep.h5", "[" * 100_000 + "]" * 100_000)
    refused(model, "-o", str(tmp_path / "p.py"), fragments=("model_config is nested more than",))


@pytest.mark.parametrize("command", ["generate", "inspect", "verify"])
def test_the_unexpected_is_one_line_with_the_traceback_on_request(
    tmp_path, capsys, monkeypatch, command
):
    def broken(*_args, **_kwargs):
        raise TypeError("deep inside")

    import lstmgen.commands

    if command == "generate":
        monkeypatch.setattr(cli, "read_graph", broken)
    elif command == "inspect":
        monkeypatch.setattr(lstmgen.commands, "inspect_text", broken)
    else:
        monkeypatch.setattr(lstmgen.commands.verification, "verify", broken)
    args = {
        "generate": [H.SEED_H5, "-o", str(tmp_path / "p.py")],
        "inspect": ["inspect", H.SEED_H5],
        "verify": ["verify", H.SEED_H5, H.SEED_PREDICTOR],
    }[command]
    for debug in ("", "1"):
        monkeypatch.setenv("LSTMGEN_DEBUG", debug)
        capsys.readouterr()
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert "could not be" in err and "(TypeError: deep inside)" in err and H.SEED_H5 in err
        assert ("Traceback" in err) == bool(debug), err
        if not debug:
            assert len(err.strip().splitlines()) == 1


def test_the_unexpected_in_the_reading_child_is_one_line_with_both_tracebacks(
    tmp_path, capsys, monkeypatch
):
    import lstmgen.reader

    def broken(path):
        raise TypeError("deep in the reader")

    monkeypatch.setattr(lstmgen.reader, "read_hdf5", broken)  # the forked child has it too
    for debug in ("", "1"):
        monkeypatch.setenv("LSTMGEN_DEBUG", debug)
        assert cli.main([H.SEED_H5, "-o", str(tmp_path / "p.py")]) == 2
        err = capsys.readouterr().err
        assert err.strip().splitlines()[-1] == (
            f"lstmgen: error: {H.SEED_H5}: could not be translated (TypeError: deep in the reader)"
        )
        assert ("In the process that read" in err and "in broken" in err) == bool(debug), err


# --- 5. options checked for type and value where they are read --------------------------


def seed_edited(tmp_path, name, edit):
    config = H.config_of(H.SEED_H5)
    edit(config["config"]["layers"])
    return H.h5_with_config(tmp_path / name, config)


def norm(epsilon):
    return H.layer("LayerNormalization", "ln", epsilon=epsilon, center=False, scale=False)


OPTIONS = {
    "epsilon 'nan'": (
        lambda layers: layers.insert(3, norm("nan")),
        "layer 'ln' (LayerNormalization): option 'epsilon' is a number written as a string",
    ),
    "epsilon 'inf'": (lambda layers: layers.insert(3, norm("inf")), "option 'epsilon'"),
    "epsilon '1e999'": (lambda layers: layers.insert(3, norm("1e999")), "option 'epsilon'"),
    "epsilon 1e999 (infinity)": (lambda layers: layers.insert(3, norm(1e999)), "not a finite"),
    "input dtype 'x'": (
        lambda layers: layers[0]["config"].update(dtype="x"),
        "input 'lstm_input': dtype 'x' is not supported",
    ),
    "time_major 'x'": (
        lambda layers: layers[1]["config"].update(time_major="x"),
        "layer 'lstm' (LSTM): option 'time_major' must be true or false, got 'x'",
    ),
    "return_sequences 'false'": (
        lambda layers: layers[2]["config"].update(return_sequences="false"),
        "layer 'lstm_1' (LSTM): option 'return_sequences' must be true or false",
    ),
    "units '5'": (
        lambda layers: layers[1]["config"].update(units="5"),
        "layer 'lstm' (LSTM): option 'units'",
    ),
    "LeakyReLU alpha 'nan'": (
        lambda layers: layers.insert(3, H.layer("LeakyReLU", "leaky", alpha="nan")),
        "layer 'leaky' (LeakyReLU): option 'alpha' is a number written as a string",
    ),
}


@pytest.mark.parametrize("case", sorted(OPTIONS))
def test_options_of_the_wrong_type_are_refused_naming_layer_and_option(tmp_path, case):
    edit, fragment = OPTIONS[case]
    model = seed_edited(tmp_path, "options.h5", edit)
    line = refused(model, "-o", str(tmp_path / "p.py"), fragments=(fragment,), tmp=tmp_path)
    assert "could not be translated" not in line


# --- 6. the generated module's command line and API -------------------------------------

OUTPUT_NAMES = ["file", "allow_pickle", "../../escaped", "/etc/absolute", "a b", "file"]


def test_outputs_with_hostile_names_become_safe_npz_members(tmp_path):
    names = OUTPUT_NAMES[:-1] + ["file_"]  # layer names are unique; the members must be too
    predictor = generated(tmp_path, H.multi_output_model(tmp_path / "multi.h5", names))
    np.save(tmp_path / "x.npy", np.ones((2, 3), np.float32))
    outcome = H.run_capped(
        str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npz"), script=str(predictor)
    )
    assert outcome.code == 0, outcome.err
    with zipfile.ZipFile(tmp_path / "y.npz") as archive:
        members = archive.namelist()
    assert members == [
        "file.npy",
        "allow_pickle.npy",
        "______escaped.npy",
        "_etc_absolute.npy",
        "a_b.npy",
        "file_.npy",
    ]
    with np.load(tmp_path / "y.npz") as data:
        assert np.array_equal(data["file"], np.tanh(np.ones((2, 3), np.float32)))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The seed and seq2seq predictors generated now (not the checked-in ones)."""
    folder = tmp_path_factory.mktemp("fresh")
    made = {}
    for name, model in (("seed", H.SEED_H5), ("seq2seq", H.FREE_KERAS)):
        made[name] = str(generated(folder, model, name=f"{name}.py"))
    return made


def run_predictor(tmp_path, code, predictor):
    """Run `code` with the predictor imported as `p`, capped."""
    script = tmp_path / "check.py"
    folder = os.path.dirname(predictor)
    name = os.path.splitext(os.path.basename(predictor))[0]
    script.write_text(
        f"import sys\nsys.path.insert(0, {folder!r})\nimport numpy as np\nimport {name} as p\n{code}"
    )
    outcome = H.run_capped(script=str(script), timeout=60)
    assert outcome.code == 0, outcome.err
    return outcome.out


def test_npy_inputs_are_checked_against_their_size_and_errors_are_one_line(tmp_path, fresh):
    huge = tmp_path / "huge.npy"
    with open(huge, "wb") as handle:  # claims 2**40 floats, holds none
        np.lib.format.write_array_header_1_0(
            handle, {"descr": "<f4", "fortran_order": False, "shape": (1 << 20, 1 << 20)}
        )
    outcome = H.run_capped(str(huge), script=fresh["seed"], memory=1 << 30)
    assert outcome.code == 2 and len(outcome.lines) == 1, outcome.err
    assert "the header declares shape (1048576, 1048576)" in outcome.err
    np.save(tmp_path / "x.npy", np.zeros((1, 32, 28), np.float32))
    outcome = H.run_capped(
        str(tmp_path / "x.npy"), "-o", str(tmp_path / "no" / "y.npy"), script=fresh["seed"]
    )
    assert outcome.code == 2 and outcome.lines == [
        f"error: {tmp_path / 'no' / 'y.npy'}: No such file or directory"
    ], outcome.err
    np.save(tmp_path / "objects.npy", np.array([{}], dtype=object), allow_pickle=True)
    outcome = H.run_capped(str(tmp_path / "objects.npy"), script=fresh["seed"])
    assert outcome.code == 2 and "holds object values" in outcome.err


def test_step_and_initial_state_check_their_arguments(tmp_path, fresh):
    out = run_predictor(
        tmp_path,
        "for call in (\n"
        "    lambda: p.step(np.zeros((1, 28)), {}),\n"
        "    lambda: p.step(np.zeros((1, 28)), None),\n"
        "    lambda: p.initial_state(2.5),\n"
        "    lambda: p.initial_state(0),\n"
        "    lambda: p.initial_state(True),\n"
        "    lambda: p.step(np.zeros((1, 28)), {k: (np.zeros((1, 3)),) * 2 for k in p.initial_state()}),\n"
        "    lambda: p.step(np.zeros((2, 28)), p.initial_state(1)),\n"
        "    lambda: p.step(np.zeros((1, 28)), {k: 1 for k in p.initial_state()}),\n"
        "):\n"
        "    try:\n"
        "        call()\n"
        "    except ValueError as error:\n"
        "        print(str(error).split(':')[0])\n",
        fresh["seed"],
    )
    assert out.splitlines() == [
        "state",
        "state",
        "initial_state",
        "initial_state",
        "initial_state",
        "state['lstm'][0]",
        "state['lstm'][0]",
        "state['lstm']",
    ]


def test_empty_batches_and_empty_sequences(tmp_path, fresh):
    out = run_predictor(
        tmp_path,
        "print(p.predict(np.zeros((0, 32, 28), np.float32)).shape)\n"
        "print(p.predict([np.zeros((0, 32, 28))]).dtype)\n"
        "try:\n"
        "    p.predict(np.zeros((2, 0, 28)))\n"
        "except ValueError as error:\n"
        "    print('ValueError')\n",
        fresh["seed"],
    )
    assert out.splitlines() == ["(0, 2)", "float32", "ValueError"]
    out = run_predictor(
        tmp_path,
        "ys = p.predict([np.zeros((0, 3, 8)), np.zeros((0, 2, 10))])\n"
        "print(ys.shape if not isinstance(ys, list) else [y.shape for y in ys])\n"
        "for shapes in (((2, 0, 8), (2, 2, 10)), ((2, 3, 8), (3, 2, 10))):\n"
        "    try:\n"
        "        p.predict([np.zeros(s) for s in shapes])\n"
        "    except ValueError as error:\n"
        "        print(str(error)[:20])\n",
        fresh["seq2seq"],
    )
    assert out.splitlines() == [
        "(0, 2, 10)",
        "input 'encoder_chars",
        "the inputs disagree ",
    ]


# --- 7. messages that blame the right thing ----------------------------------------------


def test_a_numeric_keras_version_blames_metadata_json(tmp_path):
    metadata = json.loads(H.members_of(H.SEED_KERAS)["metadata.json"])
    metadata["keras_version"] = 3.1
    model = H.keras_with(tmp_path / "v.keras", metadata_json=json.dumps(metadata).encode())
    refused(model, "-o", str(tmp_path / "p.py"), fragments=("metadata.json: keras_version is 3.1",))


def test_inspect_prints_warnings_escaped_and_without_source_lines(tmp_path):
    def edit(layers):
        layers[3]["config"]["\x1b[2Jevil\x07"] = 1

    model = seed_edited(tmp_path, "esc.h5", edit)
    with h5py.File(model, "r+") as handle:
        handle.attrs["keras_version"] = "9.1\x1b[31m"
    outcome = H.run_capped("inspect", model)
    assert outcome.code == 0 and "Translatable: yes" in outcome.out
    assert outcome.lines == [
        "lstmgen inspect: warning: Keras 9.1\\x1b[31m is newer than lstmgen knows; "
        "reading it as Keras 3",
        "lstmgen inspect: warning: layer 'dense' (Dense): option '\\x1b[2Jevil\\x07' is "
        "unknown to lstmgen and ignored",
    ]


def test_names_in_inspect_and_errors_are_escaped(tmp_path):
    names = ["\x1b[2J\x07", "\ud800x\n\x1c\x85\u2028fake line"]
    config = H.config_of(H.SEED_H5)
    config["config"]["name"] = names[0]
    config["config"]["layers"][1]["config"]["name"] = names[1]
    model = H.h5_with_config(tmp_path / "esc.h5", json.dumps(config))
    outcome = H.run_capped("inspect", model)
    assert outcome.code == 1  # the weights no longer match: the report says not translatable
    assert (
        "\x1b" not in outcome.out and "\\x1b[2J\\x07" in outcome.out and "\\ud800x" in outcome.out
    )
    assert not any(line.startswith("fake line") for line in outcome.out.splitlines())
    missing = str(tmp_path / "nonexistent\x1b[31m.h5")
    refused(missing, "-o", str(tmp_path / "p.py"), fragments=("\\x1b[31m.h5: no such file",))


# --- 8. no process-wide side effects ------------------------------------------------------


def test_reading_leaves_the_callers_limits_alone_threads_or_not():
    seen = set()
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.add(resource.getrlimit(resource.RLIMIT_AS))
            time.sleep(0.001)

    before = resource.getrlimit(resource.RLIMIT_AS)
    read_model(H.SEED_KERAS)  # no other thread: a forked child
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        source = generate(H.SEED_H5)  # another thread runs: a fresh interpreter reads
    finally:
        done.set()
        watcher.join()
    assert seen == {before} and resource.getrlimit(resource.RLIMIT_AS) == before
    assert source == open(H.SEED_PREDICTOR).read() or "def predict" in source


def test_a_corrupt_heap_that_makes_libhdf5_allocate_without_end(tmp_path):
    """A .keras the fuzz test made: a flipped byte in a group's local heap sends libhdf5
    into a loop that allocates until the machine runs out (24 GB here). The reading child
    is capped (256 MiB plus 100 times the file), so the allocation fails and the file
    is refused; the caller's own limits never change."""
    for args in ([H.CORRUPT_HEAP, "-o", str(tmp_path / "p.py")], ["inspect", H.CORRUPT_HEAP]):
        prefix = "lstmgen inspect: error: " if args[0] == "inspect" else "lstmgen: error: "
        refused(*args, prefix=prefix, fragments=("memory allocation failed",), peak=600 << 20)


def test_a_reader_that_hangs_or_crashes_is_stopped_and_reported(monkeypatch):
    import lstmgen.reader

    monkeypatch.setattr(lstmgen.reader.limits, "READ_SECONDS", 1)
    monkeypatch.setattr(lstmgen.reader, "read_model_here", lambda path: time.sleep(60))
    started = time.monotonic()
    with pytest.raises(LstmgenError, match=r"model.h5: reading it took more than 1 s; stopped"):
        read_model(H.SEED_H5)
    assert time.monotonic() - started < 10
    monkeypatch.setattr(lstmgen.reader, "read_model_here", lambda path: os.abort())
    with pytest.raises(
        LstmgenError, match=r"the reader stopped while reading it \(signal SIGABRT\)"
    ):
        read_model(H.SEED_H5)


def test_the_parent_unpickles_only_what_a_reader_returns():
    read_end, write_end = os.pipe()
    try:
        channel.send(write_end, ("ok", collections.OrderedDict(a=1), []))
        with pytest.raises(pickle.UnpicklingError, match="not what a reader returns"):
            channel.receive(read_end, time.monotonic() + 10)
    finally:
        os.close(read_end)
        os.close(write_end)


CAPS = {
    "MAX_FILE_BYTES": (1000, H.SEED_H5, "more than the 1000 a model file may have"),
    "MAX_WEIGHT_ARRAYS": (3, H.SEED_H5, "more than 3 weight arrays"),
    "MAX_ZIP_MEMBERS": (2, H.SEED_KERAS, "3 members, more than the 2"),
    "MAX_INPUTS": (3, "wide", "the model has 5 inputs, more than the 3"),
    "MAX_OUTPUTS": (3, "wide", "the model has 5 outputs, more than the 3"),
    "MAX_LAYER_CALLS": (3, H.SEED_H5, "more than the 3 layer calls"),
    "MAX_NAME_LENGTH": (4, H.SEED_H5, "more than the 4 lstmgen accepts"),
    "MAX_JSON_DEPTH": (5, H.SEED_KERAS, "config.json is nested more than 5 levels deep"),
}


@pytest.mark.parametrize("cap", sorted(CAPS))
def test_each_cap_is_enforced(tmp_path, monkeypatch, capsys, cap):
    """Each cap of lstmgen/reader/limits.py, lowered below the seed files (the reading
    child is forked, so it sees the lowered value), refuses them in one line."""
    value, model, fragment = CAPS[cap]
    if model == "wide":
        model = H.many_inputs_model(tmp_path / "wide.h5", 5)
    monkeypatch.setattr(lstmgen.reader.limits, cap, value)
    assert cli.main([model, "-o", str(tmp_path / "p.py")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err, err


BUDGETS = {
    "MAX_SELF_TEST_OPS": (1000, "multiply-adds"),
    "MAX_ARRAY_BYTES": (100, "bytes in one array"),
    "MAX_SELF_TEST_BYTES": (1000, "bytes of arrays in all"),
    "MAX_SELF_TEST_STEPS": (40, "timesteps run one by one"),
    "MAX_SOURCE_LINES": (100, "lines"),
}


@pytest.mark.parametrize("budget", sorted(BUDGETS))
def test_each_budget_is_enforced(tmp_path, monkeypatch, capsys, budget):
    value, fragment = BUDGETS[budget]
    monkeypatch.setattr(lstmgen.budget, budget, value)
    flags = ["--unroll"] if budget == "MAX_SOURCE_LINES" else []
    assert cli.main([H.SEED_H5, "-o", str(tmp_path / "p.py"), *flags]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "lstmgen's budget" in err, err
    assert fragment in err and "layer '" in err


def test_a_very_long_message_is_cut_to_one_bounded_line(tmp_path, capsys):
    config = H.config_of(H.SEED_H5)
    config["config"]["layers"][3]["class_name"] = "X" * 1000  # both named in the message
    config["config"]["layers"][3]["config"]["name"] = "Y" * 1000
    model = H.h5_with_config(tmp_path / "long.h5", config)
    assert cli.main([model, "-o", str(tmp_path / "p.py")]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and len(line) <= 2000 + len("lstmgen: error: ") and line.endswith("...")


def test_an_output_that_became_a_fifo_meanwhile_is_not_replaced(tmp_path):
    from lstmgen.emitter import Generated
    from lstmgen.output_files import write_outputs

    os.mkfifo(tmp_path / "p.py")
    with pytest.raises(PathError, match="not a regular file"):
        write_outputs(Generated("x = 1\n"), str(tmp_path / "p.py"))
    assert stat.S_ISFIFO(os.lstat(tmp_path / "p.py").st_mode)


# --- the classes guarded before this issue, made without Keras ---------------------------

HOSTILE = [
    '"""; import os; os.system("touch PWNED") #',
    "x\nimport os\nos.system('touch PWNED')",
    "class",
    "predict",
    "np",
    "a.b c",
    "\u00e9l\u00e8ve \u4e2d\u6587",
    "'''\\",
    "__import__('os').system('touch PWNED')",
    "{__import__('os').system('touch PWNED')}",
    "x\u2028import os\u0085#\r\x1b[2J",
    "state",
    "new_state",
    "inputs",
    "_load_npy",
    "first_step",
]


def rename_layers(source, target, names):
    """Give the model, its input and its layers hostile names, weights included."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        layers = config["config"]["layers"]
        config["config"]["name"] = names[0]
        weights = handle["model_weights"]
        for layer, name in zip(layers, names):
            old = layer["config"]["name"]
            layer["config"]["name"] = name
            if old in weights:
                weights.move(old, name)
        weights.attrs["layer_names"] = [n.encode() for n in names[1 : len(layers)]]
        handle.attrs["model_config"] = json.dumps(config)
    return str(target)


@pytest.mark.parametrize("offset", range(4))
def test_hostile_names_are_inert(tmp_path, offset):
    names = [HOSTILE[(offset * 4 + k) % len(HOSTILE)] for k in range(4)]
    names[1:] = [f"{n}{k}" for k, n in enumerate(names[1:])]  # layer names stay unique
    model = rename_layers(H.SEED_H5, tmp_path / "hostile.h5", names)
    predictor = generated(tmp_path, model, name="predictor.py")
    out = run_predictor(
        tmp_path,
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('seed', {H.SEED_PREDICTOR!r})\n"
        "seed = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(seed)\n"
        "x = np.random.default_rng(1).normal(size=(3, 32, 28)).astype(np.float32)\n"
        "assert np.array_equal(p.predict(x), seed.predict(x))\n"
        "state, y = p.initial_state(3), None\n"
        "for t in range(32):\n"
        "    y, state = p.step(x[:, t], state)\n"
        "assert np.abs(y - seed.predict(x)).max() < 1e-5\n"
        "print(p.OUTPUT_NAMES == [" + repr(names[-1]) + "])\n",
        predictor=str(predictor),
    )
    assert out.strip() == "True"
    assert not (tmp_path / "PWNED").exists() and not os.path.exists("PWNED")


def test_json_that_is_not_a_model(tmp_path):
    for index, config in enumerate(['{"hello": 1}', "[1, 2]", '"text"', "{not json"]):
        model = H.h5_with_config(tmp_path / f"notmodel{index}.h5", config)
        refused(model, "-o", str(tmp_path / "p.py"), fragments=(f"notmodel{index}.h5",))


def test_empty_model(tmp_path):
    model = H.weightless_h5(tmp_path / "empty.h5", H.sequential([None, 3]))
    refused(model, "-o", str(tmp_path / "p.py"), fragments=("no layers",))


def edit_weight(source, target, layer, index, edit):
    """Copy the file and let `edit(group, name)` change one of the layer's weights."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        group = handle["model_weights"][layer]
        name = group.attrs["weight_names"][index]
        edit(group, name.decode() if isinstance(name, bytes) else name)
    return target


def test_integer_weights_are_refused(tmp_path):
    def to_int(group, name):
        data = group[name][()]
        del group[name]
        group[name] = data.astype(np.int32)

    model = edit_weight(H.SEED_H5, tmp_path / "ints.h5", "dense", 0, to_int)
    refused(str(model), "-o", str(tmp_path / "p.py"), fragments=("layer 'dense'", "int32"))


def test_nan_weights_warn_and_still_generate(tmp_path):
    def to_nan(group, name):
        group[name][0] = np.nan

    model = edit_weight(H.SEED_H5, tmp_path / "nan.h5", "dense", 1, to_nan)
    outcome = H.run_capped(str(model), "-o", str(tmp_path / "nan.py"))
    assert outcome.code == 0 and "NaN or inf" in outcome.err
    out = run_predictor(
        tmp_path,
        "print(np.isnan(p.predict(np.zeros((1, 32, 28), np.float32))).any(), p.self_test()[0])",
        predictor=str(tmp_path / "nan.py"),
    )
    assert out.split() == ["True", "True"]  # NaN where the vector has NaN counts as agreement


def test_many_names_that_sanitise_alike_are_numbered_in_linear_time():
    """30,000 layers named 'a!', 'a!!', ... (all 'a'): numbering them used to take minutes."""
    table = NameTable(RESERVED)
    started = time.perf_counter()
    names = [table.claim("a" + "!" * k) for k in range(30000)]
    assert time.perf_counter() - started < 10
    assert names[:3] == ["a", "a_2", "a_3"] and len(set(names)) == 30000


def test_zip_bomb_and_lying_headers_are_refused(tmp_path):
    members = H.members_of(H.SEED_KERAS)
    members["config.json"] = b" " * (80 << 20)  # 80 MB of spaces, a few KB packed
    model = H.write_zip(tmp_path / "bomb.keras", members, zipfile.ZIP_DEFLATED)
    refused(model, "-o", str(tmp_path / "p.py"), fragments=("config.json", "implausibly large"))


def test_import_has_no_side_effects(tmp_path):
    out = run_predictor(
        tmp_path,
        "",
        predictor=str(generated(tmp_path, H.SEED_H5, name="quiet.py")),
    )
    assert out == ""
    code = (
        "import sys, builtins, socket\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "builtins.open = lambda *a, **k: opened.append(a) or real_open(*a, **k)\n"
        "socket.socket = None\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import numpy\n"
        "before = set(sys.modules)\n"
        "import quiet\n"
        "new = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in ('quiet', 'numpy'))\n"
        "assert not opened, opened\n"
        "print(new)\n"
    )
    (tmp_path / "watch.py").write_text(code)
    outcome = H.run_capped(script=str(tmp_path / "watch.py"))
    assert outcome.code == 0, outcome.err
    imported = eval(outcome.out)  # a list of module names printed above
    assert set(imported) <= {"base64", "binascii", "zlib", "struct", "_struct"}, imported


def test_concurrent_predict_calls_agree(tmp_path, fresh):
    out = run_predictor(
        tmp_path,
        "import threading\n"
        "xs = [np.random.default_rng(k).normal(size=(k % 5 + 1, 32, 28)).astype(np.float32) for k in range(16)]\n"
        "expected = [p.predict(x) for x in xs]\n"
        "failures = []\n"
        "def hammer(offset):\n"
        "    for r in range(30):\n"
        "        k = (offset + r) % len(xs)\n"
        "        if not np.array_equal(p.predict(xs[k]), expected[k]):\n"
        "            failures.append(k)\n"
        "threads = [threading.Thread(target=hammer, args=(t,)) for t in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(failures)\n",
        fresh["seed"],
    )
    assert out.strip() == "[]"


def external_storage(path):
    def replace(group, name):
        del group[name]
        group.create_dataset(name, shape=(5, 2), dtype="f4", external=[(str(path), 0, 40)])

    return replace


def replace_kernel(fmt, target, replace):
    """A seed model file (`fmt` .h5 or .keras) whose Dense kernel `replace(group, name)`
    swapped for a crafted dataset."""
    if fmt == "h5":
        return str(edit_weight(H.SEED_H5, target, "dense", 0, replace))
    return H.edit_keras_weights(target, lambda handle: replace(handle["layers/dense/vars"], "0"))


def refused_leaving_no_trace(tmp_path, model, *fragments):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    line = refused(model, "-o", str(out_dir / "p.py"), fragments=fragments, tmp=out_dir)
    for name in os.listdir(out_dir):
        assert SECRET not in (out_dir / name).read_bytes()
    return line


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_external_storage_is_refused(tmp_path, fmt):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET + SECRET[:16])
    model = replace_kernel(fmt, tmp_path / f"external.{fmt}", external_storage(secret))
    dataset = "/model_weights/dense/dense/kernel:0" if fmt == "h5" else "/layers/dense/vars/0"
    refused_leaving_no_trace(tmp_path, model, model, dataset, "external storage")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_virtual_dataset_is_refused(tmp_path, fmt):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as handle:
        handle["d"] = np.zeros((5, 2), np.float32)

    def virtual(group, name):
        del group[name]
        layout = h5py.VirtualLayout(shape=(5, 2), dtype="f4")
        layout[:] = h5py.VirtualSource(str(secret), "d", shape=(5, 2))
        group.create_virtual_dataset(name, layout)

    model = replace_kernel(fmt, tmp_path / f"virtual.{fmt}", virtual)
    refused_leaving_no_trace(tmp_path, model, model, "virtual dataset")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("link", ["external", "soft"])
def test_links_are_not_followed(tmp_path, fmt, link):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as handle:
        handle["d"] = np.zeros((5, 2), np.float32)

    def linked(group, name):
        group.file["stash"] = group[name][()]
        del group[name]
        group[name] = (
            h5py.ExternalLink(str(secret), "/d") if link == "external" else h5py.SoftLink("/stash")
        )

    model = replace_kernel(fmt, tmp_path / f"link.{fmt}", linked)
    refused_leaving_no_trace(
        tmp_path, model, model, f"is {'an' if link == 'external' else 'a'} {link} link"
    )


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("route", ["external storage", "external link"])
def test_a_fifo_behind_the_weights_does_not_hang(tmp_path, fmt, route):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def to_fifo(group, name):
        if route == "external storage":
            return external_storage(fifo)(group, name)
        del group[name]
        group[name] = h5py.ExternalLink(str(fifo), "/d")

    model = replace_kernel(fmt, tmp_path / f"fifo.{fmt}", to_fifo)
    refused(model, "-o", str(tmp_path / "p.py"), fragments=(model, route), tmp=tmp_path)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize(
    "rows, fragment",
    [(65536, "more than the 2147483648 bytes"), (16384, "expands")],  # 4 GiB, 1 GiB
)
def test_unwritten_huge_dataset_is_refused_fast(tmp_path, fmt, rows, fragment):
    def huge(group, name):
        del group[name]
        group.create_dataset(
            name, shape=(rows, 16384), dtype="f4", chunks=(64, 16384), compression="gzip"
        )

    model = replace_kernel(fmt, tmp_path / f"huge.{fmt}", huge)
    assert os.path.getsize(model) < 1 << 20
    refused(model, "-o", str(tmp_path / "p.py"), fragments=(model, fragment))


def test_all_weights_together_are_bounded(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(lstmgen.reader.limits, "MAX_WEIGHT_BYTES", 100)  # the child forks
    assert cli.main([H.SEED_H5, "-o", str(tmp_path / "p.py")]) == 2
    assert "exceed the 100 bytes" in capsys.readouterr().err


def test_group_linked_into_itself_is_refused(tmp_path):
    def loop(handle):
        handle["layers/dense/again"] = handle["layers/dense"]

    model = H.edit_keras_weights(tmp_path / "loop.keras", loop)
    refused(model, "-o", str(tmp_path / "p.py"), fragments=("/layers/dense", "linked in twice"))


def padded_keras(target, padding, compression):
    """The seed .keras whose model.weights.h5 has `padding` appended (HDF5 ignores bytes
    after its end), packed with `compression`."""
    members = H.members_of(H.SEED_KERAS)
    with zipfile.ZipFile(target, "w", compression) as archive:
        for name in ("config.json", "metadata.json"):
            archive.writestr(name, members[name])
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            member.write(members["model.weights.h5"])
            for chunk in padding:
                member.write(chunk)
    return str(target)


def test_highly_compressed_weights_member_is_refused(tmp_path):
    # 128 MiB, nearly all zeros: 150:1 packed. No real model's weights compress like this.
    noise = np.random.default_rng(0).bytes(700 << 10)
    model = padded_keras(
        tmp_path / "packed.keras", [noise] + [bytes(1 << 20)] * 128, zipfile.ZIP_DEFLATED
    )
    info = zipfile.ZipFile(model).getinfo("model.weights.h5")
    assert 100 < info.file_size / info.compress_size < 200
    refused(
        model, "-o", str(tmp_path / "p.py"), fragments=("model.weights.h5 is implausibly large",)
    )


def test_weights_member_is_streamed_not_read_into_memory(tmp_path):
    # A member of 64 MiB (that HDF5 ignores): unpacked to disk, so memory stays flat.
    padding = [np.random.default_rng(0).bytes(1 << 20) for _ in range(64)]
    model = padded_keras(tmp_path / "big.keras", padding, zipfile.ZIP_STORED)
    plain = H.run_capped(H.SEED_KERAS, "-o", str(tmp_path / "plain.py"), "-q")
    big = H.run_capped(model, "-o", str(tmp_path / "big.py"), "-q")
    assert plain.code == 0 and big.code == 0, big.err
    assert big.peak - plain.peak < 32 << 20


def test_a_fifo_as_the_model_file_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / "model.h5")
    refused(
        str(tmp_path / "model.h5"), "-o", str(tmp_path / "p.py"), fragments=("not a regular file",)
    )


def test_a_merge_of_absurdly_many_tensors_is_refused(tmp_path):
    """Hundreds of thousands of inputs to one Add once ran for minutes and then failed
    to compile; 256 is far beyond any real model."""
    x = H.layer("InputLayer", "x", batch_input_shape=[None, 3])
    add = {**H.layer("Add", "wide"), "inbound_nodes": [[["x", 0, 0, {}]] * 300]}
    model = H.weightless_h5(tmp_path / "wide.h5", H.functional([x], [add], [["wide", 0, 0]]))
    refused(
        model, "-o", str(tmp_path / "p.py"), fragments=("layer 'wide' (Add)", "300 input tensors")
    )


# --- what Keras's own loaders do with a polyglot (needs Keras) --------------------------


def marker_lambda(marker):
    """A function that creates `marker` when Keras runs it."""
    return eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")


def lambda_model(K, marker, fmt, folder):
    model = K.Sequential([K.Input((3,)), K.layers.Lambda(marker_lambda(marker), name="lam")])
    path = os.path.join(str(folder), f"lambda.{fmt}")
    model.save(path)
    return path


@pytest.mark.keras
@pytest.mark.parametrize("version", ["keras2", "keras3"])
@pytest.mark.parametrize("layout", ["zip then h5", "h5 then zip"])
def test_keras_would_load_the_other_half_of_a_polyglot_lstmgen_never_lets_it(
    tmp_path, request, version, layout
):
    """A polyglot's checked half is harmless; the half Keras picks by the file's name holds
    a Lambda. Keras (each major version) does load that half; lstmgen refuses the file in
    every command, before Keras sees it."""
    K = request.getfixturevalue(version)
    marker = tmp_path / "lambda-ran"
    if layout == "zip then h5":  # named .h5: Keras's HDF5 loader reads the user block's file
        evil = lambda_model(K, marker, "h5", tmp_path)
        poly = H.polyglot_zip_then_h5(tmp_path / "poly.h5", keras=H.SEED_KERAS, h5=evil)
    else:  # named .keras: Keras's zip loader reads the appended zip
        evil = lambda_model(K, marker, "keras", tmp_path)
        poly = H.polyglot_h5_then_zip(tmp_path / "poly.keras", h5=H.SEED_H5, keras=evil)
    marker.unlink(missing_ok=True)  # Keras ran the Lambda while building it
    try:
        loaded = K.models.load_model(poly, compile=False, safe_mode=False)
        picked_evil = any(layer.name == "lam" for layer in loaded.layers)
    except Exception as error:
        picked_evil = "lam" in str(error) or "ambda" in str(error)
    assert picked_evil or marker.exists()
    marker.unlink(missing_ok=True)
    for args in (
        [poly, "-o", str(tmp_path / "p.py"), "--verify"],
        ["verify", poly, H.SEED_PREDICTOR],
    ):
        refused(*args, prefix="lstmgen", fragments=("both a zip and an HDF5 file",))
    assert not marker.exists()


@pytest.mark.keras
@pytest.mark.parametrize(
    "version, source, name, suffix",
    [
        ("keras2", H.SEED_H5, "model.keras", ".keras.h5"),
        ("keras2", H.SEED_H5, "model.bin", ".bin.h5"),
        ("keras3", H.SEED_KERAS, "model.h5", ".h5.keras"),
    ],
)
def test_keras_gets_a_private_copy_named_for_the_format_lstmgen_read(
    tmp_path, request, monkeypatch, version, source, name, suffix
):
    from lstmgen import verify

    K = request.getfixturevalue(version)
    misnamed = tmp_path / name
    shutil.copy(source, misnamed)
    seen = {}

    def load_model(path, compile=True, safe_mode=True, **_):
        seen.update(path=str(path), data=open(path, "rb").read(), folder=os.path.dirname(path))
        return "model"

    monkeypatch.setattr(K.models, "load_model", load_model)
    assert verify.load_keras_model(str(misnamed)) == "model"
    assert seen["path"].endswith(suffix) and seen["data"] == misnamed.read_bytes()
    assert seen["folder"] != str(tmp_path) and not os.path.exists(seen["folder"])


@pytest.mark.keras
def test_verify_loads_a_misnamed_keras_file_with_the_right_loader(tmp_path, keras3, capsys):
    misnamed = tmp_path / "textgen.h5"
    shutil.copy(H.SEED_KERAS, misnamed)
    predictor = os.path.join(H.EXAMPLES, "textgen", "predictor.py")
    assert cli.main(["verify", str(misnamed), predictor]) == 0, capsys.readouterr()
