"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D (Keras 3): each spatial
axis cut into `output_size` bins, bin i of an axis of n cells running from
floor(i * n / out) up to ceil((i + 1) * n / out), as Keras's TensorFlow backend computes
them; the axes pooled one after another (depth, height, width)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Tuple

import numpy as np

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.spatial import AXES, join_channels, spatial_input

Bins = Tuple[Tuple[int, int], ...]  # (start, stop) of each output cell along one axis
# The bins are written out in the source, one pair per output cell: a cap keeps a file's
# output_size from making a module of millions of lines.
MAX_BINS = 256


@dataclass(frozen=True)
class AdaptivePoolingParams(Params):
    """adaptive_pooling.py.j2: pool_bins along each spatial axis in turn."""

    template: ClassVar[str] = "adaptive_pooling.py.j2"
    reduce: str  # np.mean or np.max
    output_size: Tuple[int, ...]
    axes: Tuple[Tuple[int, str, Bins], ...]  # (axis, its name, its bins)


def build_adaptive_pooling(ctx: LayerContext) -> Built:
    """Adaptive{Average,Max}Pooling{1,2,3}D(output_size, data_format)."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    sizes = _output_size(ctx, rank)
    if None in spatial or 0 in spatial:
        raise ctx.fail(f"its input's spatial axes must have fixed sizes (as Keras), got {spatial}")
    first = 2 if channels_first else 1
    per_axis = [bins(n, out) for n, out in zip(spatial, sizes)]
    return Built(
        params=AdaptivePoolingParams(
            reduce="np.max" if ctx.class_name.startswith("AdaptiveMax") else "np.mean",
            output_size=sizes,
            axes=tuple(
                (first + k, name, axis_bins)
                for k, (name, axis_bins) in enumerate(zip(AXES[rank], per_axis))
            ),
        ),
        outputs=[join_channels(ctx.input_shape[0], sizes, channels, channels_first)],
        mask="none",  # Keras's adaptive poolings do not support masking
        helpers=frozenset({"pool_bins"}),
        work=Work(window=math.prod(max(b - a for a, b in axis) for axis in per_axis)),
    )


def bins(n: int, out: int) -> Bins:
    """The bins of an axis of n cells pooled to `out`, as Keras's TensorFlow backend makes
    them: starts floor(i * n / out) and ends ceil((i + 1) * n / out) in float32; each bin
    then pooled over the small window ceil(n / out) or, where it is one longer, over that."""
    small = math.ceil(n / out)
    starts = np.floor(np.arange(out, dtype=np.float32) * np.float32(n) / np.float32(out))
    ends = np.ceil(np.arange(1, out + 1, dtype=np.float32) * np.float32(n) / np.float32(out))
    starts = np.minimum(starts.astype(np.int64), n - 1)
    ends = np.minimum(ends.astype(np.int64), n)
    return tuple(
        (int(a), int(a) + (small + 1 if b - a == small + 1 else small))
        for a, b in zip(starts, ends)
    )


def _output_size(ctx: LayerContext, rank: int) -> Tuple[int, ...]:
    """output_size: one positive int per spatial axis (an int stands for all)."""
    value = ctx.option("output_size")
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(values) != rank or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ctx.fail(f"option output_size={value!r} must be {rank} positive integer(s)")
    if max(values) > MAX_BINS:
        raise ctx.fail(f"option output_size={value!r}: lstmgen supports up to {MAX_BINS} per axis")
    return values
