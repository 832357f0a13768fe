"""Black as the last stage, without formatting the same text again and again.

The output is byte for byte what `black.format_str(source, mode=MODE)` gives; black just
reads less of it:
- unrolled steps (lstmgen/formatting_steps.py): the one convention with the templates
  is that a step starts with a comment line `# step N` (N its number, optionally followed
  by `: ` and a title) and runs to the next blank line. Steps that differ only in their digits (`xw[3]` and `xw[4]`) are
  formatted once and stamped out with each step's own digits;
- top-level functions and classes (lstmgen/formatting_chunks.py) are formatted one at a
  time, each distinct text once per process (most of them are the same in every module);
- the rest, with a placeholder where each of those was, is formatted as one file.

Why that is exact: black decides each line of a block of plain statements from that
line alone (its tokens, their lengths and its depth), never from the values of the
digits in it, and keeps tokens and comments in their order; it adds blank lines only
around defs, classes, decorators, imports and docstrings, which a step may not hold.
Inside a top-level def or class black's state starts afresh at its first line; around
it, a placeholder def gets the blank lines the def would. Whatever breaks the convention,
or could (`# fmt:` directives, a step holding strings, defs or imports, text black
refuses), falls back to black on the whole source. Tests check each template family
and each option that changes the text against black on the whole file.
"""

from __future__ import annotations

import ast
import contextlib
import gc
from typing import Iterator

import black

from lstmgen.formatting_chunks import cut_chunks, expand_chunks
from lstmgen.formatting_steps import PLACEHOLDER, cut_runs, expand_runs

MODE = black.Mode(target_versions={black.TargetVersion.PY39}, line_length=88)
# False: black on the whole source every time (the reference for tests and benchmarks).
PIECEWISE = True


def black_format(source: str) -> str:
    """Black on the whole source."""
    with cyclic_gc_paused():
        return black.format_str(source, mode=MODE)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Black allocates many small objects, which keep starting the cyclic garbage
    collector: 15% of black's time here, and 60% in a process that also holds TensorFlow
    (Keras loaded, as in --verify or the tests). Reference counting still frees what
    black drops; its cycles wait for the next collection after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def format_source(source: str) -> str:
    """What black makes of `source`, formatting each distinct piece only once."""
    if not PIECEWISE or "fmt:" in source or "yapf:" in source or "\r" in source:
        return black_format(source)  # directives span pieces; \r\n stays black's business
    lines = source.split("\n")
    skeleton, runs = cut_runs(lines)
    try:
        tree = ast.parse("\n".join(skeleton))
    except SyntaxError:
        return black_format(source)  # black says what is wrong, or formats what ast cannot
    if not placeholders_are_statements(tree, len(runs)):
        return black_format(source)
    outer, chunks = cut_chunks(skeleton, tree)
    try:
        formatted = expand_chunks(black_format("\n".join(outer)).split("\n"), chunks, black_format)
        if formatted is not None:
            formatted = expand_runs(formatted, lines, runs, black_format)
    except black.InvalidInput:
        formatted = None
    return black_format(source) if formatted is None else "\n".join(formatted)


def placeholders_are_statements(tree: ast.Module, count: int) -> bool:
    """Every step placeholder stands alone as a statement (not inside a string)."""
    found = [
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Name)
        and node.value.id.startswith(PLACEHOLDER)
    ]
    return sorted(found) == sorted(f"{PLACEHOLDER}{k}" for k in range(count))
