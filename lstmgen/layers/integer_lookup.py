"""IntegerLookup: integer tokens to vocabulary indices (or back, with invert), as ids or
encoded, as keras/src/layers/preprocessing/index_lookup.py and tf_keras's compute it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, List, Optional, Tuple

import numpy as np

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.encoding import Encoding, check_mode, encoding
from lstmgen.layers.vocabulary import (
    idf_weights,
    index_depth,
    int_constant,
    strip_special,
    vocabulary,
)

MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


@dataclass(frozen=True)
class IntegerLookupParams(Params):
    """integer_lookup.py.j2: the table lookup (or its inverse), then encode.j2's lines."""

    template: ClassVar[str] = "integer_lookup.py.j2"
    description: str  # for the docstring
    invert: bool
    keys: str  # sorted tokens (int64, derived at import)
    order: str  # each sorted token's position in the vocabulary
    tokens: str  # the tokens in vocabulary order (int64, derived at import)
    last: int  # the last position in the vocabulary
    token_start: int  # the index of the vocabulary's first token
    size: int  # token_start + vocabulary size
    default: int  # the index of tokens not in the vocabulary (-1: none yet)
    mask_token: Optional[int]
    mask_index: str  # what the mask token becomes
    num_oov: int
    oov_start: int
    oov_token: Optional[int]  # invert: what unknown indices become
    oov_error: str  # num_oov_indices=0: the start of the message for unknown tokens
    encoding: Encoding


def build_integer_lookup(ctx: LayerContext) -> Built:
    """IntegerLookup(vocabulary, num_oov_indices, mask_token, oov_token, invert,
    output_mode, max_tokens, pad_to_max_tokens, idf_weights): the vocabulary's token k is
    index token_start + k after the mask index (0, int output with a mask token only) and
    the OOV indices; other tokens get the OOV index (several: token mod num_oov_indices),
    or fail with num_oov_indices=0. invert maps indices back to tokens."""
    mode = check_mode(ctx, MODES)
    invert = bool(ctx.option("invert", False))
    num_oov = ctx.int_option("num_oov_indices", 1)
    mask_token = _token_option(ctx, "mask_token", None)
    oov_token = _token_option(ctx, "oov_token", -1)
    ctx.require("vocabulary_dtype", ("int64",), "int64")
    ctx.require("oov_method", ("floormod",), "floormod")
    ctx.require("salt", (None,), None)
    if invert and (mode != "int" or oov_token is None):
        raise ctx.fail("invert=True needs output_mode='int' and an oov_token (Keras fails)")
    oov_start = 1 if mask_token is not None and mode == "int" else 0
    token_start = oov_start + num_oov
    vocab = vocabulary(ctx)
    tokens, found = strip_special(ctx, vocab, [mask_token] * oov_start + [oov_token] * num_oov)
    if mask_token is not None and mask_token in tokens:
        raise ctx.fail(f"the vocabulary holds the mask token {mask_token} (Keras refuses it)")
    if invert and oov_token in tokens:
        raise ctx.fail(f"the vocabulary holds the OOV token {oov_token} (Keras refuses it)")
    size = token_start + len(tokens)
    depth = index_depth(ctx, mode, size)
    weights, tokens_expr = int_constant(ctx, np.array(tokens), "tokens", "vocabulary tokens")
    idf = None
    if mode == "tf_idf":
        idf_weight = idf_weights(ctx, found, token_start, depth)
        weights.append(idf_weight)
        idf = idf_weight.var
    else:
        ctx.weights(0)
        ctx.option("idf_weights")
    names = {"tokens": ctx.derived_name("vocabulary")}
    derived = [(names["tokens"], tokens_expr, f"the {len(tokens)} tokens in vocabulary order")]
    if not invert:  # the sorted tokens, to find each id by binary search
        names.update(order=ctx.derived_name("order"), keys=ctx.derived_name("keys"))
        derived.append((names["order"], f"np.argsort({names['tokens']})", "the sorting order"))
        derived.append((names["keys"], f"{names['tokens']}[{names['order']}]", "sorted"))
    encoded, shape = encoding(ctx, mode, depth, cast=_int_dtype(ctx, mode), idf=idf)
    params = IntegerLookupParams(
        description=f"{len(tokens)} tokens, {num_oov} OOV {'index' if num_oov == 1 else 'indices'}, "
        + ("inverted" if invert else mode),
        invert=invert,
        keys=names.get("keys", ""),
        order=names.get("order", ""),
        tokens=names["tokens"],
        last=len(tokens) - 1,
        token_start=token_start,
        size=size,
        default=oov_start if num_oov == 1 else -1,
        mask_token=mask_token,
        mask_index="0" if mode == "int" else "np.iinfo(np.int64).max",
        num_oov=num_oov,
        oov_start=oov_start,
        oov_token=oov_token,
        oov_error=f"{ctx.name}: num_oov_indices=0, but these ids are not in the vocabulary: ",
        encoding=encoded,
    )
    return Built(
        params=params,
        outputs=[shape],
        weights=weights,
        derived=derived,
        mask="none",  # Keras drops masks here
        step="same" if mode in ("int", "one_hot") else None,  # counts run along time
        token_ids=True,
        sample_ids=() if invert or num_oov else _sample_ids(ctx, tokens),
        work=Work(table=True),
    )


def _sample_ids(ctx: LayerContext, tokens: List[int]) -> Tuple[int, ...]:
    """Ids a lookup without OOV indices accepts, for the self-test: the vocabulary's
    tokens that a float32 self-test vector holds exactly (2**40 too, not 2**40 + 3)."""
    exact = tuple(t for t in tokens if int(np.float32(t)) == t)
    if not exact:
        raise ctx.fail(
            "num_oov_indices=0 and no vocabulary token is exact in float32, so the "
            "self-test vector cannot hold an id the layer accepts; not supported"
        )
    return exact[:64]


def _token_option(ctx: LayerContext, key: str, default: Optional[int]) -> Optional[int]:
    """mask_token or oov_token: an integer, or None for none."""
    value = ctx.option(key, default)
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63
    ):
        raise ctx.fail(f"option {key}={value!r} must be an int64 integer or null")
    return value


def _int_dtype(ctx: LayerContext, mode: str) -> Optional[str]:
    """The dtype of int output when not int64: tf_keras's layer dtype (int64 by default);
    Keras 3 ignores the layer dtype and gives int64 ids and float32 encodings."""
    dtype = ctx.option("dtype")
    if ctx.keras_major >= 3:
        return None
    if mode != "int":
        if dtype not in (None, "float32"):
            raise ctx.fail(f"dtype '{dtype}' is not supported (lstmgen computes in float32)")
        return None
    if dtype not in (None, "int32", "int64"):
        raise ctx.fail(f"dtype '{dtype}' is not supported for int output (supported: int32, int64)")
    return "int32" if dtype == "int32" and not ctx.option("invert", False) else None
