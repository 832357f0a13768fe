"""Copy helper functions from lstmgen.helpers into a generated module, by name.

The helpers are real Python (tested as such); a predictor gets the source text of the
ones it calls and of the helpers those call, in the order lstmgen/helpers.py defines them.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from typing import Dict, FrozenSet, Iterable, Tuple

from lstmgen import helpers

# The dtype the helpers are written in; a --float64 module gets float64 in its place.
_WRITTEN_DTYPE = re.compile(r"\bnp\.float32\b")


@functools.lru_cache(maxsize=None)
def _definitions() -> Tuple[Tuple[str, str, FrozenSet[str]], ...]:
    """(name, source text, helpers it calls) of every function, in definition order."""
    source = inspect.getsource(helpers)
    functions = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    names = {function.name for function in functions}
    return tuple(
        (
            function.name,
            ast.get_source_segment(source, function) or "",
            frozenset(
                node.id
                for node in ast.walk(function)
                if isinstance(node, ast.Name) and node.id in names and node.id != function.name
            ),
        )
        for function in functions
    )


def helper_names() -> FrozenSet[str]:
    """Every helper a generated module may define (their names are reserved for them)."""
    return frozenset(name for name, _, _ in _definitions())


def dependencies() -> Dict[str, FrozenSet[str]]:
    """Helper -> the helpers its body calls."""
    return {name: calls for name, _, calls in _definitions()}


def with_dependencies(wanted: Iterable[str]) -> FrozenSet[str]:
    """`wanted`, closed over the helpers their bodies call."""
    calls = dependencies()
    unknown = set(wanted) - set(calls)
    if unknown:
        raise KeyError(f"no helper functions named {sorted(unknown)}")
    closed, pending = set(wanted), list(wanted)
    while pending:
        for dependency in calls[pending.pop()] - closed:
            closed.add(dependency)
            pending.append(dependency)
    return frozenset(closed)


def helper_source(wanted: Iterable[str], float_type: str = "float32") -> str:
    """The source of the helpers in `wanted` and their dependencies, two blank lines
    before each (as between top-level functions), written for `float_type`."""
    chosen = with_dependencies(wanted)
    text = "".join(f"\n\n{source}\n" for name, source, _ in _definitions() if name in chosen)
    return _WRITTEN_DTYPE.sub(f"np.{float_type}", text)
