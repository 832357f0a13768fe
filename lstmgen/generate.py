"""The pipeline in one call: model file -> reader -> IR -> emitter -> source text."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Callable

from lstmgen.budget import MAX_SOURCE_LINES, check_budget, source_lines
from lstmgen.cost import unrolled_steps
from lstmgen.build import build_graph
from lstmgen.emitter import generate_source, no_progress
from lstmgen.errors import LstmgenError, LstmgenWarning
from lstmgen.ir import ModelGraph
from lstmgen.options import Options
from lstmgen.output_name import name_problem
from lstmgen.reader import read_model
from lstmgen.reader.model_file import ModelFile

# Generated lines beyond which formatting takes tens of seconds: said before it starts.
ANNOUNCED_LINES = 10_000


def generate(path: str, module_name: str = "predictor", options: Options = Options()) -> str:
    """Read the Keras model at `path` and return the predictor module's source.

    The source only: a --weights-file module needs its .npz too, which this call would
    drop, so `options.weights_file` is refused here (the CLI writes both files)."""
    problem = name_problem(module_name)
    if problem:  # it names the module in the docstring's `import NAME`
        raise LstmgenError(f"module name {module_name!r} {problem}")
    if options.weights_file:
        raise LstmgenError(
            "generate() returns only the module's source; Options(weights_file=True) also needs "
            "the .npz arrays: use generate_source(read_graph(path, options), module_name) "
            "(its .source and .arrays) or the lstmgen command with --weights-file"
        )
    return generate_source(read_graph(path, options), module_name).source


def read_graph(
    path: str, options: Options = Options(), report: Callable[[str], None] = no_progress
) -> ModelGraph:
    """Read and translate the model at `path` (the 'reading' and 'building' stages)."""
    report("reading")
    model = read_model(path)
    report("building")
    return translate(model, options)


def translate(model: ModelFile, options: Options = Options()) -> ModelGraph:
    """The model's graph, refused if generating it would cost more than lstmgen's budget.

    Unless --unroll insists, recurrent layers whose unrolled timesteps would pass the
    budget of source lines loop over time instead (with a warning); unrolled timesteps
    that make a long module are announced before black spends its time on them."""
    graph = build_graph(model, options)
    lines = source_lines(graph)
    if options.unroll is None and lines > MAX_SOURCE_LINES:
        warnings.warn(
            LstmgenWarning(
                f"unrolling every timestep would write about {lines:,} lines of code, beyond "
                f"the {MAX_SOURCE_LINES:,} lstmgen formats in reasonable time; the recurrent "
                "layers loop over time instead (--unroll insists on unrolling)"
            )
        )
        options = replace(options, unroll=False)
        graph = build_graph(model, options)
    check_budget(model, graph, options)
    lines = source_lines(graph)
    if lines > ANNOUNCED_LINES and options.unroll is not False:
        steps = sum(unrolled_steps(node) for node in graph.nodes)
        warnings.warn(
            LstmgenWarning(
                f"unrolling {steps:,} timesteps writes about {lines:,} lines of code, which "
                "take a while to format; --no-unroll writes a loop over time instead"
            )
        )
    return graph
