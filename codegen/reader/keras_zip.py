"""Keras 3 `.keras` zips: config.json, metadata.json and model.weights.h5."""

from __future__ import annotations

import io
import zipfile
from typing import Any, Dict, List, Tuple

import h5py
import numpy as np

from codegen.errors import LstmgenError
from codegen.reader import WeightList, as_float32, assemble, parse_json
from codegen.reader.normalize import LayerSpec, ModelSpec, container_paths
from codegen.reader.saved_model import SavedModel

# Upper bounds for members: a real model never comes near them, a zip bomb does.
_MEMBER_LIMITS = {
    "config.json": 64 << 20,
    "metadata.json": 1 << 20,
    "model.weights.h5": 16 << 30,
}
_MAX_COMPRESSION_RATIO = 200
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


def read_keras_zip(path: str) -> SavedModel:
    """Read a `.keras` file written by Keras 3 (or by tf_keras 2.13+)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = parse_json(_member(archive, path, "config.json"), f"{path}: config.json")
            metadata = parse_json(
                _member(archive, path, "metadata.json"), f"{path}: metadata.json"
            )
            blob = _member(archive, path, "model.weights.h5")
    except zipfile.BadZipFile as error:
        raise LstmgenError(f"{path}: not a valid .keras zip: {error}") from None
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    try:
        with h5py.File(io.BytesIO(blob), "r") as weights:
            return _assemble_with(path, config, version, weights)
    except (OSError, KeyError, ValueError, TypeError, RuntimeError, OverflowError, MemoryError) as error:
        raise LstmgenError(f"{path}: unreadable model.weights.h5: {error}") from None


def _assemble_with(path: str, config, version, weights: h5py.File) -> SavedModel:
    def weights_of(_model: ModelSpec, layer: LayerSpec) -> WeightList:
        # A layer's group is named after its class, counted per class, in model order.
        group_path = layer.keras_path
        if not group_path or group_path not in weights:
            return (), ()
        pairs = _collect(weights[group_path], "", layer.config)
        names = tuple(name for name, _ in pairs)
        arrays = tuple(as_float32(array, layer.name, name) for name, array in pairs)
        return names, arrays

    return assemble(path, "keras", config, version, weights_of)


def _collect(group: h5py.Group, prefix: str, config: Any) -> List[Tuple[str, np.ndarray]]:
    """Own `vars/0..n` first, then sub-objects (e.g. `cell`), as in Keras's `layer.weights`.
    `config` is the Keras config of what `group` holds; it orders objects kept in a list
    (StackedRNNCells's cells), whose groups are named after their class, not their place."""
    pairs: List[Tuple[str, np.ndarray]] = []
    if "vars" in group:
        variables = group["vars"]
        for key in sorted(variables.keys(), key=lambda k: (len(k), k)):
            pairs.append((f"{prefix}vars/{key}", variables[key][()]))
    order = _list_order(config)
    ranked = sorted(group.keys(), key=lambda k: (_CHILD_ORDER.get(k, 1), order.get(k, -1), k))
    for key in ranked:
        if key != "vars" and isinstance(group[key], h5py.Group):
            child = _child_config(config, key, order)
            pairs.extend(_collect(group[key], f"{prefix}{key}/", child))
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


def _member(archive: zipfile.ZipFile, path: str, name: str) -> bytes:
    """Read one member, refusing anything absurdly large or compressed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise LstmgenError(f"{path}: the .keras zip has no {name}") from None
    limit = _MEMBER_LIMITS[name]
    if info.file_size > limit or info.file_size > max(
        1 << 20, _MAX_COMPRESSION_RATIO * info.compress_size
    ):
        raise LstmgenError(
            f"{path}: {name} is implausibly large ({info.file_size} bytes from "
            f"{info.compress_size} compressed); refusing to unpack it"
        )
    with archive.open(info) as member:
        data = member.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise LstmgenError(f"{path}: {name} is larger than its zip header says")
    return data
