"""ModelFile -> ModelGraph: run each call's handler from the registry, track shapes."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from lstmgen.build_call import HANDLERS, REFUSED, RESERVED, CallBuilder
from lstmgen.errors import LstmgenError
from lstmgen.fusion import fuse_recurrent_chains
from lstmgen.graph_order import ordered_calls
from lstmgen.helper_source import with_dependencies
from lstmgen.layers.recurrence import reads_time_major
from lstmgen.ir import ModelGraph, Node, Tensor
from lstmgen.layers import REGISTRY
from lstmgen.options import Options
from lstmgen.reader.safety import refuse_code
from lstmgen.reader.model_file import ModelFile

__all__ = ["HANDLERS", "REFUSED", "RESERVED", "build_graph", "input_shapes", "input_dtypes"]


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
    builder = CallBuilder(model, options, input_shapes(model, options))
    for call in ordered_calls(model, REGISTRY):
        builder.add(call)
    outputs = [builder.tensor(ref, None) for ref in model.outputs]
    nodes_t = fuse_recurrent_chains(tuple(builder.nodes), outputs, builder.names, options)
    inputs = builder.inputs
    return ModelGraph(
        source_name=model.source_name,
        sha256=model.sha256,
        keras_version=model.keras_version,
        keras_major=model.keras_major,
        model_name=model.model_name,
        input_names=tuple(i.name for i in model.inputs),
        output_names=_output_names(model.outputs),
        inputs=tuple(inputs),
        input_dtypes=input_dtypes(model.inputs, inputs, nodes_t),
        outputs=tuple(outputs),
        nodes=nodes_t,
        helpers=with_dependencies(builder.helpers),
        flags=options.flags(),
        float_type="float64" if options.float64 else "float32",
        weights_file=options.weights_file,
        streamable=_streamable(inputs, nodes_t),
        stateful_batch=_stateful_batch(nodes_t),
        input_ids=_input_ids(inputs, nodes_t),
    )


def input_shapes(model: ModelFile, options: Options) -> List[Tuple[Optional[int], ...]]:
    """The inputs' shapes, a free time axis fixed by --timesteps (refused where none is)."""
    _check_timesteps(model, options)
    return [_fix_time_axis(model_input.shape, options) for model_input in model.inputs]


def input_dtypes(declared, inputs: List[Tensor], nodes: Tuple[Node, ...]) -> Tuple[str, ...]:
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
    """The batch size that stateful layers fix (Keras requires it), or None: the size of
    their input's batch axis, the second for a time_major layer (old tf.keras)."""
    sizes = {node.inputs[0].shape[int(reads_time_major(node))] for node in nodes if node.stateful}
    if not sizes:
        return None
    if None in sizes or len(sizes) > 1:
        raise LstmgenError(
            f"stateful layers need one fixed batch size in the input shape, got {sorted(map(str, sizes))}"
        )
    return sizes.pop()


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
