"""The geometry that convolutions, poolings and the reshaping layers of 1, 2 and 3
spatial axes share: data_format, window options, output sizes, axis names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from lstmgen.ir import Shape
from lstmgen.layers.base import LayerContext, check_rank

# Names of the spatial axes in comments of the generated code, per rank.
AXES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


@dataclass(frozen=True)
class SpatialLayout:
    """The axes of a 1/2/3-D layer's input, and channels_first's transpositions."""

    rank: int
    axes: Tuple[str, ...]  # the spatial axes' names
    channels_first: bool
    to_last: Tuple[int, ...]  # channels_first -> channels_last, batch axis first
    to_first: Tuple[int, ...]  # and back
    unit: str  # what a position is called in comments: "step" (1-D) or "cell"


def spatial_layout(rank: int, channels_first: bool) -> SpatialLayout:
    """The layout of a `rank`-D input in either data_format."""
    return SpatialLayout(
        rank=rank,
        axes=AXES[rank],
        channels_first=channels_first,
        to_last=(0,) + tuple(range(2, rank + 2)) + (1,),
        to_first=(0, rank + 1) + tuple(range(1, rank + 1)),
        unit="step" if rank == 1 else "cell",
    )


def spatial_input(ctx: LayerContext) -> Tuple[int, bool, Shape, Optional[int]]:
    """(rank, channels_first, spatial sizes, channels) of the input of a 1/2/3-D layer;
    the rank is the digit of the class name (Conv2D, MaxPooling3D, GlobalAvgPool1D, ...)."""
    rank = int(ctx.class_name[-2])
    check_rank(ctx, ctx.input_shape, (rank + 2,))
    channels_first = is_channels_first(ctx)
    return (rank, channels_first) + split_channels(ctx.input_shape, channels_first)


def split_channels(shape: Shape, channels_first: bool) -> Tuple[Shape, Optional[int]]:
    """(spatial sizes, channels) of a (batch, ...) shape in either data_format."""
    return (shape[2:], shape[1]) if channels_first else (shape[1:-1], shape[-1])


def join_channels(
    batch: Optional[int],
    spatial: Sequence[Optional[int]],
    channels: Optional[int],
    channels_first: bool,
) -> Shape:
    """The inverse of split_channels."""
    spatial = tuple(spatial)
    return (batch, channels) + spatial if channels_first else (batch,) + spatial + (channels,)


def text(values: Tuple[int, ...]) -> str:
    """3 for one axis, (3, 3) for several: as the docstrings show sizes."""
    return str(values[0]) if len(values) == 1 else str(values)


@dataclass(frozen=True)
class Window:
    """A convolution's window over the input: its sizes, strides, dilations and padding,
    and the texts its docstring shows them as."""

    size: Tuple[int, ...]
    strides: Tuple[int, ...]
    dilations: Tuple[int, ...]
    padding: str

    @property
    def size_text(self) -> str:
        return text(self.size)

    @property
    def strides_text(self) -> str:
        return text(self.strides)

    @property
    def dilations_text(self) -> str:
        return text(self.dilations)


def output_sizes(
    ctx: LayerContext,
    spatial: Shape,
    sizes: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
) -> Shape:
    """The output's spatial sizes; a window that does not fit in the input is refused."""
    out = tuple(output_steps(*axis, padding) for axis in zip(spatial, sizes, strides, dilations))
    if 0 in out:
        raise ctx.fail(f"a window of {tuple(sizes)} cells does not fit in the input's {spatial}")
    return out


def output_steps(
    steps: Optional[int], size: int, stride: int, dilation: int, padding: str
) -> Optional[int]:
    """Output length, padding as TensorFlow does (windows in the generated code)."""
    if steps is None:
        return None
    if padding == "same":
        return -(-steps // stride)
    span = (size - 1) * dilation + 1
    padded = steps + (span - 1 if padding == "causal" else 0)
    return max((padded - span) // stride + 1, 0)


def window_geometry(
    ctx: LayerContext, rank: int, strided_dilation: bool = False
) -> Tuple[Tuple[int, ...], ...]:
    """(kernel_size, strides, dilation_rate) of a `rank`-D convolution, one int per axis;
    strides > 1 with dilation_rate > 1 only where Keras allows both (`strided_dilation`)."""
    kernel = int_tuple(ctx, "kernel_size", 1, rank)
    strides = int_tuple(ctx, "strides", 1, rank)
    dilations = int_tuple(ctx, "dilation_rate", 1, rank)
    if max(strides) > 1 and max(dilations) > 1 and not strided_dilation:
        raise ctx.fail("strides > 1 together with dilation_rate > 1 is not allowed by Keras")
    return kernel, strides, dilations


def int_tuple(ctx: LayerContext, key: str, default: int, rank: int) -> Tuple[int, ...]:
    """Option `key` as `rank` positive integers (one integer stands for all axes)."""
    value = ctx.option(key, default)
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(values) != rank or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ctx.fail(f"option {key}={value!r} must be {rank} positive integer(s)")
    return values


def is_channels_first(ctx: LayerContext) -> bool:
    """data_format: channels_last (the default) or channels_first."""
    fmt = ctx.require("data_format", ("channels_last", "channels_first", None), "channels_last")
    return fmt == "channels_first"
