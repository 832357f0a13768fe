"""Stacked recurrent layers fused into one loop (lstmgen.layers.wavefront): which chains
of nodes fuse, and the nodes that call the fused function.

A chain fuses when nothing else can see what fusion changes: each layer but the last
returns its whole sequence to the next layer and to nothing else (no other layer, no
model output, no returned states), no layer has a mask, initial states, stateful states
or time_major, every layer after the first reads its input forwards, the steps are
fixed, and the cost model finds a batch size at which fusion pays. Every layer keeps its
own function: step() runs them, and so do batches beyond that size."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Dict, List, Sequence, Tuple

from lstmgen.identifiers import NameTable
from lstmgen.ir import FusedCall, Node, Tensor
from lstmgen.layers.recurrence import RecurrentParams
from lstmgen.layers.wavefront import WaveCell
from lstmgen.layers.wavefront_plan import Output, wavefront
from lstmgen.options import Options


def _fusable(node: Node) -> bool:
    """A recurrent layer in the fast form that could join a chain."""
    params = node.params
    if not isinstance(params, RecurrentParams) or params.fast is None:
        return False
    seq = params.sequence
    return (
        node.define
        and not node.stateful
        and not node.mask_arg
        and not seq.time_major
        and not seq.initial_state
        and seq.steps is not None
    )


def _links(nodes: Sequence[Node], outputs: Sequence[Tensor]) -> Dict[int, int]:
    """Node index -> the index of the node it feeds, where the two can fuse."""
    readers = Counter(t.var for node in nodes for t in node.inputs)
    readers.update(t.var for t in outputs)
    producer = {node.outputs[0].var: k for k, node in enumerate(nodes) if node.outputs}
    links = {}
    for k, node in enumerate(nodes):
        if not _fusable(node) or len(node.inputs) != 1:
            continue
        source = producer.get(node.inputs[0].var)
        if source is None or not _fusable(nodes[source]):
            continue
        first, seq = nodes[source], node.params.sequence
        if (
            first.params.sequence.return_sequences
            and len(first.outputs) == 1
            and readers[first.outputs[0].var] == 1
            and not seq.go_backwards
            and (not node.params.returns_states or len(node.params.fast.parts) == 1)
        ):
            links[source] = k
    return links


def _chains(nodes: Sequence[Node], outputs: Sequence[Tensor]) -> List[List[int]]:
    links = _links(nodes, outputs)
    fed = set(links.values())
    chains = []
    for start in sorted(links):
        if start in fed:
            continue
        chain = [start]
        while chain[-1] in links:
            chain.append(links[chain[-1]])
        chains.append(chain)
    return chains


def _waves(chain: Sequence[Node]) -> List[WaveCell]:
    """Every cell of the chain's layers, each one iteration behind the cell feeding it."""
    waves: List[WaveCell] = []
    for node in chain:
        parts = node.params.fast.parts
        for number, part in enumerate(parts, start=1):
            k = len(waves)
            stacked = len(parts) > 1
            waves.append(
                WaveCell(
                    cell=part.cell,
                    label=node.layer_name + (f" cell {number}" if stacked else ""),
                    delay=k,
                    source=None if k == 0 else k - 1,
                    backwards=k == 0 and node.params.sequence.go_backwards,
                    tag=node.func + (f"_cell{number}" if stacked else ""),
                )
            )
    return waves


def fuse_recurrent_chains(
    nodes: Tuple[Node, ...], outputs: Sequence[Tensor], names: NameTable, options: Options
) -> Tuple[Node, ...]:
    """The nodes, with every chain of stacked recurrent layers that fuses calling one
    fused function (the fast form only; --readable keeps one function per layer)."""
    if not options.fast:
        return nodes
    result = list(nodes)
    for chain in _chains(nodes, outputs):
        members = [nodes[k] for k in chain]
        last = members[-1]
        waves = _waves(members)
        func = names.claim(f"{members[0].func}_to_{last.func}")
        fallback = "x"
        for node in members:
            fallback = f"{node.func}({fallback})"
        seq = last.params.sequence
        plan = wavefront(
            waves,
            [Output(len(waves) - 1, seq.return_sequences, last.params.returns_states)],
            seq.steps,
            seq.unrolled,
            func,
            names.claim(f"{func}_matrix"),
            "float64" if options.float64 else "float32",
            fallback,
        )
        if plan.max_batch < 1:
            continue
        for k in chain[:-1]:
            result[k] = replace(nodes[k], fused_into=func)
        unrolled = (seq.steps + len(waves)) * len(waves) if seq.unrolled else 0
        result[chain[-1]] = replace(
            last,
            fused=FusedCall(func, plan, members[0].inputs),
            derived=last.derived + plan.derived,
            work=replace(last.work, unrolled=last.work.unrolled + unrolled),
        )
    return tuple(result)
