"""Golden files in layouts no installed Keras writes: Keras 1.2/1.1 and Keras 2.1.

Each is written with h5py from a tf_keras model's weights, rearranged the way that
Keras version stored them (tests/keras1_files.py, tests/legacy_files.py); the tf_keras
model's outputs are the reference, stored beside the file.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

import keras1_files as k1
from legacy_files import to_keras21_layout

SEED = 7


def normal(shape, dtype="f4"):
    return np.random.default_rng(SEED).normal(size=shape).astype(dtype)


def lstm_file(K, out, consume_less, backend):
    """LSTM(5) -> TimeDistributed(Dense(3, softmax)), Keras 1's hard_sigmoid default."""
    lstm = K.layers.LSTM(5, return_sequences=True, recurrent_activation="hard_sigmoid")
    dense = K.layers.Dense(3, activation="softmax")
    model = K.Sequential([K.Input((6, 4)), lstm, K.layers.TimeDistributed(dense)])
    layers = [
        k1.first(
            k1.layer(
                "LSTM",
                "lstm_1",
                output_dim=5,
                input_dim=4,
                return_sequences=True,
                consume_less=consume_less,
            ),
            [None, 6, 4],
        ),
        k1.layer(
            "TimeDistributed",
            "timedistributed_1",
            layer=k1.layer("Dense", "dense_1", output_dim=3, activation="softmax", input_dim=5),
        ),
    ]

    def weights():
        return [
            ("lstm_1", k1.lstm_weights("lstm_1", lstm.get_weights(), consume_less, backend)),
            ("timedistributed_1", k1.plain_weights("dense_1", dense.get_weights(), backend)),
        ]

    return model, layers, weights, backend, (6, 4)


def conv_file(K, out, layout, backend):
    """Convolution1D -> MaxPooling1D -> Flatten -> Dense, in the 1.1 or 1.2 kernel layout."""
    conv = K.layers.Conv1D(4, 3, padding="same", activation="relu")
    dense = K.layers.Dense(2)
    model = K.Sequential(
        [K.Input((8, 3)), conv, K.layers.MaxPooling1D(2), K.layers.Flatten(), dense]
    )
    layers = [
        k1.first(
            k1.layer(
                "Convolution1D",
                "convolution1d_1",
                nb_filter=4,
                filter_length=3,
                border_mode="same",
                activation="relu",
                input_dim=3,
            ),
            [None, 8, 3],
        ),
        k1.layer("MaxPooling1D", "maxpooling1d_1", pool_length=2),
        k1.layer("Flatten", "flatten_1"),
        k1.layer("Dense", "dense_1", output_dim=2, input_dim=16),
    ]

    def weights():
        return [
            (
                "convolution1d_1",
                k1.conv1d_weights("convolution1d_1", conv.get_weights(), layout, backend),
            ),
            ("maxpooling1d_1", []),
            ("flatten_1", []),
            ("dense_1", k1.plain_weights("dense_1", dense.get_weights(), backend)),
        ]

    return model, layers, weights, backend, (8, 3)


def files(K, out, randomize):
    """Write each file into `out`; yield (file name, arrays for its .npz, manifest entry)."""
    variants = {
        "keras1_lstm_cpu.k1.h5": lambda: lstm_file(K, out, "cpu", "tensorflow"),
        "keras1_lstm_mem_theano.k1.h5": lambda: lstm_file(K, out, "mem", "theano"),
        "keras1_lstm_gpu.k1.h5": lambda: lstm_file(K, out, "gpu", "tensorflow"),
        "keras1_conv1d_theano_1_1.k1.h5": lambda: conv_file(K, out, "1.1", "theano"),
    }
    for filename, make in variants.items():
        model, layers, weights, backend, shape = make()
        randomize(model, SEED, 0.5)
        version = "1.1.2" if "1_1" in filename else "1.2.2"
        k1.write_h5(os.path.join(out, filename), k1.sequential(layers), weights(), backend, version)
        x = normal((3,) + shape)
        arrays = {"call0.in0": x, "call0.out0": np.asarray(model(x), np.float32)}
        yield filename, arrays, about(K, f"Keras {version} layout ({backend})")
    yield keras21(K, out, randomize)


def keras21(K, out, randomize):
    """Keras 2.1: a bare-list Sequential config, bytes attributes, no InputLayer."""
    extra = {"recurrent_activation": "hard_sigmoid"}
    model = K.Sequential(
        [
            K.Input((4, 3)),
            K.layers.LSTM(4, return_sequences=True, **extra),
            K.layers.LSTM(3, **extra),
            K.layers.Dense(2),
        ]
    )
    randomize(model, SEED, 0.5)
    filename = "keras21_layout.k2.h5"
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "model.h5")
        model.save(source)
        to_keras21_layout(source, os.path.join(out, filename))
    x = normal((3, 4, 3))
    arrays = {"call0.in0": x, "call0.out0": np.asarray(model(x), np.float32)}
    return filename, arrays, about(K, "Keras 2.1.6 layout")


def about(K, layout):
    return {
        "case": layout,
        "saved_by": f"h5py from {K.__name__} {K.__version__}",
        "calls": 1,
        "prefixes": False,
        "outputs": 1,
    }
