"""`lstmgen inspect` and `lstmgen verify`."""

import os

import pytest

from oracle import ROOT, SEED, edit_config, randomize, run, save, stateful_model


def test_inspect_shows_layers_versions_and_semantics(capsys):
    code, out, _ = run(capsys, "inspect", os.path.join(SEED, "model.h5"))
    assert code == 0
    assert "saved by Keras 2.21.0" in out and "Total parameters: 912" in out
    assert "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)" in out
    assert "(batch, 32, 5)" in out and "Translatable: yes" in out


def test_inspect_names_unsupported_layers(capsys, tmp_path):
    def rename(config):
        config["config"]["layers"][-1]["class_name"] = "StringLookup"

    path = edit_config(os.path.join(SEED, "model.h5"), tmp_path / "lookup.h5", rename)
    code, out, _ = run(capsys, "inspect", str(path))
    assert code == 1  # the report, and the verdict: not translatable
    assert any(line.startswith("dense") and line.endswith(" no") for line in out.splitlines())
    assert "Translatable: no: layer 'dense' (StringLookup)" in out


@pytest.mark.keras
def test_verify_passes_for_the_shipped_example(capsys, keras2):
    code, out, _ = run(
        capsys, "verify", os.path.join(SEED, "model.h5"), os.path.join(SEED, "predictor.py")
    )
    assert code == 0, out
    assert "pass" in out and "FAIL" not in out


@pytest.mark.keras
def test_verify_fails_on_a_wrong_predictor(capsys, tmp_path, keras2):
    source = open(os.path.join(SEED, "predictor.py")).read()
    broken = tmp_path / "broken.py"
    broken.write_text(source.replace("c = f * c + i * g", "c = f * c - i * g"))
    code, out, _ = run(capsys, "verify", os.path.join(SEED, "model.h5"), str(broken))
    assert code == 1 and "FAIL" in out


@pytest.mark.keras
def test_verify_with_given_inputs_and_keras3(capsys, tmp_path, keras3):
    import numpy as np

    folder = os.path.join(ROOT, "generated_examples", "seq2seq")
    x0 = np.eye(8, dtype=np.float32)[None, :3]
    x1 = np.eye(10, dtype=np.float32)[None, :2]
    np.save(tmp_path / "a.npy", x0)
    np.save(tmp_path / "b.npy", x1)
    code, out, _ = run(
        capsys,
        "verify",
        os.path.join(folder, "model.keras"),
        os.path.join(folder, "predictor.py"),
        "--input",
        str(tmp_path / "a.npy"),
        str(tmp_path / "b.npy"),
    )
    assert code == 0, out
    assert "given" in out


@pytest.mark.keras  # verify loads Keras before it looks at the predictor
def test_verify_refuses_a_missing_predictor(capsys):
    code, _, err = run(capsys, "verify", os.path.join(SEED, "model.h5"), "nope.py")
    assert code == 2 and err.startswith("lstmgen verify: error: nope.py")


@pytest.mark.keras
@pytest.mark.parametrize(
    "source, message",
    [
        ("raise RuntimeError('boom')\n", "importing it failed (RuntimeError: boom)"),
        ("x = 1\n", "not an lstmgen predictor (it has no predict, INPUT_NAMES"),
        ("def :\n", "importing it failed (SyntaxError"),
    ],
    ids=["raises", "not-a-predictor", "syntax-error"],
)
def test_verify_refuses_a_broken_predictor(capsys, tmp_path, keras2, source, message):
    broken = tmp_path / "broken.py"
    broken.write_text(source)
    code, _, err = run(capsys, "verify", os.path.join(SEED, "model.h5"), str(broken))
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert "Traceback" not in err


@pytest.mark.keras
def test_verify_reports_a_predictor_that_fails_or_drops_outputs(capsys, tmp_path, keras2):
    good = open(os.path.join(SEED, "predictor.py")).read()
    for name, change, message in [
        ("crashes", "def predict(x):\n    raise KeyError('inside')\n", "KeyError"),
        (
            "drops",
            "_predict = predict\ndef predict(x):\n    return [_predict(x)[:, :1]] * 0\n",
            "0 outputs",
        ),
    ]:
        path = tmp_path / f"{name}.py"
        path.write_text(good + "\n\n" + change)
        code, _, err = run(capsys, "verify", os.path.join(SEED, "model.h5"), str(path))
        assert code == 2 and message in err and "Traceback" not in err, err
    code, _, err = run(
        capsys,
        "verify",
        os.path.join(SEED, "model.h5"),
        os.path.join(SEED, "predictor.py"),
        "--input",
        str(tmp_path / "missing.npy"),
    )
    assert code == 2 and "missing.npy: not a readable .npy array" in err, err


@pytest.mark.keras
def test_verify_and_generate_verify_on_a_stateful_model(capsys, tmp_path, any_keras):
    # A fixed batch of 3 and states that persist: both sides start from fresh states.
    model = stateful_model(any_keras, "LSTM", batch=3)
    randomize(model, seed=5)
    path = save(model, tmp_path, "keras")
    out = tmp_path / "stateful.py"
    code, _, err = run(capsys, path, "-o", str(out), "--verify")
    assert code == 0, err
    assert "FAIL" not in err and "self-test" in err
    code, table, _ = run(capsys, "verify", path, str(out))
    assert code == 0 and "FAIL" not in table, table


def test_inspect_checks_what_generation_checks(capsys, tmp_path):
    def huge(config):
        config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, 1 << 24, 28]

    path = edit_config(os.path.join(SEED, "model.h5"), tmp_path / "huge.h5", huge)
    code, out, _ = run(capsys, "inspect", str(path))
    assert (
        code == 1 and "Translatable: no:" in out and "too large for the embedded self-test" in out
    )


def test_verify_refuses_what_lstmgen_cannot_translate_before_keras(capsys, tmp_path):
    def evil(config):
        config["config"]["layers"][-1]["config"]["activation"] = "os.system"

    path = edit_config(os.path.join(SEED, "model.h5"), tmp_path / "evil.h5", evil)
    code, _, err = run(capsys, "verify", str(path), os.path.join(SEED, "predictor.py"))
    assert code == 2 and "activation 'os.system'" in err and len(err.strip().splitlines()) == 1
