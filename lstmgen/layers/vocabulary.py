"""An IntegerLookup's vocabulary: where each Keras keeps it, how Keras strips its special
tokens, and how int64 tokens travel in the float32 weight blob exactly."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from lstmgen.ir import Weight
from lstmgen.layers.base import LayerContext

# Integers that float32 holds exactly; larger tokens are split into parts of this size.
EXACT_BITS = 24
ASSET = "vocabulary.txt"


def vocabulary(ctx: LayerContext) -> List[int]:
    """The vocabulary as Keras loads it: the `vocabulary` option when the layer was given
    one (both versions save it in the config), else the vocabulary.txt a .keras zip keeps
    in its assets for an adapted layer, one integer per line (load_assets). A .h5 file has
    no place for an adapted vocabulary (Keras 3 saves none there; tf_keras cannot save
    the layer as .h5)."""
    given = ctx.option("vocabulary")
    if isinstance(given, str):
        raise ctx.fail(
            f"option vocabulary={given[:80]!r} names a file outside the model file; "
            "lstmgen reads only the model file"
        )
    if given:
        if not isinstance(given, list) or not all(_is_int(t) for t in given):
            raise ctx.fail("option vocabulary must be a list of integers")
        return list(given)
    text = ctx.record.assets.get(ASSET)
    if text is None:
        raise ctx.fail(
            "the file holds no vocabulary (an adapted layer keeps it only in a .keras "
            "file's assets; Keras cannot use this layer from this file either)"
        )
    try:
        lines = text.decode("utf-8").splitlines()
        while lines and not lines[-1]:
            lines.pop()
        tokens = [int(line) for line in lines]
    except ValueError:
        raise ctx.fail(f"its assets' {ASSET} is not one integer per line") from None
    if not all(_is_int(t) for t in tokens):
        raise ctx.fail(f"its assets' {ASSET} holds an integer beyond int64")
    return tokens


def strip_special(
    ctx: LayerContext, vocab: List[int], special: List[Optional[int]]
) -> Tuple[List[int], bool]:
    """The vocabulary's own tokens, without the leading special tokens (mask, OOV) when
    it starts with exactly them (set_vocabulary), and whether it did; Keras's refusals of
    a vocabulary are refusals here."""
    found = vocab[: len(special)] == special
    tokens = vocab[len(special) :] if found else vocab
    if not tokens:
        raise ctx.fail("the vocabulary is empty (Keras refuses it)")
    if len(set(tokens)) != len(tokens):
        raise ctx.fail("the vocabulary repeats a token (Keras refuses it)")
    return tokens, found


def int_constant(ctx: LayerContext, values: np.ndarray, suffix: str, comment: str):
    """int64 `values` as float32 weights that hold them exactly (parts of EXACT_BITS bits
    when a value does not fit in one) and the expression that rebuilds them at import."""
    values = np.asarray(values, np.int64)
    parts = 1  # the top part must lie within +-2**24, the others are in [0, 2**24)
    while parts < 3 and not _exact(values >> (EXACT_BITS * (parts - 1))):
        parts += 1
    weights: List[Weight] = []
    expression = ""
    for k in reversed(range(parts)):
        shift = EXACT_BITS * k
        # floor shifts: every part but the top one is in [0, 2**24)
        part = values >> shift if k == parts - 1 else (values >> shift) & ((1 << EXACT_BITS) - 1)
        name = suffix if parts == 1 else f"{suffix}_{k}"
        what = comment if parts == 1 else f"{comment}, bits {shift} and up of each"
        weight = ctx.weight(part.astype(np.float32), name, values.shape, what)
        weights.append(weight)
        term = f"{weight.var}.astype(np.int64)"
        if expression:
            shifted = f"({expression})" if " + " in expression else expression
            term = f"({shifted} << {EXACT_BITS}) + {term}"
        expression = term
    return weights, expression


def index_depth(ctx: LayerContext, mode: str, size: int) -> int:
    """The width of an encoded output: max_tokens with pad_to_max_tokens, else the
    vocabulary size (mask and OOV indices included), as Keras checks them."""
    max_tokens = ctx.option("max_tokens")
    pad = bool(ctx.option("pad_to_max_tokens", False))
    if max_tokens is not None and ctx.int_option("max_tokens") <= 1:
        raise ctx.fail(f"option max_tokens={max_tokens!r} must be an integer above 1")
    if pad and max_tokens is None:
        raise ctx.fail("option pad_to_max_tokens=True needs max_tokens (Keras refuses it)")
    if max_tokens is not None and size > max_tokens:
        raise ctx.fail(f"the vocabulary's {size} indices exceed max_tokens={max_tokens}")
    frozen = ctx.option("vocabulary_size")
    if mode != "int" and frozen is not None and frozen != size:
        raise ctx.fail(f"option vocabulary_size={frozen!r}, but the vocabulary gives {size}")
    return max_tokens if pad else size


def idf_weights(ctx: LayerContext, found: bool, token_start: int, depth: int):
    """tf_idf's weights per index: the saved weight (Keras loads it last), else the
    `idf_weights` option padded as set_vocabulary pads it: the mask and OOV indices get
    the mean weight (unless the vocabulary listed them), pad_to_max_tokens zeros."""
    given = ctx.option("idf_weights")
    saved = ctx.weights(1, optional=1)
    if saved:
        array = saved[0]
    elif isinstance(given, list) and all(isinstance(w, (int, float)) for w in given):
        weights = np.asarray(given, np.float64)
        front = 0 if found else token_start
        value = np.average(weights) if front else 0.0
        array = np.pad(weights, (front, depth - front - len(weights)), constant_values=value)
    else:
        raise ctx.fail("output_mode='tf_idf' needs idf weights, which the file does not hold")
    array = np.asarray(array, np.float32)
    return ctx.weight(array, "idf_weights", (depth,), f"idf weight of each index: ({depth},)")


def _exact(values: np.ndarray) -> bool:
    """Whether float32 holds each of the integers `values` exactly."""
    limit = 1 << EXACT_BITS
    return bool(np.all((values >= -limit) & (values <= limit)))


def _is_int(value: Any) -> bool:
    """An integer that int64 holds (IntegerLookup's only vocabulary dtype)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
