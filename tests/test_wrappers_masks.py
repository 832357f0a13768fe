"""Bidirectional, TimeDistributed, Masking and Embedding masks, against both Keras."""

import numpy as np
import pytest

from lstmgen.options import Options
from oracle import check_against_keras, padded, token_ids

pytestmark = pytest.mark.keras

KINDS = ["LSTM", "GRU", "SimpleRNN"]
MERGE_MODES = ["concat", "sum", "mul", "ave", None]


def rnn(K, kind, units=4, **kwargs):
    return getattr(K.layers, kind)(units, **kwargs)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("merge_mode", MERGE_MODES)
@pytest.mark.parametrize("sequences", [True, False])
def test_bidirectional_merge_modes(any_keras, kind, merge_mode, sequences, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    y = K.layers.Bidirectional(rnn(K, kind, return_sequences=sequences), merge_mode=merge_mode)(x)
    fmt = "keras" if sequences else "h5"
    check_against_keras(K.Model(x, y), tmp_path, fmt, scale=0.4)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("merge_mode", ["concat", None])
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_bidirectional_return_state_and_initial_state(any_keras, kind, merge_mode, fmt, tmp_path):
    K = any_keras
    x, z = K.Input((5, 3)), K.Input((4, 2))
    encoded = K.layers.Bidirectional(
        rnn(K, kind, return_sequences=True, return_state=True), merge_mode=merge_mode
    )(x)
    n_out = 1 if merge_mode else 2
    states = encoded[n_out:]
    decoded = K.layers.Bidirectional(rnn(K, kind))(z, initial_state=list(states))
    model = K.Model([x, z], [*encoded, decoded])
    check_against_keras(model, tmp_path, fmt, scale=0.4)


def test_bidirectional_explicit_backward_layer(any_keras, tmp_path):
    K = any_keras
    forward = K.layers.LSTM(4, return_sequences=True)
    backward = K.layers.LSTM(4, return_sequences=True, go_backwards=True, activation="relu")
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.Bidirectional(forward, backward_layer=backward, merge_mode="sum"),
        ]
    )
    check_against_keras(model, tmp_path, "h5", scale=0.4)
    check_against_keras(model, tmp_path, "keras", scale=0.4)


def test_bidirectional_around_go_backwards_layer(keras2, tmp_path):
    # Keras 2 flips the wrapped layer's go_backwards for the copy (Keras 3 refuses this model).
    K = keras2
    model = K.Sequential(
        [
            K.Input((5, 3)),
            K.layers.Bidirectional(K.layers.GRU(3, go_backwards=True, return_sequences=True)),
        ]
    )
    check_against_keras(model, tmp_path, "h5")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_time_distributed(any_keras, fmt, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.LSTM(5, return_sequences=True),
            K.layers.TimeDistributed(K.layers.Dense(4, activation="relu")),
            K.layers.TimeDistributed(K.layers.Dropout(0.5)),
            K.layers.TimeDistributed(K.layers.Dense(2, activation="softmax")),
        ]
    )
    module = check_against_keras(model, tmp_path, fmt)
    assert module.OUTPUT_SHAPES == [(None, 6, 2)]


def pre_padded(shapes, batch, seed, steps):
    return padded(shapes, batch, seed, steps, pre=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("backwards", [True, False])
@pytest.mark.parametrize("pad", [padded, pre_padded], ids=["post", "pre"])
def test_masking(any_keras, kind, sequences, backwards, pad, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((7, 3)),
            K.layers.Masking(0.0),
            rnn(K, kind, return_sequences=sequences, go_backwards=backwards),
        ]
    )
    options = Options(unroll=False) if backwards else Options()
    check_against_keras(
        model,
        tmp_path,
        "keras" if sequences else "h5",
        batches=(1, 9),
        make_inputs=pad,
        options=options,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_mask_flows_through_dense_dropout_into_stacked_and_bidirectional(any_keras, kind, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((7, 3)),
            K.layers.Masking(0.0),
            K.layers.Dense(4, activation="tanh"),
            K.layers.Dropout(0.2),
            K.layers.TimeDistributed(K.layers.Dense(4)),
            K.layers.Bidirectional(rnn(K, kind, return_sequences=True)),
            rnn(K, kind, 3, return_sequences=True),
            K.layers.Bidirectional(rnn(K, kind, 2), merge_mode="ave"),
        ]
    )
    check_against_keras(model, tmp_path, "h5", batches=(1, 8), make_inputs=padded)
    check_against_keras(model, tmp_path, "keras", batches=(8,), make_inputs=pre_padded)


def test_zero_output_for_mask_keras3(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [
            K.Input((6, 2)),
            K.layers.Masking(0.0),
            K.layers.LSTM(3, return_sequences=True, zero_output_for_mask=True),
            K.layers.GRU(3, zero_output_for_mask=True),
        ]
    )
    check_against_keras(model, tmp_path, "keras", batches=(6,), make_inputs=padded)


@pytest.mark.parametrize("kind", KINDS)
def test_mask_with_initial_state(any_keras, kind, tmp_path):
    # Leading masked steps output zeros while the state stays the given initial state.
    K = any_keras
    x, s = K.Input((6, 2)), K.Input((4,))
    states = [s, s] if kind == "LSTM" else [s]
    y = rnn(K, kind, return_sequences=True, return_state=True)(
        K.layers.Masking()(x), initial_state=states
    )
    check_against_keras(K.Model([x, s], y), tmp_path, "h5", batches=(6,), make_inputs=pre_padded)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_embedding_mask_zero(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((8,), dtype="int32")
    y = K.layers.Embedding(20, 5, mask_zero=True)(x)
    y = K.layers.Bidirectional(K.layers.LSTM(4, return_sequences=True))(y)
    y = K.layers.GRU(3)(y)
    y = K.layers.Dense(2, activation="softmax")(y)
    module = check_against_keras(
        K.Model(x, y), tmp_path, fmt, batches=(1, 7), make_inputs=token_ids
    )
    with pytest.raises(ValueError, match="token ids"):
        module.predict(np.full((1, 8), 20, np.int32))


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_time_distributed_recurrent_layer(any_keras, fmt, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((4, 5, 2)), K.layers.TimeDistributed(K.layers.LSTM(3)), K.layers.GRU(2)]
    )
    check_against_keras(model, tmp_path, fmt)
