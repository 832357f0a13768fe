"""What the registry holds for a layer class: its handler, and its call signature (what
reading the file's record of a call needs to know about the layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from lstmgen.layers.base import Handler


@dataclass(frozen=True)
class CallSignature:
    """How a layer's call takes its tensors (lstmgen.graph_order reads each call with it)."""

    # Keyword arguments that may hold input tensors, in the order they follow the tensors
    # given positionally: a recurrent layer's initial_state, MultiHeadAttention's query,
    # value and key (`mha(x, value=y)`, `mha(query=x, value=y, key=z)`).
    tensor_keywords: Tuple[str, ...] = ("initial_state",)
    # The call takes one mask per tensor argument (query_mask, value_mask, ...), which
    # Keras 3 fills from each argument's mask; other calls take the one mask of their
    # only tensor argument, and none when they have several.
    mask_per_argument: bool = False


@dataclass(frozen=True)
class Entry:
    """One registry entry: the handler that translates the class, and its call signature."""

    build: Handler
    call: CallSignature = CallSignature()
