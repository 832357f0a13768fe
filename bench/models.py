"""The benchmark's model matrix, built with Keras 3 and random non-trivial weights."""

import numpy as np


def randomize(model, seed=0):
    """Random weights on the scale of trained ones: std 1/sqrt(fan-in), biases 0.1.

    (Much larger recurrent weights make an LSTM chaotic: float32 rounding differences
    between any two implementations then grow step by step.)
    """
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape = tuple(weight.shape)
        scale = 1.0 / np.sqrt(shape[0]) if len(shape) >= 2 else 0.1
        weight.assign(rng.normal(0.0, scale, shape).astype(np.float32))
    return model


def question(keras):
    """The question's model: LSTM(5, sequences) -> LSTM(5) -> Dense(2, softmax), 32 x 28."""
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input((32, 28)),
            L.LSTM(5, return_sequences=True),
            L.LSTM(5),
            L.Dense(2, activation="softmax"),
        ]
    )


def lstm128x2(keras):
    """Two stacked LSTM(128) over 100 steps of 32 features."""
    L = keras.layers
    return keras.Sequential(
        [keras.Input((100, 32)), L.LSTM(128, return_sequences=True), L.LSTM(128), L.Dense(10)]
    )


def lstm256x2(keras):
    """Two stacked LSTM(256) over 64 steps of 32 features."""
    L = keras.layers
    return keras.Sequential(
        [keras.Input((64, 32)), L.LSTM(256, return_sequences=True), L.LSTM(256), L.Dense(10)]
    )


def gru64(keras):
    """GRU(64) over 50 steps of 16 features."""
    L = keras.layers
    return keras.Sequential([keras.Input((50, 16)), L.GRU(64), L.Dense(4)])


def bilstm64(keras):
    """Bidirectional LSTM(64) over 50 steps of 16 features."""
    L = keras.layers
    return keras.Sequential([keras.Input((50, 16)), L.Bidirectional(L.LSTM(64)), L.Dense(4)])


def lstm10m(keras):
    """About 10M parameters: LSTM(640) -> LSTM(1152) over 20 steps of 64 features."""
    L = keras.layers
    return keras.Sequential(
        [keras.Input((20, 64)), L.LSTM(640, return_sequences=True), L.LSTM(1152), L.Dense(10)]
    )


def lstm_growth(keras, steps, units):
    """One LSTM layer, for the growth curves."""
    L = keras.layers
    return keras.Sequential([keras.Input((steps, 32)), L.LSTM(units), L.Dense(4)])


def stacked_cells(keras):
    """RNN(StackedRNNCells([LSTMCell(64), GRUCell(64)])) over 50 steps of 16 features."""
    L = keras.layers
    cells = L.StackedRNNCells([L.LSTMCell(64), L.GRUCell(64)])
    return keras.Sequential([keras.Input((50, 16)), L.RNN(cells), L.Dense(4)])


def convlstm2d(keras):
    """ConvLSTM2D(16, 3x3, same) over 10 frames of 16 x 16 x 2, then Flatten -> Dense."""
    L = keras.layers
    return keras.Sequential(
        [keras.Input((10, 16, 16, 2)), L.ConvLSTM2D(16, 3, padding="same"), L.Flatten(), L.Dense(4)]
    )


def image_resize(keras):
    """Resizing 120 x 160 images to 96 x 96 (bilinear, cropped to the aspect ratio), Conv2D,
    AdaptiveAveragePooling2D to 4 x 4, Dense: Keras 3's image and adaptive layers."""
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input((120, 160, 3)),
            L.Resizing(96, 96, crop_to_aspect_ratio=True),
            L.Conv2D(8, 3, activation="relu"),
            L.AdaptiveAveragePooling2D(4),
            L.Flatten(),
            L.Dense(4),
        ]
    )


def gqa(keras):
    """GroupQueryAttention (8 query heads over 2 key/value heads of 16) over 64 tokens of 64
    features, causal, then RMSNormalization and a pooled Dense."""
    L = keras.layers
    x = keras.Input((64, 64))
    y = L.GroupQueryAttention(16, 8, 2)(x, x, use_causal_mask=True)
    y = L.GlobalAveragePooling1D()(L.RMSNormalization()(y))
    return keras.Model(x, L.Dense(4)(y))


def tabular(keras):
    """64 float features: binned (Discretization, 15 boundaries), the bins counted and
    one-hot encoded (CategoryEncoding), the values looked up as integers (IntegerLookup,
    multi_hot), then Dense: Keras's preprocessing layers inside a model."""
    L = keras.layers
    x = keras.Input((64,))
    bins = L.Discretization(bin_boundaries=np.linspace(-2, 2, 15).tolist())(x)
    counts = L.CategoryEncoding(16, "count")(bins)
    one_hot = L.Flatten()(L.CategoryEncoding(16, "one_hot")(bins))
    seen = L.IntegerLookup(vocabulary=list(range(-3, 4)), output_mode="multi_hot")(x)
    return keras.Model(x, L.Dense(4)(L.Concatenate()([counts, one_hot, seen])))


MODELS = {
    "question": question,
    "lstm128x2": lstm128x2,
    "lstm256x2": lstm256x2,
    "gru64": gru64,
    "bilstm64": bilstm64,
    "lstm10m": lstm10m,
    "stacked_cells": stacked_cells,
    "convlstm2d": convlstm2d,
    "image_resize": image_resize,
    "gqa": gqa,
    "tabular": tabular,
}
# Run by default; the others on request (--models), e.g. for the recurrent-family table.
DEFAULT_MODELS = ["question", "lstm128x2", "lstm256x2", "gru64", "bilstm64", "lstm10m"]
