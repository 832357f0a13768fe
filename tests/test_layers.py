"""Dense, activations and the activation-only and no-op layers, against both Keras versions."""

import numpy as np
import pytest

from oracle import check_against_keras

pytestmark = pytest.mark.keras

BOTH = [
    "linear",
    "relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softsign",
    "softplus",
    "swish",
    "silu",
    "mish",
    "exponential",
    "leaky_relu",
    "softmax",
    "log_softmax",
]
KERAS3_ONLY = [
    "hard_silu",
    "hard_swish",
    "celu",
    "hard_tanh",
    "tanh_shrink",
    "log_sigmoid",
    "soft_shrink",
    "hard_shrink",
    "squareplus",
    "sparse_plus",
    "sparse_sigmoid",
]


def dense_stack(K, activation, rank3=False):
    shape = (5, 4) if rank3 else (4,)
    return K.Sequential(
        [K.Input(shape), K.layers.Dense(6, activation=activation), K.layers.Activation(activation)]
    )


@pytest.mark.parametrize("activation", BOTH)
def test_activation_functions(any_keras, activation, tmp_path):
    # Dense(activation=...) and Activation(...) on values spread well past +-3.
    check_against_keras(dense_stack(any_keras, activation), tmp_path, "h5", scale=1.5)


@pytest.mark.parametrize("activation", KERAS3_ONLY)
def test_keras3_only_activation_functions(keras3, activation, tmp_path):
    check_against_keras(dense_stack(keras3, activation), tmp_path, "keras", scale=1.5)


@pytest.mark.parametrize("activation", ["softmax", "log_softmax"])
def test_softmax_on_3d_uses_last_axis(any_keras, activation, tmp_path):
    check_against_keras(dense_stack(any_keras, activation, rank3=True), tmp_path, "h5")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_on_3d_input(any_keras, fmt, use_bias, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((7, 3)),
            K.layers.LSTM(4, return_sequences=True),
            K.layers.Dense(5, activation="relu", use_bias=use_bias),
            K.layers.Dense(2, activation="softmax"),
        ]
    )
    module = check_against_keras(model, tmp_path, fmt)
    assert module.OUTPUT_SHAPES == [(None, 7, 2)]


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_softmax_layer_axes(keras3, axis, tmp_path):
    K = keras3
    model = K.Sequential([K.Input((3, 4)), K.layers.Dense(4), K.layers.Softmax(axis=axis)])
    check_against_keras(model, tmp_path, "keras", scale=2.0)


def test_softmax_layer_keras2(keras2, tmp_path):
    K = keras2
    model = K.Sequential([K.Input((3, 4)), K.layers.Dense(4), K.layers.Softmax(axis=1)])
    check_against_keras(model, tmp_path, "h5", scale=2.0)


RELU_OPTIONS = [
    {},
    {"max_value": 6.0},
    {"max_value": 1.5},
    {"negative_slope": 0.1},
    {"negative_slope": 0.1, "max_value": 2.0},
    {"threshold": 0.5},
    {"threshold": 0.5, "negative_slope": 0.2, "max_value": 6.0},
    {"threshold": 0.3, "max_value": 0.7},
]


@pytest.mark.parametrize("options", RELU_OPTIONS, ids=lambda o: "-".join(map(str, o.items())))
def test_relu_layer(any_keras, options, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((5,)), K.layers.Dense(8), K.layers.ReLU(**options)])
    check_against_keras(model, tmp_path, "h5", scale=2.0)


def test_leaky_relu_layer(any_keras, tmp_path):
    K = any_keras
    slope = {"alpha": 0.05} if K.__name__.startswith("tf_keras") else {"negative_slope": 0.05}
    model = K.Sequential(
        [K.Input((5,)), K.layers.Dense(8), K.layers.LeakyReLU(**slope), K.layers.LeakyReLU()]
    )
    check_against_keras(model, tmp_path, "h5", scale=2.0)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_inference_noops(any_keras, fmt, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.GaussianNoise(0.5),
            K.layers.SpatialDropout1D(0.5),
            K.layers.LSTM(4, return_sequences=True, dropout=0.5, recurrent_dropout=0.5),
            K.layers.Dropout(0.5),
            K.layers.GaussianDropout(0.3),
            K.layers.LSTM(3),
            K.layers.AlphaDropout(0.2),
            K.layers.Dense(2),
        ]
    )
    module = check_against_keras(model, tmp_path, fmt)
    source = open(module.__file__).read()
    assert "(Dropout): identity at inference" in source


def test_erf_helper_is_float32_accurate(keras3, tmp_path):
    import math

    model = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(3, activation="gelu")])
    module = check_against_keras(model, tmp_path, "keras")
    x = np.linspace(-6, 6, 2001).astype(np.float32)
    expected = np.array([math.erf(v) for v in x.astype(np.float64)])
    assert np.max(np.abs(module.erf(x) - expected)) < 5e-7  # a few float32 ulps
