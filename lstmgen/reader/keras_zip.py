"""Keras 3 `.keras` zips: config.json, metadata.json and model.weights.h5."""

from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Any, Dict, List, Set, Tuple

import h5py

from lstmgen.errors import LstmgenError
from lstmgen.reader.assemble import WeightList, as_weight, assemble, parse_json
from lstmgen.reader.limits import ZIP_MEMBER_LIMITS, WeightReader, child
from lstmgen.reader.model_file import LayerSpec, ModelFile, ModelSpec
from lstmgen.reader.normalize import container_paths

# Keras lists a Bidirectional's forward weights before its backward ones.
_CHILD_ORDER = {"forward_layer": 0, "backward_layer": 2}
# Where a sub-object's config sits in its owner's config: a Bidirectional's halves are
# copies of `layer` (or `backward_layer`), an RNN's cell is `cell`.
_CHILD_CONFIG = {
    "forward_layer": ("layer",),
    "backward_layer": ("backward_layer", "layer"),
    "layer": ("layer",),
    "cell": ("cell",),
}


def read_keras_zip(path: str) -> ModelFile:
    """Read a `.keras` file written by Keras 3 (or by tf_keras 2.13+)."""
    # The weights are unpacked to disk, never whole into memory, in a private directory
    # that goes away however reading ends.
    with tempfile.TemporaryDirectory(prefix="lstmgen-") as scratch:
        weights_path = os.path.join(scratch, "model.weights.h5")
        try:
            with zipfile.ZipFile(path) as archive:
                config = parse_json(
                    _small_member(archive, path, "config.json"), f"{path}: config.json"
                )
                metadata = parse_json(
                    _small_member(archive, path, "metadata.json"), f"{path}: metadata.json"
                )
                _unpack_member(archive, path, "model.weights.h5", weights_path)
        except zipfile.BadZipFile as error:
            raise LstmgenError(f"{path}: not a valid .keras zip: {error}") from None
        version = metadata.get("keras_version") if isinstance(metadata, dict) else None
        try:
            with h5py.File(weights_path, "r") as weights:
                return _assemble_with(path, config, version, weights)
        except (
            OSError,
            KeyError,
            ValueError,
            TypeError,
            RuntimeError,
            OverflowError,
            MemoryError,
        ) as error:
            raise LstmgenError(f"{path}: unreadable model.weights.h5: {error}") from None


def _assemble_with(path: str, config, version, weights: h5py.File) -> ModelFile:
    reader = WeightReader(path)

    def weights_of(_model: ModelSpec, layer: LayerSpec) -> WeightList:
        # A layer's group is named after its class, counted per class, in model order.
        group = child(weights, layer.keras_path, path) if layer.keras_path else None
        if not isinstance(group, h5py.Group):
            return (), ()
        pairs = _collect(group, "", layer.config, path, set())
        names = tuple(name for name, _ in pairs)
        arrays = tuple(
            as_weight(reader.read(dataset, layer.name, name), layer.name, name)
            for name, dataset in pairs
        )
        return names, arrays

    return assemble(path, config, version, weights_of)


def _collect(
    group: h5py.Group, prefix: str, config: Any, path: str, seen: Set[Any]
) -> List[Tuple[str, h5py.Dataset]]:
    """Own `vars/0..n` first, then sub-objects (e.g. `cell`), as in Keras's `layer.weights`.
    `config` is the Keras config of what `group` holds; it orders objects kept in a list
    (StackedRNNCells's cells), whose groups are named after their class, not their place.
    `seen` holds the groups walked so far: hard links that reach one twice are refused."""
    if group.id in seen:
        raise LstmgenError(f"{path}: weight group '{group.name}' is linked in twice")
    seen.add(group.id)
    pairs: List[Tuple[str, h5py.Dataset]] = []
    variables = child(group, "vars", path)
    if isinstance(variables, h5py.Group):
        for key in sorted(variables.keys(), key=lambda k: (len(k), k)):
            dataset = child(variables, key, path)
            if not isinstance(dataset, h5py.Dataset):
                raise LstmgenError(f"{path}: '{variables.name}/{key}' is not a weight array")
            pairs.append((f"{prefix}vars/{key}", dataset))
    order = _list_order(config)
    ranked = sorted(group.keys(), key=lambda k: (_CHILD_ORDER.get(k, 1), order.get(k, -1), k))
    for key in ranked:
        member = None if key == "vars" else child(group, key, path)
        if isinstance(member, h5py.Group):
            child_config = _child_config(config, key, order)
            pairs.extend(_collect(member, f"{prefix}{key}/", child_config, path, seen))
    return pairs


def _list_order(config: Any) -> Dict[str, int]:
    """For a list of objects: each one's group name (`lstm_cell`, `gru_cell`,
    `lstm_cell_1`, ...: its class, counted per class) -> its place in the list."""
    if not isinstance(config, list):
        return {}
    classes = [str(item.get("class_name")) if isinstance(item, dict) else "" for item in config]
    return {name: k for k, name in enumerate(container_paths(classes, folder=""))}


def _child_config(config: Any, key: str, order: Dict[str, int]) -> Any:
    """The config of the object in child group `key`."""
    if isinstance(config, list):
        item = config[order[key]] if key in order else None
        return item.get("config") if isinstance(item, dict) else {}
    if not isinstance(config, dict):
        return {}
    if key == "cells":
        return config.get("cells")
    for source in _CHILD_CONFIG.get(key, ()):
        inner = config.get(source)
        if isinstance(inner, dict):
            return inner.get("config", {})
    return {}


def _checked_entry(archive: zipfile.ZipFile, path: str, name: str) -> zipfile.ZipInfo:
    """The member's zip entry, refused if it claims to be absurdly large or compressed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise LstmgenError(f"{path}: the .keras zip has no {name}") from None
    limit, ratio = ZIP_MEMBER_LIMITS[name]
    if info.file_size > limit or info.file_size > max(1 << 20, ratio * info.compress_size):
        raise LstmgenError(
            f"{path}: {name} is implausibly large ({info.file_size} bytes from "
            f"{info.compress_size} compressed); refusing to unpack it"
        )
    return info


def _small_member(archive: zipfile.ZipFile, path: str, name: str) -> bytes:
    """Read a (JSON) member into memory, within its checked size."""
    info = _checked_entry(archive, path, name)
    with archive.open(info) as member:
        data = member.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise LstmgenError(f"{path}: {name} is larger than its zip header says")
    return data


def _unpack_member(archive: zipfile.ZipFile, path: str, name: str, target: str) -> None:
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
    except OSError as error:
        raise LstmgenError(f"{path}: cannot unpack {name}: {error}") from None
