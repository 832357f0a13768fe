"""The Keras classes lstmgen translates, by name: `lstmgen layers`, and what an unknown
class's message suggests instead."""

from __future__ import annotations

import difflib
from typing import List

from lstmgen.layers import REGISTRY
from lstmgen.layers.rnn_cell import CELL_BUILDERS

LIST_COMMAND = "lstmgen layers"
RNN_CELLS = tuple(CELL_BUILDERS) + ("StackedRNNCells",)


def supported_classes() -> List[str]:
    """Every supported class name, sorted; RNN cells marked as living inside RNN."""
    return sorted(list(REGISTRY) + [f"{cell} (inside RNN)" for cell in RNN_CELLS], key=str.lower)


def close_names(wanted: str, known: List[str], count: int = 3) -> List[str]:
    """The `known` names most like `wanted`, ignoring case: similar spellings, and names
    of 4 letters or more inside it (Conv2DTranspose -> Conv2D, PeepholeLSTM -> LSTM)."""
    by_lower = {name.lower(): name for name in known}
    lower = wanted.lower()
    similar = difflib.get_close_matches(lower, list(by_lower), n=count, cutoff=0.6)
    inside = [name for name in by_lower if len(name) >= 4 and name in lower]
    inside.sort(key=lambda name: -difflib.SequenceMatcher(None, lower, name).ratio())
    chosen = list(dict.fromkeys(similar + inside))[:count]
    return [by_lower[name] for name in chosen]


def unknown_class(class_name: str) -> str:
    """Why `class_name` is refused, the supported names closest to it, and where the rest
    are: one short line, however many classes lstmgen supports."""
    close = close_names(class_name, list(REGISTRY) + list(RNN_CELLS))
    hint = f"; closest supported: {', '.join(close)}" if close else ""
    return f"layer class not supported{hint} (`{LIST_COMMAND}` lists the supported ones)"
