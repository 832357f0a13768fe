"""Order the calls of a functional graph so every input is computed before it is used."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from lstmgen.errors import LstmgenError
from lstmgen.reader.model_file import LayerSpec, ModelFile, TensorRef


@dataclass(frozen=True)
class Call:
    """The `node`-th call of `record`, with its input tensors."""

    record: LayerSpec
    node: int
    inputs: Tuple[TensorRef, ...]
    masked: Optional[bool]  # Keras 3: whether Keras recorded a mask; None: implicit
    options: Mapping[str, Any]  # non-tensor call arguments


def ordered_calls(model: ModelFile) -> List[Call]:
    """The calls needed for the model's outputs, dependencies first, else config order."""
    calls: Dict[Tuple[str, int], Call] = {}
    rank: Dict[Tuple[str, int], Tuple[int, int]] = {}
    for position, record in enumerate(model.layers):
        for node, spec in enumerate(record.calls):
            calls[(record.name, node)] = Call(record, node, spec.inputs, spec.masked, spec.options)
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
