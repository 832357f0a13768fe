"""Wavefront fusion of stacked recurrent layers (lstmgen/fusion.py): where it applies, the
fused function agrees with Keras (and so does the layers-one-by-one path it falls back to
at large batch); where it must not apply, the layers run one by one."""

import inspect
import re

import numpy as np
import pytest

from lstmgen.options import Options
from oracle import TOLERANCE, check_against_keras, keras_outputs, random_inputs, relative_error

pytestmark = pytest.mark.keras


def _fused(module) -> list:
    """The names of the module's fused functions."""
    return re.findall(r"^def (\w+_to_\w+)\(x\):", inspect.getsource(module), re.M)


def _cells(module) -> list:
    """The cells of the module's one fused function, from its docstring."""
    [fused] = _fused(module)
    return getattr(module, fused).__doc__.split(", fused:")[0].split(", ")


def _limit(module) -> int:
    """The batch size beyond which the fused function runs the layers one by one."""
    return int(re.search(r"if x.shape\[0\] > (\d+):", inspect.getsource(module)).group(1))


def _check_batch(module, model, batch: int) -> None:
    inputs = random_inputs(module.INPUT_SHAPES, batch, batch, 7)
    got = module.predict(inputs)
    got = got if isinstance(got, list) else [got]
    for a, b in zip(got, keras_outputs(model, inputs[0])):
        assert relative_error(a, b) <= TOLERANCE


def _step_through(module, x):
    """The last output of step() fed every timestep of x."""
    state = module.initial_state(len(x))
    for t in range(x.shape[1]):
        y, state = module.step(x[:, t], state)
    return y


@pytest.mark.parametrize("unroll", [True, False])
def test_stacked_lstms_fuse_and_agree_with_keras(keras3, unroll, tmp_path):
    layers = keras3.layers
    model = keras3.Sequential(
        [
            keras3.Input((7, 6)),
            layers.LSTM(8, return_sequences=True),
            layers.LSTM(5),
            layers.Dense(2),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras", options=Options(unroll=unroll))
    [fused] = _fused(module)
    if not unroll:
        assert "for t in range(" in inspect.getsource(getattr(module, fused))
    # the fused loop and the layers one by one: the same math, summed in another order
    x = random_inputs(module.INPUT_SHAPES, 4, 3, 7)[0]
    fused_out = getattr(module, fused)(x)
    first, second = (getattr(module, name) for name in fused.split("_to_"))
    assert relative_error(fused_out, second(first(x))) <= 1e-6
    # beyond the cost model's limit the layers run one by one: the plain path, also right
    _check_batch(module, model, _limit(module) + 1)
    # step() runs each layer's own one-step function
    x = random_inputs(module.INPUT_SHAPES, 3, 5, 7)[0]
    assert relative_error(_step_through(module, x), keras_outputs(model, x)[0]) <= TOLERANCE


def test_mixed_kinds_fuse_with_returned_sequences_and_states(keras2, tmp_path):
    layers = keras2.layers
    inputs = keras2.Input((7, 4))
    x = layers.GRU(6, return_sequences=True, reset_after=False)(inputs)
    x = layers.SimpleRNN(5, return_sequences=True, activation="relu")(x)
    x = layers.GRU(3, return_sequences=True)(x)
    out, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(x)
    model = keras2.Model(inputs, [out, h, c])
    module = check_against_keras(model, tmp_path, "h5")
    assert len(_cells(module)) == 4


def test_backwards_first_layer_and_stacked_cells_fuse(keras3, tmp_path):
    layers = keras3.layers
    model = keras3.Sequential(
        [
            keras3.Input((7, 5)),
            layers.LSTM(6, return_sequences=True, go_backwards=True),
            layers.RNN([layers.GRUCell(4), layers.LSTMCell(3)], return_sequences=True),
            layers.SimpleRNN(4),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras")
    assert len(_cells(module)) == 4  # the RNN's two cells count as two


def _not_fused(keras3, build, tmp_path, **kwargs):
    model = build(keras3, keras3.layers)
    module = check_against_keras(model, tmp_path, "keras", **kwargs)
    assert _fused(module) == []


def _read_twice(keras, layers):
    inputs = keras.Input((7, 4))
    x = layers.LSTM(5, return_sequences=True)(inputs)
    y = layers.LSTM(3)(x)
    return keras.Model(inputs, [y, layers.GlobalAveragePooling1D()(x)])


def _sequence_is_an_output(keras, layers):
    inputs = keras.Input((7, 4))
    x = layers.LSTM(5, return_sequences=True)(inputs)
    return keras.Model(inputs, [layers.LSTM(3)(x), x])


def _masked(keras, layers):
    return keras.Sequential(
        [
            keras.Input((7, 4)),
            layers.Masking(0.0),
            layers.LSTM(5, return_sequences=True),
            layers.LSTM(3),
        ]
    )


def _initial_state(keras, layers):
    inputs, h0 = keras.Input((7, 4)), keras.Input((3,))
    x = layers.GRU(5, return_sequences=True)(inputs)
    return keras.Model([inputs, h0], layers.GRU(3)(x, initial_state=h0))


def _second_backwards(keras, layers):
    return keras.Sequential(
        [
            keras.Input((7, 4)),
            layers.LSTM(5, return_sequences=True),
            layers.LSTM(3, go_backwards=True),
        ]
    )


def _first_returns_state(keras, layers):
    inputs = keras.Input((7, 4))
    x, h, c = layers.LSTM(5, return_sequences=True, return_state=True)(inputs)
    return keras.Model(inputs, [layers.LSTM(3)(x), h])


def _last_only(keras, layers):
    return keras.Sequential(
        [keras.Input((7, 4)), layers.LSTM(5), layers.RepeatVector(3), layers.LSTM(2)]
    )


@pytest.mark.parametrize(
    "build",
    [
        _read_twice,
        _sequence_is_an_output,
        _masked,
        _initial_state,
        _second_backwards,
        _first_returns_state,
        _last_only,
    ],
)
def test_layers_that_must_not_fuse_run_one_by_one(keras3, build, tmp_path):
    _not_fused(keras3, build, tmp_path, batches=(3,))


def test_stateful_layers_do_not_fuse(keras2, tmp_path):
    layers = keras2.layers
    model = keras2.Sequential(
        [
            layers.LSTM(5, return_sequences=True, stateful=True, batch_input_shape=(2, 7, 4)),
            layers.LSTM(3, stateful=True),
        ]
    )
    module = check_against_keras(model, tmp_path, "h5", batches=(2,))
    assert _fused(module) == []


def test_readable_form_does_not_fuse(keras3, tmp_path):
    layers = keras3.layers
    model = keras3.Sequential(
        [keras3.Input((7, 4)), layers.GRU(5, return_sequences=True), layers.GRU(3)]
    )
    module = check_against_keras(model, tmp_path, "keras", options=Options(fast=False))
    assert _fused(module) == []
    assert "def sigmoid" in inspect.getsource(module)


def test_fast_form_copies_no_unused_sigmoid(keras3, tmp_path):
    layers = keras3.layers
    model = keras3.Sequential(
        [keras3.Input((7, 4)), layers.LSTM(5, return_sequences=True), layers.GRU(3)]
    )
    module = check_against_keras(model, tmp_path, "keras", batches=(2,))
    assert not hasattr(module, "sigmoid")
    assert np.isfinite(module.predict(np.full((1, 7, 4), 1e4, np.float32))).all()
