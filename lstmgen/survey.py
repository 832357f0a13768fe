"""What `inspect` shows of every layer, even past layers lstmgen cannot translate: each
call is translated where it can be; a call that cannot takes the output shapes its model
config states (lstmgen.reader.recorded_shapes), and the layers after it go on from there."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from lstmgen.build import input_dtypes
from lstmgen.build_call import CallBuilder
from lstmgen.errors import LstmgenError
from lstmgen.graph_order import ordered_calls
from lstmgen.ir import Shape, Tensor
from lstmgen.layers import REGISTRY
from lstmgen.options import Options
from lstmgen.reader.model_file import ModelFile, TensorRef


@dataclass
class Survey:
    """Per layer (its first call): output shapes (None: unknown) and the semantics of the
    saving Keras version it follows; the inputs' dtypes as the predictor takes them."""

    shapes: Dict[str, List[Shape]] = field(default_factory=dict)
    semantics: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    input_dtypes: Tuple[str, ...] = ()


def survey(model: ModelFile) -> Survey:
    """Translate every call that can be translated, in order, without refusing the model."""
    result = Survey(input_dtypes=tuple(i.dtype for i in model.inputs))
    builder = CallBuilder(model, Options(), [i.shape for i in model.inputs])
    try:
        calls = ordered_calls(model, REGISTRY)
    except LstmgenError:  # a graph lstmgen cannot order: no shapes to show
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generation reports them; inspect says why it stops
        for call in calls:
            name = call.record.name
            try:
                node = builder.add(call)
            except LstmgenError:
                result.shapes.setdefault(name, _assumed(builder, model, name, call.node))
                continue
            result.shapes.setdefault(name, [tensor.shape for tensor in node.outputs])
            result.semantics.setdefault(name, node.semantics)
    result.input_dtypes = input_dtypes(model.inputs, builder.inputs, tuple(builder.nodes))
    return result


def _assumed(builder: CallBuilder, model: ModelFile, layer: str, node: int) -> List[Shape]:
    """The outputs of a call lstmgen cannot translate, as the config states them, made
    available to the calls after it; [] when the config states none."""
    recorded = sorted(
        (ref.index, shape)
        for ref, shape in model.recorded_shapes.items()
        if ref.layer == layer and ref.node == node
    )
    for index, shape in recorded:
        var = builder.names.claim(f"{layer}_{index}_assumed")
        builder.tensors[TensorRef(layer, node, index)] = Tensor(var=var, shape=shape)
    return [shape for _, shape in recorded]
