"""The reader records calls as the file has them; each layer's call signature, declared
in the registry, says how its calls take tensors and masks. No Keras needed."""

from __future__ import annotations

import os

import pytest

from lstmgen.errors import UnsupportedError
from lstmgen.graph_order import layer_call
from lstmgen.layers import REGISTRY
from lstmgen.layers.entry import CallSignature, Entry
from lstmgen.reader.model_file import TensorRef
from lstmgen.reader.normalize import parse_flat_config

READER = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lstmgen", "reader"
)


def tensor(layer, node=0, index=0):
    """A Keras 3 tensor argument."""
    return {"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, index]}}


def keras3_model(layer, args, kwargs):
    """A Keras 3 functional config: inputs x, y, z (3 features) and one call of `layer`."""
    inputs = [
        {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, 4, 3]}}
        for name in ("x", "y", "z")
    ]
    called = {**layer, "inbound_nodes": [{"args": args, "kwargs": kwargs}]}
    return {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": inputs + [called],
            "input_layers": [[name, 0, 0] for name in ("x", "y", "z")],
            "output_layers": [[layer["config"]["name"], 0, 0]],
        },
    }


MHA = {"class_name": "MultiHeadAttention", "config": {"name": "mha", "num_heads": 2, "key_dim": 2}}
LSTM = {"class_name": "LSTM", "config": {"name": "lstm", "units": 3}}


def the_call(config):
    """The one recorded call of the model's last layer, read through its registry entry."""
    record = parse_flat_config(config).layers[-1]
    return record, layer_call(record, 0, record.calls[0], REGISTRY[record.class_name].call)


def test_the_reader_records_keyword_tensors_as_given():
    record = parse_flat_config(keras3_model(MHA, [tensor("x")], {"value": tensor("y")})).layers[-1]
    (spec,) = record.calls
    assert spec.inputs == (TensorRef("x"),)
    assert spec.keywords == (("value", (TensorRef("y"),)),)
    assert spec.tensor_arguments == 2 and not spec.mask_given


def test_multi_head_attention_takes_query_value_key_by_keyword_in_its_order():
    kwargs = {"key": tensor("z"), "value": tensor("y"), "use_causal_mask": True}
    _, call = the_call(keras3_model(MHA, [tensor("x")], kwargs))
    assert call.inputs == (TensorRef("x"), TensorRef("y"), TensorRef("z"))
    assert call.options == {"use_causal_mask": True}
    # one mask per tensor argument: Keras 3 passes each one's mask however many there are
    assert call.masked is None


def test_a_recurrent_layer_takes_initial_states_after_its_input():
    kwargs = {"initial_state": [tensor("y"), tensor("z")]}
    _, call = the_call(keras3_model(LSTM, [tensor("x")], kwargs))
    assert call.inputs == (TensorRef("x"), TensorRef("y"), TensorRef("z"))
    # one mask for the call: Keras 3 passes none to a call with several tensor arguments
    assert call.masked is False


def test_an_explicit_mask_is_noted_and_a_single_argument_takes_the_propagated_one():
    _, call = the_call(keras3_model(LSTM, [tensor("x")], {"mask": tensor("y")}))
    assert call.inputs == (TensorRef("x"),) and call.masked is True
    _, call = the_call(keras3_model(LSTM, [tensor("x")], {}))
    assert call.masked is None


def test_tensors_by_a_keyword_the_layer_does_not_take_are_refused():
    config = keras3_model(LSTM, [tensor("x")], {"constants": tensor("y")})
    with pytest.raises(
        UnsupportedError, match=r"layer 'lstm' \(LSTM\): tensors passed as 'constants='"
    ):
        the_call(config)


def test_every_registry_entry_has_a_handler_and_a_call_signature():
    assert all(isinstance(entry, Entry) and callable(entry.build) for entry in REGISTRY.values())
    assert REGISTRY["LSTM"].call == CallSignature()
    assert REGISTRY["MultiHeadAttention"].call.mask_per_argument


def test_the_reader_names_no_layer_class_it_does_not_read_itself():
    """What a layer's call takes is its registry entry's business, not the reader's."""
    for name in os.listdir(READER):
        if name.endswith(".py") and name != "keras1.py":  # Keras 1's own class names
            text = open(os.path.join(READER, name), encoding="utf-8").read()
            assert "MultiHeadAttention" not in text and "Normalization" not in text, name
