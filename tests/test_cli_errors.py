"""Bad input: one clear line on stderr, exit code 2, no traceback, no output file."""

import json
import marshal
import pickle
import zipfile

import pytest

from lstmgen.cli import main
from golden import golden_path
from oracle import assert_refused, edit_config, run_cli, save


@pytest.fixture(scope="module")
def small_model_h5():
    """A golden file saved by tf_keras: 4 steps, LSTM 'lstm' -> LSTM -> Dense 'dense'."""
    return golden_path("lstm_stack.k2.h5")


def test_missing_file(capsys, tmp_path):
    assert_refused(capsys, tmp_path, tmp_path / "nope.h5", "nope.h5", "no such file")


def test_directory(capsys, tmp_path):
    assert_refused(capsys, tmp_path, tmp_path, "is a directory")


def test_not_a_model_file(capsys, tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("these are not weights\n")
    assert_refused(capsys, tmp_path, path, "notes.h5", "not a Keras model file")


def test_truncated_hdf5(capsys, tmp_path, small_model_h5):
    data = open(small_model_h5, "rb").read()
    path = tmp_path / "truncated.h5"
    path.write_bytes(data[: len(data) // 2])
    assert_refused(capsys, tmp_path, path, "truncated.h5")


def test_truncated_keras_zip(capsys, tmp_path):
    data = open(golden_path("lstm_stack.k3.keras"), "rb").read()
    path = tmp_path / "truncated.keras"
    path.write_bytes(data[: len(data) - 200])
    assert_refused(capsys, tmp_path, path, "truncated.keras")


def test_weights_only_file(capsys, tmp_path):
    """What Keras 3's save_weights writes: the model.weights.h5 of a .keras file."""
    path = tmp_path / "only.weights.h5"
    with zipfile.ZipFile(golden_path("lstm_stack.k3.keras")) as archive:
        path.write_bytes(archive.read("model.weights.h5"))
    assert_refused(capsys, tmp_path, path, "only.weights.h5")


def test_unsupported_layer_names_layer_class_and_alternatives(capsys, tmp_path, small_model_h5):
    def rename(config):
        config["config"]["layers"][-1]["class_name"] = "StringLookup"

    path = edit_config(small_model_h5, tmp_path / "lookup.h5", rename)
    assert_refused(
        capsys,
        tmp_path,
        path,
        "layer 'dense' (StringLookup): layer class not supported",
        "`lstmgen layers`",
    )


def test_unsupported_option_is_named(capsys, tmp_path, small_model_h5):
    def stateful(config):
        config["config"]["layers"][1]["config"]["stateful"] = True

    path = edit_config(small_model_h5, tmp_path / "stateful.h5", stateful)
    assert_refused(capsys, tmp_path, path, "layer 'lstm'", "(LSTM)", "stateful")


def test_unknown_activation_is_named(capsys, tmp_path, small_model_h5):
    def act(config):
        config["config"]["layers"][-1]["config"]["activation"] = "my_secret_act"

    path = edit_config(small_model_h5, tmp_path / "act.h5", act)
    assert_refused(capsys, tmp_path, path, "layer 'dense'", "activation", "my_secret_act")


def test_weights_that_do_not_fit_the_config(capsys, tmp_path, small_model_h5):
    def units(config):
        config["config"]["layers"][1]["config"]["units"] = 3

    path = edit_config(small_model_h5, tmp_path / "units.h5", units)
    assert_refused(capsys, tmp_path, path, "layer 'lstm'", "shape")


def test_custom_layer_from_foreign_module(capsys, tmp_path):
    with zipfile.ZipFile(golden_path("lstm_stack.k3.keras")) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][-1]["module"] = "evil.module"
    members["config.json"] = json.dumps(config).encode()
    edited = tmp_path / "custom.keras"
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert_refused(capsys, tmp_path, edited, "custom layer", "evil.module")


@pytest.mark.keras
@pytest.mark.parametrize(
    "version, fmt", [("keras2", "h5"), ("keras2", "keras"), ("keras3", "h5"), ("keras3", "keras")]
)
def test_lambda_layer_is_refused_without_unmarshalling(
    capsys, tmp_path, version, fmt, request, monkeypatch
):
    K = request.getfixturevalue(version)
    marker = tmp_path / "lambda-ran"
    source = f"lambda x: (open({str(marker)!r}, 'w').close(), x * 2.0)[1]"
    model = K.Sequential([K.Input((3,)), K.layers.Lambda(eval(source), name="double")])
    path = save(model, tmp_path, fmt)
    marker.unlink(missing_ok=True)  # Keras ran it while building the model

    def forbidden(*args, **kwargs):
        raise AssertionError("lstmgen must never unmarshal or unpickle code from a model file")

    monkeypatch.setattr(marshal, "loads", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    assert_refused(capsys, tmp_path, path, "layer 'double'", "(Lambda)", "never runs")
    assert not marker.exists()


@pytest.mark.keras
@pytest.mark.parametrize("version", ["keras2", "keras3"])
def test_explicit_mask_tensor_is_refused(capsys, tmp_path, version, request):
    """A mask given with `mask=` from another input: Keras 3 records it as such, Keras 2
    in the call's kwargs; neither is silently dropped."""
    K = request.getfixturevalue(version)
    x, m = K.Input((6, 3)), K.Input((6,), dtype="bool")
    model = K.Model([x, m], K.layers.LSTM(4, name="lstm")(x, mask=m))
    path = save(model, tmp_path, "h5")
    assert_refused(capsys, tmp_path, path, "layer 'lstm'", "(LSTM)", "mask")


def test_success_writes_file_and_exit_zero(capsys, tmp_path, small_model_h5):
    out = tmp_path / "ok.py"
    code, err = run_cli(capsys, small_model_h5, "-o", str(out))
    assert code == 0 and out.exists(), err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "lstmgen 0." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--timesteps" in capsys.readouterr().out


@pytest.mark.keras
def test_stateful_layer_inside_a_wrapper_is_refused(capsys, tmp_path, keras3):
    K = keras3
    model = K.Sequential(
        [
            K.Input(batch_shape=(2, 4, 3)),
            K.layers.Bidirectional(K.layers.LSTM(2, stateful=True), name="bi"),
        ]
    )
    path = save(model, tmp_path, "keras")
    assert_refused(capsys, tmp_path, path, "layer 'bi'", "(Bidirectional)", "stateful")


@pytest.fixture(scope="module")
def free_time_model():
    """A golden file saved by Keras 3: LSTMs over a free time axis of 3 features."""
    return golden_path("lstm_free_time.k3.keras")


def generated_text(capsys, tmp_path, model, *flags):
    out = tmp_path / "p.py"
    code, err = run_cli(capsys, str(model), "-o", str(out), "-q", *flags)
    assert code == 0, err
    return out.read_text()


def test_unroll_flags_on_the_command_line(capsys, tmp_path, small_model_h5, free_time_model):
    """The flags, wired through the command line: unrolled blocks or a loop over time."""
    assert "# step 3" in generated_text(capsys, tmp_path, small_model_h5)
    assert "for t in range(" in generated_text(capsys, tmp_path, small_model_h5, "--no-unroll")
    assert "# step 3" in generated_text(
        capsys, tmp_path, small_model_h5, "--unroll-limit", "2", "--unroll"
    )
    assert "# step" not in generated_text(capsys, tmp_path, small_model_h5, "--unroll-limit", "2")
    assert "for t in range(" in generated_text(capsys, tmp_path, free_time_model)
    # --timesteps N unrolls the N steps, beyond the limit, unless --no-unroll.
    text = generated_text(capsys, tmp_path, free_time_model, "--timesteps", "200")
    assert "# step 199" in text and "INPUT_SHAPES = [(None, 200, 3)]" in text
    assert "--timesteps 200" in text  # the header's regenerate line
    text = generated_text(capsys, tmp_path, free_time_model, "--timesteps", "5", "--no-unroll")
    assert "for t in range(" in text and "INPUT_SHAPES = [(None, 5, 3)]" in text


def test_timesteps_without_a_free_time_axis_is_refused(capsys, tmp_path, small_model_h5):
    out = tmp_path / "p.py"
    code, err = run_cli(capsys, small_model_h5, "-o", str(out), "--timesteps", "5")
    assert code == 2 and "--timesteps 5: no input of the model has a free time axis" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
