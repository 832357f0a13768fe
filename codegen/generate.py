"""The pipeline in one call: model file -> reader -> IR -> emitter -> source text."""

from __future__ import annotations

from codegen.build import build_graph
from codegen.emitter import generate_source
from codegen.layers.base import Options
from codegen.reader import read_model


def generate(path: str, module_name: str = "predictor", options: Options = Options()) -> str:
    """Read the Keras model at `path` and return the predictor module's source."""
    return generate_source(build_graph(read_model(path), options), module_name)
