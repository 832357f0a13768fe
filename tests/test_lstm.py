"""LSTM options against Keras 2 (tf_keras) and Keras 3."""

import numpy as np
import pytest

from lstmgen.options import Options
from oracle import (
    PAIRS,
    TOLERANCE,
    check_against_keras,
    generate_module,
    randomize,
    relative_error,
    save,
)

pytestmark = pytest.mark.keras


def lstm_model(K, shape=(6, 3), **kwargs):
    return K.Sequential([K.Input(shape), K.layers.LSTM(4, **kwargs)])


@pytest.mark.parametrize(
    "activation,recurrent,fmt",
    [(a, r, "h5" if k % 2 else "keras") for k, (a, r) in enumerate(PAIRS)],
)
def test_activation_pairs(any_keras, activation, recurrent, fmt, tmp_path):
    model = lstm_model(
        any_keras, activation=activation, recurrent_activation=recurrent, return_sequences=True
    )
    # Unbounded gates (exponential, relu) explode with large weights: keep them moderate.
    check_against_keras(model, tmp_path, fmt, batches=(1, 3), seed=len(activation), scale=0.25)


@pytest.mark.parametrize("activation", ["hard_silu", "celu", "hard_tanh", "log_sigmoid"])
def test_keras3_only_activations_in_lstm(keras3, activation, tmp_path):
    model = lstm_model(keras3, activation=activation, recurrent_activation="hard_sigmoid")
    check_against_keras(model, tmp_path, "keras", batches=(2,))


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("first_sequences", [True, False])
def test_stacked(any_keras, fmt, first_sequences, tmp_path):
    K = any_keras
    layers = [K.Input((9, 5)), K.layers.LSTM(6, return_sequences=True)]
    layers.append(K.layers.LSTM(3, return_sequences=not first_sequences))
    layers.append(K.layers.Dense(2))
    check_against_keras(K.Sequential(layers), tmp_path, fmt)


@pytest.mark.parametrize("return_sequences", [True, False])
def test_go_backwards(any_keras, return_sequences, tmp_path):
    model = lstm_model(any_keras, go_backwards=True, return_sequences=return_sequences)
    check_against_keras(model, tmp_path, "h5")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_no_bias(any_keras, fmt, tmp_path):
    model = lstm_model(any_keras, use_bias=False, return_sequences=True)
    module = check_against_keras(model, tmp_path, fmt)
    assert not any(name.endswith("_bias") for name in vars(module))


def test_keras2_options_without_effect(keras2, tmp_path):
    model = lstm_model(
        keras2,
        implementation=1,
        unroll=True,
        unit_forget_bias=False,
        dropout=0.3,
        recurrent_dropout=0.2,
        return_sequences=True,
    )
    check_against_keras(model, tmp_path, "h5")


def test_keras2_time_major(keras2, tmp_path):
    K = keras2
    # time_major: the leading axis is time; Keras's "batch" axis is the sequence here.
    model = K.Sequential(
        [K.Input((4, 3)), K.layers.LSTM(5, time_major=True, return_sequences=True)]
    )
    check_against_keras(model, tmp_path, "h5", batches=(6,))
    model = K.Sequential([K.Input((4, 3)), K.layers.LSTM(5, time_major=True)])
    module = check_against_keras(model, tmp_path, "h5", batches=(6,))
    assert module.OUTPUT_SHAPES == [(4, 5)]


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_loop_and_unrolled_forms_agree_with_keras(any_keras, fmt, tmp_path):
    model = lstm_model(any_keras, shape=(12, 3), return_sequences=True)
    unrolled = check_against_keras(model, tmp_path, fmt, options=Options(unroll=True))
    looped = check_against_keras(model, tmp_path, fmt, options=Options(unroll=False))
    assert "# step 11" in open(unrolled.__file__).read()
    assert "for t in range(" in open(looped.__file__).read()


def test_default_unroll_limit(keras3, tmp_path):
    model = lstm_model(keras3, shape=(130, 2))
    module = check_against_keras(model, tmp_path, "keras", batches=(2,))
    assert "for t in range(" in open(module.__file__).read()
    module = check_against_keras(
        model, tmp_path, "keras", batches=(2,), options=Options(unroll_limit=200)
    )
    assert "# step 129" in open(module.__file__).read()


