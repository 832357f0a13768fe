"""What `verify` loads: the model for Keras, the predictor, and --input arrays, each checked.

Keras loads only what lstmgen checked: a private copy of the model file, made once, is
read and checked by lstmgen, then given to Keras under a name ending in the format
lstmgen detected (`.h5` or `.keras`), because both Kerases pick their loader by the
name. A file that is both a zip and an HDF5 file is refused before (lstmgen.reader.detect).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, Iterator

import numpy as np

from lstmgen.errors import LstmgenError, PathError
from lstmgen.reader import limits, read_model
from lstmgen.reader.model_file import ModelFile

PREDICTOR_API = ("predict", "INPUT_NAMES", "INPUT_SHAPES", "INPUT_DTYPES", "OUTPUT_NAMES")
SUFFIXES = {"h5": ".h5", "keras": ".keras"}
HEADER_READERS = {(1, 0): "read_array_header_1_0", (2, 0): "read_array_header_2_0"}


@dataclass(frozen=True)
class CheckedCopy:
    """A private copy of a model file, named for its format, and the model read from it."""

    path: str
    model: ModelFile


@contextlib.contextmanager
def private_copy(path: str) -> Iterator[CheckedCopy]:
    """Copy `path` into a private folder, read it there (errors name `path`), and name
    the copy for the format read; the folder goes away afterwards."""
    folder = tempfile.mkdtemp(prefix="lstmgen-verify-")  # mode 0700: this user's only
    try:
        copy = os.path.join(folder, os.path.basename(path))
        with open_regular(path, "model file") as source, open(copy, "xb") as target:
            _copy_bounded(source, target, path)
        try:
            model = read_model(copy)
        except LstmgenError as error:  # the model file's own errors: they name it
            message = " ".join(str(error).replace(copy, path).split())
            named = message if message.startswith(path) else f"{path}: {message}"
            raise type(error)(named) from None
        suffix = SUFFIXES[model.file_format]
        if not copy.endswith(suffix):
            os.rename(copy, copy + suffix)
            copy += suffix
        yield CheckedCopy(copy, model)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_bounded(source: BinaryIO, target: BinaryIO, path: str) -> None:
    copied = 0
    for chunk in iter(lambda: source.read(1 << 20), b""):
        copied += len(chunk)
        if copied > limits.MAX_FILE_BYTES:
            raise PathError(
                f"{path}: more than the {limits.MAX_FILE_BYTES} bytes a model file may have"
            )
        target.write(chunk)


@contextlib.contextmanager
def open_regular(path: str, what: str) -> Iterator[BinaryIO]:
    """`path` opened for reading if it is a regular file; a FIFO, device or socket is
    refused (opened without blocking, checked, never read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PathError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PathError(f"{path}: is a directory, not a {what}") from None
    except OSError as error:
        raise PathError(f"{path}: cannot read: {error.strerror or error}") from None
    handle = os.fdopen(fd, "rb")
    with handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise PathError(f"{path}: is a directory, not a {what}")
        if not stat.S_ISREG(mode):
            raise PathError(f"{path}: not a regular file (a pipe, device or socket), not a {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        yield handle


def read_npy(path: str) -> np.ndarray:
    """A numeric .npy array, its header checked against the file before any allocation."""
    try:
        return _read_npy(path)
    except LstmgenError as error:
        reason = str(error).replace(f"{path}: ", "", 1)
        raise PathError(f"{path}: not a readable .npy array ({reason})") from None


def _read_npy(path: str) -> np.ndarray:
    with open_regular(path, ".npy file") as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            version = np.lib.format.read_magic(handle)
            if version not in HEADER_READERS:
                raise ValueError(f".npy format version {version} (only 1.0 and 2.0 hold numbers)")
            shape, fortran, dtype = getattr(np.lib.format, HEADER_READERS[version])(handle)
        except (ValueError, OSError, EOFError, SyntaxError) as error:
            raise PathError(f"{path}: {' '.join(str(error).split())}") from None
        if any(n < 0 for n in shape):
            raise PathError(f"{path}: the header declares shape {shape}, with a negative dimension")
        if dtype.hasobject or dtype.kind not in "biuf":
            raise PathError(f"{path}: holds {dtype} values; an input must hold numbers")
        count = int(np.prod(shape, dtype=np.float64))
        left = size - handle.tell()
        if count * dtype.itemsize > left:
            raise PathError(
                f"{path}: the header declares shape {shape} ({count * dtype.itemsize} bytes), "
                f"but the file holds {left} bytes of data"
            )
        data = np.fromfile(handle, dtype=dtype, count=count)
    return data.reshape(shape, order="F" if fortran else "C")


def load_predictor(path: str):
    """Import a generated predictor from its path."""
    with open_regular(path, "predictor (.py file)"):
        pass
    spec = importlib.util.spec_from_file_location("lstmgen_verified", path)
    if spec is None:
        raise PathError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    # Anything the file does on import: reported, never a traceback.
    except Exception as error:  # noqa: BLE001
        raise PathError(f"{path}: importing it failed ({type(error).__name__}: {error})") from None
    missing = [name for name in PREDICTOR_API if not hasattr(module, name)]
    if missing:
        raise PathError(f"{path}: not an lstmgen predictor (it has no {', '.join(missing)})")
    return module
