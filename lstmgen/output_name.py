"""The predictor's file name: a module a user can import, or refused with a better name."""

from __future__ import annotations

import keyword
import os
import re
import sys
from typing import Optional

from lstmgen.errors import PathError

STDOUT = "-"
# What a predictor imports itself, for Pythons without sys.stdlib_module_names (3.9).
_OWN_IMPORTS = frozenset({"numpy", "os", "sys", "base64", "zlib", "argparse", "zipfile"})
_TAKEN = _OWN_IMPORTS | frozenset(getattr(sys, "stdlib_module_names", ())) | {"lstmgen"}


def module_name(output: Optional[str]) -> str:
    """The import name of the predictor written to `output` (None or "-": stdout)."""
    if output in (None, STDOUT):
        return "predictor"
    return os.path.splitext(os.path.basename(output))[0]


def check_output_name(output: str) -> None:
    """Refuse an -o path whose module could not be imported as `import NAME`, or would
    hide a module the predictor (or Python) needs; the message suggests a name that works."""
    folder, base = os.path.split(output)
    stem, extension = os.path.splitext(base)
    if extension != ".py":
        better = os.path.join(folder, _identifier(stem if extension else base) + ".py")
        raise PathError(
            f"-o {output}: the predictor is a Python module, so its name ends in .py "
            f"(e.g. -o {better})"
        )
    problem = name_problem(stem)
    if problem is None and stem in _TAKEN:
        problem = f"would hide the module {stem!r} that Python or the predictor imports"
    if problem:
        better = os.path.join(folder, _identifier(stem) + ".py")
        raise PathError(f"-o {output}: the module name {stem!r} {problem} (e.g. -o {better})")


def name_problem(name: str) -> Optional[str]:
    """Why `import NAME` cannot load a module of this name, or None if it can."""
    if not name.isidentifier():
        return "is not a Python name, so `import` cannot load it"
    if keyword.iskeyword(name):
        return "is a Python keyword, so `import` cannot load it"
    return None


def _identifier(stem: str) -> str:
    """`stem` made into a module name nothing else uses: my-model -> my_model."""
    name = re.sub(r"\W", "_", stem).strip("_") or "predictor"
    if name[0].isdigit():
        name = f"model_{name}"
    if keyword.iskeyword(name) or name in _TAKEN:
        name = f"{name}_predictor"
    return name
