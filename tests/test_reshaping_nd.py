"""ZeroPadding2D/3D, Cropping2D/3D and UpSampling2D/3D against both Keras: every spelling
of their options, both data formats, inside TimeDistributed (UpSampling2D's interpolations
other than nearest: tests/test_resizing.py)."""

import json

import h5py
import numpy as np
import pytest
from oracle import TOLERANCE, check_against_keras, generate_module, relative_error, save

pytestmark = pytest.mark.keras

SPATIAL = {2: (3, 4), 3: (2, 3, 3)}
CHANNELS = 2

# (padding, cropping, size) per spelling; per-axis values are cut to the rank.
SPELLINGS = {
    "int": (2, 1, 2),
    "per_axis": ((1, 2, 1), (1, 1, 0), (2, 1, 3)),
    "pairs": (((1, 0), (0, 2), (2, 1)), ((0, 1), (2, 0), (1, 1)), (1, 3, 2)),
}


def _fit(value, rank):
    return tuple(value[:rank]) if isinstance(value, tuple) else value


def _model(K, rank, spelling, data_format):
    padding, cropping, size = (_fit(v, rank) for v in SPELLINGS[spelling])
    shape = SPATIAL[rank] + (CHANNELS,)
    if data_format == "channels_first":
        shape = (CHANNELS,) + SPATIAL[rank]
    L = K.layers
    return K.Sequential(
        [
            K.Input(shape),
            getattr(L, f"ZeroPadding{rank}D")(padding, data_format=data_format),
            getattr(L, f"Cropping{rank}D")(cropping, data_format=data_format),
            getattr(L, f"UpSampling{rank}D")(size, data_format=data_format),
        ]
    )


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("rank", [2, 3])
def test_padding_cropping_up_sampling(any_keras, rank, spelling, data_format, tmp_path):
    model = _model(any_keras, rank, spelling, data_format)
    index = rank + list(SPELLINGS).index(spelling) + (data_format == "channels_first")
    check_against_keras(model, tmp_path, "keras" if index % 2 else "h5", batches=(2,))


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("rank", [2, 3])
def test_options_as_written(keras2, rank, spelling, tmp_path):
    # Keras saves (before, after) pairs; a config holding the spelling as the user wrote
    # it (an int, one int per axis) must mean the same.
    model = _model(keras2, rank, spelling, "channels_last")
    path = save(model, tmp_path, "h5")
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        layers = config["config"]["layers"][-3:]
        for layer, key, value in zip(layers, ("padding", "cropping", "size"), SPELLINGS[spelling]):
            layer["config"][key] = _fit(value, rank)
        handle.attrs["model_config"] = json.dumps(config)
    module = generate_module(path, tmp_path)
    x = np.random.default_rng(rank).normal(size=(2,) + SPATIAL[rank] + (CHANNELS,))
    x = x.astype(np.float32)
    assert relative_error(module.predict(x), np.asarray(model(x))) <= TOLERANCE


def test_inside_time_distributed_before_lstm(any_keras, tmp_path):
    K = any_keras
    L, td = K.layers, K.layers.TimeDistributed
    model = K.Sequential(
        [
            K.Input((3, 4, 5, 2)),
            td(L.ZeroPadding2D(((1, 0), (2, 1)))),
            td(L.Cropping2D((1, 2))),
            td(L.UpSampling2D((2, 1))),
            td(L.Flatten()),
            L.LSTM(3),
        ]
    )
    module = check_against_keras(model, tmp_path, "h5" if K.__name__ == "keras" else "keras")
    assert module.OUTPUT_SHAPES == [(None, 3)]
