"""Read a Keras model file (legacy HDF5 or Keras 3 zip) without importing Keras."""

from __future__ import annotations

import os
import stat

from lstmgen.errors import LstmgenError
from lstmgen.reader.hdf5 import read_hdf5
from lstmgen.reader.keras_zip import read_keras_zip
from lstmgen.reader.limits import memory_limited
from lstmgen.reader.model_file import ModelFile

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"


def read_model(path: str) -> ModelFile:
    """Open `path`, detect its format by content, and return the normalized model."""
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
    readers = {HDF5_SIGNATURE: read_hdf5, ZIP_SIGNATURE: read_keras_zip}
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
