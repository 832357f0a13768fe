"""Keras models and inputs that several test files build (each takes the Keras module)."""

from __future__ import annotations

import numpy as np

# Every activation both Kerases know, and each paired with the next (for two-activation layers).
COMMON = [
    "tanh",
    "sigmoid",
    "hard_sigmoid",
    "relu",
    "linear",
    "softsign",
    "softplus",
    "elu",
    "selu",
    "swish",
    "relu6",
    "exponential",
    "gelu",
    "mish",
    "leaky_relu",
    "silu",
]
PAIRS = list(zip(COMMON, COMMON[1:] + COMMON[:1]))


def major(keras_module) -> int:
    """2 for tf_keras, 3 for keras."""
    return 2 if keras_module.__name__.startswith("tf_keras") else 3


def question_model(K):
    """LSTM(5, return_sequences) -> LSTM(5) -> Dense(2, softmax) over (32, 28)."""
    # Keras 2.0-2.3 defaulted to recurrent_activation='hard_sigmoid'; tf_keras must be told.
    extra = {"recurrent_activation": "hard_sigmoid"} if major(K) == 2 else {}
    model = K.Sequential()
    model.add(K.layers.LSTM(5, return_sequences=True, input_shape=(32, 28), **extra))
    model.add(K.layers.LSTM(5, **extra))
    model.add(K.layers.Dense(2, activation="softmax"))
    return model


def stateful_model(K, kind, batch):
    """Two stateful recurrent layers of `kind` over a free time axis, with a fixed batch."""
    shape = {"batch_shape": (batch, None, 3)} if K.__name__ == "keras" else {}
    inputs = K.Input(**shape) if shape else K.Input(batch_size=batch, shape=(None, 3))
    layer = getattr(K.layers, kind)
    y = layer(4, stateful=True, return_sequences=True)(inputs)
    y = layer(3, stateful=True)(y)
    y = K.layers.Dense(2)(y)
    return K.Model(inputs, y)


def token_ids(shapes, batch, seed, steps):
    """Token ids 1..19, zero-padded (masked) after a random length per row."""
    rng = np.random.default_rng(seed)
    (shape,) = shapes
    ids = rng.integers(1, 20, size=(batch,) + tuple(shape[1:]))
    for row in range(batch):
        ids[row, rng.integers(0, shape[1] + 1) :] = 0
    return [ids.astype(np.int32)]
