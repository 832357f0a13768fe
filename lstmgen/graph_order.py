"""Read each layer call through its layer's call signature, and order the calls of the
graph so that every input is computed before it is used."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from lstmgen.errors import LstmgenError, UnsupportedError
from lstmgen.layers.entry import CallSignature, Entry
from lstmgen.reader.model_file import CallSpec, LayerSpec, ModelFile, TensorRef


@dataclass(frozen=True)
class Call:
    """The `node`-th call of `record` as its layer takes it: its input tensors in the
    order of the layer's call signature, whether it gets a mask, its other arguments."""

    record: LayerSpec
    node: int
    inputs: Tuple[TensorRef, ...]
    # Keras 3: True if Keras recorded a mask, False if it passes none (several tensor
    # arguments); None: the propagated mask applies.
    masked: Optional[bool]
    options: Mapping[str, Any]  # non-tensor call arguments


def layer_call(record: LayerSpec, node: int, spec: CallSpec, signature: CallSignature) -> Call:
    """The call `spec` of `record` read through the layer's call signature."""
    by_keyword = dict(spec.keywords)
    for key in by_keyword:
        if key not in signature.tensor_keywords:
            raise UnsupportedError(
                f"layer '{record.name}' ({record.class_name}): tensors passed as '{key}=' "
                "are not supported"
            )
    keyword_inputs = [ref for key in signature.tensor_keywords for ref in by_keyword.get(key, ())]
    masked: Optional[bool] = None
    if spec.mask_given:
        masked = True
    elif (spec.tensor_arguments or 0) > 1 and not signature.mask_per_argument:
        masked = False
    return Call(record, node, spec.inputs + tuple(keyword_inputs), masked, spec.options)


def ordered_calls(model: ModelFile, registry: Mapping[str, Entry]) -> List[Call]:
    """The calls needed for the model's outputs, dependencies first, else config order;
    each read through its layer's call signature in `registry` (unknown classes: the
    default one; building refuses them)."""
    calls: Dict[Tuple[str, int], Call] = {}
    rank: Dict[Tuple[str, int], Tuple[int, int]] = {}
    for position, record in enumerate(model.layers):
        entry = registry.get(record.class_name)
        signature = entry.call if entry is not None else CallSignature()
        for node, spec in enumerate(record.calls):
            calls[(record.name, node)] = layer_call(record, node, spec, signature)
            rank[(record.name, node)] = (position, node)
    sources = {ref.layer for ref in (TensorRef(i.name) for i in model.inputs)}

    def producer(ref: TensorRef, user: str) -> Tuple[str, int]:
        if ref.layer in sources and ref.node == 0:
            return ("", 0)
        if (ref.layer, ref.node) not in calls:
            raise LstmgenError(
                f"layer '{user}' reads '{ref.layer}' call {ref.node}, which the model does not have"
            )
        return (ref.layer, ref.node)

    needed: Set[Tuple[str, int]] = set()
    pending = [producer(ref, "output") for ref in model.outputs]
    while pending:
        key = pending.pop()
        if key[0] and key not in needed:
            needed.add(key)
            pending.extend(producer(ref, key[0]) for ref in calls[key].inputs)
    waiting = {
        key: {producer(ref, key[0]) for ref in calls[key].inputs} - {("", 0)} for key in needed
    }
    users: Dict[Tuple[str, int], List[Tuple[str, int]]] = {}
    for key, deps in waiting.items():
        for dep in deps:
            users.setdefault(dep, []).append(key)
    ready = [(rank[key], key) for key, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: List[Call] = []
    while ready:
        _, key = heapq.heappop(ready)
        order.append(calls[key])
        for user in users.get(key, []):
            waiting[user].discard(key)
            if not waiting[user]:
                heapq.heappush(ready, (rank[user], user))
    if len(order) != len(needed):
        raise LstmgenError("the model graph has a cycle")
    return order
