"""Conv1D, pooling, reshaping, normalization and merge layers, against both Keras."""

import numpy as np
import pytest

from oracle import check_against_keras, generate_module, padded, randomize, relative_error, save

pytestmark = pytest.mark.keras

CONV_OPTIONS = [
    {"padding": "valid"},
    {"padding": "same"},
    {"padding": "causal"},
    {"padding": "same", "strides": 2},
    {"padding": "valid", "strides": 3, "kernel_size": 2},
    {"padding": "causal", "dilation_rate": 2},
    {"padding": "same", "dilation_rate": 3},
    {"padding": "valid", "groups": 2},
    {"padding": "same", "use_bias": False, "activation": "relu"},
]


@pytest.mark.parametrize(
    "options", CONV_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())
)
@pytest.mark.parametrize("steps", [9, None])
def test_conv1d(any_keras, options, steps, tmp_path):
    K = any_keras
    kwargs = {"kernel_size": 3, **options}
    model = K.Sequential([K.Input((steps, 4)), K.layers.Conv1D(6, **kwargs)])
    check_against_keras(model, tmp_path, "keras" if steps else "h5", steps=10)


@pytest.mark.parametrize(
    "options",
    [
        {"padding": "valid"},
        {"padding": "same"},
        {"padding": "same", "groups": 2},
        {"padding": "valid", "dilation_rate": 2},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()),
)
def test_conv1d_channels_first(any_keras, options, tmp_path):
    """Strided, odd kernel, channels first. Keras 3 on TensorFlow gets some of these
    wrong itself: its eager call for strided 'same' (checked here through predict, which
    is right) and grouped convolutions in predict too (checked against Keras 2 only)."""
    K = any_keras
    strides = 1 if "dilation_rate" in options else 2
    layer = K.layers.Conv1D(6, 3, strides=strides, data_format="channels_first", **options)
    model = K.Sequential([K.Input((4, 11)), layer])
    if K.__name__ == "keras" and "groups" in options:
        # Keras's answer through a channels_last twin with the same weights.
        randomize(model, seed=2)
        twin = K.Sequential([K.Input((11, 4)), K.layers.Conv1D(6, 3, strides=strides, **options)])
        twin.set_weights(model.get_weights())
        module = generate_module(save(model, tmp_path, "keras"), tmp_path)
        x = np.random.default_rng(3).normal(size=(5, 4, 11)).astype(np.float32)
        expected = np.asarray(twin(x.transpose(0, 2, 1))).transpose(0, 2, 1)
        assert relative_error(module.predict(x), expected) <= 1e-5
        return
    check_against_keras(
        model, tmp_path, "keras" if K.__name__ == "keras" else "h5", use_predict=True
    )


@pytest.mark.parametrize("kind", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"pool_size": 3},
        {"pool_size": 3, "strides": 1},
        {"pool_size": 3, "padding": "same"},
        {"pool_size": 2, "strides": 3, "padding": "same"},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "default",
)
def test_pooling1d(any_keras, kind, options, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((8, 3)), getattr(K.layers, kind)(**{"pool_size": 2, **options})])
    check_against_keras(model, tmp_path, "h5")


@pytest.mark.parametrize("kind", ["GlobalMaxPooling1D", "GlobalAveragePooling1D"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling1d(any_keras, kind, keepdims, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((6, 3)), getattr(K.layers, kind)(keepdims=keepdims)])
    check_against_keras(model, tmp_path, "keras")


def test_global_average_pooling_over_a_mask(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((7, 3)), K.layers.Masking(), K.layers.Dense(4), K.layers.GlobalAveragePooling1D()]
    )
    check_against_keras(model, tmp_path, "h5", batches=(6,), make_inputs=padded)


