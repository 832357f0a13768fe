"""Hypothesis draws random recurrent stacks from every recurrent option; Keras must agree."""

import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmgen.options import Options
from oracle import check_against_keras, flatten, padded, random_inputs, zero_padding

pytestmark = pytest.mark.keras

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
            model,
            folder,
            fmt,
            batches=(1, 4),
            options=Options(unroll=unroll),
            seed=seed,
            scale=0.4,
            make_inputs=padded if masking else random_inputs,
            steps=5,
        )


# ---- functional recurrent graphs: the options a Sequential stack cannot express ----------

FRONTS = ["none", "masking_post", "masking_pre", "embedding_post", "embedding_pre"]
CELL_KINDS = ["LSTM", "GRU", "SimpleRNN", "RNN(LSTMCell)", "RNN(GRUCell)", "RNN(stacked)"]


@st.composite
def recurrent_graphs(draw):
    """A front (mask source), then 1-2 recurrent layers with the rarer options."""
    count = draw(st.integers(1, 2))
    layers = []
    for index in range(count):
        last = index == count - 1
        kind = draw(st.sampled_from(CELL_KINDS))
        spec = {
            "kind": kind,
            "units": draw(st.integers(1, 4)),
            "go_backwards": draw(st.booleans()),
            "return_sequences": draw(st.booleans()) if last else True,
            "return_state": last and draw(st.booleans()),
            "zero_output_for_mask": draw(st.booleans()),
            "wrap": draw(st.sampled_from([None, None, "concat", "sum", "ave", "None"])),
            "backward_layer": draw(st.booleans()),
            "initial_state": index == 0 and draw(st.booleans()),
        }
        if spec["wrap"]:
            spec["initial_state"] = False
        layers.append(spec)
    return draw(st.sampled_from(FRONTS)), layers


def state_sizes(spec):
    units = spec["units"]
    if spec["kind"] in ("LSTM", "RNN(LSTMCell)"):
        return [units, units]
    if spec["kind"] == "RNN(stacked)":
        return [units, units, units + 1]  # LSTMCell(units), GRUCell(units + 1)
    return [units]


def recurrent_layer(K, spec, backwards):
    L = K.layers
    units, kind = spec["units"], spec["kind"]
    common = {
        "return_sequences": spec["return_sequences"],
        "return_state": spec["return_state"],
        "go_backwards": backwards,
        "zero_output_for_mask": spec["zero_output_for_mask"],
    }
    if kind == "RNN(LSTMCell)":
        return L.RNN(L.LSTMCell(units), **common)
    if kind == "RNN(GRUCell)":
        return L.RNN(L.GRUCell(units), **common)
    if kind == "RNN(stacked)":
        return L.RNN(L.StackedRNNCells([L.LSTMCell(units), L.GRUCell(units + 1)]), **common)
    return getattr(L, kind)(units, **common)


def build_graph(K, steps, front, specs):
    L = K.layers
    embedded = front.startswith("embedding")
    sequence = K.Input((steps,), dtype="int32") if embedded else K.Input((steps, 3))
    inputs, x = [sequence], sequence
    if embedded:
        x = L.Embedding(12, 3, mask_zero=True)(x)
    elif front.startswith("masking"):
        x = L.Masking(0.0)(x)
    outputs = []
    for spec in specs:
        forward = recurrent_layer(K, spec, spec["go_backwards"])
        if spec["wrap"]:
            mode = None if spec["wrap"] == "None" else spec["wrap"]
            backward = (
                recurrent_layer(K, spec, not spec["go_backwards"])
                if spec["backward_layer"]
                else None
            )
            result = L.Bidirectional(forward, merge_mode=mode, backward_layer=backward)(x)
        elif spec["initial_state"]:
            states = [K.Input((size,)) for size in state_sizes(spec)]
            inputs += states
            if spec["kind"] == "RNN(stacked)":  # one entry per cell (tf_keras: GRU's bare)
                states = [states[:2], states[2] if K.__name__ == "tf_keras" else states[2:]]
            result = forward(x, initial_state=states)
        else:
            result = forward(x)
        result = result if isinstance(result, (list, tuple)) else [result]
        result = flatten(result)
        merged = 2 if spec["wrap"] == "None" else 1
        x = result[0] if merged == 1 else L.Concatenate()(result[:2])
        outputs += result[merged:]  # states, when return_state
    return K.Model(inputs, [x] + outputs)


def graph_inputs(front):
    def make(shapes, batch, seed, steps):
        rng = np.random.default_rng(seed)
        pre = front.endswith("pre")
        if front.startswith("embedding"):
            ids = rng.integers(
                1, 12, (batch,) + tuple(steps if n is None else n for n in shapes[0][1:])
            )
            first = [zero_padding(ids, rng, pre).astype(np.int32)]
        elif front.startswith("masking"):
            first = padded(shapes[:1], batch, seed, steps, pre=pre)
        else:
            first = random_inputs(shapes[:1], batch, seed, steps)
        return first + [
            rng.normal(size=(batch,) + tuple(s[1:])).astype(np.float32) for s in shapes[1:]
        ]

    return make


@pytest.mark.slow
@pytest.mark.parametrize("version", ["keras2", "keras3"])
@settings(max_examples=15, deadline=None)
@given(
    steps=st.sampled_from([1, 5, None]),
    graph=recurrent_graphs(),
    fmt=st.sampled_from(["h5", "keras"]),
    seed=st.integers(0, 1000),
)
def test_random_recurrent_graphs(request, version, steps, graph, fmt, seed):
    K = request.getfixturevalue(version)
    front, specs = graph
    if version == "keras3":  # Keras 3 cannot wrap a layer that reads backwards itself
        specs = [dict(s, go_backwards=False) if s["wrap"] else s for s in specs]
    model = build_graph(K, steps, front, specs)
    with tempfile.TemporaryDirectory() as folder:
        check_against_keras(
            model,
            folder,
            fmt,
            batches=(1, 3),
            seed=seed,
            scale=0.4,
            make_inputs=graph_inputs(front),
            steps=5,
        )
