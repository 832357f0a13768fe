"""Hypothesis draws random functional DAGs (branches and merges) of supported layers."""

import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracle import check_against_keras

pytestmark = pytest.mark.keras

SEQUENCE_OPS = ["lstm", "gru", "conv", "dense", "norm", "bidirectional", "activation"]
MERGES = ["Add", "Multiply", "Average", "Maximum", "Concatenate"]


@st.composite
def dag_specs(draw):
    """A list of operations, each reading one or two earlier tensors (all rank 3)."""
    ops = []
    for index in range(draw(st.integers(2, 6))):
        available = index + 1  # the input plus earlier results
        if index and draw(st.booleans()):
            a, b = draw(st.tuples(st.integers(0, available - 1), st.integers(0, available - 1)))
            ops.append(("merge", draw(st.sampled_from(MERGES)), (a, b)))
        else:
            source = draw(st.integers(0, available - 1))
            ops.append(("op", draw(st.sampled_from(SEQUENCE_OPS)), (source,)))
    head = draw(st.sampled_from(["lstm", "pool", "flatten"]))
    return ops, head


def build(K, steps, ops, head):
    L = K.layers
    inputs = K.Input((steps, 4))
    tensors = [inputs]
    width = 4  # every sequence op keeps 4 features, so any two tensors can merge
    for kind, name, sources in ops:
        if kind == "merge":
            a, b = (tensors[s] for s in sources)
            if name == "Concatenate":
                y = L.Dense(width)(L.Concatenate()([a, b]))
            else:
                y = getattr(L, name)()([a, b])
        else:
            x = tensors[sources[0]]
            layer = {
                "lstm": lambda: L.LSTM(width, return_sequences=True),
                "gru": lambda: L.GRU(width, return_sequences=True, go_backwards=True),
                "conv": lambda: L.Conv1D(width, 3, padding="causal", activation="tanh"),
                "dense": lambda: L.Dense(width, activation="relu"),
                "norm": lambda: L.LayerNormalization(),
                "bidirectional": lambda: L.Bidirectional(
                    L.SimpleRNN(width // 2, return_sequences=True)
                ),
                "activation": lambda: L.Activation("sigmoid"),
            }[name]()
            y = layer(x)
        tensors.append(y)
    last = tensors[-1]
    if head == "lstm":
        out = L.LSTM(3)(last)
    elif head == "pool":
        out = L.GlobalAveragePooling1D()(last)
    else:
        out = L.Dense(2)(L.Flatten()(last))
    return K.Model(inputs, [out, tensors[len(tensors) // 2]])


@pytest.mark.slow
@pytest.mark.parametrize("version", ["keras2", "keras3"])
@settings(max_examples=15)
@given(spec=dag_specs(), fmt=st.sampled_from(["h5", "keras"]), seed=st.integers(0, 1000))
def test_random_functional_dags(request, version, spec, fmt, seed):
    K = request.getfixturevalue(version)
    ops, head = spec
    model = build(K, 6, ops, head)
    with tempfile.TemporaryDirectory() as folder:
        check_against_keras(model, folder, fmt, batches=(1, 3), seed=seed, scale=0.4)
