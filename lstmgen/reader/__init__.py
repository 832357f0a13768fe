"""Read a Keras model file (legacy HDF5 or Keras 3 zip) without importing Keras."""

from __future__ import annotations

import os
import stat
from dataclasses import replace

from lstmgen.errors import LstmgenError
from lstmgen.reader import limits
from lstmgen.reader.detect import HDF5, HOW_TO_SAVE, detect_format
from lstmgen.reader.hdf5 import read_hdf5
from lstmgen.reader.isolation import run_isolated
from lstmgen.reader.keras_zip import read_keras_zip
from lstmgen.reader.model_file import ModelFile


def read_model(path: str) -> ModelFile:
    """Open `path`, detect its format by content, and return the normalized model.

    The file is parsed in a child process, within memory and time caps that grow with
    its size (lstmgen.reader.isolation); this process's own limits never change."""
    size = model_file_size(path)
    return run_isolated(
        read_model_here, (path,), path, limits.read_memory(size), limits.read_seconds(size)
    )


def model_file_size(path: str) -> int:
    """The size of `path`, after checking that it is a regular file lstmgen may read: a
    FIFO or device would block or never end, so it is refused without being opened."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise LstmgenError(f"{path}: no such file") from None
    except OSError as error:
        raise LstmgenError(f"{path}: cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(status.st_mode):
        if os.path.isfile(os.path.join(path, "saved_model.pb")):
            raise LstmgenError(
                f"{path}: a TensorFlow SavedModel folder, which lstmgen does not read: load it "
                "with tf_keras.models.load_model and save it again; " + HOW_TO_SAVE
            )
        raise LstmgenError(f"{path}: is a directory, not a model file; {HOW_TO_SAVE}")
    if not stat.S_ISREG(status.st_mode):
        raise LstmgenError(f"{path}: not a regular file (a pipe or device), not a model file")
    if status.st_size > limits.MAX_FILE_BYTES:
        raise LstmgenError(
            f"{path}: {status.st_size} bytes, more than the {limits.MAX_FILE_BYTES} a model "
            "file may have (the weights are capped at "
            f"{limits.MAX_WEIGHT_BYTES})"
        )
    return status.st_size


def read_model_here(path: str) -> ModelFile:
    """read_model's work, in this process: what the reading child runs."""
    try:
        file_format = detect_format(path)
    except OSError as error:
        raise LstmgenError(f"{path}: cannot read: {error.strerror or error}") from None
    read = read_hdf5 if file_format == HDF5 else read_keras_zip
    return replace(read(path), file_format=file_format)
