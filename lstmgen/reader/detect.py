"""Which format a model file is in, judged the way the loaders of both Kerases judge it.

tf_keras sends every path not ending in `.keras` to its HDF5 loader; Keras 3 picks its
zip loader for `.keras` names that `zipfile.is_zipfile` accepts. libhdf5 finds a
superblock at offset 0 or after a user block (512, 1024, 2048, ... bytes); a zip is read
from its end. So one file can be both: a valid zip with a harmless config and a valid
HDF5 file holding a Lambda. lstmgen refuses such a file, and hands Keras a copy named
for the format it read (lstmgen.verify).
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO, List, Optional

from lstmgen.errors import LstmgenError
import lstmgen.reader.limits as limits

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HDF5 = "h5"
KERAS_ZIP = "keras"
WEIGHTS_MEMBER = "model.weights.h5"
# What lstmgen reads, for messages about files it does not.
HOW_TO_SAVE = "lstmgen reads what model.save('model.keras') or model.save('model.h5') writes"
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name and extra field lengths


def detect_format(path: str) -> str:
    """HDF5 or KERAS_ZIP; refused if the file is neither, or both."""
    with open(path, "rb") as handle:
        head = handle.read(64)
        starts_like_zip = head.startswith(b"PK\x03\x04")
        size = handle.seek(0, 2)
        superblocks = hdf5_superblocks(handle, size)
        members = zip_members(path)
        if members is not None and superblocks:
            # A .keras whose stored weights member happens to start at such an offset
            # is an HDF5 file there: the weights lstmgen reads. Anything else is not.
            inner = _stored_weights_offset(handle, members)
            if superblocks != [inner]:
                raise LstmgenError(
                    f"{path}: the file is both a zip and an HDF5 file (superblock at byte "
                    f"{superblocks[0]}); Keras would load one or the other depending on "
                    "the file name, so lstmgen refuses it"
                )
    if members is not None:
        return KERAS_ZIP
    if superblocks:
        return HDF5
    if starts_like_zip:
        raise LstmgenError(f"{path}: not a valid .keras zip (truncated or damaged)")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        raise LstmgenError(
            f"{path}: a JSON file (from model.to_json()?), which holds no weights; {HOW_TO_SAVE}"
        )
    raise LstmgenError(
        f"{path}: not a Keras model file (neither HDF5 .h5 nor a .keras zip); {HOW_TO_SAVE}"
    )


def hdf5_superblocks(handle: BinaryIO, size: int) -> List[int]:
    """Where libhdf5 would find a superblock: offset 0, 512, then each power of two."""
    found, offset = [], 0
    while offset + len(HDF5_SIGNATURE) <= size:
        handle.seek(offset)
        if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
            found.append(offset)
        offset = 512 if offset == 0 else offset * 2
    return found


def zip_members(path: str) -> Optional[List[zipfile.ZipInfo]]:
    """The zip's entries if Python's zipfile (which both Kerases use) opens the file."""
    if not zipfile.is_zipfile(path):
        return None
    _check_directory(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError):
        return None


def _check_directory(path: str) -> None:
    """Refuse a zip whose end record declares more members, or a larger central directory,
    than lstmgen accepts, before zipfile parses the directory (a million entries once
    took 10 s and 560 MB to parse, only to be refused)."""
    with open(path, "rb") as handle:
        record = zipfile._EndRecData(handle)  # the end record, zip64 too
    if record is None:
        return
    members, size = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
    if members > limits.MAX_ZIP_MEMBERS:
        raise LstmgenError(
            f"{path}: the .keras zip has {members} members, more than the "
            f"{limits.MAX_ZIP_MEMBERS} lstmgen accepts"
        )
    if size > limits.MAX_ZIP_DIRECTORY_BYTES:
        raise LstmgenError(
            f"{path}: the .keras zip's central directory takes {size} bytes, more than the "
            f"{limits.MAX_ZIP_DIRECTORY_BYTES} lstmgen accepts"
        )


def _stored_weights_offset(handle: BinaryIO, members: List[zipfile.ZipInfo]) -> Optional[int]:
    """Where the data of an uncompressed `model.weights.h5` member starts, if there is one."""
    for info in members:
        if info.filename == WEIGHTS_MEMBER and info.compress_type == zipfile.ZIP_STORED:
            handle.seek(info.header_offset)
            header = handle.read(_LOCAL_HEADER.size)
            if len(header) == _LOCAL_HEADER.size:
                signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
                if signature == b"PK\x03\x04":
                    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return None
