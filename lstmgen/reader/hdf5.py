"""Legacy HDF5 files: `model_config` attribute plus a `model_weights` group."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import h5py

from lstmgen.errors import LstmgenError
from lstmgen.reader.assemble import WeightList, as_weight, assemble, parse_json
from lstmgen.reader.h5_access import H5_ERRORS, WeightReader, attribute, child
from lstmgen.reader.model_file import LayerSpec, ModelFile, ModelSpec
from lstmgen.reader.text import as_text, as_text_list


def read_hdf5(path: str) -> ModelFile:
    """Read a model saved with `model.save("x.h5")` by Keras 1.x, 2.x, tf.keras or Keras 3."""
    with unreadable(path):
        handle = h5py.File(path, "r")
    with handle:
        with unreadable(path):
            config_text = attribute(handle, "model_config", path)
            version = attribute(handle, "keras_version", path)
            backend = attribute(handle, "backend", path, "")
            weights = child(handle, "model_weights", path)
        if config_text is None:
            raise LstmgenError(
                f"{path}: HDF5 file without a model config "
                "(saved with save_weights? lstmgen needs model.save)"
            )
        config = parse_json(_text(config_text, path, "model_config"), f"{path}: model_config")
        if weights is not None:
            with unreadable(path):
                _check_layer_order(path, config, weights)
        return assemble(
            path,
            config,
            None if version is None else _text(version, path, "keras_version"),
            _weights_of(path, handle if weights is None else weights),
            _text(backend, path, "backend"),
        )


@contextmanager
def unreadable(path: str) -> Iterator[None]:
    """h5py reports truncated or corrupt files as any of H5_ERRORS, from deep inside:
    one message that names the file."""
    try:
        yield
    except H5_ERRORS as error:
        raise LstmgenError(f"{path}: unreadable HDF5 file: {error}") from None


def _text(value, path: str, name: str) -> str:
    try:
        return as_text(value)
    except UnicodeDecodeError:
        raise LstmgenError(f"{path}: HDF5 attribute '{name}' is not UTF-8 text") from None


def _weights_of(path: str, weights: h5py.Group):
    """The weight lookup for assemble(): a layer's group holds `weight_names`."""
    reader = WeightReader(path)

    def weights_of(_model: ModelSpec, layer: LayerSpec) -> WeightList:
        top = layer.h5_path[0] if layer.h5_path else layer.name
        with unreadable(path):
            group = child(weights, top, path)
            if not isinstance(group, h5py.Group):
                return (), ()
            names = tuple(as_text_list(attribute(group, "weight_names", path)))
            # A nested model's group holds all its layers' weights: pick this layer's.
            names = names_under(names, layer.h5_path[1:])
            datasets = [child(group, name, path) for name in names]
            for name, dataset in zip(names, datasets):
                if not isinstance(dataset, h5py.Dataset):
                    raise LstmgenError(f"{path}: layer '{layer.name}': weight '{name}' is missing")
            arrays = [
                reader.read(dataset, layer.name, name) for name, dataset in zip(names, datasets)
            ]
        return names, tuple(as_weight(a, layer.name, n) for a, n in zip(arrays, names))

    return weights_of


def _check_layer_order(path: str, config, weights) -> None:
    """Keras gives the model's layers that have weights the groups that `layer_names` lists
    (those with weight names), by their place in that list; lstmgen finds a layer's group
    by its name. A file where the two differ (the list reordered, or naming other groups)
    would make Keras and the predictor use different weights: refused. (Lists of another
    length Keras refuses to load; a layer then left without its group, lstmgen refuses.)"""
    if not isinstance(weights, h5py.Group):
        return
    listed = attribute(weights, "layer_names", path)
    if listed is None:
        return

    def has_weights(name: str) -> bool:
        group = child(weights, name, path)
        return isinstance(group, h5py.Group) and bool(
            len(as_text_list(attribute(group, "weight_names", path, [])))
        )

    in_file = [name for name in as_text_list(listed) if has_weights(name)]
    in_config = [name for name in _top_layer_names(config) if has_weights(name)]
    if len(in_file) == len(in_config) and in_file != in_config:
        raise LstmgenError(
            f"{path}: model_weights lists the weights of layers {_few(in_file)} in that "
            f"order, but the config's layers with weights are {_few(in_config)}; Keras "
            "assigns weights by that order and lstmgen by name, so they would disagree"
        )


def _top_layer_names(config) -> list:
    """The names of the model's own layers, in config order."""
    body = config.get("config") if isinstance(config, dict) else None
    layers = body.get("layers") if isinstance(body, dict) else body
    if not isinstance(layers, list):
        return []
    bodies = [item.get("config") for item in layers if isinstance(item, dict)]
    return [b["name"] for b in bodies if isinstance(b, dict) and isinstance(b.get("name"), str)]


def _few(names) -> str:
    return repr(names) if len(names) <= 8 else f"{repr(names[:8])[:-1]}, ...] ({len(names)} in all)"


def names_under(names, path):
    """The weight names of the layer at `path` inside a nested model's group.

    Keras 3 names them '<model>/<submodel>/<layer>/...', Keras 2 '<layer>/...' only:
    the layer's own name must appear, the models around it where they are written.
    """
    if not path:
        return names
    chosen = []
    for name in names:
        parts, position = name.split("/"), 0
        for step in path[:-1]:
            if step in parts[position:]:
                position = parts.index(step, position) + 1
        if path[-1] in parts[position:]:
            chosen.append(name)
    return tuple(chosen)
