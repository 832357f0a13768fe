"""Every way a saved Keras model spells an activation, against both Kerases in .h5 and
.keras files: the names, activation layer objects as a layer's activation (how a saved
activation carries parameters), and Keras 3's activation operations (keras.ops.gelu(x)
in a functional model saves a node of class Gelu with its parameters)."""

from __future__ import annotations

import pytest

import functools

import numpy as np

from lstmgen.errors import UnsupportedError
from lstmgen.generate import generate
from oracle import check_against_keras, generate_module, major, save

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]
BOTH = "linear relu relu6 elu selu gelu sigmoid hard_sigmoid tanh softsign softplus swish silu"
BOTH += " mish exponential leaky_relu softmax log_softmax"
KERAS3 = "hard_silu hard_swish celu hard_tanh tanh_shrink log_sigmoid soft_shrink hard_shrink"
KERAS3 += " squareplus sparse_plus sparse_sigmoid sparsemax"


def slope(K, value):
    """LeakyReLU's slope: `alpha` in tf_keras, `negative_slope` in Keras 3."""
    return {"alpha": value} if major(K) == 2 else {"negative_slope": value}


@pytest.mark.parametrize("fmt", FORMATS)
def test_activation_names_and_layer_objects(any_keras, fmt, tmp_path):
    K = any_keras
    names = BOTH.split() + (KERAS3.split() if major(K) == 3 else [])
    x = K.Input((6,))
    h = K.layers.Dense(8)(x)
    outputs = [K.layers.Activation(name)(h) for name in names]
    objects = [
        K.layers.LeakyReLU(**slope(K, 0.1)),
        K.layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5),
        K.layers.ReLU(max_value=6.0),
        K.layers.ELU(0.5),
        K.layers.Softmax(axis=-1),
        K.layers.Activation("tanh"),
    ]
    if major(K) == 2:
        objects.append(K.layers.ThresholdedReLU(theta=0.3))
    outputs += [K.layers.Dense(5, activation=layer)(h) for layer in objects]
    sequence = K.layers.Reshape((2, 4))(h)
    lstm = K.layers.LSTM(
        3, activation=K.layers.LeakyReLU(**slope(K, 0.1)), recurrent_activation=K.layers.ReLU(1.0)
    )
    outputs.append(lstm(sequence))
    check_against_keras(K.Model(x, outputs), tmp_path, fmt, scale=1.5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_keras3_activation_operations(keras3, fmt, tmp_path):
    """Keras 3 writes these .h5 files but cannot load them (its legacy loader knows no
    operations); the config is the .keras file's, so lstmgen reads both."""
    ops, K = keras3.ops, keras3
    x = K.Input((3, 8))
    h = K.layers.Dense(8)(x)
    outputs = [
        ops.tanh(h),
        ops.sigmoid(h),
        ops.gelu(h),  # approximate, the operation's default
        ops.gelu(h, approximate=False),
        ops.silu(h),
        ops.selu(h),
        ops.elu(h, alpha=0.3),
        ops.celu(h, alpha=0.5),
        ops.softplus(h),
        ops.softsign(h),
        ops.relu6(h),
        ops.relu(h),
        ops.leaky_relu(h, negative_slope=0.1),
        ops.hard_sigmoid(h),
        ops.hard_silu(h),
        ops.hard_tanh(h),
        ops.hard_shrink(h, 0.3),
        ops.soft_shrink(h, 0.7),
        ops.tanh_shrink(h),
        ops.threshold(h, 0.5, -1.0),
        ops.exp(h),
        ops.log_sigmoid(h),
        ops.log_softmax(h),
        ops.log_softmax(h, axis=1),
        ops.squareplus(h, b=2),
        ops.sparse_plus(h),
        ops.sparse_sigmoid(h),
        ops.sparsemax(h),
        ops.glu(h),  # halves the last axis
        ops.softmax(h, axis=1),
    ]
    model = K.Model(x, outputs)
    module = check_against_keras(model, tmp_path, fmt, scale=1.5)
    assert module.OUTPUT_SHAPES[-2] == (None, 3, 4)
    if fmt == "h5":
        with pytest.raises(Exception, match="Unknown layer: 'Tanh'"):
            K.models.load_model(save(model, tmp_path, fmt))


def test_what_a_saved_model_holds_of_an_activation(any_keras, tmp_path):
    """Parameters bound with functools.partial cannot be saved; keras.ops.gelu (the
    approximation by default) is saved as "gelu", which Keras loads as the exact form."""
    K = any_keras
    partial = functools.partial(K.activations.gelu, approximate=True)
    model = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation=partial)])
    with pytest.raises(Exception, match="Cannot serialize"):
        model.save(str(tmp_path / "partial.keras"))
    if major(K) == 2:
        return
    model = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation=K.ops.gelu)])
    path = save(model, tmp_path, "keras")
    module = generate_module(path, tmp_path)
    x = np.random.default_rng(0).normal(0, 2, (5, 4)).astype(np.float32)
    np.testing.assert_allclose(module.predict(x), K.models.load_model(path)(x), atol=1e-6)
    model = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation="threshold")])
    with pytest.raises(UnsupportedError, match="needs threshold and default_value"):
        generate(save(model, tmp_path, "keras"))
