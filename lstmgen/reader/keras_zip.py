"""Keras 3 `.keras` zips: config.json, metadata.json and model.weights.h5."""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import replace
from typing import Any, Dict, List, Set, Tuple

import h5py

from lstmgen.errors import LstmgenError
import lstmgen.reader.limits as limits
from lstmgen.reader.assemble import WeightList, as_weight, assemble, parse_json
from lstmgen.reader.h5_access import H5_ERRORS, WeightReader, child
from lstmgen.reader.model_file import LayerSpec, ModelFile, ModelSpec
from lstmgen.reader.normalize import container_paths
from lstmgen.reader.zip_members import (
    asset_members,
    check_other_members,
    small_member,
    unpack_member,
)

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
                if len(archive.infolist()) > limits.MAX_ZIP_MEMBERS:
                    raise LstmgenError(
                        f"{path}: the .keras zip has {len(archive.infolist())} members, "
                        f"more than the {limits.MAX_ZIP_MEMBERS} lstmgen accepts"
                    )
                check_other_members(archive, path)
                config = parse_json(
                    small_member(archive, path, "config.json"), f"{path}: config.json"
                )
                metadata = parse_json(
                    small_member(archive, path, "metadata.json"), f"{path}: metadata.json"
                )
                unpack_member(archive, path, "model.weights.h5", weights_path)
                assets = asset_members(archive, path)
        except (zipfile.BadZipFile, EOFError, ValueError) as error:
            raise LstmgenError(f"{path}: not a valid .keras zip: {error}") from None
        version = _keras_version(metadata, path)
        try:
            weights = h5py.File(weights_path, "r")
        except H5_ERRORS as error:
            raise LstmgenError(f"{path}: unreadable model.weights.h5: {error}") from None
        with weights:
            model = assemble(path, config, version, _weights_of(path, weights))
    return replace(model, layers=tuple(_with_assets(layer, assets) for layer in model.layers))


def _with_assets(layer: LayerSpec, assets: Dict[str, bytes]) -> LayerSpec:
    """The layer with the files Keras saved for it under assets/<its weight group>/."""
    folder = f"assets/{layer.keras_path}/"
    mine = {name[len(folder) :]: data for name, data in assets.items() if name.startswith(folder)}
    return replace(layer, assets=mine) if mine else layer


def _keras_version(metadata: Any, path: str):
    """metadata.json's keras_version: a string such as "3.5.0", or None when absent."""
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    if version is not None and not isinstance(version, str):
        raise LstmgenError(
            f"{path}: metadata.json: keras_version is {version!r} ({type(version).__name__}), "
            'expected a version string such as "3.5.0"'
        )
    return version


def _weights_of(path: str, weights: h5py.File):
    """The weight lookup for assemble(): a layer's group is named after its class, counted
    per class, in model order. Errors h5py raises from inside the file name it."""
    reader = WeightReader(path)

    def weights_of(_model: ModelSpec, layer: LayerSpec) -> WeightList:
        try:
            group = child(weights, layer.keras_path, path) if layer.keras_path else None
            if not isinstance(group, h5py.Group):
                return (), ()
            pairs = _collect(group, "", layer.config, path, set())
            names = tuple(name for name, _ in pairs)
            arrays = tuple(reader.read(dataset, layer.name, name) for name, dataset in pairs)
        except H5_ERRORS as error:
            raise LstmgenError(f"{path}: unreadable model.weights.h5: {error}") from None
        return names, tuple(as_weight(a, layer.name, n) for a, n in zip(arrays, names))

    return weights_of


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
