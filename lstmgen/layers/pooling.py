"""Max and average pooling in 1, 2 or 3 dimensions, windowed and global."""

from __future__ import annotations

from math import prod
from dataclasses import dataclass
from typing import ClassVar, Tuple, Union

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.spatial import (
    SpatialLayout,
    int_tuple,
    join_channels,
    output_sizes,
    spatial_input,
    spatial_layout,
    text,
)


@dataclass(frozen=True)
class PoolingParams(Params):
    """pooling.py.j2: the windows of the input, reduced over each window's cells."""

    template: ClassVar[str] = "pooling.py.j2"
    layout: SpatialLayout
    max: bool
    window: str  # windows()'s sizes, strides and dilations arguments
    padding: str
    pool_size_text: str  # as the docstring shows them: 2, or (2, 2)
    strides_text: str
    cells: Union[int, Tuple[int, ...]]  # the window's axes, after the output positions
    one_per_position: str  # x[...] with one sample and one channel: counts real cells


@dataclass(frozen=True)
class GlobalPoolingParams(Params):
    """global_pooling.py.j2: max or mean over the spatial axes (1-D: unmasked steps)."""

    template: ClassVar[str] = "global_pooling.py.j2"
    max: bool
    axis: Union[int, Tuple[int, ...]]
    keepdims: bool
    mask_axis: int  # where the (batch, steps) mask gets its channels axis


def build_pooling(ctx: LayerContext) -> Built:
    """MaxPooling1D/2D/3D, AveragePooling1D/2D/3D: pool_size, strides, padding valid/same."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    shape = ctx.input_shape
    sizes = int_tuple(ctx, "pool_size", 2, rank)
    strides = sizes if ctx.option("strides") is None else int_tuple(ctx, "strides", 1, rank)
    padding = ctx.require("padding", ("valid", "same"), "valid")
    out_spatial = output_sizes(ctx, spatial, sizes, strides, (1,) * rank, padding)
    ctx.use_helpers("windows")
    return Built(
        params=PoolingParams(
            layout=spatial_layout(rank, channels_first),
            max=ctx.class_name.startswith("Max"),
            window=f"{sizes!r}, {strides!r}, {(1,) * rank!r}",
            padding=padding,
            pool_size_text=text(sizes),
            strides_text=text(strides),
            cells=rank + 1 if rank == 1 else tuple(range(rank + 1, 2 * rank + 1)),
            one_per_position=":1, " + ":, " * rank + ":1",
        ),
        outputs=[join_channels(shape[0], out_spatial, channels, channels_first)],
        mask="none",
        work=Work(window=prod(sizes)),
    )


def build_global_pooling(ctx: LayerContext) -> Built:
    """GlobalMax/GlobalAveragePooling1D/2D/3D, keepdims; 1-D averages over unmasked steps."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    shape = ctx.input_shape
    keepdims = bool(ctx.option("keepdims", False))
    first = 2 if channels_first else 1
    axes = tuple(range(first, first + rank))
    if keepdims:
        out = join_channels(shape[0], (1,) * rank, channels, channels_first)
    else:
        out = (shape[0], channels)
    is_max = ctx.class_name.startswith("GlobalMax")
    return Built(
        params=GlobalPoolingParams(
            max=is_max,
            axis=axes[0] if rank == 1 else axes,
            keepdims=keepdims,
            mask_axis=1 if channels_first else -1,
        ),
        outputs=[out],
        mask="none",
        # Keras averages over the unmasked steps only (1-D; 2-D and 3-D ignore masks)
        consumes_mask=not is_max and rank == 1,
        step=None,
    )
