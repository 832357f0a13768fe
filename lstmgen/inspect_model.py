"""`lstmgen inspect MODEL`: what the file holds and what lstmgen makes of it, no Keras."""

from __future__ import annotations

from typing import List, Tuple

from lstmgen.boundary import one_line
from lstmgen.build import REFUSED
from lstmgen.emitter import self_test_input, shape_text
from lstmgen.errors import LstmgenError, printable
from lstmgen.generate import translate
from lstmgen.layers import REGISTRY
from lstmgen.reader import read_model
from lstmgen.reader.model_file import ModelFile

MAX_CELL = 120  # characters of a name in the table; messages show up to 2,000
HARD_SIGMOID = {
    2: "hard_sigmoid = clip(0.2 * x + 0.5, 0, 1) (Keras 2)",
    3: "hard_sigmoid = clip(x / 6 + 0.5, 0, 1) (Keras 3)",
}


def inspect_text(path: str) -> Tuple[str, bool]:
    """The report, and whether lstmgen can translate the whole model."""
    model = read_model(path)
    translated = (
        "Keras 1 names and weights translated, " if model.keras_version.startswith("1.") else ""
    )
    lines = [
        printable(
            f"{path}: {model.model_class} '{model.model_name}', saved by Keras "
            f"{model.keras_version} ({translated}read with Keras {model.keras_major} semantics)"
        ),
    ]
    for model_input in model.inputs:
        lines.append(
            printable(
                f"input {model_input.name!r}: {shape_text(model_input.shape)} {model_input.dtype}"
            )
        )
    try:
        graph = translate(model)  # built and costed as generation does
        self_test_input(graph)  # the one check generation makes after that
        problem = None
        shapes = {}
        for node in graph.nodes:
            shapes.setdefault(node.layer_name, ", ".join(shape_text(t.shape) for t in node.outputs))
    except LstmgenError as error:
        problem, shapes = one_line(error), {}
    rows: List[Tuple[str, ...]] = [
        ("Layer", "Class", "Output shape", "Params", "Supported", "Notes")
    ]
    for record in model.layers:
        supported = (
            "yes"
            if record.class_name in REGISTRY
            else ("refused" if record.class_name in REFUSED else "no")
        )
        params = sum(int(a.size) for a in record.weights)
        rows.append(
            (
                _cell(record.name),
                _cell(record.class_name),
                shapes.get(record.name, "?"),
                f"{params:,}",
                supported,
                _cell(_notes(model, record.config)),
            )
        )
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines.append("")
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    total = sum(int(a.size) for record in model.layers for a in record.weights)
    lines.append(f"Total parameters: {total:,}")
    lines.append("Translatable: yes" if problem is None else f"Translatable: no: {problem}")
    return "\n".join(lines) + "\n", problem is None


def _cell(text: str) -> str:
    """Text from the file for one table cell: escaped, and cut short if very long."""
    text = printable(text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def _notes(model: ModelFile, config) -> str:
    """Options whose meaning depends on the Keras version or changes the computation."""
    notes = []
    for key in ("activation", "recurrent_activation"):
        if config.get(key) == "hard_sigmoid":
            notes.append(f"{key}: {HARD_SIGMOID[model.keras_major]}")
    for key in ("go_backwards", "stateful", "time_major", "return_state", "mask_zero"):
        if config.get(key):
            notes.append(f"{key}=True")
    if config.get("reset_after") is False:
        notes.append("reset_after=False")
    inner = config.get("layer")
    if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
        notes.append(
            f"wraps {inner.get('class_name')}: {_notes(model, inner['config']) or 'defaults'}"
        )
    return "; ".join(notes)
