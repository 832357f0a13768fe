"""Hypothesis draws random recurrent stacks from every recurrent option; Keras must agree."""

import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.layers.base import Options
from oracle import check_against_keras, padded, random_inputs

KINDS = ["LSTM", "GRU", "SimpleRNN"]
ACTIVATIONS = ["tanh", "sigmoid", "hard_sigmoid", "softsign", "relu"]


@st.composite
def recurrent_specs(draw):
    """(masking, [layer specs]) for a valid Sequential recurrent stack."""
    count = draw(st.integers(1, 3))
    specs = []
    for index in range(count):
        last = index == count - 1
        kind = draw(st.sampled_from(KINDS))
        options = {
            "units": draw(st.integers(1, 5)),
            "activation": draw(st.sampled_from(ACTIVATIONS)),
            "use_bias": draw(st.booleans()),
            "go_backwards": draw(st.booleans()),
            "return_sequences": draw(st.booleans()) if last else True,
        }
        if kind != "SimpleRNN":
            options["recurrent_activation"] = draw(st.sampled_from(ACTIVATIONS))
        if kind == "GRU":
            options["reset_after"] = draw(st.booleans())
        wrap = draw(st.sampled_from([None, None, "concat", "sum", "mul", "ave"]))
        specs.append((kind, options, wrap))
        if not last and draw(st.booleans()):
            specs.append(("TimeDistributedDense", {"units": draw(st.integers(1, 4))}, None))
    return draw(st.booleans()), specs


def build(K, steps, masking, specs):
    layers = [K.Input((steps, 3))]
    if masking:
        layers.append(K.layers.Masking(0.0))
    for kind, options, wrap in specs:
        if kind == "TimeDistributedDense":
            layers.append(K.layers.TimeDistributed(K.layers.Dense(**options)))
            continue
        layer = getattr(K.layers, kind)(**options)
        layers.append(K.layers.Bidirectional(layer, merge_mode=wrap) if wrap else layer)
    layers.append(K.layers.Dense(2))
    return K.Sequential(layers)


@pytest.mark.slow
@pytest.mark.parametrize("version", ["keras2", "keras3"])
@settings(max_examples=20)
@given(
    steps=st.sampled_from([1, 4, 6, None]),
    spec=recurrent_specs(),
    fmt=st.sampled_from(["h5", "keras"]),
    unroll=st.sampled_from([None, False]),
    seed=st.integers(0, 1000),
)
def test_random_recurrent_stacks(request, version, steps, spec, fmt, unroll, seed):
    K = request.getfixturevalue(version)
    masking, specs = spec
    if version == "keras3" and any(wrap and options["go_backwards"] for _, options, wrap in specs):
        specs = [(k, dict(o, go_backwards=False) if w else o, w) for k, o, w in specs]
    model = build(K, steps, masking, specs)
    with tempfile.TemporaryDirectory() as folder:
        check_against_keras(
            model, folder, fmt, batches=(1, 4), options=Options(unroll=unroll), seed=seed,
            scale=0.4, make_inputs=padded if masking else random_inputs, steps=5,
        )