def test_conv_pool_lstm_classifier(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((20, 5)),
            K.layers.Conv1D(8, 5, padding="same", activation="relu"),
            K.layers.MaxPooling1D(2),
            K.layers.Conv1D(6, 3, activation="relu"),
            K.layers.AveragePooling1D(2, padding="same"),
            K.layers.LSTM(7),
            K.layers.Dense(3, activation="softmax"),
        ]
    )
    check_against_keras(model, tmp_path, "h5")
    check_against_keras(model, tmp_path, "keras")


def test_reshaping_layers(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((6, 4)),
            K.layers.ZeroPadding1D((1, 2)),
            K.layers.Cropping1D((2, 1)),
            K.layers.UpSampling1D(2),
            K.layers.Permute((2, 1)),
            K.layers.Reshape((4, 3, -1)),
            K.layers.Reshape((-1,)),
            K.layers.Dense(5),
            K.layers.RepeatVector(3),
            K.layers.LSTM(2, return_sequences=True),
            K.layers.Flatten(),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras")
    assert module.OUTPUT_SHAPES == [(None, 6)]


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_batch_normalization(any_keras, fmt, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((5, 4)),
            K.layers.BatchNormalization(),
            K.layers.BatchNormalization(axis=1, center=False, epsilon=0.01),
            K.layers.LSTM(3),
            K.layers.BatchNormalization(scale=False),
        ]
    )
    model.build((None, 5, 4))
    # Moving statistics too: variances must stay positive.
    rng = np.random.default_rng(7)
    for weight in model.weights:
        value = rng.normal(0, 0.5, tuple(weight.shape)).astype(np.float32)
        weight.assign(np.abs(value) + 0.1 if "variance" in weight.name else value)
    check_against_keras(model, tmp_path, fmt, randomize_weights=False)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_batch_normalization_over_several_axes_keras2(keras2, fmt, tmp_path):
    """tf.keras accepts a list axis; its vectors are then full-rank, (1, C1, 1, C3)."""
    K = keras2
    model = K.Sequential(
        [
            K.Input((3, 5, 4)),
            K.layers.BatchNormalization(axis=[1, 3], epsilon=0.01),
            K.layers.Flatten(),
        ]
    )
    rng = np.random.default_rng(8)
    for weight in model.weights:
        value = rng.normal(0, 0.5, tuple(weight.shape)).astype(np.float32)
        weight.assign(np.abs(value) + 0.1 if "variance" in weight.name else value)
    assert tuple(model.weights[0].shape) == (1, 3, 1, 4)
    check_against_keras(model, tmp_path, fmt, randomize_weights=False)


@pytest.mark.parametrize(
    "options", [{}, {"axis": [1, 2]}, {"center": False}, {"scale": False, "epsilon": 0.1}]
)
def test_layer_normalization(any_keras, options, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((5, 4)), K.layers.LayerNormalization(**options), K.layers.GRU(3)])
    check_against_keras(model, tmp_path, "h5")


def test_layer_normalization_rms_keras3(keras3, tmp_path):
    K = keras3
    model = K.Sequential([K.Input((5, 4)), K.layers.LayerNormalization(rms_scaling=True)])
    check_against_keras(model, tmp_path, "keras")


@pytest.mark.parametrize(
    "kind", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]
)
def test_merge_layers(any_keras, kind, tmp_path):
    K = any_keras
    a, b, c = K.Input((5, 3)), K.Input((5, 3)), K.Input((5, 3))
    x = K.layers.LSTM(3, return_sequences=True)(a)
    inputs = [x, b] if kind == "Subtract" else [x, b, c]
    y = getattr(K.layers, kind)()(inputs)
    model = K.Model([a, b, c], [y, K.layers.Dense(2)(y)])
    check_against_keras(model, tmp_path, "keras")


def test_concatenate_on_time_axis(any_keras, tmp_path):
    K = any_keras
    a, b = K.Input((4, 3)), K.Input((6, 3))
    y = K.layers.Concatenate(axis=1)([a, b])
    check_against_keras(K.Model([a, b], K.layers.GRU(2)(y)), tmp_path, "h5")
