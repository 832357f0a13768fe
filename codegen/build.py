"""SavedModel -> ModelGraph: run each layer's handler from the registry, track shapes."""

from __future__ import annotations

from typing import Dict, List, Set

from codegen import activations
from codegen.errors import LstmgenError, UnsupportedError, layer_error
from codegen.identifiers import NameTable
from codegen.ir import ModelGraph, Node, Tensor
from codegen.layers import REGISTRY
from codegen.layers.base import LayerContext, Options, param_count
from codegen.reader.saved_model import SavedModel

# Names the generated module defines itself; layers never take them.
RESERVED = activations.HELPERS | {
    "np", "base64", "zlib", "sys", "predict", "main", "INPUT_SHAPES", "OUTPUT_SHAPES",
    "INPUT_NAMES", "OUTPUT_NAMES", "INPUT_DTYPES", "x", "y", "erf",
}

# Classes refused on principle, with the reason the user sees.
_CODE = "it holds Python code, and lstmgen never runs or unmarshals code from a model file"
REFUSED = {"Lambda": _CODE, "TFOpLambda": _CODE, "SlicingOpLambda": _CODE}


def build_graph(model: SavedModel, options: Options = Options()) -> ModelGraph:
    """Translate every layer; errors name the layer, its class and the option at fault."""
    names = NameTable(RESERVED)
    input_shape = _fix_time_axis(model.input_shape, options)
    source = Tensor(var=names.claim(model.input_name), shape=input_shape)
    tensors: Dict[str, Tensor] = {model.input_name: source}
    nodes: List[Node] = []
    helpers: Set[str] = set()
    for record in model.layers:
        handler = REGISTRY.get(record.class_name)
        if handler is None:
            reason = REFUSED.get(record.class_name, "layer class not supported")
            raise layer_error(
                record.name,
                record.class_name,
                f"{reason}; supported: {', '.join(sorted(REGISTRY))}",
            )
        inputs = tuple(tensors[name] for name in record.inputs)
        func = names.claim(record.name)
        ctx = LayerContext(
            record, [t.shape for t in inputs], model.keras_major, options, names, func
        )
        try:
            built = ctx.finish(handler(ctx))
        except (LstmgenError, UnsupportedError):
            raise
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as error:
            # A config that contradicts itself: report it, never a traceback.
            raise ctx.fail(f"invalid config ({type(error).__name__}: {error})") from None
        outputs = tuple(
            inputs[0] if built.alias else Tensor(var=names.claim(f"{func}_out"), shape=shape)
            for shape in built.outputs
        )
        helpers.update(built.helpers)
        nodes.append(
            Node(
                layer_name=record.name,
                class_name=record.class_name,
                func=func,
                template=built.template,
                params=built.params,
                weights=tuple(built.weights),
                inputs=inputs,
                outputs=outputs,
                param_count=param_count(built.weights),
                alias=built.alias,
            )
        )
        tensors[record.name] = outputs[0]
    last = nodes[-1]
    return ModelGraph(
        source_name=model.source_name,
        sha256=model.sha256,
        keras_version=model.keras_version,
        keras_major=model.keras_major,
        model_name=model.model_name,
        input_names=(model.input_name,),
        output_names=(last.layer_name,),
        inputs=(source,),
        input_dtypes=(model.input_dtype,),
        outputs=last.outputs[:1],
        nodes=tuple(nodes),
        helpers=activations.with_dependencies(frozenset(helpers)),
        flags=options.flags(),
    )


def _fix_time_axis(shape, options: Options):
    """With --timesteps N, a free time axis (axis 1 of a rank-3 input) becomes N."""
    if options.timesteps is None or len(shape) != 3 or shape[1] is not None:
        return shape
    return (shape[0], options.timesteps) + tuple(shape[2:])
