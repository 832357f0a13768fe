"""Read a Keras model file (legacy HDF5 or Keras 3 zip) without importing Keras."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from lstmgen.errors import LstmgenError
from lstmgen.reader.limits import is_weight_dtype, memory_limited
from lstmgen.reader import keras1, keras1_weights
from lstmgen.reader.normalize import (
    LayerSpec,
    ModelSpec,
    keras_major_version,
    parse_model_config,
)
from lstmgen.reader.saved_model import LayerRecord, SavedModel

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"

WeightList = Tuple[Tuple[str, ...], Tuple[np.ndarray, ...]]


def read_model(path: str) -> SavedModel:
    """Open `path`, detect its format by content, and return the normalized model."""
    from lstmgen.reader import hdf5, keras_zip  # noqa: PLC0415 (keeps the cycle simple)

    try:
        if (
            os.path.exists(path)
            and not os.path.isdir(path)
            and not stat.S_ISREG(os.stat(path).st_mode)
        ):
            # A FIFO or device would block or never end: only regular files are read.
            raise LstmgenError(f"{path}: not a regular file (a pipe or device), not a model file")
        with open(path, "rb") as handle:
            head = handle.read(8)
    except IsADirectoryError:
        raise LstmgenError(f"{path}: is a directory, not a model file") from None
    except FileNotFoundError:
        raise LstmgenError(f"{path}: no such file") from None
    except OSError as error:
        raise LstmgenError(f"{path}: cannot read: {error.strerror or error}") from None
    readers = {HDF5_SIGNATURE: hdf5.read_hdf5, ZIP_SIGNATURE: keras_zip.read_keras_zip}
    for signature, read in readers.items():
        if head.startswith(signature):
            try:
                with memory_limited():
                    return read(path)
            except MemoryError:
                raise LstmgenError(
                    f"{path}: reading it needs more memory than any model file"
                ) from None
    raise LstmgenError(f"{path}: not a Keras model file (neither HDF5 .h5 nor a .keras zip)")


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


def as_float32(array: Any, layer: str, weight: str) -> np.ndarray:
    """A saved weight as a float32 array; integer (but for a scalar counter such as
    Normalization's `count`, which no handler uses) or non-numeric data is refused."""
    array = np.asarray(array)
    if not is_weight_dtype(array.dtype, array.shape):
        raise LstmgenError(
            f"layer '{layer}': weight '{weight}' has dtype {array.dtype}, expected floats"
        )
    return np.ascontiguousarray(array, dtype="<f4")


def assemble(
    path: str,
    file_format: str,
    config: Any,
    version: Optional[str],
    weights_of: Callable[[ModelSpec, LayerSpec], WeightList],
    backend: str = "",
) -> SavedModel:
    """Combine a parsed config and a weight lookup into a SavedModel.

    `backend` (Keras 1 files: "tensorflow" or "theano") decides convolution kernels' flip.
    """
    saved_major = keras_major_version(version, config)
    spec: ModelSpec = parse_model_config(config, saved_major, version)
    major = keras1.SEMANTICS if saved_major == 1 else saved_major
    records: List[LayerRecord] = []
    for layer in spec.layers:
        names, arrays = weights_of(spec, layer)
        if saved_major == 1:
            arrays = keras1_weights.layer_weights(
                layer.name,
                {"class_name": layer.class_name, "config": layer.config},
                arrays,
                backend,
            )
        records.append(
            LayerRecord(
                name=layer.name,
                class_name=layer.class_name,
                config=layer.config,
                calls=layer.calls,
                weights=arrays,
                weight_names=names,
            )
        )
    return SavedModel(
        source_name=os.path.basename(path),
        sha256=file_sha256(path),
        file_format=file_format,
        keras_version=version or "unknown",
        keras_major=major,
        model_class=spec.model_class,
        model_name=spec.name,
        inputs=spec.inputs,
        outputs=spec.outputs,
        layers=tuple(records),
        config=config,
    )
