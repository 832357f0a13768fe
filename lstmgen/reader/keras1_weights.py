"""Keras 1.x weights in Keras 2 form: LSTM/GRU gates joined, Conv1D kernels reshaped.

Called for every layer of a Keras 1 file after its config was translated
(lstmgen/reader/keras1.py), so converters are keyed by the Keras 2 class name.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Sequence, Tuple

import numpy as np

from lstmgen.errors import layer_error
from lstmgen.reader.keras1 import WRAPPED

Arrays = Tuple[np.ndarray, ...]
Converter = Callable[[Mapping[str, Any], Arrays, str], Arrays]


def _gates(saved: str, keras2: str) -> Converter:
    """Per-gate arrays W_g, U_g, b_g saved in gate order `saved` -> W, U, b in `keras2` order."""

    def convert(_config: Mapping[str, Any], arrays: Arrays, _backend: str) -> Arrays:
        if len(arrays) != 3 * len(saved):
            return arrays  # consume_less='gpu': already W, U, b in Keras 2 gate order
        by_gate = {gate: arrays[3 * k : 3 * k + 3] for k, gate in enumerate(saved)}
        return tuple(
            np.concatenate([by_gate[gate][part] for gate in keras2], axis=-1) for part in range(3)
        )

    return convert


def _conv1d(config: Mapping[str, Any], arrays: Arrays, backend: str) -> Arrays:
    """Keras 1.2 kernel (length, 1, channels, filters), 1.1 (filters, channels, length, 1);
    Theano convolved (kernel flipped) where TensorFlow correlates."""
    if not arrays or np.ndim(arrays[0]) != 4:
        return arrays
    kernel = arrays[0]
    if kernel.shape[1] == 1 and kernel.shape[3] == config.get("filters"):
        kernel = kernel[:, 0]
    elif kernel.shape[3] == 1 and kernel.shape[0] == config.get("filters"):
        kernel = np.transpose(kernel, (2, 3, 1, 0))[:, 0]
    else:
        return arrays  # the handler reports the shape mismatch
    if backend == "theano":
        kernel = kernel[::-1]
    return (np.ascontiguousarray(kernel),) + tuple(arrays[1:])


def _halves(config: Mapping[str, Any], arrays: Arrays, backend: str) -> Arrays:
    """Bidirectional: the forward layer's weights, then the backward layer's."""
    half = len(arrays) // 2
    inner = config.get(WRAPPED) or {}
    return convert_weights(inner, arrays[:half], backend) + convert_weights(
        inner, arrays[half:], backend
    )


def _wrapped(config: Mapping[str, Any], arrays: Arrays, backend: str) -> Arrays:
    return convert_weights(config.get(WRAPPED) or {}, arrays, backend)


# Keras 2 class name (after translation) -> how its Keras 1 weights become Keras 2 ones.
WEIGHT_CONVERTERS: Dict[str, Converter] = {
    "LSTM": _gates("icfo", "ifco"),  # Keras 1 saved i, c, f, o; Keras 2 packs i, f, c, o
    "GRU": _gates("zrh", "zrh"),
    "Conv1D": _conv1d,
    "Bidirectional": _halves,
    "TimeDistributed": _wrapped,
}


def convert_weights(layer: Mapping[str, Any], arrays: Sequence[np.ndarray], backend: str) -> Arrays:
    """A translated layer's ({"class_name", "config"}) Keras 1 weights in Keras 2 form."""
    arrays = tuple(arrays)
    if not isinstance(layer, Mapping) or not isinstance(layer.get("config"), Mapping):
        return arrays  # a malformed wrapped layer: its handler refuses it
    converter = WEIGHT_CONVERTERS.get(str(layer.get("class_name")))
    if converter is None:
        return arrays
    converted = converter(layer["config"], arrays, backend)
    return tuple(np.ascontiguousarray(a, dtype="<f4") for a in converted)


# Keras 2 class (after translation) -> (the Keras 1 option naming its window length, its stride's).
_THEANO_SAME = {
    "Conv1D": ("kernel_size", "strides", "filter_length", "subsample_length"),
    "MaxPooling1D": ("pool_size", "strides", "pool_length", "stride"),
    "AveragePooling1D": ("pool_size", "strides", "pool_length", "stride"),
}


def _length(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value


def check_theano_padding(name: str, layer: Mapping[str, Any], backend: str) -> None:
    """Keras 1.2's Theano backend did border_mode='same' its own way: convolutions with
    Theano's 'half' mode (k // 2 zeros on both sides, then the output cropped), pooling
    with symmetric padding then a crop. That equals TensorFlow's split (the extra zero at
    the end) only for an odd window with stride 1; any other such layer is refused."""
    config = layer.get("config") if isinstance(layer, Mapping) else None
    if backend != "theano" or not isinstance(config, Mapping):
        return
    inner = config.get(WRAPPED)
    if isinstance(inner, Mapping):
        inner_config = inner.get("config")
        inner_name = inner_config.get("name") if isinstance(inner_config, Mapping) else None
        check_theano_padding(str(inner_name or name), inner, backend)
    keys = _THEANO_SAME.get(str(layer.get("class_name")))
    if keys is None or config.get("padding") != "same":
        return
    window = _length(config.get(keys[0]))
    stride = _length(config.get(keys[1]))
    if stride is None:  # Keras 1 pooling: stride=None means the pool length
        stride = 1 if keys[0] == "kernel_size" else window
    if isinstance(window, int) and window % 2 == 1 and stride == 1:
        return
    raise layer_error(
        name,
        str(layer.get("class_name")),
        f"Keras 1 option border_mode='same' with the Theano backend ({keys[2]}={window!r}, "
        f"{keys[3]}={stride!r}) is not supported: Theano padded it differently from TensorFlow; "
        f"supported only with an odd {keys[2]} and {keys[3]}=1",
    )


def layer_weights(
    name: str, layer: Mapping[str, Any], arrays: Sequence[np.ndarray], backend: str
) -> Arrays:
    """convert_weights, with arrays that cannot be joined reported against the layer (and
    Theano 'same' padding that computes differently refused)."""
    check_theano_padding(name, layer, backend)
    try:
        return convert_weights(layer, arrays, backend)
    except ValueError as error:  # per-gate arrays of different shapes
        raise layer_error(
            name,
            str(layer.get("class_name")),
            f"its Keras 1 weight arrays do not fit together ({error})",
        ) from None
