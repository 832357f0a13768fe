"""What both readers share: JSON and weight checks, and assembling the ModelFile."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from lstmgen.errors import LstmgenError
from lstmgen.reader import keras1, keras1_weights
from lstmgen.reader.limits import is_weight_dtype
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
    """json.loads that fails with an LstmgenError."""
    try:
        if isinstance(text, (bytes, bytearray)):
            text = text.decode("utf-8")
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise LstmgenError(f"{what} is not valid JSON: {error}") from None


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
        if saved_major == 1:
            arrays = keras1_weights.layer_weights(
                layer.name,
                {"class_name": layer.class_name, "config": layer.config},
                arrays,
                backend,
            )
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
    )
