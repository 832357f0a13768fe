"""How much a model file may make lstmgen read, and HDF5 access that keeps to it.

A model file comes from outside. In HDF5, a dataset can take its bytes from other files
(external storage, virtual datasets), a link can lead into another file, and a few bytes
on disk can stand for gigabytes in memory (fill values, compression); a zip member can
expand the same way. Real Keras files do none of this, so it is refused before any
byte of such data is read.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional, Union

import h5py
import numpy as np
from h5py import h5l

from lstmgen.errors import LstmgenError

MAX_ARRAY_BYTES = 2 << 30  # one weight array, as stored in the file
MAX_WEIGHT_BYTES = 4 << 30  # all weight arrays of a model together
MAX_EXPANSION = 100  # bytes in memory per byte stored, for anything larger than:
EXPANSION_CHECKED_FROM = 1 << 20
# .keras zip members: (largest unpacked size, largest compression ratio above 1 MiB).
ZIP_MEMBER_LIMITS = {
    "config.json": (64 << 20, 200),
    "metadata.json": (1 << 20, 200),
    # All weights, plus room for HDF5's own structures.
    "model.weights.h5": (MAX_WEIGHT_BYTES + (256 << 20), MAX_EXPANSION),
}

Node = Union[h5py.Group, h5py.Dataset]


# Memory the reading of one file may add to the process: every weight at the cap, and
# room for HDF5's own structures. A corrupt file can send libhdf5 into a loop that
# allocates without end (a broken local heap's free list, found by the fuzz test); under
# this limit the allocation fails and the file is refused instead.
READ_MEMORY = MAX_WEIGHT_BYTES + (2 << 30)


@contextmanager
def memory_limited(extra: Optional[int] = None) -> Iterator[None]:
    """Cap the process's address space at its current size plus `extra` (READ_MEMORY)
    while reading (Linux: RLIMIT_AS, restored afterwards; elsewhere nothing changes)."""
    extra = READ_MEMORY if extra is None else extra
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + extra
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield  # already as tight
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


MAX_ATTRIBUTE_BYTES = 64 << 20  # an HDF5 attribute: the model config is the largest
MAX_ATTRIBUTE_ITEMS = 1 << 20  # entries of an attribute array (weight and layer names)


def attribute(node: Node, name: str, source: str, default=None):
    """`node.attrs[name]` (`default` if absent), after checking the size its header
    declares: a corrupt or hostile header can claim gigabytes, which h5py would allocate
    before finding out that the file holds no such data."""
    key = name.encode("utf-8", "surrogatepass")
    if not h5py.h5a.exists(node.id, key):
        return default
    attr = h5py.h5a.open(node.id, key)
    count = int(np.prod(attr.shape, dtype=np.float64)) if attr.shape else 1
    declared = count * attr.dtype.itemsize  # variable-length strings: their references
    room = min(MAX_ATTRIBUTE_BYTES, os.path.getsize(source))
    if count > MAX_ATTRIBUTE_ITEMS or declared > room:
        raise LstmgenError(
            f"{source}: HDF5 attribute '{name}' of '{node.name}' declares {declared} bytes "
            f"in {count} entries, more than the file holds or any model needs"
        )
    return node.attrs[name]


def is_weight_dtype(dtype: np.dtype, shape) -> bool:
    """Floats; integers only as scalars: a counter, which a layer's handler may take."""
    return dtype.kind == "f" or (dtype.kind in "iu" and tuple(shape) == ())


def child(group: h5py.Group, name: str, source: str) -> Optional[Node]:
    """`group[name]` (`name` may hold slashes), or None if there is no such member.

    Only hard links are followed: a soft or external link is refused, as either can lead
    into another file (or a FIFO that blocks forever)."""
    node: Node = group
    for part in name.split("/"):
        if not part:
            continue
        encoded = part.encode("utf-8", "surrogatepass")
        if not isinstance(node, h5py.Group) or not node.id.links.exists(encoded):
            return None
        link_type = node.id.links.get_info(encoded).type
        if link_type != h5l.TYPE_HARD:
            kind = {h5l.TYPE_SOFT: "a soft", h5l.TYPE_EXTERNAL: "an external"}.get(link_type, "a")
            raise LstmgenError(
                f"{source}: '{node.name.rstrip('/')}/{part}' is {kind} link; "
                "lstmgen follows no links, it reads the model file's own groups and arrays only"
            )
        node = node[part]
    return node


class WeightReader:
    """Reads one model file's weight arrays, each and all together within the caps."""

    def __init__(self, source: str):
        self.source = source  # the model file, named in every message
        self.bytes_read = 0

    def read(self, dataset: h5py.Dataset, layer: str, weight: str) -> np.ndarray:
        """The dataset's array, after checking everything that can be checked unread."""
        where = f"{self.source}: layer '{layer}': dataset '{dataset.name}'"
        if dataset.external:
            raise LstmgenError(
                f"{where} keeps its data in other files (HDF5 external storage); "
                "lstmgen reads only the model file"
            )
        if dataset.is_virtual:
            raise LstmgenError(
                f"{where} is an HDF5 virtual dataset made of other files' data; "
                "lstmgen reads only the model file"
            )
        if not is_weight_dtype(dataset.dtype, dataset.shape):
            raise LstmgenError(
                f"layer '{layer}': weight '{weight}' has dtype {dataset.dtype}, expected floats"
            )
        size = dataset.nbytes
        if size > MAX_ARRAY_BYTES:
            raise LstmgenError(
                f"{where} holds {size} bytes, more than the {MAX_ARRAY_BYTES} bytes "
                "lstmgen accepts for one array"
            )
        if self.bytes_read + size > MAX_WEIGHT_BYTES:
            raise LstmgenError(
                f"{where}: the weights exceed the {MAX_WEIGHT_BYTES} bytes "
                "lstmgen accepts for a whole model"
            )
        stored = dataset.id.get_storage_size()
        if size > EXPANSION_CHECKED_FROM and stored * MAX_EXPANSION < size:
            raise LstmgenError(
                f"{where} expands from {stored} bytes stored to {size} in memory, "
                f"more than {MAX_EXPANSION}:1 and beyond any real model"
            )
        self.bytes_read += size
        return dataset[()]
