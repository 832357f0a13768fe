"""Weights in cuDNN's layout (CuDNNLSTM, CuDNNGRU) turned into the plain LSTM/GRU layout.

Keras 2 converts them the same way whenever it loads such weights into a layer
(tf_keras/src/saving/legacy/hdf5_format.py, `_convert_rnn_weights`, run on every layer
of every Keras 2 file): the bias's shape, not the class name, says which layout a layer
holds. cuDNN keeps an input and a recurrent bias for every gate; each gate's block of the
input kernel, shaped (features, units), holds cuDNN's (units, features) matrix flattened
row-major, and each gate's block of the recurrent kernel is transposed. After this, every
LSTM-family layer holds (W, U, b (4*units,)) and every GRU-family layer with cuDNN weights
(W, U, b (2, 3*units)), as a plain reset_after GRU does: the handlers see one layout.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Tuple

import numpy as np

Arrays = Tuple[np.ndarray, ...]


def _per_gate(kernel: np.ndarray, gates: int, change: Callable[[np.ndarray], np.ndarray]):
    """`change` applied to each gate's block of columns, the blocks joined again."""
    return np.hstack([change(block) for block in np.hsplit(kernel, gates)])


def _plain_kernels(arrays: Arrays, gates: int) -> Tuple[np.ndarray, np.ndarray]:
    """(W, U) from cuDNN's layout: a gate's W block is its (units, features) matrix read
    in Fortran order, a gate's U block is transposed (Keras's `transpose_input`)."""
    kernel, recurrent = arrays[0], arrays[1]
    return (
        _per_gate(kernel, gates, lambda block: block.T.reshape(block.shape, order="F")),
        _per_gate(recurrent, gates, lambda block: block.T),
    )


def _units(arrays: Arrays) -> int:
    return int(arrays[1].shape[0]) if len(arrays) == 3 and np.ndim(arrays[1]) == 2 else -1


def _lstm(_config: Mapping[str, Any], arrays: Arrays) -> Arrays:
    """cuDNN's bias (8*units,) is input | recurrent biases: summed in float32, as Keras does."""
    units = _units(arrays)
    if units < 0 or np.shape(arrays[2]) != (8 * units,):
        return arrays  # plain (or malformed: the handler names the shape at fault)
    kernel, recurrent = _plain_kernels(arrays, 4)
    bias = np.sum(np.split(arrays[2], 2, axis=0), axis=0)
    return kernel, recurrent, bias


def _gru(config: Mapping[str, Any], arrays: Arrays, cudnn: bool) -> Arrays:
    """cuDNN's bias (6*units,) is input | recurrent biases: the rows of a reset_after GRU's
    (2, 3*units) bias. A GRU that is not reset_after keeps them, and its handler refuses
    their shape (Keras refuses them too)."""
    units = _units(arrays)
    if units < 0 or np.shape(arrays[2]) != (6 * units,):
        return arrays
    if not cudnn and config.get("reset_after") is not True:
        return arrays
    kernel, recurrent = _plain_kernels(arrays, 3)
    return kernel, recurrent, np.reshape(arrays[2], (2, 3 * units))


def _bidirectional(config: Mapping[str, Any], arrays: Arrays) -> Arrays:
    """The forward layer's weights, then the backward layer's: each converted by its own
    class (Keras splits them in halves the same way)."""
    half = len(arrays) // 2
    forward = config.get("layer")
    backward = config.get("backward_layer") or forward
    return plain_layout(forward, arrays[:half]) + plain_layout(backward, arrays[half:])


def _time_distributed(config: Mapping[str, Any], arrays: Arrays) -> Arrays:
    return plain_layout(config.get("layer"), arrays)


_CONVERTERS: Dict[str, Callable[[Mapping[str, Any], Arrays], Arrays]] = {
    "LSTM": _lstm,
    "CuDNNLSTM": _lstm,
    "GRU": lambda config, arrays: _gru(config, arrays, cudnn=False),
    "CuDNNGRU": lambda config, arrays: _gru(config, arrays, cudnn=True),
    "Bidirectional": _bidirectional,
    "TimeDistributed": _time_distributed,
}


def plain_layout(layer: Any, arrays: Arrays) -> Arrays:
    """A Keras 1 or 2 layer's ({"class_name", "config"}) weights in the plain layout.

    Arrays that do not fit together are returned unchanged: the layer's handler checks
    every shape against the config and names the one at fault.
    """
    arrays = tuple(arrays)
    if not isinstance(layer, Mapping) or not isinstance(layer.get("config"), Mapping):
        return arrays
    convert = _CONVERTERS.get(str(layer.get("class_name")))
    if convert is None:
        return arrays
    try:
        converted = convert(layer["config"], arrays)
    except ValueError:  # kernels whose columns do not split into the gates
        return arrays
    return tuple(np.ascontiguousarray(array, dtype="<f4") for array in converted)
