"""The module's header states the Keras-version semantics that apply to its model, and
only those: each handler notes where the saving version decided its math. No Keras."""

import os

import numpy as np
import pytest

from lstmgen.generate import generate
from oracle import handler_result

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "generated_examples")


def header(path):
    source = generate(path)
    return source[: source.index('"""', 3)]


def test_a_keras2_model_with_hard_sigmoid_states_keras2s():
    text = header(os.path.join(EXAMPLES, "seed_lstm", "model.h5"))
    assert (
        "Saved by:     Keras 2.21.0\n"
        "Keras 2 semantics, where the Keras versions differ:\n"
        "    hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)\n\n"
    ) in text


def test_a_model_nothing_version_dependent_applies_to_states_nothing():
    text = header(os.path.join(EXAMPLES, "textgen", "model.keras"))
    assert "Saved by:     Keras 3.15.1\n\n" in text and "semantics" not in text


def lstm(units=2, features=3, **config):
    weights = [np.ones((features, 4 * units)), np.ones((units, 4 * units)), np.ones(4 * units)]
    return "LSTM", {"name": "lstm", "units": units, **config}, weights, [(None, 5, features)]


def gru(reset_after, keras_major=2):
    config = {"name": "gru", "units": 2}
    if reset_after is not None:
        config["reset_after"] = reset_after
    after = reset_after if reset_after is not None else keras_major == 3
    bias = np.ones((2, 6)) if after else np.ones(6)
    return "GRU", config, [np.ones((3, 6)), np.ones((2, 6)), bias], [(None, 5, 3)]


def bidirectional(go_backwards):
    _, inner, weights, shapes = lstm(go_backwards=go_backwards)
    config = {"name": "bi", "layer": {"class_name": "LSTM", "config": inner}}
    return "Bidirectional", config, weights + weights, shapes


def dot(normalize):
    config = {"name": "dot", "axes": 1, "normalize": normalize}
    return "Dot", config, [], [(None, 4), (None, 4)]


def resizing(interpolation):
    config = {"name": "r", "height": 4, "width": 4, "interpolation": interpolation}
    return "Resizing", config, [], [(None, 8, 8, 3)]


def center_crop(size):
    config = {"name": "c", "height": 7, "width": 7}
    return "CenterCrop", config, [], [(None, size, size, 3)]


@pytest.mark.parametrize(
    "layer, major, expected",
    [
        (
            lstm(recurrent_activation="hard_sigmoid"),
            3,
            ["hard_sigmoid(x) = clip(x / 6 + 0.5, 0, 1)"],
        ),
        (lstm(recurrent_activation="sigmoid"), 2, []),
        (gru(None), 2, ["GRU without reset_after in its config: reset_after=False"]),
        (gru(None, 3), 3, ["GRU without reset_after in its config: reset_after=True"]),
        (gru(False), 2, []),
        (
            bidirectional(True),
            2,
            ["Bidirectional around a go_backwards layer: its backward copy reads forwards"],
        ),
        (
            bidirectional(True),
            3,
            ["Bidirectional around a go_backwards layer: its backward copy reads backwards too"],
        ),
        (bidirectional(False), 2, []),
        (dot(True), 2, ["Dot(normalize=True): each squared norm at least 1e-12"]),
        (dot(False), 3, []),
        (
            ("UnitNormalization", {"name": "u"}, [], [(None, 4)]),
            3,
            ["UnitNormalization: each sum of squares at least 1e-24"],
        ),
        (resizing("bilinear"), 3, ["Resizing of integer images: rounded back to their dtype"]),
        (resizing("bilinear"), 2, ["Resizing of integer images: float32 results"]),
        (resizing("nearest"), 3, []),
        (center_crop(6), 3, ["CenterCrop of a smaller image: its crop sized in float64"]),
        (center_crop(None), 2, ["CenterCrop of a smaller image: its crop sized in float32"]),
        (center_crop(8), 3, []),
    ],
)
def test_each_version_decision_is_stated_where_it_applies(layer, major, expected):
    class_name, config, weights, shapes = layer
    built = handler_result(class_name, config, weights, shapes, keras_major=major)
    assert sorted(built.semantics) == expected
