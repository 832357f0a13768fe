"""The streaming API (initial_state/step) and stateful=True, against Keras."""

import numpy as np
import pytest

from oracle import generate_module, randomize, relative_error, save, stateful_model, stream

pytestmark = pytest.mark.keras

KINDS = ["LSTM", "GRU", "SimpleRNN"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_step_matches_predict_on_every_prefix(any_keras, kind, fmt, tmp_path):
    K = any_keras
    layer = getattr(K.layers, kind)
    model = K.Sequential(
        [
            K.Input((None, 4)),
            K.layers.Dense(5, activation="relu"),
            layer(6, return_sequences=True),
            K.layers.Dropout(0.3),
            layer(3),
            K.layers.Dense(4, activation="softmax"),
        ]
    )
    randomize(model, seed=3)
    module = generate_module(save(model, tmp_path, fmt), tmp_path)
    x = np.random.default_rng(0).normal(size=(3, 6, 4)).astype(np.float32)
    for t, y in enumerate(stream(module, x)):
        expected = np.asarray(model(x[:, : t + 1]))
        assert relative_error(y, expected) <= 1e-5, t
        assert relative_error(y, module.predict(x[:, : t + 1])) <= 1e-6


def test_step_on_sequence_outputs_and_time_distributed(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((7, 2)),
            K.layers.GRU(4, return_sequences=True),
            K.layers.TimeDistributed(K.layers.Dense(3, activation="tanh")),
            K.layers.LSTM(5, return_sequences=True),
        ]
    )
    randomize(model, seed=4)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path)
    x = np.random.default_rng(1).normal(size=(2, 7, 2)).astype(np.float32)
    expected = np.asarray(model(x))
    for t, y in enumerate(stream(module, x)):
        assert relative_error(y, expected[:, t]) <= 1e-5


def test_step_with_embedding_ids(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [
            K.Input((None,), dtype="int32"),
            K.layers.Embedding(12, 4),
            K.layers.LSTM(5),
            K.layers.Dense(12),
        ]
    )
    randomize(model, seed=5)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    ids = np.random.default_rng(2).integers(0, 12, (2, 5))
    for t, y in enumerate(stream(module, ids)):
        assert relative_error(y, np.asarray(model(ids[:, : t + 1]))) <= 1e-5


def test_no_step_for_models_that_read_backwards(keras3, tmp_path):
    K = keras3
    model = K.Sequential([K.Input((5, 2)), K.layers.Bidirectional(K.layers.LSTM(3))])
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    assert not hasattr(module, "step") and not hasattr(module, "initial_state")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_stateful_keeps_state_between_calls(any_keras, kind, fmt, tmp_path):
    K = any_keras
    model = stateful_model(K, kind, batch=3)  # a fixed batch other than the self-test's default
    randomize(model, seed=6)
    path = save(model, tmp_path, fmt)
    module = generate_module(path, tmp_path)
    rng = np.random.default_rng(3)
    pieces = [rng.normal(size=(3, n, 3)).astype(np.float32) for n in (4, 1, 3)]
    model.reset_states() if hasattr(model, "reset_states") else None
    for piece in pieces:
        assert relative_error(module.predict(piece), np.asarray(model(piece))) <= 1e-5
    # A fresh start: both forget, and a second instance is independent.
    module.reset_states()
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()
    other = module.Predictor()
    expected = np.asarray(model(pieces[0]))
    assert relative_error(module.predict(pieces[0]), expected) <= 1e-5
    assert relative_error(other.predict(pieces[0]), expected) <= 1e-5
    with pytest.raises(ValueError, match="expected shape"):
        module.predict(np.zeros((2, 4, 3), np.float32))


def masked_stateful_model(K, kind, batch):
    shape = {"batch_shape": (batch, None, 3)} if K.__name__ == "keras" else {}
    inputs = K.Input(**shape) if shape else K.Input(batch_size=batch, shape=(None, 3))
    layer = getattr(K.layers, kind)
    masked = K.layers.Masking()(inputs)
    sequences = layer(4, stateful=True, return_sequences=True)(masked)
    last = layer(3, stateful=True)(masked)
    return K.Model(inputs, [sequences, last])


@pytest.mark.parametrize("kind", KINDS)
def test_step_returns_c_ordered_arrays_of_their_own(keras3, kind, tmp_path):
    """The fast form computes batch-last; step() still hands back (batch, units) arrays
    that own their data, as predict() does, not transposed views."""
    K = keras3
    model = K.Sequential([K.Input((None, 4)), getattr(K.layers, kind)(6)])
    randomize(model, seed=4)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    assert "np.dot(" in open(module.__file__).read()  # the fast form
    x = np.random.default_rng(0).normal(size=(3, 2, 4)).astype(np.float32)
    state = module.initial_state(3)
    for t in range(2):
        y, state = module.step(x[:, t], state)
        arrays = [y] + [a for states in state.values() for a in states]
        assert all(a.flags.c_contiguous and a.flags.owndata for a in arrays), t
    assert relative_error(y, np.asarray(model(x))) <= 1e-5


