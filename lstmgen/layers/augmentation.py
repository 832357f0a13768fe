"""Image augmentation layers: random transformations in training only. At inference
(`training=False`, as model.predict calls them) each returns its input cast to float32,
except RandomCrop, which tf_keras resizes (below)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext, check_rank, run_handler

# Options that shape only the random transformation of training.
TRAINING_ONLY = (
    "factor",
    "height_factor",
    "width_factor",
    "fill_mode",
    "fill_value",
    "interpolation",
    "value_range",
    "mode",
    "rng_type",
    "bounding_box_format",
    "data_format",
)


@dataclass(frozen=True)
class AugmentationParams(Params):
    """augmentation.py.j2: the input as float32."""

    template: ClassVar[str] = "augmentation.py.j2"


def build_augmentation(ctx: LayerContext) -> Built:
    """RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast,
    RandomBrightness, RandomHue, RandomSaturation, RandomSharpness (Keras 3), RandomHeight,
    RandomWidth (tf_keras): `if training: ... else: return inputs` in both versions, after
    the cast to the layer's float32 (model.predict's output is float32 for integer images
    too). Keras 3 takes one image or a batch of them: rank 3 or 4."""
    for key in TRAINING_ONLY:
        ctx.option(key)
    return _identity(ctx)


def build_random_crop(ctx: LayerContext) -> Built:
    """RandomCrop(height, width). At inference tf_keras (and Keras 3 before its image
    layers were rewritten, 3.6) resizes: the largest centred window of the target's aspect
    ratio, resized bilinearly to (height, width) (smart_resize), which is the Resizing layer
    with crop_to_aspect_ratio=True. Keras 3 since returns the input uncropped at inference
    (keras-team/keras#21868), whatever shape it declares: followed here."""
    height, width = ctx.int_option("height"), ctx.int_option("width")
    for key in ("data_format", "rng_type"):  # the crop's axes; its random generator
        ctx.option(key)
    shape = ctx.input_shape
    if ctx.keras_major >= 3 or tuple(shape[1:3]) == (height, width):
        return _identity(ctx)  # smart_resize to the input's own size changes nothing
    check_rank(ctx, shape, (4,))
    resizing = ctx.handlers.get("Resizing")
    if resizing is None:
        raise ctx.fail("resizes at inference in tf_keras, which needs the Resizing layer")
    config = {"height": height, "width": width, "interpolation": "bilinear"}
    config["crop_to_aspect_ratio"] = True
    sub = ctx.sublayer("resize", {"class_name": "Resizing", "config": config}, (), ctx.inputs, None)
    return run_handler(resizing, sub)


def _identity(ctx: LayerContext) -> Built:
    shape = ctx.input_shape
    if ctx.keras_major >= 3:
        check_rank(ctx, shape, (3, 4))
    if ctx.input_masked[0]:
        raise ctx.fail("a masked input is not supported (Keras drops the mask here)")
    return Built(params=AugmentationParams(), outputs=[shape], mask="none", step="same")
