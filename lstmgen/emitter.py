"""ModelGraph -> Python source: one cached Jinja environment, black as the last stage
(lstmgen/formatting.py)."""

from __future__ import annotations

import base64
import functools
import os
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import jinja2
import numpy as np

from lstmgen import __version__
from lstmgen.errors import LstmgenError
from lstmgen.formatting import format_source
from lstmgen.helper_source import helper_source
from lstmgen.ir import ModelGraph, Tensor, shape_text
from lstmgen.sample_inputs import common_batch, sample_inputs, sample_shape

WEIGHTS_PLACEHOLDER = "__LSTMGEN_WEIGHTS__"
SELF_TEST_PLACEHOLDER = "__LSTMGEN_SELF_TEST__"
SELF_TEST_SHAPES_PLACEHOLDER = "__LSTMGEN_SELF_TEST_SHAPES__"
BLOB_LINE = 1024  # base64 characters per source line: few lines, quick to compile
MAX_SELF_TEST_VALUES = 1 << 24  # numbers in one self-test input
ZLIB_LEVEL = 6  # float weights barely compress; higher levels only cost time
# The one line that decodes the weights; the self-test run swaps it for the arrays.
DECODE_WEIGHTS = (
    '_WEIGHTS = np.frombuffer(zlib.decompress(base64.b64decode(_WEIGHTS_BASE64)), "<f4")'
)
LOAD_WEIGHTS_FILE = "_WEIGHTS = _load_weights()"  # --weights-file: a dict of arrays
# Allowed |a - b| / (1 + |b|) of the module's self-test: two float32 runs differ by up to
# twice the 1e-5 that each is from Keras; float64 is documented against 1e-4.
SELF_TEST_TOLERANCE = {"float32": "2e-5", "float64": "1e-4"}
SOURCE_SHA256_KEY = "source-sha256"  # --weights-file: the model file's sha256 in the .npz


@dataclass(frozen=True)
class Generated:
    """The generated module, and with --weights-file the arrays of its sibling .npz."""

    source: str
    arrays: Optional[Dict[str, np.ndarray]] = None


# A model run for the self-test vector: the input arrays -> the output arrays.
Reference = Callable[[List[np.ndarray]], List[np.ndarray]]


def no_progress(stage: str) -> None:
    """The default progress report: nothing."""


@dataclass(frozen=True)
class WeightRow:
    """Where one weight constant sits in the flat weight vector."""

    var: str
    start: int
    stop: int
    shape: Tuple[int, ...]
    comment: str


def templates_dir() -> str:
    """Installed wheels carry templates in lstmgen/templates; a checkout has ../templates."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "templates"), os.path.join(here, "..", "templates")):
        if os.path.isfile(os.path.join(candidate, "module.py.j2")):
            return os.path.normpath(candidate)
    raise RuntimeError("lstmgen is installed without its templates folder")


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict about undefined names, no HTML escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        pyrepr=repr,
        doc=escape_text,
        comment=comment_text,
        shape=shape_text,
        vars=tensor_vars,
        unpack=unpack_targets,
        masks=mask_args,
    )
    return env


def escape_text(value: Any) -> str:
    """Text from the model file made safe inside a docstring or comment: one line, no quotes."""
    text = str(value).encode("unicode_escape").decode("ascii")
    return text.replace('"', '\\"').replace("'", "\\'")


def comment_text(value: Any) -> str:
    """Text from the model file made safe in a comment: one line (quotes are harmless there)."""
    return str(value).encode("unicode_escape").decode("ascii")


def tensor_vars(tensors: Sequence[Tensor]) -> str:
    """The variable names of tensors, comma-separated."""
    return ", ".join(tensor.var for tensor in tensors)


def unpack_targets(tensors: Sequence[Tensor]) -> str:
    """The variable names of tensors as unpacking targets: 'a, b', or 'a,' for one."""
    return tensor_vars(tensors) + ("," if len(tensors) == 1 else "")


def mask_args(tensors: Sequence[Tensor]) -> str:
    """', mask_a, mask_b' for the inputs that carry a mask, in input order."""
    return "".join(f", {tensor.mask}" for tensor in tensors if tensor.mask)


def result_expression(outputs: Sequence[Tensor]) -> str:
    """What predict() returns: the one output's variable, or a list of them."""
    return outputs[0].var if len(outputs) == 1 else f"[{tensor_vars(outputs)}]"


def weight_rows(graph: ModelGraph) -> List[WeightRow]:
    """Where each weight sits in the one flat float32 vector, in node order."""
    return [row for row, _ in _laid_out(graph)]


