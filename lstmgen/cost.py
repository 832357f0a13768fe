"""Each layer call's work, estimated from its shapes and parameters (lstmgen.budget).

- multiply-adds: rows x matrix weights (Dense, recurrent and convolution kernels), plus
  every input and output element, plus each output element times its window's cells
  (pooling, convolution), plus query x key pairs x width (attention);
- bytes: each output (predict() keeps them all until it returns), the largest array it
  makes on the way (im2col windows, attention scores);
- timesteps a recurrent layer runs one by one (each costs Python time, whatever its size);
- lines of source: a few dozen per layer, about ten per unrolled timestep.

Parameters are read by name from a dict or a parameter object alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator

from lstmgen.ir import Node, Shape

LINES_PER_LAYER = 40
LINES_PER_STEP = 10  # one unrolled timestep of one recurrent cell (LSTM: 9.5)
# Templates that run a Python-level step per timestep.
_RECURRENT = frozenset({"recurrent.py.j2", "conv_lstm.py.j2"})
# Templates whose weights are looked up by index, not multiplied.
_TABLES = frozenset({"embedding.py.j2"})
# Templates that compare every query with every key: (batch, Tq, Tk) scores.
_PAIRWISE = frozenset({"attention.py.j2", "multi_head_attention.py.j2", "dot.py.j2"})
_WINDOW_KEYS = ("sizes", "kernel_size")  # the window of pooling, convolution, ConvLSTM


@dataclass(frozen=True)
class Cost:
    """One layer call's estimate for one run on its (concrete) input shapes."""

    ops: int
    output_bytes: int
    largest_bytes: int
    steps: int = 0


def node_lines(node: Node) -> int:
    """About how many lines of source the node's function and call take."""
    return LINES_PER_LAYER + LINES_PER_STEP * unrolled_steps(node)


def node_cost(node: Node, itemsize: int = 4) -> Cost:
    """The estimate for one layer call whose tensor shapes are all numbers."""
    ins = [_size(t.shape) for t in node.inputs]
    outs = [_size(t.shape) for t in node.outputs]
    rows = max(_rows(t.shape) for t in node.inputs + node.outputs)
    matrices = (
        0
        if node.template in _TABLES
        else sum(w.array.size for w in node.weights if w.array.ndim > 1)
    )
    window = max(_windows(node), default=1)
    out_rows = _rows(node.outputs[0].shape)
    in_width = node.inputs[0].shape[-1] if node.inputs[0].shape else 1
    pairs, width, scores = _pairs(node)
    ops = rows * matrices + sum(ins) + sum(outs) + sum(outs) * window + pairs * width
    # A convolution copies every output row's window (im2col) for its matmul; pooling
    # reduces a view of them.
    copied = out_rows * window * (in_width or 1) if window > 1 and matrices else 0
    largest = max(outs + [copied, scores])
    return Cost(ops, sum(outs) * itemsize, largest * itemsize, timesteps(node))


def timesteps(node: Node) -> int:
    """Timesteps run one at a time: each recurrent cell of this node and those it wraps."""
    own = 0
    if node.template in _RECURRENT and len(node.inputs[0].shape) > 2:
        axis = 0 if _param(node.params, "time_major") else 1
        cells = _param(node.params, "cells") or [None]
        own = (node.inputs[0].shape[axis] or 1) * len(cells)
    return own + sum(timesteps(inner) for inner in _inner_nodes(node.params))


def unrolled_steps(node: Node) -> int:
    """Timesteps written out one by one, for this node and the layers it wraps."""
    params = node.params
    steps = 0
    if _param(params, "unrolled"):
        cells = _param(params, "cells") or [None]
        steps += len(_param(params, "step_indices") or ()) * len(cells)
    return steps + sum(unrolled_steps(inner) for inner in _inner_nodes(params))


def _windows(node: Node) -> Iterator[int]:
    for key in _WINDOW_KEYS:
        sizes = _param(node.params, key)
        if isinstance(sizes, (list, tuple)) and all(isinstance(n, int) for n in sizes):
            yield math.prod(sizes)
    for inner in _inner_nodes(node.params):
        yield from _windows(inner)


def _pairs(node: Node):
    """(query x key pairs, width of each, score numbers) of an attention-like layer."""
    if node.template not in _PAIRWISE or len(node.inputs) < 2:
        return 0, 0, 0
    query, key = node.inputs[0].shape, node.inputs[1].shape
    batch = query[0] or 1
    pairs = (_rows(query) // batch) * (_rows(key) // batch) * batch
    width = max(query[-1] or 1, key[-1] or 1)
    per_pair = _param(node.params, "heads") or (
        width if _param(node.params, "score_mode") == "concat" else 1
    )
    return pairs, width, pairs * per_pair


def _inner_nodes(params: Any) -> Iterator[Node]:
    """The nodes a wrapper's parameters hold (TimeDistributed, Bidirectional)."""
    values = params.values() if isinstance(params, dict) else vars(params).values()
    return (value for value in values if isinstance(value, Node))


def _param(params: Any, key: str) -> Any:
    """A template parameter, from a dict or a parameter object alike."""
    return params.get(key) if isinstance(params, dict) else getattr(params, key, None)


def _size(shape: Shape) -> int:
    return math.prod(n or 1 for n in shape)


def _rows(shape: Shape) -> int:
    """The rows a matmul over the last axis sees: every position but the features."""
    return _size(shape) // max(shape[-1] or 1, 1) if shape else 1
