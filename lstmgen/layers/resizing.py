"""Image resizing as Keras does it through tf.image.resize: Resizing (with its crop or pad
to the aspect ratio), CenterCrop, and UpSampling2D with an interpolation other than
nearest. The math is in the helpers (lstmgen/helpers.py), TensorFlow's kernels in NumPy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, List, Optional, Tuple, Union

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.resize_methods import ResizeStep, interpolation, resize_step, taps
from lstmgen.layers.spatial import int_tuple, is_channels_first, join_channels, split_channels


@dataclass(frozen=True)
class ResizingParams(Params):
    """resizing.py.j2: the image steps, between channels_first's transpositions."""

    template: ClassVar[str] = "resizing.py.j2"
    summary: str  # the docstring's description, e.g. "bilinear to 4 x 5"
    as_float: bool  # integers are resized as floats (all but nearest)
    integer_images: bool  # Keras 3's Resizing gives integer images back as integers
    to_last: Optional[Tuple[int, ...]]  # channels_first: the transpositions around
    to_first: Optional[Tuple[int, ...]]
    steps: Tuple[ResizeStep, ...]


def build_resizing(ctx: LayerContext) -> Built:
    """Resizing(height, width, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio,
    fill_value, antialias, data_format) of Keras 3 and tf_keras."""
    check_rank(ctx, ctx.input_shape, (4,))
    height, width = _target_size(ctx)
    method = interpolation(ctx)
    crop = bool(ctx.option("crop_to_aspect_ratio", False))
    pad = bool(ctx.option("pad_to_aspect_ratio", False))  # Keras 3
    if crop and pad:
        raise ctx.fail("crop_to_aspect_ratio and pad_to_aspect_ratio are both set")
    ctx.require("fill_mode", ("constant",), "constant")
    fill = float(ctx.option("fill_value", 0.0))
    antialias = bool(ctx.option("antialias", False))
    steps = []
    if crop:
        comment = "the largest centred crop with the target's aspect ratio"
        steps.append(ResizeStep(f"aspect_crop(x, {height}, {width})", comment))
        ctx.use_helpers("aspect_crop")
    if pad:
        comment = f"padded with {fill!r} on both sides towards the target's aspect ratio"
        steps.append(ResizeStep(f"aspect_pad(x, {height}, {width}, {fill!r})", comment))
        ctx.use_helpers("aspect_pad")
    steps.append(resize_step(ctx, method, antialias, height, width))
    if method != "nearest":
        ctx.version_semantics(
            "Resizing of integer images: "
            + ("rounded back to their dtype" if ctx.keras_major >= 3 else "float32 results")
        )
    summary = f"{method}{' antialiased' if antialias else ''} to {height} x {width}"
    if crop or pad:
        summary += f", {'cropped' if crop else 'padded'} to its aspect ratio"
    return _built(
        ctx,
        (height, width),
        steps,
        summary,
        taps_of=(method, antialias),
        # tf_keras casts every input to float32; Keras 3's nearest keeps integers
        as_float=method != "nearest" or ctx.keras_major < 3,
        # Keras 3 casts the result back to an integer input's dtype; tf_keras stays float
        integer_images=ctx.keras_major >= 3 and method != "nearest",
    )


def build_center_crop(ctx: LayerContext) -> Built:
    """CenterCrop(height, width, data_format): the centred window; an image smaller on
    either side is cropped to the target's aspect ratio and resized (bilinear) instead."""
    check_rank(ctx, ctx.input_shape, (4,))
    height, width = _target_size(ctx)
    channels_first = is_channels_first(ctx)
    rows, cols = split_channels(ctx.input_shape, channels_first)[0]
    # Keras 3 computes the crop of a small image from Python ints (in float64), tf_keras
    # from tensors (in float32)
    in_float32 = ctx.keras_major < 3
    if rows is None or cols is None or rows < height or cols < width:
        precision = "float32" if in_float32 else "float64"
        ctx.version_semantics(f"CenterCrop of a smaller image: its crop sized in {precision}")
    if rows is None or cols is None:
        code = f"center_crop(x, {height}, {width}, float32={in_float32})"
        steps = [ResizeStep(code, "the centred window, or a smaller image crop-resized")]
        ctx.use_helpers("center_crop")
    elif rows >= height and cols >= width:
        top, left = (rows - height) // 2, (cols - width) // 2
        code = f"x[:, {top} : {top + height}, {left} : {left + width}]"
        window = ResizeStep(code, "the centred window")
        return _built(
            ctx, (height, width), [window], f"{height} x {width}", ("nearest", False), True
        )
    else:
        code = f"aspect_crop(x, {height}, {width}, float32={in_float32})"
        comment = "smaller than the crop: the largest centred crop of its aspect ratio"
        steps = [ResizeStep(code, comment), resize_step(ctx, "bilinear", False, height, width)]
        ctx.use_helpers("aspect_crop")
    return _built(ctx, (height, width), steps, f"{height} x {width}", ("bilinear", False), True)


def build_interpolated_up_sampling(ctx: LayerContext) -> Built:
    """UpSampling2D(size, interpolation) with an interpolation other than nearest: a resize
    of each image to size times its own."""
    check_rank(ctx, ctx.input_shape, (4,))
    factors = int_tuple(ctx, "size", 2, 2)
    method = interpolation(ctx)
    channels_first = is_channels_first(ctx)
    spatial = split_channels(ctx.input_shape, channels_first)[0]
    new = tuple(
        f"x.shape[{axis}] * {factor}" if n is None else n * factor
        for axis, n, factor in zip((1, 2), spatial, factors)
    )
    steps = [resize_step(ctx, method, False, *new)]
    return _built(
        ctx, new, steps, f"{method}, size {factors}", (method, False), method != "nearest"
    )


def _built(
    ctx: LayerContext,
    new: Tuple[Union[int, str], ...],
    steps: List[ResizeStep],
    summary: str,
    taps_of: Tuple[str, bool],
    as_float: bool,
    integer_images: bool = False,
) -> Built:
    """The Built of a layer whose output images are `new` (height, width: numbers, or
    expressions for free axes), made by `steps`; `taps_of` is the (method, antialias) of
    the resize, for the cost budget."""
    channels_first = is_channels_first(ctx)
    spatial, channels = split_channels(ctx.input_shape, channels_first)
    if integer_images:
        ctx.use_helpers("integer_image")
    out = tuple(n if isinstance(n, int) else None for n in new)
    reads = [taps(*taps_of, n, m) for n, m in zip(spatial, out)]
    return Built(
        params=ResizingParams(
            summary=summary,
            as_float=as_float,
            integer_images=integer_images,
            to_last=(0, 2, 3, 1) if channels_first else None,
            to_first=(0, 3, 1, 2) if channels_first else None,
            steps=tuple(steps),
        ),
        outputs=[join_channels(ctx.input_shape[0], out, channels, channels_first)],
        mask="none",  # Keras's image layers drop the mask
        work=Work(window=math.prod(reads)),
    )


def _target_size(ctx: LayerContext) -> Tuple[int, int]:
    """The options height and width: positive integers."""
    height, width = ctx.int_option("height"), ctx.int_option("width")
    if not height or not width:
        raise ctx.fail(f"height={height} and width={width} must be positive")
    return height, width
