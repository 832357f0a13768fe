"""Conv2D/3D and 2-D/3-D pooling (windowed and global) against both Keras, alone,
inside TimeDistributed, and in the next-frame ConvLSTM and CNN-LSTM architectures."""

import json

import h5py
import numpy as np
import pytest
from oracle import check_against_keras, generate_module, major, save

from lstmgen.errors import LstmgenError

pytestmark = pytest.mark.keras

SPATIAL = {2: (6, 7), 3: (5, 6, 5)}  # small, uneven sizes: same padding splits unevenly
CHANNELS = 4

CONV_CASES = [
    {"padding": "valid"},
    {"padding": "same", "strides": 2, "activation": "tanh"},
    {"padding": "same", "kernel_size": 2},  # even kernel: TensorFlow's uneven same split
    {"padding": "valid", "dilation_rate": 2},
    {"padding": "same", "groups": 2, "use_bias": False},
    {"padding": "valid", "strides": (1, 2, 1), "kernel_size": (2, 3, 1), "activation": "relu"},
]

POOL_CASES = [
    {},
    {"pool_size": 3, "strides": 2, "padding": "same"},
    {"pool_size": (2, 3, 2), "strides": 1},
    {"pool_size": (3, 2, 2), "strides": (2, 1, 3), "padding": "same"},
]


def _id(case):
    return "-".join(f"{k}={v}" for k, v in case.items()) or "default"


def _fit(value, rank):
    """A per-axis tuple option cut to `rank` axes; ints stay ints."""
    return tuple(value[:rank]) if isinstance(value, tuple) else value


def _input(K, rank, channels_first=False):
    shape = SPATIAL[rank] + (CHANNELS,)
    return K.Input((CHANNELS,) + SPATIAL[rank] if channels_first else shape)


def _fmt(index):
    return "keras" if index % 2 else "h5"


@pytest.mark.parametrize("case", CONV_CASES, ids=_id)
@pytest.mark.parametrize("rank", [2, 3])
def test_conv(any_keras, rank, case, tmp_path):
    K = any_keras
    options = {key: _fit(value, rank) for key, value in {"kernel_size": 3, **case}.items()}
    layer = getattr(K.layers, f"Conv{rank}D")(6, **options)
    model = K.Sequential([_input(K, rank), layer])
    check_against_keras(
        model, tmp_path, _fmt(CONV_CASES.index(case) + rank), batches=(2,), seed=rank
    )


@pytest.mark.parametrize("case", POOL_CASES, ids=_id)
@pytest.mark.parametrize("kind", ["MaxPooling", "AveragePooling"])
@pytest.mark.parametrize("rank", [2, 3])
def test_pooling(any_keras, rank, kind, case, tmp_path):
    K = any_keras
    options = {key: _fit(value, rank) for key, value in {"pool_size": 2, **case}.items()}
    model = K.Sequential([_input(K, rank), getattr(K.layers, f"{kind}{rank}D")(**options)])
    check_against_keras(model, tmp_path, _fmt(POOL_CASES.index(case)), batches=(2,))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("kind", ["GlobalMaxPooling", "GlobalAveragePooling", "GlobalAvgPool"])
@pytest.mark.parametrize("rank", [2, 3])
def test_global_pooling(any_keras, rank, kind, keepdims, tmp_path):
    K = any_keras
    layer = getattr(K.layers, f"{kind}{rank}D")(keepdims=keepdims)
    model = K.Sequential([_input(K, rank), layer])
    check_against_keras(model, tmp_path, _fmt(keepdims), batches=(2,))


def test_channels_first(any_keras, tmp_path):
    K = any_keras
    cf = {"data_format": "channels_first"}
    for rank in (2, 3):
        model = K.Sequential(
            [
                _input(K, rank, channels_first=True),
                getattr(K.layers, f"Conv{rank}D")(6, 2, padding="same", strides=2, **cf),
                getattr(K.layers, f"MaxPooling{rank}D")(2, padding="same", **cf),
                getattr(K.layers, f"AveragePooling{rank}D")(1, **cf),
                getattr(K.layers, f"GlobalAveragePooling{rank}D")(keepdims=True, **cf),
            ]
        )
        check_against_keras(model, tmp_path, _fmt(rank), batches=(2,))


