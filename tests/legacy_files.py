"""Files in the layouts older Keras 2 versions wrote, and cuDNN models with their plain twins.

No old Keras installs here. cuDNN files are written by tf_keras's own CuDNNLSTM/CuDNNGRU
(constructible and saveable without a GPU), so their weights are in cuDNN's real layout;
the reference is the plain twin model after tf_keras's `load_weights` of that same file
(tf_keras converts the layout while loading). Older layouts are the same files with the
config and attributes rewritten as those Keras versions wrote them: the weights stay, so
tf_keras's own answers stay the reference.
"""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np

from oracle import randomize, save

# keras_version strings of files holding cuDNN layers: Keras 2.1-2.3, tf.keras in
# TensorFlow 1.x ("-tf") and 2.x.
CUDNN_ERA_VERSIONS = ("2.1.6", "2.2.4", "2.3.1", "2.1.6-tf", "2.2.4-tf", "2.3.0-tf", "2.4.0")
# Keras before 2.2.3 (and tf.keras 2.1.6-tf) stored a Sequential's config as a bare list.
_BARE_LIST_VERSIONS = ("2.0.", "2.1.", "2.2.0", "2.2.1", "2.2.2")


def recurrent_layer(K, kind: str, cudnn: bool, units: int, **options):
    """CuDNNLSTM/CuDNNGRU (tf_keras only), or the plain layer computing the same: tanh and
    sigmoid, and for GRU reset_after=True (cuDNN's GRU)."""
    if cudnn:
        from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU
        from tf_keras.src.layers.rnn.cudnn_lstm import CuDNNLSTM

        return {"LSTM": CuDNNLSTM, "GRU": CuDNNGRU}[kind](units, **options)
    plain = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    if kind == "GRU":
        plain["reset_after"] = True
    return getattr(K.layers, kind)(units, **plain, **options)


def cudnn_stack(K, kind: str, cudnn: bool, bidirectional: bool = False):
    """Input (6, 3) -> [Bidirectional](kind, sequences) -> kind -> Dense(2)."""
    first = recurrent_layer(K, kind, cudnn, 4, return_sequences=True, name="first")
    if bidirectional:
        first = K.layers.Bidirectional(first, name="both_ways")
    return K.Sequential(
        [
            K.Input((6, 3)),
            first,
            recurrent_layer(K, kind, cudnn, 5, name="second"),
            K.layers.Dense(2, name="out"),
        ]
    )


def randomized_save(model, folder) -> str:
    """`model` with random weights (biases too), saved as .h5 in `folder`."""
    randomize(model, seed=11)
    return save(model, folder, "h5")


def loaded_by_keras(plain_model, path: str):
    """The plain model after tf_keras loaded `path`'s weights into it (converting them)."""
    plain_model.load_weights(path)
    return plain_model


def as_saved_by(source: str, target: str, keras_version: str) -> str:
    """The file as `keras_version` wrote it: bytes attributes, no options that version did
    not know, and before Keras 2.2.3 a Sequential config that is a bare list of layers
    without an InputLayer."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        layers = config["config"]["layers"]
        for layer in layers:
            for key in ("time_major", "zero_output_for_mask"):
                layer["config"].pop(key, None)
                inner = layer["config"].get("layer")
                if isinstance(inner, dict):
                    inner["config"].pop(key, None)
        if config["class_name"] == "Sequential" and keras_version.startswith(_BARE_LIST_VERSIONS):
            if layers and layers[0]["class_name"] == "InputLayer":
                shape = layers[0]["config"]["batch_input_shape"]
                layers = layers[1:]
                layers[0]["config"]["batch_input_shape"] = shape
            config["config"] = layers
        handle.attrs["model_config"] = np.bytes_(json.dumps(config).encode())
        handle.attrs["keras_version"] = np.bytes_(keras_version.encode())
        handle.attrs["backend"] = np.bytes_(b"tensorflow")
        weights = handle["model_weights"]
        names = [_text(n) for n in weights.attrs["layer_names"]]
        weights.attrs["layer_names"] = np.array([n.encode() for n in names], dtype="S")
        for name in names:
            group = weights[name]
            inner = [_text(n) for n in group.attrs["weight_names"]]
            # Keras 2.1 named weights "lstm_1/kernel:0", without the cell scope.
            renamed = [n.replace("/lstm_cell/", "/") for n in inner]
            for old, new in zip(inner, renamed):
                if old != new:
                    group.move(old, new)
            group.attrs["weight_names"] = np.array([n.encode() for n in renamed], dtype="S")
    return target


def to_keras21_layout(source: str, target: str) -> str:
    """Keras 2.1: Sequential config is a bare list, no InputLayer, attributes are bytes,
    LSTM with implementation=1."""
    as_saved_by(source, target, "2.1.6")
    edit_config(target, _implementation_1)
    return target


def _implementation_1(config) -> None:
    for layer in config["config"]:
        if layer["class_name"] == "LSTM":
            layer["config"]["implementation"] = 1


def edit_config(path: str, change) -> str:
    """Apply `change(config)` to the file's model_config, in place."""
    with h5py.File(path, "r+") as handle:
        config = json.loads(_text(handle.attrs["model_config"]))
        change(config)
        handle.attrs["model_config"] = np.bytes_(json.dumps(config).encode())
    return path


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
