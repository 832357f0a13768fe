"""Layers that only move numbers around: Flatten, Reshape, Permute, RepeatVector, and
Cropping, ZeroPadding and UpSampling in 1, 2 and 3 dimensions (rank from the class name)."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import ClassVar, Tuple

from lstmgen.ir import Params, Shape
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.resizing import build_interpolated_up_sampling
from lstmgen.layers.spatial import int_tuple, join_channels, spatial_input


@dataclass(frozen=True)
class ReshapingParams(Params):
    """reshaping.py.j2: x repeated along axes first (UpSampling), then one expression."""

    template: ClassVar[str] = "reshaping.py.j2"
    result: str
    repeats: Tuple[Tuple[int, int], ...] = ()  # (axis, times) applied to x before


def build_flatten(ctx: LayerContext) -> Built:
    """Flatten: (batch, ...) -> (batch, product of the rest)."""
    ctx.require("data_format", ("channels_last", None), "channels_last")
    rest = ctx.input_shape[1:]
    size = None if None in rest else prod(rest)
    return _op("x.reshape(x.shape[0], -1)", (ctx.input_shape[0], size))


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
    return _op(f"x.reshape((x.shape[0],) + {target!r})", (ctx.input_shape[0],) + target_out)


def build_permute(ctx: LayerContext) -> Built:
    """Permute(dims): dims are 1-based, the batch axis stays first."""
    dims = tuple(ctx.option("dims") or ())
    shape = ctx.input_shape
    if sorted(dims) != list(range(1, len(shape))):
        raise ctx.fail(f"option dims={dims!r} is not a permutation of 1..{len(shape) - 1}")
    return _op(f"x.transpose({(0,) + dims!r})", (shape[0],) + tuple(shape[d] for d in dims))


def build_repeat_vector(ctx: LayerContext) -> Built:
    """RepeatVector(n): (batch, features) -> (batch, n, features)."""
    check_rank(ctx, ctx.input_shape, (2,))
    n = ctx.int_option("n")
    shape = ctx.input_shape
    return _op(f"np.repeat(x[:, None, :], {n}, axis=1)", (shape[0], n, shape[1]))


def build_cropping(ctx: LayerContext) -> Built:
    """Cropping1D/2D/3D(cropping): drop cells at the start and the end of each spatial axis."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    crop = _pairs(ctx, "cropping", rank)
    for (start, end), size in zip(crop, spatial):
        if size is not None and start + end >= size:
            raise ctx.fail(f"cropping {(start, end)} removes all of the {size} steps")
    out = tuple(None if n is None else n - a - b for n, (a, b) in zip(spatial, crop))
    first = 2 if channels_first else 1
    kept = "".join(f", {a} : x.shape[{first + k}] - {b}" for k, (a, b) in enumerate(crop))
    return _op(
        f"x[:{', :' if channels_first else ''}{kept}]",
        join_channels(ctx.input_shape[0], out, channels, channels_first),
    )


def build_zero_padding(ctx: LayerContext) -> Built:
    """ZeroPadding1D/2D/3D(padding): zeros added at the start and the end of each spatial axis."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    pads = _pairs(ctx, "padding", rank)
    out = tuple(None if n is None else n + a + b for n, (a, b) in zip(spatial, pads))
    none = ((0, 0),)
    pad_width = none + (none if channels_first else ()) + pads + (() if channels_first else none)
    return _op(
        f"np.pad(x, {pad_width!r})",
        join_channels(ctx.input_shape[0], out, channels, channels_first),
    )


def build_up_sampling(ctx: LayerContext) -> Built:
    """UpSampling1D/2D/3D(size): every cell repeated `size` times along each spatial axis
    (UpSampling2D's other interpolations are image resizes: lstmgen.layers.resizing)."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    if rank == 2 and ctx.option("interpolation", "nearest") != "nearest":
        return build_interpolated_up_sampling(ctx)
    ctx.require("interpolation", ("nearest",), "nearest")
    sizes = int_tuple(ctx, "size", 2, rank)
    first = 2 if channels_first else 1
    out = tuple(None if n is None else n * size for n, size in zip(spatial, sizes))
    repeats = [(first + i, size) for i, size in enumerate(sizes)]
    repeats = [r for r in repeats if r[1] > 1] or repeats[-1:]
    axis, size = repeats[-1]
    return _op(
        f"np.repeat(x, {size}, axis={axis})",
        join_channels(ctx.input_shape[0], out, channels, channels_first),
        tuple(repeats[:-1]),
    )


def _pairs(ctx: LayerContext, key: str, rank: int) -> Tuple[Tuple[int, int], ...]:
    """Option `key` as one (before, after) pair per spatial axis, from any spelling Keras
    takes: an int for all, a pair (1-D) or one int per axis, or one pair per axis."""
    value = ctx.option(key, 1)
    items = tuple(value) if isinstance(value, (list, tuple)) else None
    if _is_count(value):
        return ((value, value),) * rank
    if items is not None and rank == 1 and len(items) == 2 and all(map(_is_count, items)):
        return ((items[0], items[1]),)
    if items is not None and len(items) == rank:
        if all(map(_is_count, items)):
            return tuple((n, n) for n in items)
        if all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_is_count, pair))
            for pair in items
        ):
            return tuple((pair[0], pair[1]) for pair in items)
    wanted = "a pair of ints" if rank == 1 else f"{rank} ints or {rank} (before, after) pairs"
    raise ctx.fail(f"option {key}={value!r} must be an int or {wanted}")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _op(result: str, shape: Shape, repeats: Tuple[Tuple[int, int], ...] = ()) -> Built:
    return Built(
        params=ReshapingParams(result=result, repeats=repeats),
        outputs=[shape],
        mask="none",  # Keras drops the mask at these layers
    )
