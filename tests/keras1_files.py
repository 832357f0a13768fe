"""Write HDF5 files in the layout Keras 1.2 wrote, with h5py (no Keras 1 installs here).

Configs carry the keys Keras 1.2.2's get_config() wrote; weights are split the Keras 1
way from a tf_keras model's weights, so that tf_keras's predictions are the reference.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

import h5py
import numpy as np

Weights = List[Tuple[str, np.ndarray]]

_RECURRENT = {
    "return_sequences": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
    "input_length": None,
    "init": "glorot_uniform",
    "inner_init": "orthogonal",
    "activation": "tanh",
    "W_regularizer": None,
    "U_regularizer": None,
    "b_regularizer": None,
    "dropout_W": 0.0,
    "dropout_U": 0.0,
}
_GATED = {"consume_less": "cpu", "inner_activation": "hard_sigmoid"}
_CLASS_KEYS: Dict[str, Dict[str, Any]] = {
    "LSTM": {**_RECURRENT, **_GATED, "forget_bias_init": "one"},
    "GRU": {**_RECURRENT, **_GATED},
    "SimpleRNN": {**_RECURRENT, "consume_less": "cpu"},
    "Dense": {
        "init": "glorot_uniform",
        "activation": "linear",
        "W_regularizer": None,
        "b_regularizer": None,
        "activity_regularizer": None,
        "W_constraint": None,
        "b_constraint": None,
        "bias": True,
    },
    "Embedding": {
        "init": "uniform",
        "input_length": None,
        "mask_zero": False,
        "activity_regularizer": None,
        "W_regularizer": None,
        "W_constraint": None,
        "dropout": 0.0,
    },
    "Convolution1D": {
        "init": "glorot_uniform",
        "activation": "linear",
        "border_mode": "valid",
        "subsample_length": 1,
        "W_regularizer": None,
        "b_regularizer": None,
        "activity_regularizer": None,
        "W_constraint": None,
        "b_constraint": None,
        "bias": True,
        "input_length": None,
    },
    "MaxPooling1D": {"stride": None, "pool_length": 2, "border_mode": "valid"},
    "AveragePooling1D": {"stride": None, "pool_length": 2, "border_mode": "valid"},
    "TimeDistributedDense": {
        "init": "glorot_uniform",
        "activation": "linear",
        "W_regularizer": None,
        "b_regularizer": None,
        "activity_regularizer": None,
        "W_constraint": None,
        "b_constraint": None,
        "bias": True,
        "input_dim": None,
        "input_length": None,
    },
    "BatchNormalization": {
        "epsilon": 0.001,
        "mode": 0,
        "axis": -1,
        "momentum": 0.99,
        "gamma_regularizer": None,
        "beta_regularizer": None,
    },
    "ZeroPadding1D": {"padding": 1},
    "LeakyReLU": {"alpha": 0.3},
    "ELU": {"alpha": 1.0},
    "Dropout": {"p": 0.5},
    "Masking": {"mask_value": 0.0},
    "Merge": {
        "mode_type": "raw",
        "concat_axis": -1,
        "dot_axes": -1,
        "output_shape": None,
        "output_shape_type": "raw",
        "output_mask": None,
        "output_mask_type": "raw",
        "arguments": {},
    },
}


def layer(class_name: str, name: str, **options: Any) -> Dict[str, Any]:
    """A Keras 1.2 layer entry {"class_name", "config"} with its usual keys."""
    config = {"name": name, "trainable": True, **_CLASS_KEYS.get(class_name, {}), **options}
    return {"class_name": class_name, "config": config}


def first(entry: Dict[str, Any], batch_input_shape: Sequence[Optional[int]], dtype="float32"):
    """The first layer of a Sequential: Keras 1 put the model's input shape on it."""
    entry["config"].update(batch_input_shape=list(batch_input_shape), input_dtype=dtype)
    return entry


