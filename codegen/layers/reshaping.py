"""Layers that only move numbers around: Flatten, Reshape, Permute, RepeatVector,
Cropping1D, ZeroPadding1D, UpSampling1D."""

from __future__ import annotations

from math import prod
from typing import Tuple

from codegen.layers.base import Built, LayerContext, check_rank


def build_flatten(ctx: LayerContext) -> Built:
    """Flatten: (batch, ...) -> (batch, product of the rest)."""
    ctx.require("data_format", ("channels_last", None), "channels_last")
    rest = ctx.input_shape[1:]
    size = None if None in rest else prod(rest)
    return _op(ctx, "flatten", {}, (ctx.input_shape[0], size))


def build_reshape(ctx: LayerContext) -> Built:
    """Reshape(target_shape), -1 allowed once."""
    target = tuple(ctx.option("target_shape") or ())
    if not target or any(not isinstance(n, int) or n == 0 or n < -1 for n in target):
        raise ctx.fail(f"option target_shape={target!r} is not a shape")
    rest = ctx.input_shape[1:]
    if -1 in target and None not in rest:
        known = prod(n for n in target if n != -1)
        target_out = tuple(prod(rest) // known if n == -1 else n for n in target)
    else:
        target_out = tuple(None if n == -1 else n for n in target)
    if None not in rest and None not in target_out and prod(target_out) != prod(rest):
        raise ctx.fail(f"cannot reshape {ctx.input_shape} to target_shape={target!r}")
    return _op(ctx, "reshape", {"target": target}, (ctx.input_shape[0],) + target_out)


def build_permute(ctx: LayerContext) -> Built:
    """Permute(dims): dims are 1-based, the batch axis stays first."""
    dims = tuple(ctx.option("dims") or ())
    shape = ctx.input_shape
    if sorted(dims) != list(range(1, len(shape))):
        raise ctx.fail(f"option dims={dims!r} is not a permutation of 1..{len(shape) - 1}")
    return _op(ctx, "permute", {"axes": (0,) + dims}, (shape[0],) + tuple(shape[d] for d in dims))


def build_repeat_vector(ctx: LayerContext) -> Built:
    """RepeatVector(n): (batch, features) -> (batch, n, features)."""
    check_rank(ctx, ctx.input_shape, (2,))
    n = ctx.int_option("n")
    shape = ctx.input_shape
    return _op(ctx, "repeat_vector", {"n": n}, (shape[0], n, shape[1]))


def build_cropping1d(ctx: LayerContext) -> Built:
    """Cropping1D(cropping): drop steps at the start and the end."""
    ctx.require("data_format", ("channels_last", None), "channels_last")
    check_rank(ctx, ctx.input_shape, (3,))
    start, end = _pair(ctx, "cropping", (1, 1))
    steps = ctx.input_shape[1]
    if steps is not None and start + end >= steps:
        raise ctx.fail(f"cropping {(start, end)} removes all of the {steps} steps")
    shape = ctx.input_shape
    out = (shape[0], None if steps is None else steps - start - end, shape[2])
    return _op(ctx, "cropping1d", {"start": start, "end": end}, out)


def build_zero_padding1d(ctx: LayerContext) -> Built:
    """ZeroPadding1D(padding): zero steps added at the start and the end."""
    ctx.require("data_format", ("channels_last", None), "channels_last")
    check_rank(ctx, ctx.input_shape, (3,))
    start, end = _pair(ctx, "padding", (1, 1))
    shape = ctx.input_shape
    steps = None if shape[1] is None else shape[1] + start + end
    return _op(ctx, "zero_padding1d", {"start": start, "end": end}, (shape[0], steps, shape[2]))


def build_up_sampling1d(ctx: LayerContext) -> Built:
    """UpSampling1D(size): every step repeated `size` times."""
    ctx.require("data_format", ("channels_last", None), "channels_last")
    check_rank(ctx, ctx.input_shape, (3,))
    size = ctx.int_option("size", 2)
    shape = ctx.input_shape
    steps = None if shape[1] is None else shape[1] * size
    return _op(ctx, "up_sampling1d", {"size": size}, (shape[0], steps, shape[2]))


def _pair(ctx: LayerContext, key: str, default) -> Tuple[int, int]:
    value = ctx.option(key, default)
    if isinstance(value, int):
        value = (value, value)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(n, int) and n >= 0 for n in value)
    ):
        raise ctx.fail(f"option {key}={value!r} must be an int or a pair of ints")
    return int(value[0]), int(value[1])


def _op(ctx: LayerContext, op: str, params, shape) -> Built:
    return Built(
        template="reshaping.py.j2",
        params={"op": op, **params},
        outputs=[shape],
        mask="none",  # Keras drops the mask at these layers
    )
