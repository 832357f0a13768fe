"""Top-level functions and classes formatted one at a time, each distinct text once per
process: most of a module (input checks, helpers, self-test, command line) is the same
in every module lstmgen writes."""

from __future__ import annotations

import ast
from typing import Callable, Dict, List, Optional, Tuple

PLACEHOLDER = "_lstmgen_chunk_"
Formatter = Callable[[str], str]
# Chunk text -> black's output, for every module this process formats; emptied when it
# grows past MAX_CHUNKS.
_FORMATTED: Dict[str, str] = {}
MAX_CHUNKS = 1024


def cut_chunks(lines: List[str], tree: ast.Module) -> Tuple[List[str], List[str]]:
    """The lines with each top-level def or class that can be formatted alone replaced by
    a placeholder def (`def NAME():` and `pass`), and the texts cut out."""
    spans = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if node.decorator_list or node.body[0].lineno == node.lineno or is_stub(node):
            continue  # decorators, one-line and `...` bodies: black treats them by context
        start, stop = node.lineno - 1, node.end_lineno
        following = next((line for line in lines[stop:] if line.strip()), "")
        if following[:1].isspace():
            continue  # an indented comment after the body: black places it by context
        spans.append((start, stop))
    outer, chunks = list(lines), []
    for start, stop in reversed(spans):
        chunks.append("\n".join(lines[start:stop]) + "\n")
        outer[start:stop] = [f"def {PLACEHOLDER}{len(spans) - len(chunks)}():", "    pass"]
    return outer, chunks[::-1]


def is_stub(node: ast.stmt) -> bool:
    """A body holding `...` (black formats dummy implementations by their neighbours)."""
    return any(
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is Ellipsis
        for statement in node.body
    )


def expand_chunks(
    formatted: List[str], chunks: List[str], black_format: Formatter
) -> Optional[List[str]]:
    """The formatted lines with each placeholder def replaced by its chunk, formatted
    alone; None where the placeholders are not found as written."""
    out: List[str] = []
    done = index = 0
    while index < len(formatted):
        line = formatted[index]
        if done < len(chunks) and line == f"def {PLACEHOLDER}{done}():":
            if formatted[index + 1 : index + 2] != ["    pass"]:
                return None
            out.extend(format_chunk(chunks[done], black_format).rstrip("\n").split("\n"))
            done += 1
            index += 2
            continue
        out.append(line)
        index += 1
    return out if done == len(chunks) else None


def format_chunk(text: str, black_format: Formatter) -> str:
    """Black's output for one top-level def or class, remembered by its text."""
    if text not in _FORMATTED:
        if len(_FORMATTED) >= MAX_CHUNKS:
            _FORMATTED.clear()
        _FORMATTED[text] = black_format(text)
    return _FORMATTED[text]