def sequential(layers: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Keras 1's Sequential config: the bare list of its layers."""
    return {"class_name": "Sequential", "config": layers}


def functional(name, layers, inputs: List[str], outputs: List[str]) -> Dict[str, Any]:
    """Keras 1's Model config; `layers` entries carry their inbound layer names."""
    entries = []
    for entry, inbound in layers:
        nodes = [[[source, 0, 0] for source in inbound]] if inbound else []
        entries.append({**entry, "name": entry["config"]["name"], "inbound_nodes": nodes})
    return {
        "class_name": "Model",
        "config": {
            "name": name,
            "layers": entries,
            "input_layers": [[n, 0, 0] for n in inputs],
            "output_layers": [[n, 0, 0] for n in outputs],
        },
    }


def input_layer(name: str, batch_input_shape, dtype="float32") -> Dict[str, Any]:
    """Keras 1's InputLayer entry."""
    config = {
        "name": name,
        "batch_input_shape": list(batch_input_shape),
        "input_dtype": dtype,
        "sparse": False,
    }
    return {"class_name": "InputLayer", "config": config}


def suffix(backend: str) -> str:
    """TensorFlow variable names end in ':0', Theano's do not."""
    return ":0" if backend == "tensorflow" else ""


def gated(
    prefix: str, arrays, keras2_gates: str, saved_gates: str, consume_less: str, backend: str
) -> Weights:
    """A Keras 2 LSTM/GRU's kernel, recurrent kernel, bias as Keras 1 saved them:
    W, U, b for consume_less='gpu'; else W_g, U_g, b_g per gate in `saved_gates` order."""
    end = suffix(backend)
    if consume_less == "gpu":
        return [(f"{prefix}_{part}{end}", array) for part, array in zip("WUb", arrays)]
    units = arrays[1].shape[0]
    out: Weights = []
    for gate in saved_gates:
        k = keras2_gates.index(gate)
        for part, array in zip("WUb", arrays):
            out.append((f"{prefix}_{part}_{gate}{end}", array[..., k * units : (k + 1) * units]))
    return out


def lstm_weights(prefix, arrays, consume_less, backend="tensorflow") -> Weights:
    """Keras 1's LSTM saved its gates i, c, f, o (Keras 2 packs i, f, c, o)."""
    return gated(prefix, arrays, "ifco", "icfo", consume_less, backend)


def gru_weights(prefix, arrays, consume_less, backend="tensorflow") -> Weights:
    """Keras 1's GRU saved its gates z, r, h."""
    return gated(prefix, arrays, "zrh", "zrh", consume_less, backend)


def plain_weights(prefix, arrays, backend="tensorflow", parts="Wb") -> Weights:
    """Dense (W, b), SimpleRNN (W, U, b), Embedding (W)."""
    return [(f"{prefix}_{part}{suffix(backend)}", a) for part, a in zip(parts, arrays)]


BATCH_NORMALIZATION = ["gamma", "beta", "running_mean", "running_std"]  # running_std: the variance


def conv1d_weights(prefix, arrays, layout="1.2", backend="tensorflow") -> Weights:
    """Keras 1.2 kept W as (length, 1, channels, filters), 1.1 as (filters, channels,
    length, 1); Theano convolved, so its kernels are flipped along the length."""
    kernel = arrays[0][::-1] if backend == "theano" else arrays[0]
    kernel = kernel[:, None]
    if layout == "1.1":
        kernel = np.transpose(kernel, (3, 2, 0, 1))
    return plain_weights(prefix, [np.ascontiguousarray(kernel), *arrays[1:]], backend)


def write_h5(
    path, model_config, weights: List[Tuple[str, Weights]], backend="tensorflow", version="1.2.2"
) -> str:
    """A Keras 1.2 `model.save` file: bytes attributes, every layer in `layer_names`."""
    with h5py.File(path, "w") as handle:
        if version is not None:
            handle.attrs["keras_version"] = version.encode()
        handle.attrs["backend"] = backend.encode()
        handle.attrs["model_config"] = json.dumps(model_config).encode()
        group = handle.create_group("model_weights")
        group.attrs["layer_names"] = np.array([name.encode() for name, _ in weights], dtype="S")
        for name, arrays in weights:
            sub = group.create_group(name)
            sub.attrs["weight_names"] = np.array([n.encode() for n, _ in arrays], dtype="S")
            for weight_name, array in arrays:
                sub.create_dataset(weight_name, data=np.asarray(array, np.float32))
    return str(path)
