"""Is a checked-in predictor what the generator writes today, on any machine?

Every byte must be the same but one: the embedded self-test's expected outputs are the
module's own outputs at generation time, so another BLAS (another summation order) moves
their last float32 bits. Those outputs are compared as numbers, within float32 rounding;
the self-test inputs (seeded, the same everywhere) and all the rest, as bytes.
"""

from __future__ import annotations

import ast
import base64
import re
import zlib
from typing import List, Optional, Tuple

import numpy as np

# The data section's layout (templates/data_section.py.j2): a one-line string or one
# quoted base64 line per row inside parentheses.
_SELF_TEST = re.compile(r'^_SELF_TEST = (?:"[^"\n]*"|\(\n(?:    "[^"\n]*"\n)*\))$', re.M)
_LITERAL = r"^{} = (\[[^\n]*\])$"
# Two float32 runs of the same math each land within 1e-5 of the exact answer.
OUTPUT_TOLERANCE = 2e-5


def split_self_test(source: str) -> Tuple[str, Optional[List[np.ndarray]]]:
    """The source with the self-test blob cut out, and the arrays it held (None when the
    module has none inline, e.g. with --weights-file)."""
    match = _SELF_TEST.search(source)
    if match is None:
        return source, None
    shapes = _literal(source, "_SELF_TEST_SHAPES")
    text = "".join(re.findall(r'"([^"\n]*)"', match.group(0)))
    flat = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<f4")
    arrays, start = [], 0
    for shape in shapes:
        stop = start + int(np.prod(shape, dtype=np.int64))
        arrays.append(flat[start:stop].reshape(shape))
        start = stop
    rest = source[: match.start()] + "_SELF_TEST = ..." + source[match.end() :]
    return rest, arrays


def _literal(source: str, name: str):
    match = re.search(_LITERAL.format(name), source, re.M)
    if match is None:
        raise ValueError(f"no {name} line: not a module lstmgen wrote")
    return ast.literal_eval(match.group(1))


def same_predictor(checked_in: str, fresh: str) -> bool:
    """True when `checked_in` is `fresh` but for the self-test outputs' float32 rounding."""
    if checked_in == fresh:
        return True
    try:
        old_text, old = split_self_test(checked_in)
        new_text, new = split_self_test(fresh)
        inputs = len(_literal(fresh, "INPUT_NAMES"))
    except (ValueError, SyntaxError, zlib.error, TypeError):
        return False
    if old_text != new_text or old is None or new is None or len(old) != len(new):
        return False
    if any(a.shape != b.shape for a, b in zip(old, new)):
        return False
    if not all(np.array_equal(a, b) for a, b in zip(old[:inputs], new[:inputs])):
        return False
    return all(
        _relative_error(a, b) <= OUTPUT_TOLERANCE for a, b in zip(old[inputs:], new[inputs:])
    )


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64), b.astype(np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(same, 0.0, np.abs(a - b) / (1.0 + np.abs(b)))
    return float(np.max(np.nan_to_num(error, nan=np.inf), initial=0.0))
