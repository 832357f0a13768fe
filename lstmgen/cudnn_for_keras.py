"""cuDNN layers named as the plain layers that compute the same, in verify's private copy.

Keras runs CuDNNLSTM and CuDNNGRU only on a GPU. It loads their weights into an LSTM or
a reset_after GRU itself, converting cuDNN's layout whenever the bias's shape says so
(tf_keras/src/saving/legacy/hdf5_format.py, `_convert_rnn_weights`). So `verify` gives
Keras a copy whose config names the plain layers, with the options the cuDNN layers
imply, and Keras, not lstmgen, stays the reference for the weights on a CPU.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import h5py
import numpy as np

# class -> (the plain class, options the cuDNN layer implies and its config lacks)
PLAIN_CLASSES: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "CuDNNLSTM": ("LSTM", {"activation": "tanh", "recurrent_activation": "sigmoid"}),
    "CuDNNGRU": (
        "GRU",
        {"activation": "tanh", "recurrent_activation": "sigmoid", "reset_after": True},
    ),
}


def plain_layers(node: Any) -> int:
    """Rename every cuDNN layer in a config (at any depth, in place) to its plain class
    with the options it implies; returns how many were renamed."""
    count = 0
    if isinstance(node, dict):
        plain = PLAIN_CLASSES.get(node.get("class_name"))
        if plain is not None and isinstance(node.get("config"), dict):
            node["class_name"] = plain[0]
            node["config"].update(plain[1], use_bias=True)
            count += 1
        nodes = node.values()
    elif isinstance(node, list):
        nodes = node
    else:
        return 0
    return count + sum(plain_layers(child) for child in nodes)


def rename_cudnn_layers(path: str) -> int:
    """Rewrite the `model_config` of the HDF5 file at `path` (a private copy lstmgen has
    read and checked) with plain layers for cuDNN ones; returns how many were renamed."""
    with h5py.File(path, "r+") as handle:
        raw = handle.attrs["model_config"]
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        config = json.loads(text)
        count = plain_layers(config)
        if count:
            handle.attrs["model_config"] = np.bytes_(json.dumps(config).encode("utf-8"))
    return count
