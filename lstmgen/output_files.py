"""Writing the generated files: both (module and .npz) or neither, never a partial file."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import zipfile
from typing import Callable, Dict, Iterator, Optional

import numpy as np

from lstmgen.emitter import Generated
from lstmgen.errors import LstmgenError, PathError

# A fixed timestamp in the .npz: the same model gives the same bytes (np.savez stamps now).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def weights_path(py_path: str) -> str:
    """The .npz that --weights-file writes next to OUT.py: OUT.npz."""
    return os.path.splitext(py_path)[0] + ".npz"


def check_output_paths(py_path: str, weights_file: bool, model: Optional[str] = None) -> None:
    """Refuse, before anything is read or written, outputs lstmgen must not replace: an
    existing path that is not a regular file (a device such as /dev/null, a FIFO that
    would block, a socket, a folder), the `model` file itself (by any name: the same
    path, a symlink or a hard link to it), or a folder that does not exist."""
    for path in [py_path] + ([weights_path(py_path)] if weights_file else []):
        _check_target(path)
        if model is not None and _same_file(path, model):
            raise PathError(
                f"{path}: is the model file {model}; lstmgen never overwrites its input"
            )
    folder = os.path.dirname(os.path.abspath(py_path))
    if not os.path.isdir(folder):
        raise PathError(f"{py_path}: cannot write: the folder {folder} does not exist")


def _same_file(path: str, other: str) -> bool:
    """Whether both paths exist and name one file (symlinks followed, hard links too)."""
    try:
        return os.path.samefile(path, other)
    except (OSError, ValueError):
        return False


def _check_target(path: str) -> None:
    """`path` may be replaced by a regular file: absent, or a regular file now."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks: a link to /dev/null is a device
    except FileNotFoundError:
        return
    except OSError as error:
        raise PathError(f"{path}: cannot write: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise PathError(f"{path}: is a directory; lstmgen writes a file")
    if not stat.S_ISREG(mode):
        raise PathError(
            f"{path}: not a regular file (a device, pipe or socket); lstmgen replaces "
            "only regular files"
        )


def write_npz(path: str, arrays: Dict[str, np.ndarray]) -> None:
    """np.savez's format (stored, one .npy per array, in the given order), byte-reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)


@contextlib.contextmanager
def staged(generated: Generated, py_path: str, private: bool = False) -> Iterator[str]:
    """Write the files under their final names into a fresh hidden folder next to
    `py_path` (or in the system's temporary folder when `private`); yield the module's
    path there; remove the folder afterwards, whatever happens."""
    folder = None if private else os.path.dirname(os.path.abspath(py_path))
    try:
        staging = tempfile.mkdtemp(prefix=".lstmgen-", dir=folder)
    except OSError as error:
        raise PathError(f"{py_path}: cannot write: {error.strerror or error}") from None
    try:
        module = os.path.join(staging, os.path.basename(py_path))
        try:
            with open(module, "w", encoding="utf-8", newline="\n") as out:
                out.write(generated.source)
            os.chmod(module, 0o644)
            if generated.arrays is not None:
                write_npz(weights_path(module), generated.arrays)
        except OSError as error:
            raise PathError(f"{py_path}: cannot write: {error.strerror or error}") from None
        yield module
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_outputs(
    generated: Generated, py_path: str, check: Optional[Callable[[str], None]] = None
) -> None:
    """Write OUT.py (and OUT.npz) atomically; `check(staged module)` may refuse them first.

    The .npz goes first (a module never lacks its weights); should the module then fail
    to move, the previous .npz is put back (or the new one removed): never half a pair."""
    with staged(generated, py_path) as module:
        if check is not None:
            check(module)
        if generated.arrays is None:
            _replace(module, py_path)
            return
        npz = weights_path(py_path)
        backup = os.path.join(os.path.dirname(module), ".previous.npz")
        had_npz = os.path.lexists(npz)
        if had_npz:
            _keep_copy(npz, backup, py_path)
        _replace(weights_path(module), npz)
        try:
            _replace(module, py_path)
        except LstmgenError:
            with contextlib.suppress(OSError):
                if had_npz:
                    os.replace(backup, npz)
                else:
                    os.remove(npz)
            raise


def _replace(source: str, target: str) -> None:
    _check_target(target)  # again: it may have changed while the module was generated
    try:
        os.replace(source, target)
    except OSError as error:
        raise PathError(f"{target}: cannot write: {error.strerror or error}") from None


def _keep_copy(path: str, backup: str, py_path: str) -> None:
    """`path`'s current content at `backup` (a hard link, or a copy), for putting back."""
    _check_target(path)
    try:
        try:
            os.link(path, backup)
        except OSError:
            shutil.copy2(path, backup)
    except OSError as error:
        raise PathError(f"{py_path}: cannot write: {error.strerror or error}") from None


def stale_weights_file(py_path: str) -> Optional[str]:
    """OUT.npz next to OUT.py if it is a --weights-file .npz (holds 'source-sha256'),
    else None: written without --weights-file, OUT.py does not read it."""
    npz = weights_path(py_path)
    try:
        if not stat.S_ISREG(os.stat(npz).st_mode):
            return None  # never opened: a FIFO would block
        with zipfile.ZipFile(npz) as archive:
            return npz if "source-sha256.npy" in archive.namelist() else None
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return None