def _laid_out(graph: ModelGraph) -> List[Tuple[WeightRow, np.ndarray]]:
    pairs, start, seen = [], 0, set()
    for node in graph.nodes:
        for weight in node.weights:
            if weight.var in seen:  # a shared layer's weights, laid out once
                continue
            seen.add(weight.var)
            stop = start + weight.array.size
            row = WeightRow(weight.var, start, stop, tuple(weight.array.shape), weight.comment)
            pairs.append((row, weight.array))
            start = stop
    return pairs


def blob_expression(arrays: Sequence[np.ndarray]) -> str:
    """The arrays' float32 little-endian bytes, zlib-compressed and base64-encoded, as a
    Python string expression of one quoted line per BLOB_LINE characters.

    Streamed: compressed chunks become text lines at once, so the generator holds little
    more than the text itself. Float weights rarely compress: when a sample does not
    shrink by 10%, the zlib stream stores them (level 0), which decompresses at memory
    speed when the module imports.
    """
    views = [memoryview(np.ascontiguousarray(a, dtype="<f4")).cast("B") for a in arrays]
    sample = b"".join(bytes(view[: 1 << 16]) for view in views[:16])
    level = ZLIB_LEVEL if len(zlib.compress(sample, ZLIB_LEVEL)) < 0.9 * len(sample) else 0
    compressor = zlib.compressobj(level)
    step = BLOB_LINE // 4 * 3  # whole base64 quanta: the lines join without padding
    pending, lines = bytearray(), []

    def emit(final: bool) -> None:
        usable = len(pending) if final else len(pending) - len(pending) % step
        for start in range(0, usable, step):
            lines.append(b'    "' + base64.b64encode(pending[start : start + step]) + b'"\n')
        del pending[:usable]

    for view in views:
        for start in range(0, len(view), 1 << 20):
            pending += compressor.compress(view[start : start + (1 << 20)])
            emit(final=False)
    pending += compressor.flush()
    emit(final=True)
    if len(lines) == 1:
        return lines[0].decode("ascii").strip()
    lines.insert(0, b"(\n")
    lines.append(b")")
    # Copied into one buffer line by line, each line freed once copied.
    text, position = bytearray(sum(len(line) for line in lines)), 0
    for index, line in enumerate(lines):
        text[position : position + len(line)] = line
        position += len(line)
        lines[index] = b""
    return text.decode("ascii")


def summary_lines(graph: ModelGraph) -> List[str]:
    """The layer table in the header docstring."""
    rows = [("Layer", "Class", "Output shape", "Params")]
    for node in graph.nodes:
        shapes = ", ".join(shape_text(t.shape) for t in node.outputs)
        rows.append((node.layer_name, node.class_name, shapes, f"{node.param_count:,}"))
    total = sum(row.stop - row.start for row in weight_rows(graph))
    widths = [max(len(row[k]) for row in rows) for k in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[k]) for k, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"Total parameters: {total:,}")
    return lines


def public_names(graph: ModelGraph) -> List[str]:
    """The module's API, as its `__all__` lists it: what this model's module defines."""
    names = ["predict", "self_test"]
    names += ["Predictor", "reset_states"] if graph.stateful_batch is not None else []
    names += ["initial_state", "step"] if graph.streamable else []
    names += ["INPUT_NAMES", "INPUT_SHAPES", "INPUT_DTYPES", "OUTPUT_NAMES", "OUTPUT_SHAPES"]
    return names + ["SOURCE_SHA256"] + (["WEIGHTS_FILE"] if graph.weights_file else [])


def weights_line(graph: ModelGraph) -> str:
    """The one line of the module that makes `_WEIGHTS`: decoded, or read from the .npz."""
    return LOAD_WEIGHTS_FILE if graph.weights_file else DECODE_WEIGHTS


def render(
    graph: ModelGraph, module_name: str, keras_self_test: bool = False, report=no_progress
) -> str:
    """The formatted module with placeholders for the weight and self-test blobs."""
    report("rendering")
    source = (
        environment()
        .get_template("module.py.j2")
        .render(
            graph=graph,
            version=__version__,
            module_name=module_name,
            weights_file_name=f"{module_name}.npz",
            summary=summary_lines(graph),
            weight_rows=weight_rows(graph),
            decode_weights=weights_line(graph),
            helpers=helper_source(graph.helpers, graph.float_type),
            input_shapes=[t.shape for t in graph.inputs],
            output_shapes=[t.shape for t in graph.outputs],
            result=result_expression(graph.outputs),
            self_test_tolerance=SELF_TEST_TOLERANCE[graph.float_type],
            keras_self_test=keras_self_test,
            public_names=public_names(graph),
        )
    )
    report("formatting")
    return format_source(source)


