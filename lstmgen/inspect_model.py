"""`lstmgen inspect MODEL`: what the file holds and what lstmgen makes of it, no Keras."""

from __future__ import annotations

from typing import List, Tuple

from lstmgen.boundary import one_line
from lstmgen.build import REFUSED
from lstmgen.emitter import self_test_input
from lstmgen.ir import shape_text
from lstmgen.errors import LstmgenError, printable
from lstmgen.generate import translate
from lstmgen.layers import REGISTRY
from lstmgen.reader import read_model
from lstmgen.reader.model_file import LayerSpec
from lstmgen.reader.safety import code_layers
from lstmgen.survey import Survey, survey

MAX_CELL = 120  # characters of a name in the table; messages show up to 2,000


def inspect_text(path: str) -> Tuple[str, bool]:
    """The report, and whether lstmgen can translate the whole model."""
    model = read_model(path)
    translated = (
        "Keras 1 names and weights translated, " if model.keras_version.startswith("1.") else ""
    )
    try:
        graph = translate(model)  # built and costed as generation does
        self_test_input(graph)  # the one check generation makes after that
        problem = None
    except LstmgenError as error:
        problem = one_line(error)
    seen = survey(model)  # every layer's shapes, past those lstmgen cannot translate
    lines = [
        printable(
            f"{path}: {model.model_class} '{model.model_name}', saved by Keras "
            f"{model.keras_version} ({translated}read with Keras {model.keras_major} semantics)"
        ),
    ]
    for model_input, dtype in zip(model.inputs, seen.input_dtypes):
        lines.append(
            printable(f"input {model_input.name!r}: {shape_text(model_input.shape)} {dtype}")
        )
    code = code_layers(model.config) if model.config is not None else {}
    rows: List[Tuple[str, ...]] = [
        ("Layer", "Class", "Output shape", "Params", "Supported", "Notes")
    ]
    for record in model.layers:
        refused = record.class_name in REFUSED or record.name in code
        supported = "refused" if refused else "yes" if record.class_name in REGISTRY else "no"
        rows.append(
            (
                _cell(record.name),
                _cell(record.class_name),
                _shapes(seen, record.name),
                f"{sum(int(a.size) for a in record.weights):,}",
                supported,
                _cell(_notes(seen, record)),
            )
        )
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines.append("")
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    total = sum(int(a.size) for record in model.layers for a in record.weights)
    lines.append(f"Total parameters: {total:,}")
    lines.append("Translatable: yes" if problem is None else f"Translatable: no: {problem}")
    return "\n".join(lines) + "\n", problem is None


def _shapes(seen: Survey, layer: str) -> str:
    """The layer's output shapes, or '?' where neither lstmgen nor the config knows them."""
    shapes = seen.shapes.get(layer)
    return ", ".join(shape_text(shape) for shape in shapes) if shapes else "?"


def _cell(text: str) -> str:
    """Text from the file for one table cell: escaped, and cut short if very long."""
    text = printable(text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def _notes(seen: Survey, record: LayerSpec) -> str:
    """The semantics of the saving Keras version it follows, and options that change
    what it computes."""
    notes = list(seen.semantics.get(record.name, ()))
    config = record.config
    for key in ("go_backwards", "stateful", "time_major", "return_state", "mask_zero"):
        if config.get(key):
            notes.append(f"{key}=True")
    inner = config.get("layer")
    if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
        flags = [key for key in ("go_backwards", "stateful") if inner["config"].get(key)]
        notes.append(f"wraps {inner.get('class_name')}{''.join(f', {k}=True' for k in flags)}")
    return "; ".join(notes)
