"""Files in the layouts older Keras 2 versions wrote, built with h5py."""

import numpy as np
import pytest

from legacy_files import to_cudnn_layout, to_keras21_layout
from oracle import generate_module, question_model, randomize, relative_error, save

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("batch", [1, 17])
def test_keras21_question_model(keras2, tmp_path, batch):
    model = question_model(keras2)
    randomize(model, seed=4)
    path = to_keras21_layout(save(model, tmp_path, "h5"), str(tmp_path / "keras21.h5"))
    module = generate_module(path, tmp_path)
    assert "Keras 2.1.6" in module.__doc__
    assert module.INPUT_NAMES == [f"{model.layers[0].name}_input"]
    x = np.random.default_rng(batch).normal(size=(batch, 32, 28)).astype(np.float32)
    assert relative_error(module.predict(x), model.predict(x, verbose=0)) <= 1e-5


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("sequences", [True, False])
def test_cudnn_layers_from_keras22_files(keras2, tmp_path, kind, sequences):
    K = keras2
    extra = {"reset_after": True} if kind == "GRU" else {}
    layer = getattr(K.layers, kind)(4, return_sequences=sequences, name="rnn", **extra)
    model = K.Sequential([K.Input((6, 3)), layer, K.layers.Dense(2)])
    randomize(model, seed=11)
    rng = np.random.default_rng(12)
    units = 4 * (4 if kind == "LSTM" else 3)
    b_in = rng.normal(0, 0.5, units).astype(np.float32)
    b_rec = rng.normal(0, 0.5, units).astype(np.float32)
    # The reference: the standard layer with the biases cuDNN keeps apart, combined.
    layer.weights[2].assign(b_in + b_rec if kind == "LSTM" else np.stack([b_in, b_rec]))
    path = to_cudnn_layout(
        save(model, tmp_path, "h5"), str(tmp_path / "cudnn.h5"), {"rnn": (b_in, b_rec)}
    )
    module = generate_module(path, tmp_path)
    assert f"CuDNN{kind}" in module.__doc__
    x = np.random.default_rng(1).normal(size=(5, 6, 3)).astype(np.float32)
    assert relative_error(module.predict(x), model(x)) <= 1e-5
