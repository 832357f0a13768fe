"""What a newcomer meets first, without Keras: the names -o accepts, what happens without
-o on a terminal, files lstmgen does not read, unknown layer classes, `lstmgen layers`."""

import os
import pty
import subprocess
import sys

import pytest

from lstmgen.cli import main
from lstmgen.layers import REGISTRY
from oracle import edit_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")


def run(capsys, *args):
    capsys.readouterr()
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmgen: error: "), err
    return lines[0]


@pytest.mark.parametrize(
    "name, why, better",
    [
        ("my-model.py", "is not a Python name", "-o {}my_model.py"),
        ("2024 model.py", "is not a Python name", "-o {}model_2024_model.py"),
        ("class.py", "is a Python keyword", "-o {}class_predictor.py"),
        ("numpy.py", "would hide the module 'numpy'", "-o {}numpy_predictor.py"),
        ("os.py", "would hide the module 'os'", "-o {}os_predictor.py"),
        ("predictor.txt", "its name ends in .py", "-o {}predictor.py"),
        ("predictor", "its name ends in .py", "-o {}predictor.py"),
        ("predictor.PY", "its name ends in .py", "-o {}predictor.py"),
    ],
)
def test_output_names_that_cannot_be_imported_are_refused_with_a_better_one(
    capsys, tmp_path, name, why, better
):
    code, out, err = run(capsys, SEED, "-o", tmp_path / name)
    line = one_error(err)
    assert code == 2 and why in line and better.format(f"{tmp_path}{os.sep}") in line, line
    assert os.listdir(tmp_path) == [] and out == ""


def test_the_suggested_name_is_accepted(capsys, tmp_path):
    code, _, err = run(capsys, SEED, "-o", tmp_path / "my_model.py", "-q")
    assert code == 0, err
    assert "import my_model" in (tmp_path / "my_model.py").read_text()


def test_no_output_on_a_terminal_writes_nothing_and_says_what_to_do(tmp_path):
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lstmgen", SEED],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": ROOT},
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 2
    assert one_error(result.stderr).endswith(
        "write it with -o predictor.py (-o - prints it anyway)"
    )
    assert os.listdir(tmp_path) == []


def test_no_output_into_a_pipe_or_a_file_prints_the_module(tmp_path):
    command = [sys.executable, "-m", "lstmgen", SEED, "-q"]
    env = {**os.environ, "PYTHONPATH": ROOT}
    piped = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stdout.startswith('"""NumPy predictor'), piped.stderr
    with open(tmp_path / "p.py", "w") as handle:
        into_file = subprocess.run(command, stdout=handle, env=env, timeout=120)
    assert into_file.returncode == 0
    assert (tmp_path / "p.py").read_text() == piped.stdout


def test_a_json_architecture_is_told_what_lstmgen_reads(capsys, tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"class_name": "Sequential", "config": {}}')
    line = one_error(run(capsys, path, "-o", tmp_path / "p.py")[2])
    assert "a JSON file (from model.to_json()?), which holds no weights" in line
    assert "model.save('model.keras')" in line


def test_a_saved_model_folder_is_told_how_to_convert(capsys, tmp_path):
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"\x08\x01")
    line = one_error(run(capsys, folder, "-o", tmp_path / "p.py")[2])
    assert "a TensorFlow SavedModel folder" in line and "tf_keras.models.load_model" in line
    line = one_error(run(capsys, tmp_path, "-o", tmp_path / "p.py")[2])
    assert "is a directory, not a model file" in line and "model.save('model.h5')" in line


def renamed_last_layer(tmp_path, class_name):
    def rename(config):
        config["config"]["layers"][-1]["class_name"] = class_name

    return edit_config(SEED, tmp_path / "renamed.h5", rename)


@pytest.mark.parametrize(
    "class_name, close",
    [
        ("Bidirectionnal", "; closest supported: Bidirectional"),
        ("Dense2", "; closest supported: Dense"),
        ("Zorglub", ""),
    ],
)
def test_an_unknown_class_is_one_short_line_with_close_names(capsys, tmp_path, class_name, close):
    path = renamed_last_layer(tmp_path, class_name)
    line = one_error(run(capsys, path, "-o", tmp_path / "p.py")[2])
    assert f"layer 'dense' ({class_name}): layer class not supported{close}" in line
    assert line.endswith("(`lstmgen layers` lists the supported ones)")
    assert len(line) < 250, line


def test_layers_lists_every_supported_class_one_a_line(capsys):
    code, out, _ = run(capsys, "layers")
    names = out.splitlines()
    assert code == 0 and set(REGISTRY) <= set(names)
    assert "LSTMCell (inside RNN)" in names and names == sorted(names, key=str.lower)


def test_a_long_unroll_is_announced_before_it_is_formatted(capsys, tmp_path, monkeypatch):
    import lstmgen.emitter
    import lstmgen.generate

    monkeypatch.setattr(lstmgen.generate, "ANNOUNCED_LINES", 500)  # a long unroll, in small
    format_source = lstmgen.emitter.format_source
    seen = []

    def formatting(source):
        seen.append(capsys.readouterr().err)  # what the user has read by now
        return format_source(source)

    monkeypatch.setattr(lstmgen.emitter, "format_source", formatting)
    seq2seq = os.path.join(ROOT, "generated_examples", "seq2seq", "model.keras")
    code = main([seq2seq, "--timesteps", "40", "-o", str(tmp_path / "p.py")])
    assert code == 0
    assert seen[0] == (
        "lstmgen: warning: unrolling 80 timesteps writes about 920 lines of code, which take "
        "a while to format; --no-unroll writes a loop over time instead\n"
    )
    code = main([seq2seq, "--timesteps", "40", "--no-unroll", "-o", str(tmp_path / "p.py")])
    assert code == 0 and "unrolling" not in seen[-1] + capsys.readouterr().err


def test_generate_refuses_a_module_name_import_cannot_load():
    from lstmgen.errors import LstmgenError
    from lstmgen.generate import generate

    with pytest.raises(LstmgenError, match="module name 'my-model' is not a Python name"):
        generate(SEED, "my-model")