@pytest.mark.parametrize("rank", [2, 3])
def test_each_layer_inside_time_distributed(any_keras, rank, tmp_path):
    K = any_keras
    L, td = K.layers, K.layers.TimeDistributed
    model = K.Sequential(
        [
            K.Input((3,) + SPATIAL[rank] + (CHANNELS,)),
            td(getattr(L, f"Conv{rank}D")(5, 2, padding="same", activation="relu")),
            td(getattr(L, f"MaxPooling{rank}D")(2, padding="same")),
            td(getattr(L, f"AveragePooling{rank}D")(2, strides=1, padding="same")),
            td(getattr(L, f"GlobalMaxPooling{rank}D")()),
            L.LSTM(3),
        ]
    )
    module = check_against_keras(model, tmp_path, _fmt(rank), batches=(1, 3))
    assert module.OUTPUT_SHAPES == [(None, 3)]


def _positive_variances(model, seed=0):
    """Random weights, moving variances kept positive."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        value = rng.normal(0, 0.3, tuple(weight.shape)).astype(np.float32)
        weight.assign(np.abs(value) + 0.1 if "variance" in weight.name else value)


@pytest.mark.parametrize("fixed_steps", [None, 3])
def test_next_frame_prediction_architecture(any_keras, fixed_steps, tmp_path):
    # Keras example "Next-frame video prediction with Convolutional LSTMs", scaled down.
    K = any_keras
    L = K.layers
    model = K.Sequential(
        [
            K.Input((fixed_steps, 8, 8, 1)),
            L.ConvLSTM2D(4, (5, 5), padding="same", return_sequences=True, activation="relu"),
            L.BatchNormalization(),
            L.ConvLSTM2D(4, (3, 3), padding="same", return_sequences=True, activation="relu"),
            L.BatchNormalization(),
            L.ConvLSTM2D(4, (1, 1), padding="same", return_sequences=True, activation="relu"),
            L.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same"),
        ]
    )
    _positive_variances(model)
    fmt = "keras" if fixed_steps else "h5"
    module = check_against_keras(
        model, tmp_path, fmt, batches=(2,), steps=3, randomize_weights=False
    )
    assert module.OUTPUT_SHAPES == [(None, fixed_steps, 8, 8, 1)]


def test_cnn_lstm(any_keras, tmp_path):
    K = any_keras
    L, td = K.layers, K.layers.TimeDistributed
    model = K.Sequential(
        [
            K.Input((4, 10, 9, 2)),
            td(L.Conv2D(6, (3, 3), activation="relu")),
            td(L.MaxPooling2D((2, 2))),
            td(L.Flatten()),
            L.LSTM(5),
            L.Dense(3, activation="softmax"),
        ]
    )
    check_against_keras(model, tmp_path, "h5" if major(K) == 2 else "keras", batches=(1, 3))


@pytest.mark.parametrize(
    "layer, edit, message",
    [
        ("Conv2D", {"padding": "causal"}, r"option padding='causal' is not supported"),
        ("Conv3D", {"kernel_size": [3, 3]}, r"option kernel_size=\[3, 3\] must be 3 positive"),
        ("MaxPooling2D", {"padding": "full"}, r"option padding='full' is not supported"),
    ],
)
def test_refused_options(keras2, layer, edit, message, tmp_path):
    K = keras2
    rank = int(layer[-2])
    args = (2, 1) if layer.startswith("Conv") else ()
    model = K.Sequential([_input(K, rank), getattr(K.layers, layer)(*args)])
    path = save(model, tmp_path, "h5")
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        config["config"]["layers"][-1]["config"].update(edit)
        handle.attrs["model_config"] = json.dumps(config)
    with pytest.raises(LstmgenError, match=message) as error:
        generate_module(path, tmp_path)
    assert "\n" not in str(error.value) and f"({layer})" in str(error.value)
