"""EinsumDense against Keras 3 and tf_keras, in .h5 and .keras files, for each form of
equation Keras accepts; its equation plan and refusals without Keras."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import build_layer, check_against_keras

from lstmgen.errors import UnsupportedError
from lstmgen.layers.einsum_plan import parse, plan

# (name, input, equation, output_shape, bias_axes, activation): names say what each tests.
BRANCHES = [
    ("dense_like_free_steps", 0, "abc,cd->abd", (None, 5), "d", "relu"),
    ("heads_projection", 0, "abc,cde->abde", (None, 2, 3), "de", None),
    ("heads_merge", 1, "abcd,cde->abe", (None, 5), "e", "tanh"),
    ("transposed_kernel", 2, "abc,dc->abd", (5, 6), None, None),
    ("output_reordered", 2, "abc,cd->adb", (6, 5), "b", "sigmoid"),
    ("shared_axis", 2, "abc,cbd->abd", (5, 3), "bd", None),
    ("shared_and_moved", 1, "abcd,dbe->aceb", (2, 6, 7), "e", "gelu"),
    ("outer_product", 2, "abc,d->abcd", (5, 4, 3), "d", None),
    ("vector_kernel", 2, "abc,c->ab", (5,), None, None),
    ("summed_in_x_alone", 1, "abcd,ce->abe", (7, 2), "be", None),
    ("ellipsis_left", 1, "...b,bc->...c", (3,), "c", "elu"),
    ("ellipsis_left_two", 1, "...ab,bc->...ac", (2, 3), "ac", None),
    ("ellipsis_right", 1, "ab...,bc->ac...", (4,), "c", None),
    ("left_with_nothing_elided", 2, "...abc,cd->...abd", (5, 3), "d", None),
    ("upper_case_letters", 1, "aBcD,cDE->aBE", (7, 5), "BE", None),
]
INPUTS = [(None, 6), (7, 2, 3), (5, 4)]


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_form_of_equation(any_keras, fmt, tmp_path):
    K = any_keras
    inputs = [K.Input(shape) for shape in INPUTS]
    outputs = [
        K.layers.EinsumDense(equation, shape, bias_axes=bias, activation=act, name=name)(inputs[k])
        for name, k, equation, shape, bias, act in BRANCHES
    ]
    module = check_against_keras(K.Model(inputs, outputs), tmp_path, fmt, batches=(1, 3))
    # the einsum's own shape: Keras 3 declares the middle "..." axes reversed here
    names = [branch[0] for branch in BRANCHES]
    assert module.OUTPUT_SHAPES[names.index("ellipsis_left")] == (None, 7, 2, 3)


@pytest.mark.keras
def test_a_transformer_feed_forward_with_free_steps(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((None, 8)),
            K.layers.EinsumDense("abc,cd->abd", (None, 16), bias_axes="d", activation="relu"),
            K.layers.EinsumDense("abc,cd->abd", (None, 8), bias_axes="d"),
            K.layers.LayerNormalization(),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras" if K.__name__ == "keras" else "h5")
    assert module.OUTPUT_SHAPES == [(None, None, 8)]


def test_the_plan_of_an_attention_output_projection():
    p = plan(parse("abcd,cde->abe", 4))
    assert (p.shared, p.kept, p.contracted, p.new) == ((), ("a", "b"), ("c", "d"), ("e",))
    assert p.x_order == (0, 1, 2, 3) and p.kernel_order == (0, 1, 2) and p.out_order == (0, 1, 2)
    moved = plan(parse("abcd,dbe->aceb", 4))
    assert (moved.shared, moved.kept, moved.contracted) == (("b",), ("a", "c"), ("d",))
    assert moved.x_order == (1, 0, 2, 3) and moved.out_order == (1, 2, 3, 0)
    assert parse("...b,bc->...c", 4).x == ("0", "1", "2", "b")


def _einsum(config, shape=(None, 6, 4), kernel=(4, 5), bias=None):
    weights = [np.ones(kernel)] + ([np.zeros(bias)] if bias else [])
    return build_layer("EinsumDense", {"activation": "linear", **config}, weights, [shape])


def test_output_shape_entries_beyond_the_equation_are_ignored_as_keras_computes():
    built = _einsum({"equation": "abc,cd->abd", "output_shape": [None, 5, 9]})
    assert built.outputs == [(None, 6, 5)]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"equation": "ab,bc->ac junk"}, "is not of a form EinsumDense accepts"),
        ({"equation": "abb,bc->ac"}, "repeats a letter within 'abb'"),
        ({"equation": "abc,cd->abe"}, "output letter 'e' is in neither"),
        ({"equation": "abc,cde->abd"}, "kernel letter 'e' is in neither"),
        ({"equation": "abc,cd->bad"}, "does not keep the batch axis first"),
        ({"equation": "abcd,de->abe"}, "does not fit an input of rank 3"),
        ({"equation": "abc,cd->abd", "output_shape": 5}, "must give the 2 axes b, d"),
        ({"equation": "abc,cd->abd", "output_shape": [7, 5]}, "axis 'b' 7 cells, the input 6"),
        ({"equation": "abc,cd->abd", "output_shape": [6, None]}, "the kernel's axis 'd' a size"),
        ({"equation": "abc,cd->abd", "output_shape": [6, 5], "bias_axes": "x"}, "bias_axes='x'"),
    ],
)
def test_what_keras_refuses_is_refused(config, message):
    config = {"output_shape": [None, 5], **config}
    with pytest.raises(UnsupportedError, match=r"layer 'layer' \(EinsumDense\): .*" + message):
        _einsum(config)
