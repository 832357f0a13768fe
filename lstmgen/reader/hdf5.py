"""Legacy HDF5 files: `model_config` attribute plus a `model_weights` group."""

from __future__ import annotations

import h5py

from lstmgen.errors import LstmgenError
from lstmgen.reader.assemble import WeightList, as_weight, assemble, parse_json
from lstmgen.reader.limits import WeightReader, attribute, child
from lstmgen.reader.model_file import LayerSpec, ModelFile, ModelSpec
from lstmgen.reader.text import as_text, as_text_list


def read_hdf5(path: str) -> ModelFile:
    """Read a model saved with `model.save("x.h5")` by Keras 1.x, 2.x, tf.keras or Keras 3."""
    try:
        with h5py.File(path, "r") as handle:
            config_text = attribute(handle, "model_config", path)
            if config_text is None:
                raise LstmgenError(
                    f"{path}: HDF5 file without a model config "
                    "(saved with save_weights? lstmgen needs model.save)"
                )
            config = parse_json(as_text(config_text), f"{path}: model_config")
            version = attribute(handle, "keras_version", path)
            weights = child(handle, "model_weights", path)
            if weights is None:
                weights = handle
            reader = WeightReader(path)

            def weights_of(_model: ModelSpec, layer: LayerSpec) -> WeightList:
                top = layer.h5_path[0] if layer.h5_path else layer.name
                group = child(weights, top, path)
                if not isinstance(group, h5py.Group):
                    return (), ()
                names = tuple(as_text_list(attribute(group, "weight_names", path)))
                # A nested model's group holds all its layers' weights: pick this layer's.
                names = names_under(names, layer.h5_path[1:])
                datasets = [child(group, name, path) for name in names]
                for name, dataset in zip(names, datasets):
                    if not isinstance(dataset, h5py.Dataset):
                        raise LstmgenError(
                            f"{path}: layer '{layer.name}': weight '{name}' is missing"
                        )
                arrays = tuple(
                    as_weight(reader.read(dataset, layer.name, name), layer.name, name)
                    for name, dataset in zip(names, datasets)
                )
                return names, arrays

            return assemble(
                path,
                config,
                None if version is None else as_text(version),
                weights_of,
                as_text(attribute(handle, "backend", path, "")),
            )
    except (
        OSError,
        KeyError,
        ValueError,
        TypeError,
        RuntimeError,
        OverflowError,
        MemoryError,
    ) as error:
        # h5py reports truncated or corrupt files as OSError/KeyError from deep inside.
        raise LstmgenError(f"{path}: unreadable HDF5 file: {error}") from None


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
