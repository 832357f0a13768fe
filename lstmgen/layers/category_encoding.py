"""CategoryEncoding: integer ids as one-hot rows, or counted per sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.encoding import Encoding, check_mode, encoding


@dataclass(frozen=True)
class CategoryEncodingParams(Params):
    """category_encoding.py.j2: ids cast to integers, then encode.j2's lines."""

    template: ClassVar[str] = "category_encoding.py.j2"
    encoding: Encoding


def build_category_encoding(ctx: LayerContext) -> Built:
    """CategoryEncoding(num_tokens, output_mode): one_hot, multi_hot or count over ids in
    [0, num_tokens). Float ids are truncated, as Keras casts them. Ids outside the range
    fail in tf_keras (its assertion); Keras 3 gives zeros for them in one_hot, drops ids
    >= num_tokens from the counts and fails on negative ones (tf.math.bincount)."""
    mode = check_mode(ctx, ("multi_hot", "one_hot", "count"))
    tokens = ctx.int_option("num_tokens")
    if tokens < 1:
        raise ctx.fail(f"option num_tokens={tokens} must be at least 1")
    if ctx.call_options.get("count_weights") is not None:
        raise ctx.fail("the call argument count_weights is not supported")
    checks = {}
    if ctx.keras_major < 3:
        checks["range_error"] = f"{ctx.name}: ids must be in [0, {tokens}), got "
    elif mode != "one_hot":
        checks["negative_error"] = f"{ctx.name}: ids must not be negative, got "
    encoded, shape = encoding(ctx, mode, tokens, **checks)
    return Built(
        params=CategoryEncodingParams(encoding=encoded),
        outputs=[shape],
        mask="none",  # Keras drops masks here
        step="same" if mode == "one_hot" else None,  # the counts run along the time axis
        token_ids=True,
        sample_ids=(0,) if tokens == 1 else (),  # the self-test's ids: 0 and 1 otherwise
    )
