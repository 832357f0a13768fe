"""Keras never sees a file with code in it: `--verify` and `lstmgen verify` search the
whole config first (every layer, connected or not, at any depth), and the generator
refuses such a file too."""

import json
import os
import shutil
import zipfile

import h5py
import pytest

from lstmgen import verify
from lstmgen.errors import UnsupportedError
from lstmgen.reader.safety import every_layer, refuse_code
from oracle import SEED, run, save

FORMATS = [("keras2", "h5"), ("keras2", "keras"), ("keras3", "h5"), ("keras3", "keras")]


def edit_config(source, target, edit):
    """Copy a .h5 or .keras model file, changing its model config with `edit`."""
    if str(source).endswith(".h5"):
        shutil.copy(source, target)
        with h5py.File(target, "r+") as handle:
            config = json.loads(handle.attrs["model_config"])
            edit(config)
            handle.attrs["model_config"] = json.dumps(config)
        return str(target)
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(target)


def one_line_refusal(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def marker_lambda(marker):
    """A function that creates `marker` when Keras runs it."""
    return eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")


def drop_output(name):
    def edit(config):
        body = config["config"]
        outputs = body["output_layers"]
        outputs = [outputs] if isinstance(outputs[0], str) else outputs
        body["output_layers"] = [ref for ref in outputs if ref[0] != name]

    return edit


@pytest.mark.keras
@pytest.mark.parametrize("version, fmt", FORMATS)
def test_dangling_lambda_is_refused_before_keras_loads_it(capsys, tmp_path, version, fmt, request):
    """A Lambda that feeds no output: the graph walk skips it, but Keras's load_model
    would run it; the generator (with or without --verify) refuses the file."""
    K = request.getfixturevalue(version)
    marker = tmp_path / "lambda-ran"
    x = K.Input((4, 3), name="inp")
    kept = K.layers.Dense(2, name="kept")(x)
    side = K.layers.Lambda(marker_lambda(marker), name="lam")(x)
    built = save(K.Model(x, [kept, side]), tmp_path, fmt)
    path = edit_config(built, tmp_path / f"dangling.{fmt}", drop_output("lam"))
    marker.unlink(missing_ok=True)  # Keras ran it while building the model
    out = tmp_path / "out.py"
    for extra in (["--verify"], []):
        code, _, err = run(capsys, path, "-o", str(out), *extra)
        assert code == 2
        line = one_line_refusal(err, path, "layer 'lam'", "(Lambda)", "never runs")
        assert line.startswith("lstmgen: error: ")
        assert not out.exists()
        assert not marker.exists()


@pytest.mark.keras
@pytest.mark.parametrize("version, fmt", FORMATS)
def test_verify_command_refuses_a_used_lambda_before_keras(capsys, tmp_path, version, fmt, request):
    K = request.getfixturevalue(version)
    marker = tmp_path / "lambda-ran"
    x = K.Input((4, 3), name="inp")
    y = K.layers.Lambda(marker_lambda(marker), name="lam")(K.layers.Dense(2, name="dense")(x))
    path = save(K.Model(x, y), tmp_path, fmt)
    marker.unlink(missing_ok=True)
    code, out, err = run(capsys, "verify", path, os.path.join(SEED, "predictor.py"))
    assert code == 2 and out == ""
    line = one_line_refusal(err, path, "layer 'lam'", "(Lambda)", "never runs")
    assert line.startswith("lstmgen verify: error: ")
    assert not marker.exists()


@pytest.fixture
def evil_module(tmp_path, monkeypatch):
    """An importable module that creates a marker file when imported."""
    marker = tmp_path / "module-imported"
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "lstmgen_evil_layers.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "from keras.layers import Dense as EvilDense\n"
        "def evil_activation(x):\n    return x\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    return marker


@pytest.mark.keras
def test_custom_module_layer_is_refused_by_verify(capsys, tmp_path, keras3, evil_module):
    K = keras3
    model = K.Sequential(
        [K.Input((4, 3)), K.layers.LSTM(2, name="lstm"), K.layers.Dense(1, name="dense")]
    )
    built = save(model, tmp_path, "keras")

    def custom(config):
        dense = config["config"]["layers"][-1]
        dense.update(module="lstmgen_evil_layers", class_name="EvilDense", registered_name=None)

    path = edit_config(built, tmp_path / "custom.keras", custom)
    code, out, err = run(capsys, "verify", path, os.path.join(SEED, "predictor.py"))
    assert code == 2 and out == ""
    one_line_refusal(err, path, "layer 'dense'", "lstmgen_evil_layers", "never runs")
    assert not evil_module.exists()


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_dangling_custom_activation_is_refused(capsys, tmp_path, keras3, evil_module, fmt):
    """A function from a foreign module (Keras would import it), in a layer nothing uses."""
    K = keras3
    x = K.Input((4, 3), name="inp")
    kept = K.layers.Dense(2, name="kept")(x)
    side = K.layers.Dense(2, name="side")(x)
    built = save(K.Model(x, [kept, side]), tmp_path, fmt)

    def custom(config):
        drop_output("side")(config)
        side_layer = next(
            layer for layer in config["config"]["layers"] if layer["config"]["name"] == "side"
        )
        side_layer["config"]["activation"] = {
            "module": "lstmgen_evil_layers",
            "class_name": "function",
            "config": "evil_activation",
            "registered_name": "evil_activation",
        }

    path = edit_config(built, tmp_path / f"act.{fmt}", custom)
    out = tmp_path / "out.py"
    for extra in (["--verify"], []):
        code, _, err = run(capsys, path, "-o", str(out), *extra)
        assert code == 2
        one_line_refusal(err, path, "layer 'side' (Dense)", "'activation'", "lstmgen_evil_layers")
        assert not out.exists()
    code, _, err = run(capsys, "verify", path, os.path.join(SEED, "predictor.py"))
    assert code == 2
    one_line_refusal(err, path, "layer 'side' (Dense)", "lstmgen_evil_layers")
    assert not evil_module.exists()


@pytest.mark.keras
def test_verify_refuses_a_layer_class_lstmgen_does_not_translate(capsys, tmp_path, keras2):
    """Verify compares only models lstmgen translates; any other class (here one the
    graph never reaches) is refused before Keras rebuilds it."""
    K = keras2
    x = K.Input((4, 3), name="inp")
    kept = K.layers.LSTM(2, name="kept")(x)
    side = K.layers.Dense(2, name="side")(x)
    built = save(K.Model(x, [kept, side]), tmp_path, "h5")

    def rename(config):
        drop_output("side")(config)
        config["config"]["layers"][-1]["class_name"] = "MyUnknownLayer"

    path = edit_config(built, tmp_path / "unknown.h5", rename)
    code, _, err = run(capsys, "verify", path, os.path.join(SEED, "predictor.py"))
    assert code == 2
    one_line_refusal(
        err, path, "layer 'side' (MyUnknownLayer)", "not a layer class lstmgen translates"
    )


@pytest.mark.keras
def test_masked_models_and_compile_config_still_pass_the_guard(tmp_path, keras3, keras2):
    """Keras 3 writes mask computations as operation layers (NotEqual, Any, ...), and a
    compiled model's loss may be the user's own function: Keras loads with
    compile=False, so neither keeps a model from being verified."""
    for K in (keras3, keras2):
        a = K.Input((5,), dtype="int32")
        ea = K.layers.Embedding(9, 3, mask_zero=True)(a)
        merged = K.layers.Concatenate()([ea, K.layers.Dense(3)(ea)])  # one mask, passed on
        y = K.layers.Dense(1)(K.layers.Bidirectional(K.layers.LSTM(2))(K.layers.Masking()(merged)))
        model = K.Model(a, y)

        def my_loss(y_true, y_pred):
            return (y_true - y_pred) ** 2

        model.compile(loss=my_loss)
        for fmt in ("h5", "keras"):
            checked = verify.check_before_keras(save(model, tmp_path, fmt))
            assert checked.keras_major == (3 if K is keras3 else 2)


@pytest.mark.keras
def test_keras_loads_with_safe_mode(monkeypatch, keras2):
    seen = {}

    def load_model(path, custom_objects=None, compile=True, safe_mode=None):
        seen.update(compile=compile, safe_mode=safe_mode)
        return "model"

    monkeypatch.setattr(keras2.models, "load_model", load_model)
    assert verify.load_keras_model(os.path.join(SEED, "model.h5")) == "model"
    assert seen == {"compile": False, "safe_mode": True}


def layer(class_name, name, **config):
    return {"class_name": class_name, "module": "keras.layers", "config": {"name": name, **config}}


def model(*layers, name="outer"):
    return {
        "class_name": "Sequential",
        "module": "keras",
        "config": {"name": name, "layers": list(layers)},
    }


LAMBDA_CODE = {
    "class_name": "__lambda__",
    "config": {"code": "4wEAAA==", "defaults": None, "closure": None},
}


@pytest.mark.parametrize(
    "config, fragments",
    [
        # Deep inside: Sequential > Sequential > TimeDistributed > Lambda.
        (
            model(
                layer("Dense", "d"),
                model(
                    layer(
                        "TimeDistributed", "td", layer=layer("Lambda", "lam", function=LAMBDA_CODE)
                    ),
                    name="inner",
                ),
            ),
            ("layer 'inner/td/lam' (Lambda)",),
        ),
        # A lambda serialized by Keras 3 where a layer option is, e.g. a Lambda's output_shape.
        (
            model(layer("Dense", "d", activation=LAMBDA_CODE)),
            ("layer 'd' (Dense)", "'activation'", "lambda"),
        ),
        # Keras 2's marshalled function in any layer's config.
        (
            model(layer("Dense", "d", function="4wEAAA==", function_type="lambda")),
            ("layer 'd' (Dense)", "lambda"),
        ),
        # An RNN's cell from a foreign module; StackedRNNCells's cells.
        (
            model(
                layer(
                    "RNN", "rnn", cell={"class_name": "MyCell", "module": "my.cells", "config": {}}
                )
            ),
            ("layer 'rnn/mycell' (MyCell)", "'my.cells'"),
        ),
        (
            model(
                layer(
                    "RNN",
                    "rnn",
                    cell=layer(
                        "StackedRNNCells",
                        "s",
                        cells=[
                            layer("LSTMCell", "c0"),
                            {
                                "class_name": "GRUCell",
                                "registered_name": "pkg>GRUCell",
                                "config": {},
                            },
                        ],
                    ),
                )
            ),
            ("layer 'rnn/s/grucell' (GRUCell)", "pkg>GRUCell"),
        ),
        # Bidirectional's backward layer; an initializer from a foreign module.
        (
            model(
                layer(
                    "Bidirectional",
                    "bi",
                    layer=layer("LSTM", "f"),
                    backward_layer=layer("SlicingOpLambda", "b"),
                )
            ),
            ("layer 'bi/b' (SlicingOpLambda)",),
        ),
        (
            model(
                layer(
                    "Dense",
                    "d",
                    kernel_initializer={"class_name": "Init", "module": "evil", "config": {}},
                )
            ),
            ("layer 'd' (Dense)", "'kernel_initializer'", "'evil'"),
        ),
        # A function Keras would look up outside its own modules; the model class itself.
        (
            model(layer("Dense", "d", activation={"class_name": "function", "config": "f"})),
            ("'activation'",),
        ),
        (
            {"class_name": "MyModel", "module": "__main__", "config": {"layers": []}},
            ("model 'model' (MyModel)",),
        ),
        # Keras 2.0's Sequential: a bare list of layers.
        (
            {"class_name": "Sequential", "config": [layer("TFOpLambda", "op")]},
            ("layer 'op' (TFOpLambda)",),
        ),
    ],
)
def test_code_is_found_at_any_depth(config, fragments):
    with pytest.raises(UnsupportedError) as error:
        refuse_code(config)
    for fragment in fragments:
        assert fragment in str(error.value)
    assert "never runs" in str(error.value)


def test_every_layer_and_a_deep_config():
    config = model(
        layer("Bidirectional", "bi", layer=layer("LSTM", "f")),
        layer("RNN", "rnn", cell=layer("StackedRNNCells", "s", cells=[layer("GRUCell", "g")])),
    )
    refuse_code(config)
    assert [(entry.name, entry.class_name) for entry in every_layer(config)] == [
        ("bi", "Bidirectional"),
        ("bi/f", "LSTM"),
        ("rnn", "RNN"),
        ("rnn/s", "StackedRNNCells"),
        ("rnn/s/g", "GRUCell"),
    ]
    deep = layer("Lambda", "lam")
    for _ in range(50_000):  # far beyond the recursion limit
        deep = [deep]
    with pytest.raises(UnsupportedError, match="Lambda"):
        refuse_code(model(layer("Dense", "d", extra=deep)))
