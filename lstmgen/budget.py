"""What a model may cost to generate, checked from the IR before anything runs.

Generation runs the module once (the self-test), and black formats its source; a small
file can declare a pooling window of two million steps, a RepeatVector of two million,
or a hundred thousand unrolled timesteps. So the graph is built a second time on the
self-test's concrete input shapes (every free axis filled in, as the self-test fills
it: free axes grown by UpSampling, padding or concatenation are counted as they will
be), each layer call's work is estimated (lstmgen.cost), and a model above a budget is
refused with one line naming the layer and the estimate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Optional

from lstmgen.build import build_graph
from lstmgen.cost import LINES_PER_STEP, node_cost, node_lines
from lstmgen.emitter import MAX_SELF_TEST_VALUES
from lstmgen.errors import LstmgenError, layer_error
from lstmgen.ir import ModelGraph
from lstmgen.options import Options
from lstmgen.reader.model_file import ModelFile
from lstmgen.sample_inputs import common_batch, sample_shape

MAX_SELF_TEST_OPS = 10**11  # multiply-adds of one self-test run (VGG16, batch 2: 3e10)
MAX_SELF_TEST_STEPS = 200_000  # recurrent timesteps run one by one (about 30 us each)
MAX_ARRAY_BYTES = 2 << 30  # one array made while running the self-test
MAX_SELF_TEST_BYTES = 6 << 30  # all outputs of a run together
MAX_SOURCE_LINES = 50_000  # generated lines for black to format (black: 0.5-3k lines/s)
SELF_TEST_BATCH, SELF_TEST_STEPS = 2, 6  # as lstmgen.emitter.self_test_input fills inputs


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
    for tensor in graph.inputs:  # the self-test's own limit on its input, checked first
        shape = sample_shape(tensor.shape, _batch(graph), SELF_TEST_STEPS)
        if math.prod(shape) > MAX_SELF_TEST_VALUES:
            raise LstmgenError(
                f"input {tensor.var!r} of shape {shape} is too large for the embedded self-test"
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


def self_test_graph(model: ModelFile, graph: ModelGraph, options: Options) -> ModelGraph:
    """The graph rebuilt on the self-test's input shapes: every axis a number."""
    inputs = tuple(
        replace(declared, shape=sample_shape(tensor.shape, _batch(graph), SELF_TEST_STEPS))
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


def _batch(graph: ModelGraph) -> int:
    return common_batch([tensor.shape for tensor in graph.inputs], SELF_TEST_BATCH)


def _input_shapes(graph: ModelGraph) -> Optional[str]:
    shapes = [sample_shape(t.shape, _batch(graph), SELF_TEST_STEPS) for t in graph.inputs]
    return ", ".join(str(shape) for shape in shapes)
