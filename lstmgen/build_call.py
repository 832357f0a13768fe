"""One layer call after another: each through its registry handler, into IR nodes."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from lstmgen.errors import LstmgenError, layer_error
from lstmgen.graph_order import Call
from lstmgen.helper_source import helper_names
from lstmgen.identifiers import NameTable
from lstmgen.ir import Node, Tensor
from lstmgen.layer_names import unknown_class
from lstmgen.layers import REGISTRY
from lstmgen.layers.base import Built, LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import ModelFile, Shape, TensorRef

# Names the generated module defines itself, and the local names of the functions that
# hold the model's tensors (predict, _forward, Predictor, step); layers never take them.
# (Names from the file are lower-cased and never start with "_", so _forward, _DEFAULT and
# the upper-case constants cannot be taken anyway.)
RESERVED = helper_names() | {
    "np",
    "base64",
    "zlib",
    "sys",
    "os",
    "argparse",
    "predict",
    "main",
    "self_test",
    "INPUT_SHAPES",
    "OUTPUT_SHAPES",
    "INPUT_NAMES",
    "OUTPUT_NAMES",
    "INPUT_DTYPES",
    "x",
    "y",
    "initial_state",
    "step",
    "reset_states",
    "Predictor",
    "self",
    "inputs",
    "outputs",
    "states",
    "new_states",
    "state",
    "new_state",
    "x_t",
    "batch_size",
    "m",
    "new",
}

# Module-level functions a template derives from a layer's function name (a recurrent
# layer's one-step function for step()): taken together with the name.
DERIVED_FUNCTIONS = ("_step",)

# The handlers, for the layers that translate the layer they wrap.
HANDLERS = {name: entry.build for name, entry in REGISTRY.items()}

# Classes refused on principle, with the reason the user sees.
_CODE = "it holds Python code, and lstmgen never runs or unmarshals code from a model file"
REFUSED = {"Lambda": _CODE, "TFOpLambda": _CODE, "SlicingOpLambda": _CODE}


class CallBuilder:
    """The graph so far: the names taken, the weights laid out, each tensor computed, and
    the nodes of the calls translated, in order."""

    def __init__(self, model: ModelFile, options: Options, input_shapes: List[Shape]) -> None:
        self.model = model
        self.options = options
        self.names = NameTable(RESERVED)
        self.weights = WeightTable(self.names)
        self.tensors: Dict[TensorRef, Tensor] = {}
        self.inputs: List[Tensor] = []
        for model_input, shape in zip(model.inputs, input_shapes):
            tensor = Tensor(var=self.names.claim(model_input.name), shape=shape)
            self.tensors[TensorRef(model_input.name)] = tensor
            self.inputs.append(tensor)
        self.nodes: List[Node] = []
        self.helpers: Set[str] = set()
        self.functions: Dict[Tuple[str, str], str] = {}  # (layer, params) -> its function
        self.idents: Dict[str, str] = {}

    def add(self, call: Call) -> Node:
        """Translate `call` (errors name the layer, its class and the option at fault)."""
        record = call.record
        entry = REGISTRY.get(record.class_name)
        if entry is None:
            reason = REFUSED.get(record.class_name) or unknown_class(record.class_name)
            raise layer_error(record.name, record.class_name, reason)
        if record.name not in self.idents:
            self.idents[record.name] = self.names.claim(record.name, DERIVED_FUNCTIONS)
        ident = self.idents[record.name]
        given = tuple(self.tensor(ref, record) for ref in call.inputs)
        in_tensors = _with_keras3_mask(call, given)
        ctx = LayerContext(
            record,
            in_tensors,
            self.model.keras_major,
            self.options,
            self.weights,
            ident,
            dict(call.options),
            handlers=HANDLERS,
        )
        built = run_handler(entry.build, ctx)
        # A shared layer called again with the same parameters reuses its function.
        key = (record.name, repr(built.params))
        define = key not in self.functions
        if define:
            first = not any(layer == record.name for layer, _ in self.functions)
            self.functions[key] = (
                ident if first else self.names.claim(f"{ident}_call", DERIVED_FUNCTIONS)
            )
        func = self.functions[key]
        # Keras 3 sets the output mask from the first argument's mask even when the call
        # itself did not use it (several tensor arguments, as with initial_state).
        outputs = _outputs(built, given, func, self.names)
        self.helpers.update(built.helpers)
        node = built.node(record.name, record.class_name, func, in_tensors, outputs, define)
        self.nodes.append(node)
        for index, tensor in enumerate(outputs):
            self.tensors[TensorRef(record.name, call.node, index)] = tensor
        return node

    def tensor(self, ref: TensorRef, reader) -> Tensor:
        """The tensor `ref` names; a reference to an output a layer does not have is an error."""
        if ref not in self.tensors:
            who = f"layer '{reader.name}'" if reader is not None else "the model's outputs"
            raise LstmgenError(
                f"{who} reads output {ref.index} of '{ref.layer}' call {ref.node}, "
                "which does not exist"
            )
        return self.tensors[ref]


def _with_keras3_mask(call, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
    """Keras 3 records some propagated masks as `mask=` tensors (each must be one of
    ours) and passes none to calls with several tensor arguments."""
    if call.masked and inputs and all(tensor.mask is None for tensor in inputs):
        raise layer_error(
            call.record.name,
            call.record.class_name,
            "is given a mask that does not come from Masking or Embedding(mask_zero=True)",
        )
    if call.masked is False:
        return tuple(Tensor(var=t.var, shape=t.shape) for t in inputs)
    return inputs


def _outputs(built: Built, inputs, func: str, names: NameTable) -> Tuple[Tensor, ...]:
    """Output tensors: aliases of the input for identity layers, else fresh variables."""
    if built.alias:
        return (inputs[0],)
    mask: Optional[str] = None
    if built.mask == "pass":
        mask = inputs[0].mask
    elif built.mask == "produce":
        mask = names.claim(f"{func}_mask")
    suffixes = built.output_names or ["out"] * len(built.outputs)
    return tuple(
        Tensor(
            var=names.claim(f"{func}_{suffix}"),
            shape=shape,
            mask=mask if index < built.masked_outputs else None,
        )
        for index, (shape, suffix) in enumerate(zip(built.outputs, suffixes))
    )
