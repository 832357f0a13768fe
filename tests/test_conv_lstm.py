"""ConvLSTM1D/2D/3D against both Keras versions: every option, chained, with heads."""

import numpy as np
import pytest
from oracle import check_against_keras, load_module

pytestmark = pytest.mark.keras

STEPS = 4
FILTERS = 3
# Spatial sizes per rank: tiny, but 5 cells fit a kernel of 3 with dilation 2.
SPATIAL = {1: (6,), 2: (5, 6), 3: (5, 5, 6)}
CHANNELS = 2

# Each case combines options, so that few models cover them all (both formats alternate).
CASES = [
    {"padding": "valid"},
    {"padding": "same", "strides": 2},
    {"padding": "valid", "strides": 2, "kernel_size": 2},
    {"padding": "same", "dilation_rate": 2},
    {"padding": "valid", "dilation_rate": 2, "return_sequences": True, "go_backwards": True},
    {"padding": "same", "kernel_size": 2},  # even kernel: TensorFlow's uneven same split
    {"use_bias": False, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
    {
        "activation": "elu",
        "recurrent_activation": "softsign",
        "return_state": True,
        "go_backwards": True,
    },
    {
        "data_format": "channels_first",
        "padding": "same",
        "strides": 2,
        "return_sequences": True,
        "return_state": True,
    },
]


def _id(case):
    return "-".join(f"{k}={v}" for k, v in case.items())


def _layer(K, rank, **options):
    return getattr(K.layers, f"ConvLSTM{rank}D")(FILTERS, **{"kernel_size": 3, **options})


def _input_shape(rank, channels_first=False):
    spatial = SPATIAL[rank]
    return (STEPS, CHANNELS) + spatial if channels_first else (STEPS,) + spatial + (CHANNELS,)


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_lstm(any_keras, rank, case, tmp_path):
    K = any_keras
    channels_first = case.get("data_format") == "channels_first"
    inputs = K.Input(_input_shape(rank, channels_first))
    outputs = _layer(K, rank, **case)(inputs)
    model = K.Model(inputs, outputs)
    fmt = "keras" if CASES.index(case) % 2 else "h5"
    check_against_keras(model, tmp_path, fmt, batches=(2,), scale=0.3, seed=rank)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_chained_conv_lstms_with_a_dense_head(any_keras, rank, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input(_input_shape(rank)),
            _layer(K, rank, padding="same", return_sequences=True),
            _layer(K, rank, kernel_size=2, strides=2),
            K.layers.Flatten(),
            K.layers.Dense(4, activation="softmax"),
        ]
    )
    check_against_keras(model, tmp_path, "h5" if rank % 2 else "keras", batches=(1, 3), scale=0.3)


def test_conv_lstm1d_into_global_pooling_and_a_free_time_axis(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((None, 7, CHANNELS)),
            _layer(K, 1, padding="same", return_sequences=True),
            _layer(K, 1),
            K.layers.GlobalAveragePooling1D(),
            K.layers.Dense(2),
        ]
    )
    check_against_keras(model, tmp_path, "keras", batches=(2,), steps=5, scale=0.3)


def test_conv_lstm_states_feed_other_layers(keras3, tmp_path):
    K = keras3
    inputs = K.Input(_input_shape(2))
    out, h, c = _layer(K, 2, padding="same", return_state=True)(inputs)
    merged = K.layers.Add()([out, h, c])
    model = K.Model(inputs, [K.layers.Flatten()(merged), c])
    check_against_keras(model, tmp_path, "h5", batches=(2,), scale=0.3)


def test_generated_code_is_one_matmul_per_convolution(keras3, tmp_path):
    K = keras3
    model = K.Sequential([K.Input(_input_shape(2)), _layer(K, 2, padding="same")])
    module = check_against_keras(model, tmp_path, "keras", batches=(1,))
    with open(module.__file__) as handle:
        source = handle.read()
    assert "def windows(" in source and "for t in range(steps)" in source
    # definition, the hoisted W * x, the loop's U * h; step()'s W * x and U * h
    assert source.count("windows(") == 5
    assert np.all(np.isfinite(module.self_test()[1]))


@pytest.mark.parametrize("channels_first", [False, True])
def test_initial_states(any_keras, channels_first, tmp_path):
    K = any_keras
    fmt = "channels_first" if channels_first else "channels_last"
    inputs = K.Input(_input_shape(2, channels_first))
    state_shape = (FILTERS,) + SPATIAL[2] if channels_first else SPATIAL[2] + (FILTERS,)
    h0, c0 = K.Input(state_shape), K.Input(state_shape)
    layer = _layer(K, 2, padding="same", data_format=fmt, return_sequences=True, return_state=True)
    outputs = layer(inputs, initial_state=[h0, c0])
    model = K.Model([inputs, h0, c0], outputs)
    check_against_keras(model, tmp_path, "keras", batches=(2,), scale=0.3)


def test_hoisted_input_convolution_in_chunks_of_steps(keras3, tmp_path):
    # Big inputs hoist conv(x_t, W) a few steps at a time; the numbers stay the same.
    K = keras3
    model = K.Sequential(
        [
            K.Input(_input_shape(2)),
            _layer(K, 2, padding="same", return_sequences=True, go_backwards=True),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras", batches=(3,))
    with open(module.__file__) as handle:
        source = handle.read()
    limit = "chunk = max(1, 4194304 // "
    assert source.count(limit) == 1
    chunked = tmp_path / "chunked.py"
    chunked.write_text(source.replace(limit, "chunk = max(1, 1000 // "))  # 1 step per chunk
    module_chunked = load_module(str(chunked))
    x = np.random.default_rng(0).normal(size=(3,) + _input_shape(2)).astype(np.float32)
    np.testing.assert_allclose(module_chunked.predict(x), module.predict(x), rtol=1e-6, atol=1e-7)


def test_fast_form_is_bit_identical_to_readable_form(any_keras, tmp_path):
    # tanh and sigmoid: one tanh for all four gates, with the i, f, o columns halved.
    from lstmgen.options import Options

    K = any_keras
    model = K.Sequential(
        [
            K.Input(_input_shape(2)),
            _layer(K, 2, padding="same", return_sequences=True, recurrent_activation="sigmoid"),
            _layer(K, 2, recurrent_activation="sigmoid"),  # tf_keras's default: hard_sigmoid
        ]
    )
    fast = check_against_keras(model, tmp_path, "keras", batches=(2,), options=Options(fast=True))
    readable = check_against_keras(
        model, tmp_path, "keras", batches=(2,), options=Options(fast=False), randomize_weights=False
    )
    assert "_halved" in open(fast.__file__).read()
    assert "_halved" not in open(readable.__file__).read()
    x = np.random.default_rng(9).normal(0, 3, (5,) + _input_shape(2)).astype(np.float32)
    np.testing.assert_array_equal(fast.predict(x), readable.predict(x))
