"""What both readers share: JSON and weight checks, and assembling the ModelFile."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from lstmgen.errors import LstmgenError
from lstmgen.reader.recorded_shapes import recorded_shapes
import lstmgen.reader.cudnn_weights as cudnn_weights
import lstmgen.reader.keras1 as keras1
import lstmgen.reader.keras1_weights as keras1_weights
import lstmgen.reader.limits as limits
from lstmgen.reader.h5_access import is_weight_dtype
from lstmgen.reader.model_file import LayerSpec, ModelFile, ModelSpec
from lstmgen.reader.nesting import parse_model_config
from lstmgen.reader.normalize import keras_major_version

WeightList = Tuple[Tuple[str, ...], Tuple[np.ndarray, ...]]


def file_sha256(path: str) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_json(text: Any, what: str) -> Any:
    """json.loads that fails with an LstmgenError, and refuses JSON nested more deeply
    than MAX_JSON_DEPTH (the code that reads a config may then recurse safely)."""
    too_deep = LstmgenError(
        f"{what} is nested more than {limits.MAX_JSON_DEPTH} levels deep; "
        "no Keras model config is"
    )
    try:
        if isinstance(text, (bytes, bytearray)):
            text = text.decode("utf-8")
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError) as error:
        raise LstmgenError(f"{what} is not valid JSON: {error}") from None
    if json_depth(value) > limits.MAX_JSON_DEPTH:
        raise too_deep
    return value


def json_depth(value: Any) -> int:
    """How deeply lists and dicts nest in a parsed JSON value (iterative: no recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def as_weight(array: Any, layer: str, weight: str) -> np.ndarray:
    """A saved weight: floats as a float32 array; an integer scalar (a counter) as it is,
    for the layer's handler to take or refuse; anything else is refused."""
    array = np.asarray(array)
    if not is_weight_dtype(array.dtype, array.shape):
        raise LstmgenError(
            f"layer '{layer}': weight '{weight}' has dtype {array.dtype}, expected floats"
        )
    if array.dtype.kind != "f":
        return array
    return np.ascontiguousarray(array, dtype="<f4")


def assemble(
    path: str,
    config: Any,
    version: Optional[str],
    weights_of: Callable[[ModelSpec, LayerSpec], WeightList],
    backend: str = "",
) -> ModelFile:
    """Combine a parsed config and a weight lookup into a ModelFile.

    `backend` (Keras 1 files: "tensorflow" or "theano") decides convolution kernels' flip.
    """
    saved_major = keras_major_version(version, config)
    spec: ModelSpec = parse_model_config(config, saved_major, version)
    major = keras1.SEMANTICS if saved_major == 1 else saved_major
    layers: List[LayerSpec] = []
    for layer in spec.layers:
        names, arrays = weights_of(spec, layer)
        described = {"class_name": layer.class_name, "config": layer.config}
        if saved_major == 1:
            arrays = keras1_weights.layer_weights(layer.name, described, arrays, backend)
        if saved_major <= 2:
            # Keras 2 loads cuDNN-layout weights into any LSTM/GRU (Keras 3 never does).
            arrays = cudnn_weights.plain_layout(described, arrays)
        layers.append(replace(layer, weights=arrays, weight_names=names))
    return ModelFile(
        source_name=os.path.basename(path),
        sha256=file_sha256(path),
        keras_version=version or "unknown",
        keras_major=major,
        model_class=spec.model_class,
        model_name=spec.name,
        inputs=spec.inputs,
        outputs=spec.outputs,
        layers=tuple(layers),
        config=config,
        recorded_shapes=recorded_shapes(config),
    )
