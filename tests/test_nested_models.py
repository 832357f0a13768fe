"""Models used as layers, to any depth, in Sequential and functional models.

Keras 3 numbers a functional submodel's calls from 0 where they feed a layer and from 1
in the model's outputs (Keras 2 from 1 everywhere): chains of submodels test both.
"""

import pytest

from lstmgen.errors import LstmgenError
from lstmgen.generate import generate
from oracle import check_against_keras, major, randomize, save

pytestmark = pytest.mark.keras
FORMATS = pytest.mark.parametrize("fmt", ["h5", "keras"])

pytestmark = pytest.mark.keras


def inner_sequential(K, name="inner"):
    return K.Sequential(
        [K.Input((5, 3)), K.layers.LSTM(4, return_sequences=True), K.layers.Dense(3)], name=name
    )


@FORMATS
def test_shared_nested_sequential_in_functional(any_keras, fmt, tmp_path):
    K = any_keras
    inner = inner_sequential(K)
    a, b = K.Input((5, 3)), K.Input((5, 3))
    y = K.layers.GRU(2)(inner(a))
    model = K.Model([a, b], [y, inner(b)])
    check_against_keras(model, tmp_path, fmt)


@FORMATS
def test_functional_inside_sequential_inside_functional(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    encoder = K.Model(
        x, K.layers.Bidirectional(K.layers.GRU(2, return_sequences=True))(x), name="encoder"
    )
    middle = K.Sequential(
        [K.Input((5, 3)), encoder, K.layers.BatchNormalization(), K.layers.LSTM(3)], name="middle"
    )
    outer_in = K.Input((5, 3))
    model = K.Model(outer_in, K.layers.Dense(2)(middle(outer_in)))
    check_against_keras(model, tmp_path, fmt)


@FORMATS
def test_a_submodel_fed_by_a_submodel(any_keras, fmt, tmp_path):
    # The autoencoder / encoder-decoder shape: decoder(encoder(x)).
    K = any_keras
    x = K.Input((5, 3))
    encoder = K.Model(x, K.layers.LSTM(4, return_sequences=True)(x), name="encoder")
    y = K.Input((5, 4))
    decoder = K.Model(y, K.layers.LSTM(2)(y), name="decoder")
    i = K.Input((5, 3))
    check_against_keras(K.Model(i, decoder(encoder(i))), tmp_path, fmt)


@FORMATS
def test_a_submodels_states_into_another_submodels_initial_state(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    sequence, h, c = K.layers.LSTM(4, return_sequences=True, return_state=True)(x)
    encoder = K.Model(x, [sequence, h, c], name="encoder")
    y, h0, c0 = K.Input((6, 2)), K.Input((4,)), K.Input((4,))
    decoded = K.layers.LSTM(4, return_sequences=True)(y, initial_state=[h0, c0])
    decoder = K.Model([y, h0, c0], [decoded, K.layers.Dense(3)(decoded)], name="decoder")
    a, b = K.Input((5, 3)), K.Input((6, 2))
    encoded, state_h, state_c = encoder(a)
    decoded, projected = decoder([b, state_h, state_c])
    model = K.Model([a, b], [K.layers.GlobalAveragePooling1D()(encoded), decoded, projected])
    check_against_keras(model, tmp_path, fmt)


@FORMATS
def test_the_same_submodel_called_on_its_own_output(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    block = K.Model(x, K.layers.Dense(3)(K.layers.LSTM(4, return_sequences=True)(x)), name="block")
    i = K.Input((5, 3))
    once = block(i)
    model = K.Model(i, [block(once), K.layers.Add()([block(i), once])])
    check_against_keras(model, tmp_path, fmt)


@FORMATS
def test_three_levels_deep_each_called_twice(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    inner = K.Model(x, K.layers.GRU(3, return_sequences=True)(x), name="inner")
    y = K.Input((5, 3))
    middle = K.Model(y, K.layers.Dense(3)(inner(inner(y))), name="middle")
    z = K.Input((5, 3))
    outer = K.Model(z, K.layers.LSTM(2)(middle(middle(z))), name="outer")
    i = K.Input((5, 3))
    check_against_keras(K.Model(i, [outer(i), K.layers.Dense(1)(outer(i))]), tmp_path, fmt)


@FORMATS
def test_sequential_and_functional_nested_in_each_other(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    encoder = K.Model(x, K.layers.LSTM(4, return_sequences=True)(x), name="encoder")
    sequential = K.Sequential([K.Input((5, 3)), encoder, K.layers.Dense(3)], name="seq")
    y = K.Input((5, 3))
    functional = K.Model(y, K.layers.GRU(2)(sequential(y)), name="fun")
    outer = K.Sequential([K.Input((5, 3)), functional, K.layers.Dense(4)], name="outer_seq")
    i = K.Input((5, 3))
    check_against_keras(K.Model(i, outer(i)), tmp_path, fmt)


@FORMATS
def test_a_submodel_shared_across_levels_as_keras_loads_it(any_keras, fmt, tmp_path):
    # `middle` is used inside `outer` and beside it. Keras 3 loads its .h5; tf_keras's .h5
    # config points at an input of another model, and .keras files keep the shared
    # weights once (Keras's own loader then fails): refused, in one line.
    K = any_keras
    x = K.Input((5, 3))
    inner = K.Model(x, K.layers.GRU(3, return_sequences=True)(x), name="inner")
    y = K.Input((5, 3))
    middle = K.Model(y, K.layers.Dense(3)(inner(inner(y))), name="middle")
    z = K.Input((5, 3))
    outer = K.Model(z, K.layers.LSTM(2)(middle(z)), name="outer")
    i = K.Input((5, 3))
    model = K.Model(i, [outer(i), outer(middle(i))])
    if major(K) == 3 and fmt == "h5":
        check_against_keras(model, tmp_path, fmt)
        return
    randomize(model)
    path = save(model, tmp_path, fmt)
    with pytest.raises(LstmgenError, match=r"^layer '(outer/)?middle/inner/gru(_\d+)?'"):
        generate(path, "predictor")
