"""Merge layers that broadcast, as both Kerases do: an input of lower rank gets new axes
right after the batch axis (`_Merge.call` in tf_keras, `Merge.call` in Keras 3)."""

import json
import shutil

import h5py
import pytest

from lstmgen.errors import LstmgenError
from lstmgen.generate import generate
from lstmgen.inspect_model import inspect_text
from oracle import check_against_keras, save

pytestmark = pytest.mark.keras


def every_merge(K):
    """Each merge class on inputs of different ranks and shapes."""
    L = K.layers
    flat, sequence, cube = K.Input((12,)), K.Input((10, 12)), K.Input((3, 1, 12))
    one, column = K.Input((1,)), K.Input((10, 1))
    outputs = [
        L.Add()([flat, sequence]),  # the (batch, 12) + (batch, 10, 12)
        L.Subtract()([sequence, flat]),  # the lower rank second
        L.Multiply()([flat, sequence, cube]),  # three ranks: (batch, 3, 10, 12)
        L.Average()([one, sequence]),  # a single number per row
        L.Maximum()([flat, sequence, column]),
        L.Minimum()([sequence, column]),  # equal ranks, broadcast on the last axis
        L.Add()([flat]),  # one input: Keras returns it
    ]
    return K.Model([flat, sequence, cube, one, column], outputs)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_merge_broadcasts_as_keras(any_keras, fmt, tmp_path):
    module = check_against_keras(every_merge(any_keras), tmp_path, fmt, batches=(1, 4))
    assert module.OUTPUT_SHAPES[2] == (None, 3, 10, 12)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_a_sequence_plus_a_last_state(any_keras, fmt, tmp_path):
    # (batch, steps, 8) + (batch, 8): not the same merge one timestep at a time, so the
    # module has no step(); a free time axis broadcasts too.
    K = any_keras
    x = K.Input((None, 3))
    sequence = K.layers.LSTM(8, return_sequences=True)(x)
    last = K.layers.GRU(8)(x)
    model = K.Model(x, K.layers.Dense(2)(K.layers.Add()([sequence, last])))
    module = check_against_keras(model, tmp_path, fmt, batches=(1, 3))
    assert not hasattr(module, "step")


def edited(source, target, change):
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        change(config["config"]["layers"])
        handle.attrs["model_config"] = json.dumps(config)
    return str(target)


@pytest.mark.parametrize(
    "first, second, message",
    [
        # Aligned from the right after the batch axis, 10 meets 12: Keras refuses it.
        ([None, 10], [None, 10, 12], r"sizes \[10, 12\] on axis 2"),
        ([3, 12], [4, 10, 12], r"different batch sizes \[3, 4\]"),
    ],
    ids=["axes", "batch"],
)
def test_shapes_keras_refuses_are_refused_by_generate_and_inspect(
    keras2, tmp_path, first, second, message
):
    K = keras2
    a, b = K.Input((12,), name="a"), K.Input((10, 12), name="b")
    path = save(K.Model([a, b], K.layers.Add(name="add")([a, b])), tmp_path, "h5")

    def change(layers):
        by_name = {layer["config"]["name"]: layer["config"] for layer in layers}
        by_name["a"]["batch_input_shape"], by_name["b"]["batch_input_shape"] = first, second

    path = edited(path, tmp_path / "bad.h5", change)
    with pytest.raises(LstmgenError, match=r"^layer 'add' \(Add\): inputs of shapes .*" + message):
        generate(path, "predictor")
    text, _ = inspect_text(path)
    assert "Translatable: no: layer 'add' (Add): inputs of shapes" in text
