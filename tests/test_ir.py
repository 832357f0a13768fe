"""Reader and handlers -> IR, on the golden files: what the graph holds before any
template sees it. Keras-free."""

import io
import zipfile

import h5py
import numpy as np
import pytest

from golden import golden_path, manifest, read_golden, read_golden_graph
from lstmgen.options import Options

FILES = sorted(manifest())
KERAS2_AND_3 = [name for name in FILES if ".k1." not in name]


def float_arrays(path):
    """The bytes of every float dataset in the file's weights (inside a .keras, too)."""
    found = set()

    def grab(handle):
        def visit(_, item):
            if isinstance(item, h5py.Dataset) and item.dtype.kind == "f":
                found.add(item[()].astype("<f4").tobytes())

        handle.visititems(visit)

    if path.endswith(".h5"):
        with h5py.File(path, "r") as handle:
            grab(handle)
    else:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as handle:
            grab(handle)
    return found


def config_lists(value, found=None):
    """The float32 bytes of every list of numbers in a config: the constants some layers
    keep there (Discretization's bin boundaries, IntegerLookup's vocabulary)."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for item in value.values():
            config_lists(item, found)
    elif isinstance(value, list):
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            found.add(np.asarray(value, "<f4").tobytes())
        for item in value:
            config_lists(item, found)
    return found


@pytest.mark.parametrize("name", KERAS2_AND_3)
def test_weights_are_the_files_arrays_bit_for_bit(name):
    """Keras 2 and 3 files: every weight in the IR is one of the file's arrays, unchanged,
    or a list of numbers from a layer's config (Keras 1 files are rearranged into Keras 2's
    gate order, checked by their outputs)."""
    in_file = float_arrays(golden_path(name))
    for layer in read_golden(name).layers:
        config_lists(layer.config, in_file)
    graph = read_golden_graph(name)
    for weight in (weight for node in graph.nodes for weight in node.weights):
        assert weight.array.dtype == np.float32
        assert weight.array.astype("<f4").tobytes() in in_file, weight.var


@pytest.mark.parametrize("name", FILES)
def test_nodes_come_in_topological_order_with_unique_names(name):
    graph = read_golden_graph(name)
    known = {tensor.var for tensor in graph.inputs}
    functions = [node.func for node in graph.nodes if node.define]
    assert len(set(functions)) == len(functions)
    for node in graph.nodes:
        assert all(tensor.var in known for tensor in node.inputs), node.layer_name
        for tensor in node.outputs:
            # Each value is made once; an identity at inference passes its input on.
            assert node.alias or tensor.var not in known, tensor.var
            known.add(tensor.var)
    assert all(tensor.var in known for tensor in graph.outputs)
    assert len(graph.output_names) == len(graph.outputs)


@pytest.mark.parametrize("name", FILES)
def test_the_saving_keras_decides_the_semantics(name):
    graph = read_golden_graph(name)
    assert graph.keras_major == (3 if ".k3." in name else 2)  # Keras 1 reads as Keras 2
    hard_sigmoid = {h for h in graph.helpers if h.startswith("hard_sigmoid")}
    assert hard_sigmoid <= {f"hard_sigmoid_keras{graph.keras_major}"}


def test_which_hard_sigmoid():
    assert "hard_sigmoid_keras2" in read_golden_graph("lstm_stack.k2.h5").helpers
    assert "hard_sigmoid_keras3" in read_golden_graph("activations.k3.keras").helpers


@pytest.mark.parametrize(
    "name, facts",
    [
        ("stateful.k2.h5", {"stateful_batch": 2}),
        ("stateful.k3.keras", {"stateful_batch": 2}),
        ("streaming.k3.keras", {"stateful_batch": None, "streamable": True}),
        ("bidirectional_masked.k2.h5", {"streamable": False}),  # reads backwards
        ("embedding_masked.k3.keras", {"input_dtypes": ("int32",)}),
        ("merges.k3.h5", {"input_names": ("a", "b"), "output_names": ("concat", "concat_1")}),
    ],
)
def test_model_level_facts(name, facts):
    graph = read_golden_graph(name)
    assert {key: getattr(graph, key) for key in facts} == facts


@pytest.mark.parametrize("name", ["bidirectional_masked.k3.keras", "streaming.k2.h5"])
def test_masks_flow_from_masking_to_the_recurrent_layers(name):
    graph = read_golden_graph(name)
    masking = next(node for node in graph.nodes if node.class_name == "Masking")
    assert masking.mask_out and masking.outputs[0].mask
    recurrent = [n for n in graph.nodes if n.class_name in ("LSTM", "GRU", "SimpleRNN")]
    recurrent += [n for n in graph.nodes if n.class_name == "Bidirectional"]
    assert recurrent and all(node.mask_arg and node.inputs[0].mask for node in recurrent)


def test_options_reach_the_graph():
    name = "lstm_free_time.k3.keras"
    assert read_golden_graph(name).inputs[0].shape == (None, None, 3)
    graph = read_golden_graph(name, Options(timesteps=9, float64=True, weights_file=True))
    assert graph.inputs[0].shape == (None, 9, 3)
    assert graph.float_type == "float64" and graph.weights_file
    assert graph.flags == "--timesteps 9 --float64 --weights-file"
