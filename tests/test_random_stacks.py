"""Hypothesis draws random Sequential stacks of the supported layers; Keras must agree."""

import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmgen.options import Options
from oracle import check_against_keras

pytestmark = pytest.mark.keras

ACTIVATIONS = [
    "linear",
    "relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softsign",
    "softplus",
    "swish",
    "mish",
    "leaky_relu",
    "softmax",
    "log_softmax",
]
GATE_ACTIVATIONS = ["sigmoid", "hard_sigmoid", "tanh", "softsign", "linear"]


@st.composite
def layer_specs(draw):
    """A list of (kind, options) that always forms a valid Sequential model."""
    specs, rank = [], 3
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["dense", "activation", "noop", "relu", "leaky_relu", "softmax"]
        kind = draw(st.sampled_from(kinds + ["lstm"] * 3 if rank == 3 else kinds))
        if kind == "lstm":
            sequences = draw(st.booleans())
            options = {
                "units": draw(st.integers(1, 5)),
                "activation": draw(st.sampled_from(GATE_ACTIVATIONS)),
                "recurrent_activation": draw(st.sampled_from(GATE_ACTIVATIONS)),
                "use_bias": draw(st.booleans()),
                "go_backwards": draw(st.booleans()),
                "return_sequences": sequences,
            }
            rank = 3 if sequences else 2
        elif kind == "dense":
            options = {
                "units": draw(st.integers(1, 5)),
                "activation": draw(st.sampled_from(ACTIVATIONS)),
                "use_bias": draw(st.booleans()),
            }
        elif kind == "activation":
            options = {"activation": draw(st.sampled_from(ACTIVATIONS))}
        elif kind == "relu":
            options = {
                "max_value": draw(st.sampled_from([None, 1.0, 6.0])),
                "threshold": draw(st.sampled_from([0.0, 0.25])),
            }
        elif kind == "noop":
            options = {"layer": draw(st.sampled_from(["Dropout", "GaussianNoise", "AlphaDropout"]))}
        else:
            options = {}
        specs.append((kind, options))
    return specs


def build(K, steps, features, specs):
    layers = [K.Input((steps, features))]
    for kind, options in specs:
        if kind == "lstm":
            layers.append(K.layers.LSTM(**options))
        elif kind == "dense":
            layers.append(K.layers.Dense(**options))
        elif kind == "activation":
            layers.append(K.layers.Activation(options["activation"]))
        elif kind == "relu":
            layers.append(K.layers.ReLU(**options))
        elif kind == "leaky_relu":
            layers.append(K.layers.LeakyReLU())
        elif kind == "softmax":
            layers.append(K.layers.Softmax())
        else:
            layers.append(getattr(K.layers, options["layer"])(0.3))
    return K.Sequential(layers)


@pytest.mark.slow
@pytest.mark.parametrize("version", ["keras2", "keras3"])
@settings(max_examples=25)
@given(
    steps=st.integers(1, 6),
    features=st.integers(1, 4),
    specs=layer_specs(),
    fmt=st.sampled_from(["h5", "keras"]),
    unroll=st.sampled_from([None, False]),
    seed=st.integers(0, 1000),
)
def test_random_sequential_stacks(request, version, steps, features, specs, fmt, unroll, seed):
    K = request.getfixturevalue(version)
    model = build(K, steps, features, specs)
    with tempfile.TemporaryDirectory() as folder:
        check_against_keras(
            model,
            folder,
            fmt,
            batches=(1, 3),
            options=Options(unroll=unroll),
            seed=seed,
            scale=0.4,
        )
