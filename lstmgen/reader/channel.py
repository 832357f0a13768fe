"""How a reading child hands its result to lstmgen: pickled, arrays out of band.

Arrays travel as raw bytes after the pickle (protocol 5), straight into their final
buffers, so the parent holds each weight once. The parent unpickles only the types a
reader returns: a ModelFile's dataclasses and NumPy arrays (errors and warnings travel as
text: pickling exceptions is what libraries such as tblib change process-wide).
"""

from __future__ import annotations

import io
import os
import pickle
import select
import struct
import time
from typing import Any, List

import lstmgen.reader.limits as limits

_COUNTS = struct.Struct("<QQ")  # pickle length, number of buffers
_LENGTH = struct.Struct("<Q")
_ALLOWED = {
    ("lstmgen.reader.model_file", name)
    for name in ("ModelFile", "ModelInput", "LayerSpec", "CallSpec", "TensorRef")
} | {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


class ChannelTimeout(Exception):
    """The child did not finish sending in time."""


def send(fd: int, payload: Any) -> None:
    """Write `payload` to the file descriptor `fd`."""
    buffers: List[pickle.PickleBuffer] = []
    head = pickle.dumps(payload, protocol=5, buffer_callback=buffers.append)
    _write(fd, _COUNTS.pack(len(head), len(buffers)) + head)
    for buffer in buffers:
        raw = buffer.raw()
        _write(fd, _LENGTH.pack(raw.nbytes))
        _write(fd, raw)


def receive(fd: int, deadline: float) -> Any:
    """The payload from `fd`; EOFError if the child stopped before sending it all."""
    head_length, count = _COUNTS.unpack(_read(fd, _COUNTS.size, deadline))
    if head_length > limits.MAX_FILE_BYTES or count > limits.MAX_WEIGHT_ARRAYS + 16:
        raise EOFError("implausible message from the reading process")
    head = _read(fd, head_length, deadline)
    buffers, total = [], 0
    for _ in range(count):
        (length,) = _LENGTH.unpack(_read(fd, _LENGTH.size, deadline))
        total += length
        if total > limits.MAX_WEIGHT_BYTES:
            raise EOFError("implausible message from the reading process")
        buffers.append(_read(fd, length, deadline))
    return _Unpickler(head, buffers).load()


class _Unpickler(pickle.Unpickler):
    def __init__(self, head: bytearray, buffers: List[bytearray]):
        super().__init__(io.BytesIO(head), buffers=buffers)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not what a reader returns")
        return super().find_class(module, name)


def _write(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        written = os.write(fd, view[: 1 << 20])
        view = view[written:]


def _read(fd: int, length: int, deadline: float) -> bytearray:
    """Exactly `length` bytes, read as they come until `deadline` (time.monotonic())."""
    data = bytearray(length)
    view, position = memoryview(data), 0
    while position < length:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise ChannelTimeout()
        chunk = os.read(fd, min(length - position, 1 << 20))
        if not chunk:
            raise EOFError("the reading process stopped early")
        view[position : position + len(chunk)] = chunk
        position += len(chunk)
    return data
