"""Max and average pooling in 1, 2 or 3 dimensions, windowed and global."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.convolution import (
    int_tuple,
    join_channels,
    layout_params,
    output_sizes,
    spatial_input,
    text,
)


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
        template="pooling.py.j2",
        params={
            **layout_params(rank, channels_first),
            "max": ctx.class_name.startswith("Max"),
            "sizes": sizes,
            "strides": strides,
            "ones": (1,) * rank,
            "text": {"pool_size": text(sizes), "strides": text(strides)},
            # the window's cells, after the output positions: reduced over
            "cells": rank + 1 if rank == 1 else tuple(range(rank + 1, 2 * rank + 1)),
            "padding": padding,
        },
        outputs=[join_channels(shape[0], out_spatial, channels, channels_first)],
        mask="none",
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
        template="global_pooling.py.j2",
        params={"max": is_max, "axis": axes[0] if rank == 1 else axes, "keepdims": keepdims},
        outputs=[out],
        mask="none",
        # Keras averages over the unmasked steps only (1-D; 2-D and 3-D ignore masks)
        consumes_mask=not is_max and rank == 1,
        step=None,
    )
