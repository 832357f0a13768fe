"""ConvLSTM1D/2D/3D with stateful=True, step() streaming and inside Bidirectional, against Keras."""

import numpy as np
import pytest
from oracle import check_against_keras, generate_module, randomize, relative_error, save, stream

from lstmgen.errors import LstmgenError

pytestmark = pytest.mark.keras

FILTERS = 3
CHANNELS = 2
SPATIAL = {1: (6,), 2: (5, 6), 3: (4, 4, 5)}


def _layer(K, rank, **options):
    return getattr(K.layers, f"ConvLSTM{rank}D")(FILTERS, **{"kernel_size": 3, **options})


def _frame(rank, channels_first=False):
    return (CHANNELS,) + SPATIAL[rank] if channels_first else SPATIAL[rank] + (CHANNELS,)


def _fixed_batch_input(K, shape):
    if K.__name__ == "keras":
        return K.Input(batch_shape=shape)
    return K.Input(batch_size=shape[0], shape=shape[1:])


def _reset(model):
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()


def _as_list(y):
    return [np.asarray(a) for a in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


def _max_error(got, expected):
    return max(relative_error(a, b) for a, b in zip(_as_list(got), _as_list(expected)))


@pytest.mark.parametrize("rank, channels_first", [(1, False), (2, True), (3, False)])
def test_stateful_conv_lstm_keeps_state_between_calls(any_keras, rank, channels_first, tmp_path):
    K = any_keras
    fmt = "channels_first" if channels_first else "channels_last"
    inputs = _fixed_batch_input(K, (3, None) + _frame(rank, channels_first))
    y = _layer(K, rank, padding="same", data_format=fmt, stateful=True, return_sequences=True)(
        inputs
    )
    out, h, c = _layer(
        K, rank, kernel_size=2, strides=2, data_format=fmt, stateful=True, return_state=True
    )(y)
    head = K.layers.Dense(2)(K.layers.Flatten()(out))
    model = K.Model(inputs, [head, h, c])
    randomize(model, seed=rank, scale=0.3)
    module = generate_module(save(model, tmp_path, "keras" if rank % 2 else "h5"), tmp_path)
    rng = np.random.default_rng(rank)
    pieces = [
        rng.normal(size=(3, n) + _frame(rank, channels_first)).astype(np.float32) for n in (3, 1, 2)
    ]
    _reset(model)
    for piece in pieces:  # each call continues from the states the previous one left
        assert _max_error(module.predict(piece), model(piece)) <= 1e-5
    module.reset_states()
    _reset(model)
    expected = model(pieces[1])
    assert _max_error(module.predict(pieces[1]), expected) <= 1e-5
    assert _max_error(module.Predictor().predict(pieces[1]), expected) <= 1e-5  # its own states
    with pytest.raises(ValueError, match="expected shape"):
        module.predict(pieces[0][:2])


@pytest.mark.parametrize("rank, channels_first", [(2, False), (1, True), (3, False)])
def test_step_through_chained_conv_lstms_matches_predict(any_keras, rank, channels_first, tmp_path):
    K = any_keras
    fmt = "channels_first" if channels_first else "channels_last"
    model = K.Sequential(
        [
            K.Input((None,) + _frame(rank, channels_first)),
            _layer(K, rank, padding="same", data_format=fmt, return_sequences=True),
            _layer(K, rank, kernel_size=2, strides=2, data_format=fmt, activation="relu"),
            K.layers.Dense(4, activation="softmax"),
        ]
    )
    randomize(model, seed=rank, scale=0.3)
    module = generate_module(save(model, tmp_path, "h5" if rank % 2 else "keras"), tmp_path)
    x = (
        np.random.default_rng(rank)
        .normal(size=(2, 5) + _frame(rank, channels_first))
        .astype(np.float32)
    )
    outputs = stream(module, x)
    for t, y in enumerate(outputs):
        assert relative_error(y, module.predict(x[:, : t + 1])) <= 1e-6, t
    for t in (0, 4):
        assert relative_error(outputs[t], np.asarray(model(x[:, : t + 1]))) <= 1e-5, t


def test_step_on_conv_lstm_sequences_and_states(keras3, tmp_path):
    K = keras3
    inputs = K.Input((None,) + _frame(1))
    seq, h, c = _layer(K, 1, padding="same", return_sequences=True, return_state=True)(inputs)
    model = K.Model(inputs, [seq, K.layers.Dense(2)(h), c])
    randomize(model, seed=7, scale=0.3)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    x = np.random.default_rng(7).normal(size=(2, 6) + _frame(1)).astype(np.float32)
    for t, y in enumerate(stream(module, x)):
        expected = _as_list(model(x[:, : t + 1]))
        expected[0] = expected[0][:, -1]  # step() gives the last step of a sequence output
        assert _max_error(y, expected) <= 1e-5, t


def test_no_step_through_a_backwards_conv_lstm(keras3, tmp_path):
    K = keras3
    model = K.Sequential([K.Input((None,) + _frame(2)), _layer(K, 2, go_backwards=True)])
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    assert not hasattr(module, "step") and hasattr(module, "predict")


BIDIRECTIONAL = [
    (1, "concat", True, {}),
    (2, "sum", False, {}),
    (3, "mul", True, {}),
    (2, "ave", True, {"dilation_rate": 2, "activation": "relu"}),
    (1, None, False, {"return_state": True}),
    (2, "concat", False, {"data_format": "channels_first", "strides": 2}),
    (1, "concat", True, {"return_state": True}),
]


@pytest.mark.parametrize("rank, merge_mode, sequences, options", BIDIRECTIONAL, ids=str)
def test_bidirectional_conv_lstm(any_keras, rank, merge_mode, sequences, options, tmp_path):
    K = any_keras
    channels_first = options.get("data_format") == "channels_first"
    layer = _layer(K, rank, padding="same", return_sequences=sequences, **options)
    inputs = K.Input((4,) + _frame(rank, channels_first))
    outputs = K.layers.Bidirectional(layer, merge_mode=merge_mode)(inputs)
    model = K.Model(inputs, outputs)
    fmt = "keras" if BIDIRECTIONAL.index((rank, merge_mode, sequences, options)) % 2 else "h5"
    check_against_keras(model, tmp_path, fmt, batches=(2,), scale=0.3, seed=rank)


def test_bidirectional_conv_lstm_with_its_own_backward_layer(any_keras, tmp_path):
    K = any_keras
    forward = _layer(K, 2, padding="same", return_sequences=True)
    backward = _layer(K, 2, kernel_size=2, padding="same", return_sequences=True, go_backwards=True)
    model = K.Sequential(
        [K.Input((3,) + _frame(2)), K.layers.Bidirectional(forward, backward_layer=backward)]
    )
    check_against_keras(model, tmp_path, "keras", batches=(2,), scale=0.3)


def test_stateful_with_initial_states_is_refused(keras2, tmp_path):
    K = keras2
    inputs = K.Input(batch_size=2, shape=(3,) + _frame(1))
    h0 = K.Input(batch_size=2, shape=(6, FILTERS))
    c0 = K.Input(batch_size=2, shape=(6, FILTERS))
    out = _layer(K, 1, padding="same", stateful=True)(inputs, initial_state=[h0, c0])
    model = K.Model([inputs, h0, c0], out)
    with pytest.raises(LstmgenError, match="stateful=True together with initial_state"):
        generate_module(save(model, tmp_path, "h5"), tmp_path)