@pytest.mark.parametrize("kind", KINDS)
def test_stateful_with_masked_steps(any_keras, kind, tmp_path):
    """Keras's output at masked steps before a call's first real step is zeros, even when
    the state carried over from the previous call is not."""
    K = any_keras
    model = masked_stateful_model(K, kind, batch=2)
    randomize(model, seed=8)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path)
    rng = np.random.default_rng(4)
    pieces = [rng.normal(size=(2, n, 3)).astype(np.float32) for n in (3, 3, 2, 2)]
    pieces[1][0, :2] = 0.0  # leading masked steps after a first call
    pieces[2][1, :] = 0.0  # a row masked all through
    pieces[3][0, 1:] = 0.0  # trailing masked steps
    for k, piece in enumerate(pieces):
        got = module.predict(piece)
        expected = [np.asarray(a) for a in model(piece)]
        assert len(got) == 2
        for a, b in zip(got, expected):
            assert relative_error(a, b) <= 1e-5, k


@pytest.mark.parametrize("kind", KINDS)
def test_step_gives_return_state_outputs(any_keras, kind, tmp_path):
    K = any_keras
    inputs = K.Input((None, 3))
    outputs = getattr(K.layers, kind)(4, return_sequences=True, return_state=True)(inputs)
    model = K.Model(inputs, list(outputs))
    randomize(model, seed=9)
    module = generate_module(
        save(model, tmp_path, "keras" if K.__name__ == "keras" else "h5"), tmp_path
    )
    x = np.random.default_rng(5).normal(size=(2, 4, 3)).astype(np.float32)
    for t, got in enumerate(stream(module, x)):
        expected = [np.asarray(a) for a in model(x[:, : t + 1])]
        expected[0] = expected[0][:, -1]  # step() gives the newest timestep of sequences
        assert [a.shape for a in got] == [b.shape for b in expected]
        for a, b in zip(got, expected):
            assert relative_error(a, b) <= 1e-5, t


def zero_steps(x, rows_and_steps):
    x = x.copy()
    for row, steps in rows_and_steps:
        x[row, steps] = 0.0
    return x


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_step_honours_masking(any_keras, kind, fmt, tmp_path):
    """Masked steps keep the states; step() gives what predict() gives on every prefix."""
    K = any_keras
    layer = getattr(K.layers, kind)
    model = K.Sequential(
        [
            K.Input((None, 3)),
            K.layers.Masking(0.0),
            layer(5, return_sequences=True),
            K.layers.Dense(4, activation="tanh"),
            layer(3, return_sequences=True, zero_output_for_mask=True),
            layer(2),
        ]
    )
    randomize(model, seed=11)
    module = generate_module(save(model, tmp_path, fmt), tmp_path)
    x = np.random.default_rng(6).normal(size=(3, 7, 3)).astype(np.float32)
    x = zero_steps(x, [(0, slice(0, 2)), (1, slice(3, 5)), (2, slice(5, 7))])  # pre, middle, post
    for t, y in enumerate(stream(module, x)):
        assert relative_error(y, np.asarray(model(x[:, : t + 1]))) <= 1e-5, t


def test_step_with_embedding_mask_zero(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((None,), dtype="int32"),
            K.layers.Embedding(12, 4, mask_zero=True),
            K.layers.LSTM(5, return_sequences=True),
            K.layers.GRU(3, return_sequences=True),
            K.layers.TimeDistributed(K.layers.Dense(12, activation="softmax")),
        ]
    )
    randomize(model, seed=12)
    module = generate_module(save(model, tmp_path, "h5"), tmp_path)
    ids = np.random.default_rng(7).integers(1, 12, (2, 6))
    ids[0, :2] = 0
    ids[1, 4:] = 0
    expected = np.asarray(model(ids))
    for t, y in enumerate(stream(module, ids)):
        assert relative_error(y, expected[:, t]) <= 1e-5, t


@pytest.mark.keras
@pytest.mark.parametrize("kind", ["GRU", "SimpleRNN"])
def test_stateful_return_state_of_a_one_state_layer_is_an_array(any_keras, kind, tmp_path):
    """A stateful GRU or SimpleRNN with return_state returned its state as a one-item list."""
    K = any_keras
    inputs = K.Input(batch_shape=(2, 5, 3))
    out, state = getattr(K.layers, kind)(4, stateful=True, return_state=True)(inputs)
    model = K.Model(inputs, [out, state])
    randomize(model, seed=6)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype(np.float32)
    for _ in range(2):  # the second call continues from the first one's states
        expected = [np.asarray(y) for y in model(x)]
        got = module.predict(x)
        assert [np.shape(y) for y in got] == [(2, 4), (2, 4)]
        for a, b in zip(got, expected):
            assert relative_error(a, b) <= 1e-5
