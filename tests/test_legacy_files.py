"""Files that only older Keras 2 versions wrote: the Keras 2.1 layout, and cuDNN layers.

The reference for a cuDNN file is tf_keras's own loading of it: the plain twin model
after `load_weights` of the very file lstmgen translates (tf_keras converts cuDNN's
layout while loading), never a file built to agree with lstmgen's reading.
"""

import numpy as np
import pytest

from legacy_files import (
    CUDNN_ERA_VERSIONS,
    as_saved_by,
    cudnn_stack,
    edit_config,
    loaded_by_keras,
    randomized_save,
    to_keras21_layout,
)
from oracle import generate_module, randomize, relative_error, save

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("batch", [1, 17])
def test_keras21_lstm_model(keras2, tmp_path, batch):
    K = keras2
    sigmoid = {"recurrent_activation": "hard_sigmoid"}  # the Keras 2.0-2.3 default
    model = K.Sequential(
        [
            K.Input((32, 28)),
            K.layers.LSTM(5, return_sequences=True, **sigmoid),
            K.layers.LSTM(5, **sigmoid),
            K.layers.Dense(2, activation="softmax"),
        ]
    )
    randomize(model, seed=4)
    path = to_keras21_layout(save(model, tmp_path, "h5"), str(tmp_path / "keras21.h5"))
    module = generate_module(path, tmp_path)
    assert "Keras 2.1.6" in module.__doc__
    assert module.INPUT_NAMES == [f"{model.layers[0].name}_input"]
    x = np.random.default_rng(batch).normal(size=(batch, 32, 28)).astype(np.float32)
    assert relative_error(module.predict(x), model.predict(x, verbose=0)) <= 1e-5


def check_cudnn_file(K, path, kind, bidirectional, tmp_path):
    """The predictor from `path` against the plain twin that loaded `path`."""
    module = generate_module(path, tmp_path)
    reference = loaded_by_keras(
        cudnn_stack(K, kind, cudnn=False, bidirectional=bidirectional), path
    )
    for batch in (1, 5):
        x = np.random.default_rng(batch).normal(size=(batch, 6, 3)).astype(np.float32)
        error = relative_error(module.predict(x), reference(x))
        assert error <= 1e-5, f"batch {batch}: relative error {error:.3g}"
    return module


@pytest.mark.parametrize("bidirectional", [False, True], ids=["plain", "bidirectional"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_cudnn_layers_compute_what_keras_loads(keras2, tmp_path, kind, bidirectional):
    # CuDNN kind (return_sequences, optionally Bidirectional) -> CuDNN kind -> Dense;
    # random input and recurrent biases: cuDNN's two halves are never split evenly.
    model = cudnn_stack(keras2, kind, cudnn=True, bidirectional=bidirectional)
    path = randomized_save(model, tmp_path)
    module = check_cudnn_file(keras2, path, kind, bidirectional, tmp_path)
    assert f"CuDNN{kind}" in module.__doc__


@pytest.mark.parametrize("version", CUDNN_ERA_VERSIONS)
def test_cudnn_files_of_every_keras_that_wrote_them(keras2, tmp_path, version):
    path = randomized_save(cudnn_stack(keras2, "LSTM", cudnn=True), tmp_path)
    old = as_saved_by(path, str(tmp_path / "old.h5"), version)
    module = check_cudnn_file(keras2, old, "LSTM", False, tmp_path)
    assert f"Keras {version}" in module.__doc__


def test_plain_layers_holding_cudnn_weights_load_as_keras_loads_them(keras2, tmp_path):
    # tf_keras decides the layout by the bias's shape, whatever the class: a plain LSTM
    # and a reset_after GRU holding cuDNN weights are converted too.
    for kind in ("LSTM", "GRU"):
        path = randomized_save(cudnn_stack(keras2, kind, cudnn=True), tmp_path)
        plain = cudnn_stack(keras2, kind, cudnn=False).get_config()["layers"]

        def to_plain(config, plain=plain):
            twins = {p["config"]["name"]: p for p in plain}
            for layer in config["config"]["layers"]:
                if layer["class_name"].startswith("CuDNN"):
                    twin = twins[layer["config"]["name"]]
                    layer["class_name"], layer["config"] = twin["class_name"], twin["config"]

        module = check_cudnn_file(keras2, edit_config(path, to_plain), kind, False, tmp_path)
        assert "CuDNN" not in module.__doc__


def test_cudnn_weights_in_a_gru_without_reset_after_are_refused(keras2, tmp_path):
    # Keras refuses them too ("CuDNNGRU is not compatible with GRU(reset_after=False)").
    from lstmgen.errors import LstmgenError
    from lstmgen.generate import generate

    path = randomized_save(cudnn_stack(keras2, "GRU", cudnn=True), tmp_path)

    def to_plain_gru(config):
        layer = config["config"]["layers"][1]
        layer["class_name"] = "GRU"
        layer["config"].update(reset_after=False, activation="tanh", recurrent_activation="sigmoid")

    edit_config(path, to_plain_gru)
    with pytest.raises(
        LstmgenError, match=r"layer 'first' \(GRU\): weight 'bias' has shape \(24,\)"
    ):
        generate(path, "predictor")


@pytest.mark.parametrize(
    "kind, bidirectional, version",
    [("LSTM", False, None), ("LSTM", True, "2.1.6"), ("GRU", False, None), ("GRU", True, None)],
)
def test_verify_runs_a_cudnn_file_on_a_cpu(keras2, tmp_path, capsys, kind, bidirectional, version):
    # Keras runs cuDNN layers only on a GPU: verify gives it a private copy naming the
    # plain layers, and tf_keras's own loader converts the weights. The file stays as is.
    from lstmgen.cli import main

    path = randomized_save(
        cudnn_stack(keras2, kind, cudnn=True, bidirectional=bidirectional), tmp_path
    )
    if version:
        path = as_saved_by(path, str(tmp_path / "old.h5"), version)
    before = open(path, "rb").read()
    predictor = str(tmp_path / "predictor.py")
    assert main([path, "-o", predictor, "--verify", "-q"]) == 0
    capsys.readouterr()
    assert main(["verify", path, predictor]) == 0
    captured = capsys.readouterr()
    rows = [line for line in captured.out.splitlines() if line.endswith("pass")]
    assert len(rows) == 3 and not captured.err, captured
    assert open(path, "rb").read() == before


def test_verify_refuses_cudnn_layers_in_a_keras_zip_in_one_line(keras2, tmp_path, capsys):
    # tf_keras saves them in .keras files but cannot load them back (no such class).
    from lstmgen.cli import main

    model = cudnn_stack(keras2, "LSTM", cudnn=True)
    randomize(model, seed=3)
    path = save(model, tmp_path, "keras")
    predictor = str(tmp_path / "predictor.py")
    assert main([path, "-o", predictor]) == 0
    capsys.readouterr()
    assert main(["verify", path, predictor]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"lstmgen verify: error: {path}: layer 'first' (CuDNNLSTM): tf_keras cannot load "
        "cuDNN layers from a .keras file, so verify cannot run it (saved as .h5, Keras "
        "loads them into plain layers)\n"
    )
