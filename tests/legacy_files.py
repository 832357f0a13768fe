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
            inner = [
                n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]
            ]
            # Keras 2.1 named weights "lstm_1/kernel:0", without the cell scope.
            renamed = [n.replace("/lstm_cell/", "/") for n in inner]
            for old, new in zip(inner, renamed):
                if old != new:
                    group.move(old, new)
            group.attrs["weight_names"] = np.array([n.encode() for n in renamed], dtype="S")
    return target
