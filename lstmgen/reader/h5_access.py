"""HDF5 access that keeps to the caps in lstmgen.reader.limits.

In HDF5, a dataset can take its bytes from other files (external storage, virtual
datasets), a link can lead into another file, a header can declare gigabytes, and a few
bytes on disk can stand for gigabytes in memory (fill values, compression, many links to
one array). Real Keras files do none of this, so it is refused before any byte of such
data is read.
"""

from __future__ import annotations

import os
from typing import Optional, Set, Union

import h5py
import numpy as np
from h5py import h5l

from lstmgen.errors import LstmgenError
import lstmgen.reader.limits as limits

Node = Union[h5py.Group, h5py.Dataset]
# What h5py raises, from deep inside, for a truncated or corrupt file.
H5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError, OverflowError)


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
    room = min(limits.MAX_ATTRIBUTE_BYTES, os.path.getsize(source))
    if count > limits.MAX_ATTRIBUTE_ITEMS or declared > room:
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
    """Reads one model file's weight arrays, each and all together within the caps.

    Every reference counts: an array reached twice (hard links, a name repeated in
    `weight_names`) costs its memory twice but is stored once, which the expansion
    check sees."""

    def __init__(self, source: str):
        self.source = source  # the model file, named in every message
        self.bytes_read = 0  # in memory, every reference counted
        self.bytes_stored = 0  # on disk, each distinct dataset once
        self.arrays_read = 0
        self._seen: Set[object] = set()

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
        self._count(dataset, where)
        return dataset[()]

    def _count(self, dataset: h5py.Dataset, where: str) -> None:
        """Add the dataset to the totals, refusing it if they pass a cap."""
        size = dataset.nbytes
        if size > limits.MAX_ARRAY_BYTES:
            raise LstmgenError(
                f"{where} holds {size} bytes, more than the {limits.MAX_ARRAY_BYTES} bytes "
                "lstmgen accepts for one array"
            )
        if self.bytes_read + size > limits.MAX_WEIGHT_BYTES:
            raise LstmgenError(
                f"{where}: the weights exceed the {limits.MAX_WEIGHT_BYTES} bytes "
                "lstmgen accepts for a whole model"
            )
        self.arrays_read += 1
        if self.arrays_read > limits.MAX_WEIGHT_ARRAYS:
            raise LstmgenError(
                f"{where}: more than {limits.MAX_WEIGHT_ARRAYS} weight arrays, "
                "beyond any real model"
            )
        stored = dataset.id.get_storage_size()
        if size > limits.EXPANSION_CHECKED_FROM and stored * limits.MAX_EXPANSION < size:
            raise LstmgenError(
                f"{where} expands from {stored} bytes stored to {size} in memory, "
                f"more than {limits.MAX_EXPANSION}:1 and beyond any real model"
            )
        if dataset.id not in self._seen:
            self._seen.add(dataset.id)
            self.bytes_stored += stored
        self.bytes_read += size
        if (
            self.bytes_read > limits.EXPANSION_CHECKED_FROM
            and self.bytes_stored * limits.MAX_EXPANSION < self.bytes_read
        ):
            raise LstmgenError(
                f"{where}: the weights read so far take {self.bytes_read} bytes in memory "
                f"from {self.bytes_stored} stored, more than {limits.MAX_EXPANSION}:1 "
                "(arrays reached again and again through links or repeated names)"
            )
