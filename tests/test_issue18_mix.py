"""Issue 18's "done when": one model mixing the layers it adds (all three parts:
convolutions and EinsumDense; resizing, pooling, attention and normalization;
preprocessing, augmentation and activations), against both Kerases in .h5 and .keras
files (Keras 3 only layers where Keras 3 has them alone)."""

from __future__ import annotations

import numpy as np
import pytest

from oracle import check_against_keras, major

pytestmark = pytest.mark.keras

VOCABULARY = [12, 5, 7, 30, -9]
POOL = np.array(VOCABULARY + [0, 1, 99])  # the vocabulary, the mask token, unknown ids


def mixed_model(K):
    """Images through augmentation, resizing, transposed, depthwise and separable
    convolutions and pooling; ids through a lookup into EinsumDense and attention; values
    through bins and counts; activation objects and operations."""
    L, keras3 = K.layers, major(K) == 3
    slope = {"negative_slope": 0.1} if keras3 else {"alpha": 0.1}
    images, tokens, values = K.Input((9, 7, 3)), K.Input((5,), dtype="int64"), K.Input((4,))
    a = L.RandomContrast(0.3)(L.RandomFlip()(images))
    a = L.Resizing(8, 8, "bilinear", crop_to_aspect_ratio=True)(a)
    a = L.CenterCrop(6, 6)(L.RandomRotation(0.2)(a))
    a = L.Conv2D(4, 3, activation=L.LeakyReLU(**slope))(a)
    a = L.Conv2DTranspose(3, 3, strides=2, output_padding=1)(a)
    a = L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu")(a)
    a = L.SeparableConv2D(4, 2, strides=2)(a)
    a = L.GroupNormalization(2)(L.UpSampling2D(2, interpolation="bilinear")(a))
    a = L.AdaptiveAveragePooling2D(2)(a) if keras3 else L.MaxPooling2D(2)(a)
    a = L.Flatten()(a)
    b = L.IntegerLookup(vocabulary=VOCABULARY, mask_token=0)(tokens)
    b = L.Embedding(len(VOCABULARY) + 2, 8)(b)
    b = L.EinsumDense("abc,cd->abd", (5, 8), bias_axes="d", activation="gelu")(b)
    if keras3:
        b = L.GroupQueryAttention(4, 4, 2)(b, b)
        b = L.RMSNormalization()(b)
    b = L.LSTM(6, activation=L.ELU(0.5))(b)
    c = L.CategoryEncoding(4, "count")(L.Discretization(bin_boundaries=[-1.0, 0.0, 1.0])(values))
    counts = L.IntegerLookup(vocabulary=VOCABULARY, output_mode="count")(tokens)
    c = L.Dense(3, activation="relu6")(L.Concatenate()([c, counts]))
    merged = L.Dense(5)(L.Concatenate()([a, b, c]))
    out = K.ops.log_softmax(merged) if keras3 else L.Activation("log_softmax")(merged)
    return K.Model([images, tokens, values], out)


def make_inputs(shapes, batch, seed, steps):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(batch, 9, 7, 3)).astype(np.float32),
        rng.choice(POOL, (batch, 5)),
        rng.normal(size=(batch, 4)).astype(np.float32),
    ]


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_a_model_mixing_the_layers_of_issue_18(any_keras, fmt, tmp_path):
    check_against_keras(mixed_model(any_keras), tmp_path, fmt, make_inputs=make_inputs)
