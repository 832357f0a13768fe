"""Before `verify` runs anything: does the predictor belong to the model, and do the
--input arrays fit the predictor? Each mismatch is one line naming the file at fault."""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

from lstmgen.ir import shape_text
from lstmgen.errors import PathError
from lstmgen.ir import ModelGraph, Shape


def source_note(predictor, sha256: str, predictor_path: str, model_path: str) -> str:
    """A first line for the report when the predictor was generated from another file
    than the model (a retrained model, or the same one saved again): '' when it was not."""
    recorded = getattr(predictor, "SOURCE_SHA256", None)
    if not isinstance(recorded, str) or recorded == sha256:
        return ""
    return (
        f"note: {predictor_path} was generated from another file than {model_path} "
        f"(its SOURCE_SHA256 is {recorded[:12]}..., the file's sha256 {sha256[:12]}...): "
        "the table shows whether they still agree\n"
    )


def check_fits(predictor, graph: ModelGraph, predictor_path: str, model_path: str) -> None:
    """Refuse a predictor whose inputs or outputs are not the model's (another model's
    predictor): Keras would otherwise fail on its inputs with an error of its own."""
    theirs = _signature(predictor.INPUT_SHAPES, predictor.INPUT_DTYPES)
    ours = _signature([t.shape for t in graph.inputs], graph.input_dtypes)
    outputs_fit = len(predictor.OUTPUT_NAMES) == len(graph.outputs)
    if _fit(theirs, ours) and outputs_fit:
        return
    if not _fit(theirs, ours):
        what, mine, model = "inputs are", _text(theirs), _text(ours)
    else:
        what, mine, model = "number of outputs is", len(predictor.OUTPUT_NAMES), len(graph.outputs)
    source = "" if _same_source(predictor, graph) else "; it was generated from another file"
    raise PathError(
        f"{predictor_path} is not a predictor of {model_path}: its {what} {mine}, the "
        f"model's {model}{source}"
    )


def check_given(given: Sequence[Tuple[str, np.ndarray]], predictor) -> None:
    """Each --input array fits its input of the predictor (the model's, once check_fits
    passed): a wrong one is blamed on its .npy file."""
    names = list(predictor.INPUT_NAMES)
    if len(given) != len(names):
        raise PathError(
            f"--input: {len(given)} file(s) for {len(names)} input(s) {names}: give one .npy "
            "per input, in that order"
        )
    for (path, array), name, shape in zip(given, names, predictor.INPUT_SHAPES):
        if array.ndim != len(shape) or any(
            want is not None and want != got for want, got in zip(shape, array.shape)
        ):
            raise PathError(
                f"{path}: holds an array of shape {array.shape}; input {name!r} takes "
                f"{shape_text(tuple(shape))}"
            )


def _signature(shapes, dtypes) -> List[Tuple[Shape, str]]:
    kinds = ["ids" if str(d).startswith(("int", "uint")) else "numbers" for d in dtypes]
    return [(tuple(shape), kind) for shape, kind in zip(shapes, kinds)]


def _fit(theirs, ours) -> bool:
    """Same inputs, a free axis of the model allowed to be fixed in the predictor
    (--timesteps)."""
    return len(theirs) == len(ours) and all(
        kind == our_kind
        and len(shape) == len(our_shape)
        and all(want is None or want == got for want, got in zip(our_shape, shape))
        for (shape, kind), (our_shape, our_kind) in zip(theirs, ours)
    )


def _text(signature) -> str:
    parts = [
        f"{shape_text(shape)} {'token ids' if kind == 'ids' else 'numbers'}"
        for shape, kind in signature
    ]
    return "[" + ", ".join(parts) + "]"


def _same_source(predictor, graph: ModelGraph) -> bool:
    return getattr(predictor, "SOURCE_SHA256", graph.sha256) == graph.sha256
