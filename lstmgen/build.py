"""ModelFile -> ModelGraph: run each call's handler from the registry, track shapes."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from lstmgen.errors import LstmgenError, layer_error
from lstmgen.fusion import fuse_recurrent_chains
from lstmgen.graph_order import ordered_calls
from lstmgen.helper_source import helper_names, with_dependencies
from lstmgen.identifiers import NameTable
from lstmgen.ir import ModelGraph, Node, Tensor
from lstmgen.layers import REGISTRY
from lstmgen.layers.base import Built, LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.safety import refuse_code
from lstmgen.reader.model_file import ModelFile, TensorRef

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


def build_graph(model: ModelFile, options: Options = Options()) -> ModelGraph:
    """Translate every call; errors name the layer, its class and the option at fault."""
    # Every layer in the file, not only those the outputs need: a Lambda, a marshalled
    # function, or an object from a foreign module or Keras's custom-object registry
    # that nothing is connected to cannot matter to the predictor, but Keras would still
    # run or import it when loading the file (`--verify`, `lstmgen verify`), and code
    # left in a model where it does nothing is what an attack looks like. Such a file is
    # refused outright. (A Keras 2 custom class records no module: unconnected, it is
    # translated without it; verify refuses it as a class lstmgen does not know.)
    if model.config is not None:
        refuse_code(model.config)
    names = NameTable(RESERVED)
    weights = WeightTable(names)
    tensors: Dict[TensorRef, Tensor] = {}
    inputs = []
    _check_timesteps(model, options)
    for model_input in model.inputs:
        shape = _fix_time_axis(model_input.shape, options)
        tensor = Tensor(var=names.claim(model_input.name), shape=shape)
        tensors[TensorRef(model_input.name)] = tensor
        inputs.append(tensor)
    nodes: List[Node] = []
    helpers: Set[str] = set()
    functions: Dict[Tuple[str, str], str] = {}  # (layer, params) -> its generated function
    idents: Dict[str, str] = {}
    for call in ordered_calls(model, REGISTRY):
        record = call.record
        entry = REGISTRY.get(record.class_name)
        if entry is None:
            reason = REFUSED.get(record.class_name, "layer class not supported")
            raise layer_error(
                record.name,
                record.class_name,
                f"{reason}; supported: {', '.join(sorted(REGISTRY))}",
            )
        if record.name not in idents:
            idents[record.name] = names.claim(record.name, DERIVED_FUNCTIONS)
        ident = idents[record.name]
        given = tuple(_tensor(tensors, ref, record) for ref in call.inputs)
        in_tensors = _with_keras3_mask(call, given)
        ctx = LayerContext(
            record,
            in_tensors,
            model.keras_major,
            options,
            weights,
            ident,
            dict(call.options),
            handlers=HANDLERS,
        )
        built = run_handler(entry.build, ctx)
        # A shared layer called again with the same parameters reuses its function.
        key = (record.name, repr(built.params))
        define = key not in functions
        if define:
            first = not any(layer == record.name for layer, _ in functions)
            functions[key] = ident if first else names.claim(f"{ident}_call", DERIVED_FUNCTIONS)
        func = functions[key]
        # Keras 3 sets the output mask from the first argument's mask even when the call
        # itself did not use it (several tensor arguments, as with initial_state).
        outputs = _outputs(built, given, func, names)
        helpers.update(built.helpers)
        nodes.append(built.node(record.name, record.class_name, func, in_tensors, outputs, define))
        for index, tensor in enumerate(outputs):
            tensors[TensorRef(record.name, call.node, index)] = tensor
    outputs = [_tensor(tensors, ref, None) for ref in model.outputs]
    nodes_t = fuse_recurrent_chains(tuple(nodes), outputs, names, options)
    return ModelGraph(
        source_name=model.source_name,
        sha256=model.sha256,
        keras_version=model.keras_version,
        keras_major=model.keras_major,
        model_name=model.model_name,
        input_names=tuple(i.name for i in model.inputs),
        output_names=_output_names(model.outputs),
        inputs=tuple(inputs),
        input_dtypes=_input_dtypes(model.inputs, inputs, nodes_t),
        outputs=tuple(outputs),
        nodes=nodes_t,
        helpers=with_dependencies(helpers),
        flags=options.flags(),
        float_type="float64" if options.float64 else "float32",
        weights_file=options.weights_file,
        streamable=_streamable(inputs, nodes_t),
        stateful_batch=_stateful_batch(nodes_t),
        input_ids=_input_ids(inputs, nodes_t),
    )


def _input_dtypes(declared, inputs: List[Tensor], nodes: Tuple[Node, ...]) -> Tuple[str, ...]:
    """The inputs' dtypes; an input that only layers of token ids (Embedding) read takes
    token ids.

    Keras declares inputs float32 unless told otherwise (and old Sequential files always
    do), and its Embedding casts float ids to int32; the module casts them the same way.
    """
    readers: Dict[str, List[bool]] = {}  # variable -> whether each reader takes token ids
    for node in nodes:
        for tensor in node.inputs:
            readers.setdefault(tensor.var, []).append(node.token_ids)
    dtypes = []
    for record, tensor in zip(declared, inputs):
        takers = readers.get(tensor.var, [])
        ids_only = bool(takers) and all(takers)
        dtypes.append("int32" if ids_only and record.dtype.startswith("float") else record.dtype)
    return tuple(dtypes)


def _input_ids(inputs: List[Tensor], nodes: Tuple[Node, ...]) -> Tuple[Tuple[int, ...], ...]:
    """Per input, the ids its readers all accept, where some reader accepts only some."""
    pools: Dict[str, List[set]] = {}
    for node in nodes:
        for tensor in node.inputs:
            if node.sample_ids:
                pools.setdefault(tensor.var, []).append(set(node.sample_ids))
    chosen = []
    for tensor in inputs:
        sets = pools.get(tensor.var, [])
        common = set.intersection(*sets) if sets else set()
        # readers that share no id: the first one's (the others then fail, as in Keras)
        chosen.append(tuple(sorted(common or (sets[0] if sets else ())))[:64])
    return tuple(chosen) if any(chosen) else ()


def _streamable(inputs: List[Tensor], nodes: Tuple[Node, ...]) -> bool:
    """step() exists for one sequence input whose every layer can run step by step.

    Masks stream too: Masking and Embedding(mask_zero) make one per step, and recurrent
    cells keep their states at a masked step; no other layer may read a mask."""
    if len(inputs) != 1 or len(inputs[0].shape) < 2 or inputs[0].mask is not None:
        return False
    recurrent = [node for node in nodes if node.step == "cell"]
    return bool(recurrent) and all(
        node.alias or (node.step is not None and (not node.mask_arg or node.step == "cell"))
        for node in nodes
    )


def _stateful_batch(nodes: Tuple[Node, ...]) -> Optional[int]:
    """The batch size that stateful layers fix (Keras requires it), or None."""
    sizes = {node.inputs[0].shape[0] for node in nodes if node.stateful}
    if not sizes:
        return None
    if None in sizes or len(sizes) > 1:
        raise LstmgenError(
            f"stateful layers need one fixed batch size in the input shape, got {sorted(map(str, sizes))}"
        )
    return sizes.pop()


def _tensor(tensors: Dict[TensorRef, Tensor], ref: TensorRef, reader) -> Tensor:
    """The tensor `ref` names; a reference to an output a layer does not have is an error."""
    if ref not in tensors:
        who = f"layer '{reader.name}'" if reader is not None else "the model's outputs"
        raise LstmgenError(
            f"{who} reads output {ref.index} of '{ref.layer}' call {ref.node}, which does not exist"
        )
    return tensors[ref]


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


def _output_names(refs) -> Tuple[str, ...]:
    """Keras names outputs after their layers; repeated layers get a numeric suffix."""
    counts: Dict[str, int] = {}
    result = []
    for ref in refs:
        seen = counts.get(ref.layer, 0)
        counts[ref.layer] = seen + 1
        result.append(ref.layer if not seen else f"{ref.layer}_{seen}")
    return tuple(result)


def _fix_time_axis(shape, options: Options):
    """With --timesteps N, a free time axis (axis 1: sequences, token ids, frames) becomes N."""
    if options.timesteps is None or len(shape) < 2 or shape[1] is not None:
        return shape
    return (shape[0], options.timesteps) + tuple(shape[2:])


def _check_timesteps(model, options: Options) -> None:
    """--timesteps on a model without a free time axis would be silently ignored: refuse."""
    if options.timesteps is None:
        return
    if not any(len(i.shape) >= 2 and i.shape[1] is None for i in model.inputs):
        shapes = ", ".join(str(tuple(i.shape)) for i in model.inputs)
        raise LstmgenError(
            f"--timesteps {options.timesteps}: no input of the model has a free time axis "
            f"(input shapes {shapes}); leave the option out"
        )
