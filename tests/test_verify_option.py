"""`lstmgen MODEL -o OUT.py --verify`: checked against Keras, Keras's output as self-test."""

import os
import subprocess
import sys

import numpy as np
import pytest

from oracle import SEED, load_module, run, save

SEED_MODEL = os.path.join(SEED, "model.h5")


def leftovers(folder):
    return [name for name in os.listdir(folder) if name.startswith(".lstmgen-")]


@pytest.mark.keras
def test_verify_embeds_keras_output_as_self_test(capsys, tmp_path, keras2):
    out = tmp_path / "checked.py"
    code, stdout, err = run(capsys, SEED_MODEL, "-o", str(out), "--verify")
    assert code == 0, err
    assert stdout == ""
    assert "self-test dense" in err and "pass: max rel <= 1e-05;" in err and "FAIL" not in err
    module = load_module(str(out))
    inputs, expected = module._self_test_arrays()
    keras_model = keras2.models.load_model(SEED_MODEL, compile=False)
    np.testing.assert_array_equal(expected, np.asarray(keras_model(inputs), np.float32))
    assert "Keras's output" in open(out).read()
    assert "regenerate with `lstmgen model.h5 --verify -o <this file>`" in module.__doc__
    result = subprocess.run(
        [sys.executable, str(out), "--self-test"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "self-test passed" in result.stdout, result.stdout


@pytest.mark.keras
def test_verify_with_keras3_and_weights_file(capsys, tmp_path, keras3):
    K = keras3
    model = K.Sequential(
        [K.Input((5, 3)), K.layers.GRU(4, return_sequences=True), K.layers.LSTM(3)]
    )
    path = save(model, tmp_path, "keras")
    out = tmp_path / "gru.py"
    code, _, err = run(capsys, path, "-o", str(out), "--verify", "--weights-file", "-q")
    assert code == 0, err
    assert err == ""  # --quiet: no table
    assert sorted(os.listdir(tmp_path)) == sorted([os.path.basename(path), "gru.npz", "gru.py"])
    module = load_module(str(out))
    inputs, expected = module._self_test_arrays()
    np.testing.assert_array_equal(expected, np.asarray(model(inputs), np.float32))
    assert module.self_test()[0]


@pytest.fixture
def keras_disagrees(monkeypatch):
    """Keras's outputs, as verify sees them, all off by one."""
    import lstmgen.keras_run
    import lstmgen.verify

    real = lstmgen.keras_run.keras_outputs
    for module in (lstmgen.keras_run, lstmgen.verify):  # the float64 twin's too
        monkeypatch.setattr(module, "keras_outputs", lambda *args: [y + 1 for y in real(*args)])


@pytest.mark.keras
def test_verify_to_stdout(capsys, keras2):
    code, stdout, err = run(capsys, SEED_MODEL, "--verify")
    assert code == 0, err
    assert stdout.startswith('"""NumPy predictor') and "self-test dense" in err


@pytest.mark.keras
def test_failed_verification_exits_1_and_writes_nothing(capsys, tmp_path, keras2, keras_disagrees):
    out = tmp_path / "wrong.py"
    code, _, err = run(capsys, SEED_MODEL, "-o", str(out), "--verify", "--weights-file")
    assert code == 1
    assert "FAIL" in err and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"lstmgen: error: {out}: disagrees with Keras beyond tolerance 1e-05 (table above); "
        "nothing written"
    )
    assert os.listdir(tmp_path) == []


def test_verify_without_keras_says_what_to_install(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tf_keras", None)  # import tf_keras now fails
    out = tmp_path / "p.py"
    code, _, err = run(capsys, SEED_MODEL, "-o", str(out), "--verify")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == (
        f"lstmgen: error: {SEED_MODEL}: checking it needs Keras 2 (tf_keras), which is not "
        "installed: pip install 'tf-keras==2.21.*' tensorflow-cpu"
    )
    assert os.listdir(tmp_path) == []


def test_tolerance_needs_verify(capsys, tmp_path):
    code, _, err = run(capsys, SEED_MODEL, "-o", str(tmp_path / "p.py"), "--tolerance", "1e-3")
    assert code == 2 and err == "lstmgen: error: --tolerance applies only with --verify\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.keras
def test_failed_verification_under_quiet_or_to_stdout(capsys, tmp_path, keras2, keras_disagrees):
    out = tmp_path / "wrong.py"
    code, _, err = run(capsys, SEED_MODEL, "-o", str(out), "--verify", "-q")
    assert code == 1
    assert err == (  # -q: no table, one line
        f"lstmgen: error: {out}: disagrees with Keras beyond tolerance 1e-05 "
        "(run without -q for the table); nothing written\n"
    )
    assert os.listdir(tmp_path) == []
    code, stdout, err = run(capsys, SEED_MODEL, "-o", "-", "--verify")
    assert code == 1 and stdout == "" and "FAIL" in err
    assert err.strip().splitlines()[-1] == (
        "lstmgen: error: <stdout>: disagrees with Keras beyond tolerance 1e-05 (table above); "
        "nothing written"
    )
