"""Rewrite a tf_keras HDF5 file into the layout older Keras 2 versions wrote.

No old Keras installs here, so the files are built with h5py from a tf_keras file:
same weights, so tf_keras's own predictions are the reference.
"""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np


def to_keras21_layout(source: str, target: str) -> str:
    """Keras 2.1: Sequential config is a bare list, no InputLayer, attributes are bytes."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        layers = config["config"]["layers"]
        if layers and layers[0]["class_name"] == "InputLayer":
            shape = layers[0]["config"]["batch_input_shape"]
            layers = layers[1:]
            layers[0]["config"]["batch_input_shape"] = shape
        for layer in layers:
            for key in ("time_major", "zero_output_for_mask"):
                layer["config"].pop(key, None)
            if layer["class_name"] == "LSTM":
                layer["config"]["implementation"] = 1
        config["config"] = layers
        handle.attrs["model_config"] = np.bytes_(json.dumps(config).encode())
        handle.attrs["keras_version"] = np.bytes_(b"2.1.6")
        handle.attrs["backend"] = np.bytes_(b"tensorflow")
        weights = handle["model_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]]
        weights.attrs["layer_names"] = np.array([n.encode() for n in names], dtype="S")
        for name in names:
            group = weights[name]
            inner = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            # Keras 2.1 named weights "lstm_1/kernel:0", without the cell scope.
            renamed = [n.replace("/lstm_cell/", "/") for n in inner]
            for old, new in zip(inner, renamed):
                if old != new:
                    group.move(old, new)
            group.attrs["weight_names"] = np.array([n.encode() for n in renamed], dtype="S")
    return target


_CUDNN_KEYS = (
    "name",
    "trainable",
    "dtype",
    "batch_input_shape",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "units",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
)


def to_cudnn_layout(source: str, target: str, cudnn_biases: dict) -> str:
    """Keras 2.2-2.3 CuDNNLSTM/CuDNNGRU: LSTM/GRU layers become cuDNN ones.

    `cudnn_biases` maps a layer name to its (input_bias, recurrent_bias) pair; the
    standard layer in `source` must hold their sum (LSTM) or their stack (GRU).
    """
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        for layer in config["config"]["layers"]:
            name = layer["config"]["name"]
            if name not in cudnn_biases:
                continue
            layer["class_name"] = "CuDNN" + layer["class_name"]
            layer["config"] = {k: v for k, v in layer["config"].items() if k in _CUDNN_KEYS}
            group = handle["model_weights"][name]
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            bias_name = names[2]
            del group[bias_name]
            group[bias_name] = np.concatenate(cudnn_biases[name]).astype(np.float32)
        handle.attrs["model_config"] = json.dumps(config)
        handle.attrs["keras_version"] = "2.2.4"
    return target
