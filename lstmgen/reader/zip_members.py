"""Members of a .keras zip, read within their checked sizes; each failure its own message."""

from __future__ import annotations

import zipfile
import zlib
from typing import Dict

from lstmgen.errors import LstmgenError
import lstmgen.reader.limits as limits

# Compression methods Keras writes (it stores; zipfile's default is stored too).
_KERAS_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


def _checked_entry(archive: zipfile.ZipFile, path: str, name: str) -> zipfile.ZipInfo:
    """The member's zip entry, refused if it claims to be absurdly large or compressed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise LstmgenError(f"{path}: the .keras zip has no {name}") from None
    if info.flag_bits & 0x1:
        raise LstmgenError(f"{path}: {name} is encrypted; Keras never encrypts a .keras file")
    if info.compress_type not in _KERAS_COMPRESSION:
        raise LstmgenError(
            f"{path}: {name} uses zip compression method {info.compress_type}; "
            f"Keras writes only {' or '.join(_KERAS_COMPRESSION.values())}"
        )
    limit, ratio = limits.ZIP_MEMBER_LIMITS.get(name, limits.ASSET_LIMITS)
    if info.file_size > limit or info.file_size > max(1 << 20, ratio * info.compress_size):
        raise LstmgenError(
            f"{path}: {name} is implausibly large ({info.file_size} bytes from "
            f"{info.compress_size} compressed); refusing to unpack it"
        )
    return info


def check_other_members(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse a zip whose other members (not the three lstmgen reads) would unpack to more
    than limits.MAX_OTHER_MEMBER_BYTES together or more than MAX_EXPANSION:1 each:
    `lstmgen verify` and `--verify` hand the file to Keras, which unpacks them all."""
    total = 0
    for info in archive.infolist():
        if info.filename in limits.ZIP_MEMBER_LIMITS:
            continue
        total += info.file_size
        ratio = info.file_size > max(1 << 20, limits.MAX_EXPANSION * info.compress_size)
        if ratio or total > limits.MAX_OTHER_MEMBER_BYTES:
            raise LstmgenError(
                f"{path}: zip member {info.filename!r} ({info.file_size} bytes from "
                f"{info.compress_size} compressed) would make the members besides config.json, "
                f"metadata.json and model.weights.h5 unpack to more than "
                f"{limits.MAX_OTHER_MEMBER_BYTES} bytes or {limits.MAX_EXPANSION}:1; "
                "Keras unpacks them all when loading"
            )


def small_member(archive: zipfile.ZipFile, path: str, name: str) -> bytes:
    """Read a (JSON) member into memory, within its checked size."""
    info = _checked_entry(archive, path, name)
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except MEMBER_ERRORS as error:
        raise member_error(path, name, error) from None
    if len(data) > info.file_size:
        raise LstmgenError(f"{path}: {name} is larger than its zip header says")
    return data


def asset_members(archive: zipfile.ZipFile, path: str) -> Dict[str, bytes]:
    """The files under assets/ (name -> bytes), each and all together within their caps."""
    assets: Dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        if not info.filename.startswith("assets/") or info.is_dir():
            continue
        total += info.file_size
        if total > limits.MAX_ASSET_BYTES:
            raise LstmgenError(
                f"{path}: the assets of the .keras zip exceed the {limits.MAX_ASSET_BYTES} "
                "bytes lstmgen accepts"
            )
        assets[info.filename] = small_member(archive, path, info.filename)
    return assets


def unpack_member(archive: zipfile.ZipFile, path: str, name: str, target: str) -> None:
    """Copy a member to the file `target` in 1 MiB chunks, never more than its checked
    size: as no more than the compressed size is read, that bounds the ratio too."""
    info = _checked_entry(archive, path, name)
    unpacked = 0
    try:
        with archive.open(info) as member, open(target, "wb") as out:
            for chunk in iter(lambda: member.read(1 << 20), b""):
                unpacked += len(chunk)
                if unpacked > info.file_size:
                    raise LstmgenError(f"{path}: {name} is larger than its zip header says")
                out.write(chunk)
    except MEMBER_ERRORS as error:
        raise member_error(path, name, error) from None


# What unpacking a damaged member raises, by class; each gets its own message.
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError)


def member_error(path: str, name: str, error: Exception) -> LstmgenError:
    """The one-line message for a member that cannot be unpacked."""
    if isinstance(error, zlib.error):
        problem = f"its compressed data is corrupt ({error})"
    elif isinstance(error, EOFError):
        problem = "it extends past the end of the file (truncated or a lying zip header)"
    elif isinstance(error, zipfile.BadZipFile):
        problem = f"its zip entry is damaged ({error})"
    elif isinstance(error, OSError) and not isinstance(error, zipfile.BadZipFile):
        problem = f"it cannot be unpacked: {error.strerror or error}"
    else:
        problem = f"it cannot be unpacked ({type(error).__name__}: {error})"
    return LstmgenError(f"{path}: {name}: {problem}")
