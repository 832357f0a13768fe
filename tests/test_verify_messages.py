"""`lstmgen verify` says what is wrong first: a predictor of another file, of another
model, or an --input that does not fit, each in one line naming the file at fault."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lstmgen.cli import main

pytestmark = pytest.mark.keras

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm")
MODEL, PREDICTOR = os.path.join(SEED, "model.h5"), os.path.join(SEED, "predictor.py")


def run(capsys, *args):
    capsys.readouterr()
    code = main(["verify", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmgen verify: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_predictor_of_another_file_is_said_so_first(capsys, tmp_path, keras2):
    # The same weights, its SOURCE_SHA256 another file's: the note, then a passing table.
    source = open(PREDICTOR).read()
    other = re.sub(r'SOURCE_SHA256 = "[0-9a-f]+"', 'SOURCE_SHA256 = "' + "ab" * 32 + '"', source)
    assert other != source
    path = tmp_path / "other.py"
    path.write_text(other)
    code, out, _ = run(capsys, MODEL, path)
    first = out.splitlines()[0]
    assert first.startswith(f"note: {path} was generated from another file than {MODEL}")
    assert "SOURCE_SHA256 is abababababab..." in first and code == 0, out


def test_a_wrong_input_file_is_blamed_on_itself(capsys, tmp_path, keras2):
    wrong = tmp_path / "x.npy"
    np.save(wrong, np.zeros((2, 31, 28), np.float32))
    code, out, err = run(capsys, MODEL, PREDICTOR, "--input", wrong)
    line = one_error(err)
    assert code == 2 and out == ""
    assert line.endswith(
        f"{wrong}: holds an array of shape (2, 31, 28); input 'lstm_input' takes (batch, 32, 28)"
    )
    code, _, err = run(capsys, MODEL, PREDICTOR, "--input", wrong, wrong)
    assert code == 2 and "--input: 2 file(s) for 1 input(s) ['lstm_input']" in one_error(err)


def test_another_models_predictor_ends_in_one_line(capsys, tmp_path, keras3):
    K = keras3
    model = K.Sequential(
        [K.Input((6,), dtype="int32"), K.layers.Embedding(20, 4), K.layers.LSTM(3)]
    )
    path = tmp_path / "emb.keras"
    model.save(path)
    code, _, err = run(capsys, path, PREDICTOR)
    assert code == 2
    assert one_error(err).endswith(
        f"{PREDICTOR} is not a predictor of {path}: its inputs are [(batch, 32, 28) numbers], "
        "the model's [(batch, 6) token ids]; it was generated from another file"
    )


def test_a_passing_verify_writes_nothing_to_stderr(keras2):
    # TensorFlow's C++ start-up lines (oneDNN, cuda drivers) are not lstmgen's to show.
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = ROOT
    result = subprocess.run(
        [sys.executable, "-m", "lstmgen", "verify", MODEL, PREDICTOR],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
