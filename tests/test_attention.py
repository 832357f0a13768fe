"""Attention, AdditiveAttention and Dot, against both Keras."""

import pytest

from oracle import check_against_keras, token_ids

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("kind", ["Attention", "AdditiveAttention"])
@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("with_key", [False, True])
def test_attention(any_keras, kind, use_scale, with_key, tmp_path):
    K = any_keras
    q, v, k = K.Input((4, 3)), K.Input((6, 3)), K.Input((6, 3))
    layer = getattr(K.layers, kind)(use_scale=use_scale)
    y = layer([q, v, k] if with_key else [q, v])
    check_against_keras(K.Model([q, v, k], y), tmp_path, "h5" if use_scale else "keras")


@pytest.mark.parametrize("use_scale", [False, True])
def test_attention_concat_scores(any_keras, use_scale, tmp_path):
    K = any_keras
    q, v = K.Input((4, 3)), K.Input((5, 3))
    y = K.layers.Attention(use_scale=use_scale, score_mode="concat")([q, v])
    check_against_keras(K.Model([q, v], y), tmp_path, "keras")


@pytest.mark.parametrize("kind", ["Attention", "AdditiveAttention"])
def test_attention_with_masks_causal_and_scores(any_keras, kind, tmp_path):
    K = any_keras
    ids = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 4, mask_zero=True)(ids)
    seq = K.layers.LSTM(4, return_sequences=True)(x)
    out, scores = getattr(K.layers, kind)()(
        [seq, x], return_attention_scores=True, use_causal_mask=True
    )
    pooled = K.layers.GlobalAveragePooling1D()(out)
    model = K.Model(ids, [out, scores, pooled])
    check_against_keras(model, tmp_path, "h5", batches=(1, 5), make_inputs=token_ids)


@pytest.mark.parametrize(
    "axes,shapes",
    [
        (1, [(5,), (5,)]),
        (2, [(4, 3), (6, 3)]),
        ((1, 1), [(4, 3), (4, 5)]),
        ((2, 1), [(4, 3), (3, 5)]),
    ],
)
@pytest.mark.parametrize("normalize", [False, True])
def test_dot(any_keras, axes, shapes, normalize, tmp_path):
    K = any_keras
    a, b = K.Input(shapes[0]), K.Input(shapes[1])
    y = K.layers.Dot(axes=axes, normalize=normalize)([a, b])
    check_against_keras(K.Model([a, b], y), tmp_path, "keras")
