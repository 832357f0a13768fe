"""--float64: the same code in float64, within 1e-4 of Keras (which computes in float32)."""

import subprocess
import sys

import numpy as np
import pytest

from lstmgen.cli import main
from lstmgen.options import Options
from oracle import generate_module, keras_outputs, random_inputs, randomize, relative_error, save

pytestmark = pytest.mark.keras

FLOAT64_TOLERANCE = 1e-4  # documented in the README and in the generated module


def lstm_gru_dense(K):
    inputs = K.Input((9, 4))
    x = K.layers.LSTM(6, return_sequences=True, name="lstm")(inputs)
    x = K.layers.GRU(5, name="gru")(x)
    return K.Model(inputs, K.layers.Dense(3, activation="softmax", name="dense")(x))


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_float64_against_keras(tmp_path, any_keras, fmt):
    model = lstm_gru_dense(any_keras)
    randomize(model, seed=7)
    path = save(model, tmp_path, fmt)
    wide = generate_module(path, tmp_path, Options(float64=True))
    narrow = generate_module(path, tmp_path)
    assert wide.lstm_kernel.dtype == np.float64
    for batch in (1, 17):
        x = random_inputs(wide.INPUT_SHAPES, batch, seed=batch)[0]
        got = wide.predict(x)
        assert got.dtype == np.float64
        error = relative_error(got, keras_outputs(model, x)[0])
        print(f"float64 vs Keras, batch {batch}: max relative error {error:.3g}")
        assert error <= FLOAT64_TOLERANCE
        # float64 is the more exact answer: float32 sits within float32 rounding of it
        assert relative_error(narrow.predict(x), got) <= 1e-5
    assert wide.self_test()[0]


def test_float64_command_line_with_verify(capsys, tmp_path, keras2):
    model = lstm_gru_dense(keras2)
    randomize(model, seed=8)
    path = save(model, tmp_path, "h5")
    out = tmp_path / "wide.py"
    assert main([path, "-o", str(out), "--float64", "--verify", "--weights-file"]) == 0
    err = capsys.readouterr().err
    assert "pass: max rel <= 0.0001;" in err and "FAIL" not in err
    text = open(out).read()
    assert (
        "--float64 --weights-file --verify -o <this file>" in text and "All math is float64" in text
    )
    assert "np.float32" not in text.replace('"<f4"', "")
    result = subprocess.run(
        [sys.executable, str(out), "--self-test"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
