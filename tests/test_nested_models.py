"""Models used as layers, to any depth, in Sequential and functional models."""

import pytest

from oracle import check_against_keras

pytestmark = pytest.mark.keras


def inner_sequential(K, name="inner"):
    return K.Sequential(
        [K.Input((5, 3)), K.layers.LSTM(4, return_sequences=True), K.layers.Dense(3)], name=name
    )


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_shared_nested_sequential_in_functional(any_keras, fmt, tmp_path):
    K = any_keras
    inner = inner_sequential(K)
    a, b = K.Input((5, 3)), K.Input((5, 3))
    y = K.layers.GRU(2)(inner(a))
    model = K.Model([a, b], [y, inner(b)])
    check_against_keras(model, tmp_path, fmt)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
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