def test_free_time_axis_runs_a_loop_over_any_length(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((None, 3)), K.layers.LSTM(4, return_sequences=True), K.layers.Dense(2)]
    )
    randomize(model)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path)
    assert module.INPUT_SHAPES == [(None, None, 3)]
    for steps in (1, 5, 11):
        x = np.random.default_rng(steps).normal(size=(3, steps, 3)).astype(np.float32)
        np.testing.assert_allclose(module.predict(x), model(x), rtol=1e-5, atol=1e-5)


def test_timesteps_fixes_and_unrolls_a_free_time_axis(keras3, tmp_path):
    K = keras3
    model = K.Sequential([K.Input((None, 3)), K.layers.LSTM(4, go_backwards=True)])
    module = check_against_keras(model, tmp_path, "keras", options=Options(timesteps=9), steps=9)
    assert module.INPUT_SHAPES == [(None, 9, 3)]
    assert "# step 8" in open(module.__file__).read()
    with pytest.raises(ValueError, match="expected shape"):
        module.predict(np.zeros((2, 8, 3), np.float32))


def test_timesteps_fixes_a_token_id_axis(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((None,), dtype="int32"),
            K.layers.Embedding(9, 3),
            K.layers.LSTM(4),
            K.layers.Dense(2),
        ]
    )
    randomize(model)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path, Options(timesteps=6))
    assert module.INPUT_SHAPES == [(None, 6)]
    assert "# step 5" in open(module.__file__).read()
    ids = np.random.default_rng(0).integers(0, 9, (3, 6)).astype(np.int32)
    assert relative_error(module.predict(ids), np.asarray(model(ids))) <= 1e-5


def test_large_values_do_not_overflow(any_keras, tmp_path):
    model = lstm_model(any_keras, return_sequences=True)
    randomize(model, scale=30.0)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path)
    x = np.random.default_rng(1).normal(0, 50, (4, 6, 3)).astype(np.float32)
    with np.errstate(all="raise"):
        got = module.predict(x)
    np.testing.assert_allclose(got, model(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_fast_form_agrees_with_readable_form_within_float32_rounding(any_keras, fmt, tmp_path):
    # The fast form (one product s M per cell, sigmoid via tanh) sums in another order
    # than the readable form: the same numbers within float32 rounding, not bit for bit.
    K = any_keras
    model = K.Sequential(
        [K.Input((9, 4)), K.layers.LSTM(6, return_sequences=True), K.layers.LSTM(3)]
    )
    fast = check_against_keras(
        model, tmp_path, fmt, options=Options(fast=True), randomize_weights=True
    )
    readable = check_against_keras(
        model, tmp_path, fmt, options=Options(fast=False), randomize_weights=False
    )
    assert "_matrix = np.ascontiguousarray(" in open(fast.__file__).read()
    assert "_matrix" not in open(readable.__file__).read()
    x = np.random.default_rng(9).normal(0, 3, (33, 9, 4)).astype(np.float32)
    a, b = fast.predict(x), readable.predict(x)
    assert np.max(np.abs(a - b) / (1 + np.abs(b))) <= 1e-6


def test_keras2_time_major_bidirectional_flips_the_time_axis(keras2, tmp_path):
    """Keras reverses the backward layer's sequence along time, the first axis here."""
    K = keras2
    for layer in (K.layers.GRU, K.layers.LSTM):
        model = K.Sequential(
            [
                K.Input((4, 3)),
                K.layers.Bidirectional(
                    layer(5, time_major=True, return_sequences=True), merge_mode="sum"
                ),
            ]
        )
        check_against_keras(model, tmp_path, "h5", batches=(6,))


def test_keras2_time_major_stateful_states_have_the_batch_axis_size(keras2, tmp_path):
    """A stateful time_major layer's states are (batch, units), batch the second axis."""
    K = keras2
    inputs = K.Input((5, 2), batch_size=3)
    model = K.Model(
        inputs, K.layers.LSTM(4, stateful=True, time_major=True, return_sequences=True)(inputs)
    )
    randomize(model, 0, 0.5)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path, Options())
    model.reset_states()
    for call in range(3):
        x = np.random.default_rng(call).normal(size=(3, 5, 2)).astype(np.float32)
        assert relative_error(module.predict(x), np.asarray(model(x))) <= TOLERANCE, call
