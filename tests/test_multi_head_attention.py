"""MultiHeadAttention against both Keras, in both formats."""

import pytest

from oracle import check_against_keras, token_ids

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("heads", [1, 3])
def test_self_attention(any_keras, fmt, heads, tmp_path):
    K = any_keras
    x = K.Input((5, 4))
    y = K.layers.MultiHeadAttention(num_heads=heads, key_dim=2)(x, x)
    check_against_keras(K.Model(x, y), tmp_path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("with_key", [False, True])
def test_cross_attention(any_keras, fmt, with_key, tmp_path):
    """Query and value of different lengths and widths; key_dim != value_dim."""
    K = any_keras
    q, v, k = K.Input((4, 3)), K.Input((6, 5)), K.Input((6, 2))
    layer = K.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    y = layer(q, v, k) if with_key else layer(q, v)
    check_against_keras(K.Model([q, v, k], y), tmp_path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_keyword_tensors(any_keras, fmt, tmp_path):
    """query=, value= and key= given by keyword."""
    K = any_keras
    q, v, k = K.Input((4, 3)), K.Input((6, 5)), K.Input((6, 2))
    a = K.layers.MultiHeadAttention(num_heads=2, key_dim=3)(query=q, value=v, key=k)
    b = K.layers.MultiHeadAttention(num_heads=3, key_dim=2)(q, value=v)
    check_against_keras(K.Model([q, v, k], [a, b]), tmp_path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("output_shape", [6, (2, 3)])
def test_output_shape_without_bias(any_keras, fmt, output_shape, tmp_path):
    K = any_keras
    q, v = K.Input((4, 3)), K.Input((5, 3))
    y = K.layers.MultiHeadAttention(3, 2, use_bias=False, output_shape=output_shape)(q, v)
    check_against_keras(K.Model([q, v], y), tmp_path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_causal_mask(any_keras, fmt, tmp_path):
    K = any_keras
    x, v = K.Input((6, 4)), K.Input((4, 4))
    a = K.layers.MultiHeadAttention(2, 3)(x, x, use_causal_mask=True)
    b = K.layers.MultiHeadAttention(2, 3)(x, v, use_causal_mask=True)  # Tq > Tv
    check_against_keras(K.Model([x, v], [a, b]), tmp_path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dropout", [0.0, 0.2])
@pytest.mark.parametrize("causal", [False, True])
def test_embedding_masks(any_keras, fmt, dropout, causal, tmp_path):
    """Padding masks of query and value (rows fully masked included), with and without a
    causal mask; Keras 3 treats fully masked rows differently when dropout is set."""
    K = any_keras
    ids = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 4, mask_zero=True)(ids)
    y = K.layers.MultiHeadAttention(3, 2, dropout=dropout)(x, x, use_causal_mask=causal)
    # Keras 3 erases the masks of the tensors it gives MultiHeadAttention, so that layers
    # reading them later see none: each masked tensor here feeds one attention layer.
    x2 = K.layers.Embedding(20, 4, mask_zero=True)(ids)
    other = K.layers.Dense(3)(x2)  # the mask passes through Dense
    z = K.layers.MultiHeadAttention(2, 3, value_dim=2)(other, x2, x2)
    pooled = K.layers.GlobalAveragePooling1D()(y)  # uses the query's mask
    model = K.Model(ids, [y, z, pooled])
    check_against_keras(model, tmp_path, fmt, batches=(1, 9), make_inputs=token_ids)


@pytest.mark.parametrize("fmt", FORMATS)
def test_return_attention_scores(any_keras, fmt, tmp_path):
    K = any_keras
    q, v = K.Input((4, 3)), K.Input((5, 2))
    out, scores = K.layers.MultiHeadAttention(2, 3)(q, v, return_attention_scores=True)
    check_against_keras(K.Model([q, v], [out, scores]), tmp_path, fmt)


def transformer_encoder(K, inputs, head_size, num_heads, ff_dim, dropout=0.1):
    """The encoder block of the Keras example 'Timeseries classification with a
    Transformer model'."""
    x = K.layers.LayerNormalization(epsilon=1e-6)(inputs)
    x = K.layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(x, x)
    x = K.layers.Dropout(dropout)(x)
    res = K.layers.Add()([x, inputs])
    x = K.layers.LayerNormalization(epsilon=1e-6)(res)
    x = K.layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(x)
    x = K.layers.Dropout(dropout)(x)
    x = K.layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    return K.layers.Add()([x, res])


@pytest.mark.parametrize("fmt", FORMATS)
def test_timeseries_transformer(any_keras, fmt, tmp_path):
    K = any_keras
    inputs = K.Input((12, 1))
    x = inputs
    for _ in range(2):
        x = transformer_encoder(K, x, head_size=8, num_heads=2, ff_dim=4, dropout=0.25)
    x = K.layers.GlobalAveragePooling1D(data_format="channels_first")(x)
    x = K.layers.Dense(16, activation="relu")(x)
    x = K.layers.Dropout(0.4)(x)
    outputs = K.layers.Dense(2, activation="softmax")(x)
    check_against_keras(K.Model(inputs, outputs), tmp_path, fmt)


def test_unsupported_options_are_refused(keras3, tmp_path):
    from lstmgen.errors import UnsupportedError
    from lstmgen.generate import generate
    from oracle import save

    K = keras3
    x = K.Input((2, 3, 4))
    y = K.layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))(x, x)
    path = save(K.Model(x, y), tmp_path, "keras")
    with pytest.raises(UnsupportedError, match="rank-3"):
        generate(path, "predictor")
    x, m = K.Input((3, 4)), K.Input((3, 3), dtype="bool")
    y = K.layers.MultiHeadAttention(2, 2)(x, x, attention_mask=m)
    path = save(K.Model([x, m], y), tmp_path, "keras")
    with pytest.raises(UnsupportedError, match="attention_mask="):
        generate(path, "predictor")
