"""The pipeline in one call: model file -> reader -> IR -> emitter -> source text."""

from __future__ import annotations

from typing import Callable

from lstmgen.build import build_graph
from lstmgen.emitter import generate_source, no_progress
from lstmgen.errors import LstmgenError
from lstmgen.ir import ModelGraph
from lstmgen.options import Options
from lstmgen.reader import read_model


def generate(path: str, module_name: str = "predictor", options: Options = Options()) -> str:
    """Read the Keras model at `path` and return the predictor module's source.

    The source only: a --weights-file module needs its .npz too, which this call would
    drop, so `options.weights_file` is refused here (the CLI writes both files)."""
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
    return build_graph(model, options)