def fill(source: str, self_test_shapes: str, self_test: str = "", weights: str = "") -> str:
    """Put the blobs in after black, so it never has to read them (with --weights-file,
    only the self-test shapes: the blobs are in the .npz)."""
    # The large weight text goes in last, so the source is copied only once with it.
    values = [(SELF_TEST_SHAPES_PLACEHOLDER, self_test_shapes)]
    if SELF_TEST_PLACEHOLDER in source or WEIGHTS_PLACEHOLDER in source:
        values += [(SELF_TEST_PLACEHOLDER, self_test), (WEIGHTS_PLACEHOLDER, weights)]
    for placeholder, value in values:
        if source.count(placeholder) != 1:
            raise RuntimeError(f"template must contain {placeholder} exactly once")
        source = source.replace(placeholder, value)
    return source


def self_test_input(graph: ModelGraph, batch: int = 2, free_steps: int = 6) -> List[np.ndarray]:
    """A fixed pseudo-random input batch for the embedded self-test."""
    shapes = [tensor.shape for tensor in graph.inputs]
    batch = common_batch(shapes, batch)  # one input may fix it for all
    for tensor in graph.inputs:
        shape = sample_shape(tensor.shape, batch, free_steps)
        if float(np.prod(shape, dtype=np.float64)) > MAX_SELF_TEST_VALUES:
            raise LstmgenError(
                f"input {tensor.var!r} of shape {shape} is too large for the embedded self-test"
            )
    return sample_inputs(
        shapes, graph.input_dtypes, 20261129, batch, free_steps, id_pools=graph.input_ids
    )


def _draft_weights(graph: ModelGraph) -> Any:
    """What the module's weights line gives, built from the arrays themselves."""
    pairs = _laid_out(graph)
    if graph.weights_file:
        weights = {row.var: array.astype(graph.float_type) for row, array in pairs}
        weights[SOURCE_SHA256_KEY] = np.array(graph.sha256)
        return weights
    arrays = [array.reshape(-1) for _, array in pairs]
    return np.concatenate(arrays) if arrays else np.zeros(0, "<f4")


def self_test_vector(
    formatted: str, graph: ModelGraph, module_name: str, reference: Optional[Reference] = None
) -> List[np.ndarray]:
    """The test input and the outputs for it: `reference`'s (Keras's, with --verify), or
    the module's own, run once with the weights handed in directly, not decoded."""
    inputs = self_test_input(graph)
    if reference is not None:
        return inputs + [np.asarray(y, dtype=np.float32) for y in reference(inputs)]
    line = weights_line(graph)
    if formatted.count(line) != 1:
        raise RuntimeError("template must make the weights with weights_line() once")
    draft = fill(formatted, "[]", '""', '""').replace(line, "_WEIGHTS = _LSTMGEN_WEIGHTS")
    namespace: Dict[str, Any] = {
        "__name__": "lstmgen_generated",
        "_LSTMGEN_WEIGHTS": _draft_weights(graph),
    }
    exec(compile(draft, f"<lstmgen:{module_name}>", "exec"), namespace)  # our own output
    outputs = namespace["predict"](inputs)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    # Its functions refer back to it: emptied, it lets the weights go at once, by reference
    # counting. (No gc.collect(): in a process that holds TensorFlow it took 0.5 s.)
    namespace.clear()
    return inputs + [np.asarray(y, dtype=np.float32) for y in outputs]


def generate_source(
    graph: ModelGraph,
    module_name: str = "predictor",
    reference: Optional[Reference] = None,
    report: Callable[[str], None] = no_progress,
) -> Generated:
    """The complete generated module (and with --weights-file its .npz arrays).

    The self-test vector is `reference`'s output when given (Keras's), else the module's
    own. Memory stays within a few times the weights: the self-test runs on the arrays
    themselves, and the weight text is built once, after it.
    """
    formatted = render(graph, module_name, reference is not None, report)
    report("self-test")
    vector = self_test_vector(formatted, graph, module_name, reference)
    shapes = repr([tuple(int(n) for n in a.shape) for a in vector])
    report("encoding weights")
    if graph.weights_file:
        arrays = {row.var: array for row, array in _laid_out(graph)}
        arrays.update({f"self-test.{k}": array for k, array in enumerate(vector)})
        arrays[SOURCE_SHA256_KEY] = np.array(graph.sha256)
        return Generated(fill(formatted, shapes), arrays)
    self_test = blob_expression(vector)
    weights = blob_expression([array for _, array in _laid_out(graph)])
    return Generated(fill(formatted, shapes, self_test, weights))
