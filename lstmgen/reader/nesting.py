"""Models used as layers (to any depth) are flattened into the outer graph."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional

from lstmgen.errors import LstmgenError
import lstmgen.reader.keras1 as keras1
import lstmgen.reader.limits as limits
from lstmgen.reader.model_file import CallSpec, LayerSpec, ModelSpec, TensorRef
from lstmgen.reader.normalize import NESTED_MODELS, bounded_name, first_node, parse_flat_config


def parse_model_config(
    config: Any, keras_major: int = 3, keras_version: Optional[str] = None
) -> ModelSpec:
    """A model's JSON config (any Keras version) as one flat ModelSpec: every nested model,
    to any depth, replaced by its layers."""
    spec = parse_flat_config(config, keras_major, keras_version)
    major = keras1.SEMANTICS if keras_major == 1 else keras_major
    return expand_nested(spec, major)


def expand_nested(spec: ModelSpec, keras_major: int) -> ModelSpec:
    """Replace every nested model by its layers, named '<model>/<layer>'."""
    if not any(layer.class_name in NESTED_MODELS for layer in spec.layers):
        return spec
    if keras_major == 3 and spec.model_class != "Sequential":  # a Sequential's chain is ours
        spec = _arguments_numbered_as_outputs(spec)
    aliases: Dict[TensorRef, TensorRef] = {}
    layers: List[LayerSpec] = []
    calls = 0  # layer calls so far: each call of a nested model repeats all of its own
    for layer in spec.layers:
        if layer.class_name not in NESTED_MODELS:
            layers.append(layer)
            calls += len(layer.calls)
            continue
        body = layer.config
        inner = parse_model_config({"class_name": layer.class_name, "config": body}, keras_major)
        calls += len(layer.calls) * sum(len(item.calls) for item in inner.layers)
        if calls > limits.MAX_LAYER_CALLS:
            raise LstmgenError(
                f"layer '{layer.name}' ({layer.class_name}): nested models expand to more than "
                f"the {limits.MAX_LAYER_CALLS} layer calls lstmgen accepts (each call of a "
                "nested model repeats all of its layers' calls)"
            )
        layers.extend(_inline(layer, inner, first_node(layer, keras_major), aliases))

    def resolve(ref: TensorRef) -> TensorRef:
        seen = 0
        while ref in aliases:
            ref, seen = aliases[ref], seen + 1
            if seen > 10_000:
                raise LstmgenError("the nested models refer to each other in a cycle")
        return ref

    layers = [
        replace(layer, calls=tuple(_mapped_call(call, resolve) for call in layer.calls))
        for layer in layers
    ]
    return replace(spec, layers=tuple(layers), outputs=tuple(resolve(r) for r in spec.outputs))


def _mapped_call(call: CallSpec, mapped: Callable[[TensorRef], TensorRef]) -> CallSpec:
    """`call` with every tensor it reads, positional or by keyword, passed through `mapped`."""
    return replace(
        call,
        inputs=tuple(mapped(ref) for ref in call.inputs),
        keywords=tuple((key, tuple(mapped(ref) for ref in refs)) for key, refs in call.keywords),
    )


def _arguments_numbered_as_outputs(spec: ModelSpec) -> ModelSpec:
    """Keras 3 numbers a functional submodel's calls from 0 where they feed a layer
    (keras/src/models/functional.py: `serialize_node` leaves out the node a functional
    model is built with) but from 1 in the model's outputs (`get_config` keeps that node
    in its `node_reindexing_map`, and `functional_from_config` subtracts it again): call
    arguments are moved to the outputs' numbering, the one Keras 2 uses everywhere."""
    functional = {
        layer.name
        for layer in spec.layers
        if layer.class_name in NESTED_MODELS and layer.class_name != "Sequential"
    }

    def shifted(ref: TensorRef) -> TensorRef:
        return replace(ref, node=ref.node + 1) if ref.layer in functional else ref

    return replace(
        spec,
        layers=tuple(
            replace(layer, calls=tuple(_mapped_call(call, shifted) for call in layer.calls))
            for layer in spec.layers
        ),
    )


def _inline(
    outer: LayerSpec, inner: ModelSpec, offset: int, aliases: Dict[TensorRef, TensorRef]
) -> List[LayerSpec]:
    """The inner model's layers, once per call of the outer layer."""
    prefix = f"{outer.name}/"
    counts = {layer.name: len(layer.calls) for layer in inner.layers}
    positions = {model_input.name: k for k, model_input in enumerate(inner.inputs)}
    calls: Dict[str, List[CallSpec]] = {layer.name: [] for layer in inner.layers}
    for k, call in enumerate(outer.calls):
        given = call.refs()
        if len(given) != len(inner.inputs):
            raise LstmgenError(
                f"layer '{outer.name}' ({outer.class_name}): called with {len(given)} "
                f"inputs, but the model has {len(inner.inputs)}"
            )

        def mapped(ref: TensorRef, given=given, k=k) -> TensorRef:
            if ref.layer in positions:
                return given[positions[ref.layer]]
            if ref.layer not in counts:
                raise LstmgenError(f"layer '{outer.name}': unknown inner layer '{ref.layer}'")
            return TensorRef(prefix + ref.layer, k * counts[ref.layer] + ref.node, ref.index)

        for layer in inner.layers:
            for inner_call in layer.calls:
                calls[layer.name].append(_mapped_call(inner_call, mapped))
        for index, out in enumerate(inner.outputs):
            aliases[TensorRef(outer.name, k + offset, index)] = mapped(out)
    return [
        replace(
            layer,
            name=bounded_name(prefix + layer.name, "a nested model's layer name"),
            calls=tuple(calls[layer.name]),
            keras_path=f"{outer.keras_path}/{layer.keras_path}",
            h5_path=outer.h5_path + layer.h5_path,
        )
        for layer in inner.layers
    ]
