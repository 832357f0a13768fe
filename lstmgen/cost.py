"""Each layer call's work, estimated from its shapes and parameters (lstmgen.budget).

- multiply-adds: rows x matrix weights (Dense, recurrent and convolution kernels), plus
  every input and output element, plus each output element times its window's cells
  (pooling, convolution), plus query x key pairs x width (attention);
- bytes: each output (predict() keeps them all until it returns), the largest array it
  makes on the way (im2col windows, attention scores, what a handler declares as scratch:
  a transposed convolution's columns);
- timesteps a recurrent layer runs one by one (each costs Python time, whatever its size);
- lines of source: a few dozen per layer, about ten per unrolled timestep.

What a layer does beyond its tensors (windows, timesteps, query x key pairs, wrapped
layers) is what its handler declares in `Node.work` (`lstmgen.ir.Work`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from lstmgen.ir import Node, Shape

LINES_PER_LAYER = 40
LINES_PER_STEP = 10  # one unrolled timestep of one recurrent cell (LSTM: 9.5)


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
    work = node.work
    ins = [_size(t.shape) for t in node.inputs]
    outs = [_size(t.shape) for t in node.outputs]
    rows = max(_rows(t.shape) for t in node.inputs + node.outputs)
    matrices = 0 if work.table else sum(w.array.size for w in node.weights if w.array.ndim > 1)
    window = max(_windows(node), default=1)
    out_rows = _rows(node.outputs[0].shape)
    in_width = node.inputs[0].shape[-1] if node.inputs[0].shape else 1
    pairs, width, scores = _pairs(node)
    ops = rows * matrices + sum(ins) + sum(outs) + sum(outs) * window + pairs * width
    # A convolution copies every output row's window (im2col) for its matmul; pooling
    # reduces a view of them.
    copied = out_rows * window * (in_width or 1) if window > 1 and matrices else 0
    largest = max(outs + [copied, scores, work.scratch])
    return Cost(ops, sum(outs) * itemsize, largest * itemsize, timesteps(node))


def timesteps(node: Node) -> int:
    """Timesteps run one at a time: each recurrent cell of this node and those it wraps."""
    work, own = node.work, 0
    if work.time_axis is not None and len(node.inputs[0].shape) > work.time_axis:
        own = (node.inputs[0].shape[work.time_axis] or 1) * work.cells
    return own + sum(timesteps(inner) for inner in work.inner)


def unrolled_steps(node: Node) -> int:
    """Timesteps written out one by one, for this node and the layers it wraps."""
    return node.work.unrolled + sum(unrolled_steps(inner) for inner in node.work.inner)


def _windows(node: Node) -> Iterator[int]:
    yield node.work.window
    for inner in node.work.inner:
        yield from _windows(inner)


def _pairs(node: Node):
    """(query x key pairs, width of each, score numbers) of an attention-like layer."""
    work = node.work
    if not work.pairwise or len(node.inputs) < 2:
        return 0, 0, 0
    query, key = node.inputs[0].shape, node.inputs[1].shape
    batch = query[0] or 1
    pairs = (_rows(query) // batch) * (_rows(key) // batch) * batch
    width = max(query[-1] or 1, key[-1] or 1)
    per_pair = width if work.pair_width else work.scores_per_pair
    return pairs, width, pairs * per_pair


def _size(shape: Shape) -> int:
    return math.prod(n or 1 for n in shape)


def _rows(shape: Shape) -> int:
    """The rows a matmul over the last axis sees: every position but the features."""
    return _size(shape) // max(shape[-1] or 1, 1) if shape else 1
