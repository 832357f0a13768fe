"""Safe, unique Python identifiers from names found in a model file."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from typing import Dict, Iterable, Sequence, Set

# Shadowing a builtin (a layer named 'range') would break the generated code.
_BUILTINS = frozenset(dir(builtins))


class NameTable:
    """Hands out identifiers that are valid, not keywords and never reused."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: Set[str] = set(reserved)
        self._last_suffix: Dict[str, int] = {}  # keeps many equal names linear, not quadratic

    def claim(self, wanted: str, companions: Sequence[str] = ()) -> str:
        """A fresh identifier as close to `wanted` as Python allows; with `companions`
        (suffixes such as "_step"), name + suffix is taken as well, for the functions a
        template derives from the name."""
        base = sanitize(wanted)
        name, counter = base, self._last_suffix.get(base, 1)
        while name in self._taken or any(name + suffix in self._taken for suffix in companions):
            counter += 1
            name = f"{base}_{counter}"
        self._last_suffix[base] = counter
        self._taken.add(name)
        self._taken.update(name + suffix for suffix in companions)
        return name


def sanitize(text: str) -> str:
    """ASCII letters, digits and underscores only, not starting with a digit."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    name = re.sub(r"[^0-9A-Za-z_]+", "_", ascii_text).strip("_").lower() or "layer"
    if name[0].isdigit():
        name = f"layer_{name}"
    if keyword.iskeyword(name) or name in _BUILTINS:
        name = f"{name}_"
    return name
