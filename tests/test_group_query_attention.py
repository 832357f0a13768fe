"""GroupQueryAttention (Keras 3 only) against Keras, in .h5 and .keras files."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.base import LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec
from lstmgen.reader.normalize import snake_case
from oracle import check_against_keras

FORMATS = ["h5", "keras"]


@pytest.mark.keras
@pytest.mark.parametrize("fmt", FORMATS)
def test_groups_gate_keywords_causal_window_and_scores(keras3, fmt, tmp_path):
    K = keras3
    q, v, k = K.Input((4, 6)), K.Input((5, 6)), K.Input((5, 3))
    gqa = K.layers.GroupQueryAttention
    out, scores = gqa(3, 4, 4)(query=q, value=v, key=k, return_attention_scores=True)
    outputs = [
        gqa(head_dim=3, num_query_heads=4, num_key_value_heads=2)(q, v),
        gqa(2, 6, 3, use_gate=True, use_bias=False)(q, v, k),  # a key of its own width
        gqa(2, 2, 1, sliding_window=2, flash_attention=False)(q, q, use_causal_mask=True),
        gqa(2, 3, 1, use_gate=True)(q, v, use_causal_mask=True),  # Tq < Tv
        out,
        scores,
    ]
    module = check_against_keras(K.Model([q, v, k], outputs), tmp_path, fmt)
    assert module.OUTPUT_SHAPES[-1] == (None, 4, 4, 5)


def token_ids(shapes, batch, seed, steps):
    """Token ids padded with 0 at the end of each row (some rows all padding)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 20, size=(batch,) + tuple(shapes[0][1:]))
    for row in range(batch):
        ids[row, rng.integers(0, shapes[0][1] + 1) :] = 0
    return [ids.astype(np.int32)]


@pytest.mark.keras
@pytest.mark.parametrize("fmt", FORMATS)
def test_masks_of_query_value_and_key(keras3, fmt, tmp_path):
    """Padding masks (fully masked rows included): Keras's fused path leaves a fully masked
    row's weights uniform, its own softmax (dropout set, or scores returned) zero."""
    K = keras3
    ids = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 4, mask_zero=True)(ids)
    other = K.layers.Dense(4)(x)  # the mask passes through Dense
    gqa = K.layers.GroupQueryAttention
    fused = gqa(2, 4, 2)(x, x, use_causal_mask=True)
    own = gqa(3, 2, 1, dropout=0.3)(other, x, x)
    out, scores = gqa(2, 2, 2)(x, other, return_attention_scores=True)
    pooled = K.layers.GlobalAveragePooling1D()(fused)  # the query's mask passes on
    model = K.Model(ids, [fused, own, out, scores, pooled])
    check_against_keras(model, tmp_path, fmt, batches=(1, 9), make_inputs=token_ids)


def test_weight_groups_are_named_after_the_python_class():
    # .keras files keep GroupQueryAttention's weights under its class GroupedQueryAttention
    assert snake_case("GroupQueryAttention") == "grouped_query_attention"


def test_heads_that_do_not_group_are_refused():
    record = LayerSpec(
        name="gqa",
        class_name="GroupQueryAttention",
        config={"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 3},
    )
    ctx = LayerContext(
        record,
        [Tensor("q", (None, 3, 4)), Tensor("v", (None, 3, 4))],
        3,
        Options(),
        WeightTable(NameTable(RESERVED)),
        "gqa",
    )
    with pytest.raises(UnsupportedError, match="num_query_heads=4 must be a multiple"):
        run_handler(HANDLERS["GroupQueryAttention"], ctx)


@pytest.mark.keras
def test_attention_mask_tensors_are_refused(keras3, tmp_path):
    from lstmgen.generate import generate
    from oracle import save

    K = keras3
    x, m = K.Input((3, 4)), K.Input((3, 3), dtype="bool")
    y = K.layers.GroupQueryAttention(2, 2, 1)(x, x, attention_mask=m)
    path = save(K.Model([x, m], y), tmp_path, "keras")
    with pytest.raises(UnsupportedError, match="attention_mask="):
        generate(path, "predictor")
