"""What a model will cost to generate, estimated from the IR before anything runs.

Generation runs the module once (the self-test), and black formats its source; a small
file can declare a pooling window of two million steps, a RepeatVector of two million,
or a hundred thousand unrolled timesteps. So the graph is built a second time on the
self-test's concrete input shapes (every free axis filled in, as the self-test fills
it), and each layer call's work is estimated from its shapes and parameters:

- multiply-adds: rows x matrix weights (Dense, recurrent and convolution kernels), plus
  every input and output element, plus each output element times its window's cells
  (pooling, convolution), plus query x key pairs x width (attention);
- bytes: each output (predict() keeps them all until it returns), the largest array it
  makes on the way (im2col windows, attention scores);
- timesteps a recurrent layer runs one by one (each costs Python time, whatever its size);
- lines of source: a few dozen per layer, about ten per unrolled timestep.

A model above a budget is refused with one line naming the layer and the estimate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any, Iterator, Optional

from lstmgen.build import build_graph
from lstmgen.errors import LstmgenError, layer_error
from lstmgen.ir import ModelGraph, Node, Shape
from lstmgen.options import Options
from lstmgen.reader.model_file import ModelFile
from lstmgen.sample_inputs import sample_shape

MAX_SELF_TEST_OPS = 10**11  # multiply-adds of one self-test run (VGG16, batch 2: 3e10)
MAX_SELF_TEST_STEPS = 200_000  # recurrent timesteps run one by one (about 30 us each)
MAX_ARRAY_BYTES = 2 << 30  # one array made while running the self-test
MAX_SELF_TEST_BYTES = 6 << 30  # all outputs of a run together
MAX_SOURCE_LINES = 50_000  # generated lines for black to format (black: 0.5-3k lines/s)
LINES_PER_LAYER = 40
LINES_PER_STEP = 10  # one unrolled timestep of one recurrent cell (LSTM: 9.5)
SELF_TEST_BATCH, SELF_TEST_STEPS = 2, 6  # as lstmgen.emitter.self_test_input fills inputs

# Templates that run a Python-level step per timestep.
_RECURRENT = frozenset({"recurrent.py.j2", "conv_lstm.py.j2"})
# Templates whose weights are looked up by index, not multiplied.
_TABLES = frozenset({"embedding.py.j2"})
# Templates that compare every query with every key: (batch, Tq, Tk) scores.
_PAIRWISE = frozenset({"attention.py.j2", "multi_head_attention.py.j2", "dot.py.j2"})
_WINDOW_KEYS = ("sizes", "kernel_size")  # the window of pooling, convolution, ConvLSTM


@dataclass(frozen=True)
class Cost:
    """One layer call's estimate for the self-test run."""

    ops: int
    output_bytes: int
    largest_bytes: int
    steps: int = 0


def check_budget(model: ModelFile, graph: ModelGraph, options: Options = Options()) -> None:
    """Refuse `graph` (built from `model` with `options`) if generating it would cost
    more than a budget: one line naming the layer and the estimate."""
    lines = 0
    for node in graph.nodes:
        lines += node_lines(node)
        if lines > MAX_SOURCE_LINES:
            raise layer_error(
                node.layer_name,
                node.class_name,
                f"the generated module would reach about {lines:,} lines here (unrolled "
                f"timesteps: about {LINES_PER_STEP} lines each), beyond lstmgen's budget of "
                f"{MAX_SOURCE_LINES:,}; leave out --unroll, or use --no-unroll",
            )
    itemsize = 8 if graph.float_type == "float64" else 4
    ops = total = steps = 0
    for node in self_test_graph(model, graph, options).nodes:
        cost = node_cost(node, itemsize)
        ops, total, steps = ops + cost.ops, total + cost.output_bytes, steps + cost.steps
        for amount, budget, what in (
            (cost.largest_bytes, MAX_ARRAY_BYTES, "bytes in one array"),
            (total, MAX_SELF_TEST_BYTES, "bytes of arrays in all"),
            (ops, MAX_SELF_TEST_OPS, "multiply-adds"),
            (steps, MAX_SELF_TEST_STEPS, "timesteps run one by one"),
        ):
            if amount > budget:
                raise layer_error(
                    node.layer_name,
                    node.class_name,
                    f"the self-test's input (shapes {_input_shapes(graph)}) would need about "
                    f"{amount:.3g} {what} up to here, beyond lstmgen's budget of {budget:.3g}",
                )


def source_lines(graph: ModelGraph) -> int:
    """About how many lines the generated module will have, before black formats them."""
    return sum(node_lines(node) for node in graph.nodes)


def node_lines(node: Node) -> int:
    return LINES_PER_LAYER + LINES_PER_STEP * unrolled_steps(node)


def self_test_graph(model: ModelFile, graph: ModelGraph, options: Options) -> ModelGraph:
    """The graph rebuilt on the self-test's input shapes: every axis a number."""
    inputs = tuple(
        replace(declared, shape=sample_shape(tensor.shape, SELF_TEST_BATCH, SELF_TEST_STEPS))
        for declared, tensor in zip(model.inputs, graph.inputs)
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the first build has warned already
            return build_graph(replace(model, inputs=inputs), replace(options, timesteps=None))
    except LstmgenError as error:
        raise LstmgenError(
            f"the self-test's input (shapes {_input_shapes(graph)}) does not fit the model: {error}"
        ) from None


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


def _input_shapes(graph: ModelGraph) -> Optional[str]:
    shapes = [sample_shape(t.shape, SELF_TEST_BATCH, SELF_TEST_STEPS) for t in graph.inputs]
    return ", ".join(str(shape) for shape in shapes)
