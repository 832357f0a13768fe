"""How TensorFlow resizes with each interpolation Keras offers: the helper line that
does it, and how many input cells each output cell reads (for the cost budget)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from lstmgen.layers.base import LayerContext

# interpolation -> (sampling kernel, its radius) of the resizes TensorFlow computes with
# scale_and_translate; bilinear and bicubic go there too when antialiasing.
KERNELS = {
    "lanczos3": ("lanczos3", 3),
    "lanczos5": ("lanczos5", 5),
    "gaussian": ("gaussian", 1.5),
    "mitchellcubic": ("mitchellcubic", 2),
    "bilinear": ("triangle", 1),
    "bicubic": ("keyscubic", 2),
}
KERAS3_METHODS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
# tf_keras also takes TensorFlow's gaussian and mitchellcubic, in any letter case
TF_KERAS_METHODS = KERAS3_METHODS + ("gaussian", "mitchellcubic")


@dataclass(frozen=True)
class ResizeStep:
    """One step of the layer's function: `# comment`, then `x = code`."""

    code: str
    comment: str


def interpolation(ctx: LayerContext) -> str:
    """The interpolation option, as the file's Keras version accepts it."""
    value = ctx.option("interpolation", "bilinear")
    allowed = KERAS3_METHODS if ctx.keras_major >= 3 else TF_KERAS_METHODS
    method = value.lower() if isinstance(value, str) and ctx.keras_major < 3 else value
    if method not in allowed:
        supported = " or ".join(repr(item) for item in allowed)
        raise ctx.fail(f"option interpolation={value!r} is not supported (supported: {supported})")
    return method


def resize_step(ctx: LayerContext, method: str, antialias: bool, height, width) -> ResizeStep:
    """The line that resizes x to height x width with TensorFlow's `method`."""
    size = f"{height}, {width}"
    if method in KERNELS and (antialias or method not in ("bilinear", "bicubic")):
        kernel, radius = KERNELS[method]
        ctx.use_helpers("resize_kernel")
        flag = ", antialias=True" if antialias else ""
        code = f"resize_kernel(x, {size}, {kernel!r}, {radius!r}{flag})"
        return ResizeStep(code, f"TensorFlow's {method} resize ({kernel} kernel)")
    ctx.use_helpers(f"resize_{method}")
    centres = "" if method == "area" else ", half-pixel centres"
    return ResizeStep(f"resize_{method}(x, {size})", f"TensorFlow's {method} resize{centres}")


def taps(method: str, antialias: bool, size: Optional[int], new: Optional[int]) -> int:
    """How many input cells each output cell reads along one axis (the cost budget's)."""
    ratio = size / new if size and new else 1.0
    if method == "nearest":
        return 1
    if method == "area":
        return math.ceil(ratio) + 1
    if method in ("bilinear", "bicubic") and not antialias:
        return 2 if method == "bilinear" else 4
    reach = KERNELS[method][1] * (max(ratio, 1.0) if antialias else 1.0)
    return min(2 * math.ceil(reach) + 1, size or 2**31)
