"""Resizing, CenterCrop and UpSampling2D's interpolations against Keras 3 and tf_keras, in
.h5 and .keras files; the resize helpers against TensorFlow's kernels themselves."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen import helpers
from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.base import LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec
from oracle import check_against_keras, major

FORMATS = ["h5", "keras"]
KERNELS = {"lanczos3": 3, "lanczos5": 5, "gaussian": 1.5, "mitchellcubic": 2}


@pytest.mark.keras
def test_the_helpers_compute_what_tensorflow_resizes():
    """Identical to tf.image.resize (np.array_equal) for every method but lanczos, whose
    sines NumPy rounds a little differently (within float32 rounding)."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    for rows, cols, height, width in [(1, 7, 3, 2), (5, 7, 7, 5), (13, 9, 4, 4), (2, 17, 30, 3)]:
        x = rng.normal(size=(2, rows, cols, 3)).astype(np.float32)
        size = (height, width)
        ours = {
            ("nearest", False): helpers.resize_nearest(x, *size),
            ("bilinear", False): helpers.resize_bilinear(x, *size),
            ("bicubic", False): helpers.resize_bicubic(x, *size),
            ("area", False): helpers.resize_area(x, *size),
            ("bilinear", True): helpers.resize_kernel(x, *size, "triangle", 1, True),
            ("bicubic", True): helpers.resize_kernel(x, *size, "keyscubic", 2, True),
        }
        for kernel, radius in KERNELS.items():
            for antialias in (False, True):
                got = helpers.resize_kernel(x, *size, kernel, radius, antialias)
                ours[kernel, antialias] = got
        for (method, antialias), got in ours.items():
            expected = tf.image.resize(x, size, method=method, antialias=antialias).numpy()
            if method.startswith("lanczos"):
                np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
            else:
                assert np.array_equal(got, expected), (method, antialias, x.shape, size)


@pytest.mark.keras
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_interpolation_and_option_on_fixed_images(any_keras, fmt, tmp_path):
    K = any_keras
    x = K.Input((9, 7, 3))
    layers = [
        K.layers.Resizing(4, 5),
        K.layers.Resizing(12, 5, interpolation="bicubic", crop_to_aspect_ratio=True),
        K.layers.Resizing(5, 11, interpolation="area"),
        K.layers.Resizing(6, 6, interpolation="lanczos3"),
        K.layers.Resizing(4, 5, interpolation="nearest"),
        K.layers.CenterCrop(5, 4),  # a window
        K.layers.CenterCrop(10, 4),  # taller than the image: crop-resized
        K.layers.UpSampling2D((2, 3), interpolation="bilinear"),
        K.layers.UpSampling2D(2, interpolation="lanczos5"),
    ]
    if major(K) == 3:
        layers += [
            K.layers.Resizing(4, 9, pad_to_aspect_ratio=True, fill_value=0.5, antialias=True),
            K.layers.Resizing(3, 4, interpolation="bicubic", antialias=True),
            K.layers.Resizing(3, 4, data_format="channels_first"),
            K.layers.CenterCrop(2, 3, data_format="channels_first"),
            K.layers.UpSampling2D(2, data_format="channels_first", interpolation="bicubic"),
        ]
    else:
        layers += [
            K.layers.Resizing(5, 3, interpolation="gaussian", crop_to_aspect_ratio=True),
            K.layers.Resizing(4, 8, interpolation="mitchellcubic"),
            K.layers.UpSampling2D(2, interpolation="area"),
        ]
    model = K.Model(x, [layer(x) for layer in layers])
    check_against_keras(model, tmp_path, fmt)


def images_of_several_sizes(shapes, batch, seed, steps):
    """Images (batch, rows, cols, 3) whose size depends on the seed: larger and smaller
    than the layers' targets."""
    rows, cols = [(9, 7), (4, 3), (5, 12), (2, 2)][seed % 4]
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(batch, rows, cols, 3)).astype(np.float32)]


@pytest.mark.keras
@pytest.mark.parametrize("fmt", FORMATS)
def test_images_of_any_size(any_keras, fmt, tmp_path):
    """Free image axes: the crop or pad to the aspect ratio, CenterCrop's choice between
    its window and a crop-resize, and UpSampling2D's size are all computed per call."""
    K = any_keras
    x = K.Input((None, None, 3))
    layers = [
        K.layers.Resizing(4, 5, crop_to_aspect_ratio=True),
        K.layers.CenterCrop(5, 4),
        K.layers.UpSampling2D(2, interpolation="bicubic"),
    ]
    if major(K) == 3:
        layers.append(K.layers.Resizing(6, 4, interpolation="area", pad_to_aspect_ratio=True))
    model = K.Model(x, [layer(x) for layer in layers])
    check_against_keras(
        model, tmp_path, fmt, batches=(1, 2, 3, 4), make_inputs=images_of_several_sizes
    )


def pixels(shapes, batch, seed, steps):
    """uint8 images."""
    shape = (batch,) + tuple(shapes[0][1:])
    return [np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)]


@pytest.mark.keras
def test_integer_images(any_keras, tmp_path):
    """Keras 3 gives integer images back rounded in their dtype, tf_keras as floats."""
    K = any_keras
    x = K.Input((7, 9, 3), dtype="uint8")
    layers = [
        K.layers.Resizing(4, 5),
        K.layers.Resizing(5, 4, interpolation="area"),
        K.layers.Resizing(5, 4, interpolation="nearest"),
        K.layers.CenterCrop(3, 3),
    ]
    model = K.Model(x, [layer(x) for layer in layers])
    module = check_against_keras(model, tmp_path, "keras", make_inputs=pixels)
    kinds = [out.dtype.kind for out in module.predict(pixels(module.INPUT_SHAPES, 2, 0, 0))]
    assert kinds == (["i", "i", "i", "f"] if major(K) == 3 else ["f"] * 4)


def refusal(class_name: str, config: dict, keras_major: int = 3) -> str:
    """The message lstmgen refuses a layer with."""
    record = LayerSpec(name="r", class_name=class_name, config=config)
    ctx = LayerContext(
        record,
        [Tensor("x", (None, 8, 8, 3))],
        keras_major,
        Options(),
        WeightTable(NameTable(RESERVED)),
        "r",
    )
    with pytest.raises(UnsupportedError) as error:
        run_handler(HANDLERS[class_name], ctx)
    return str(error.value)


def test_options_keras_does_not_accept_are_refused():
    size = {"height": 4, "width": 4}
    assert "interpolation='gaussian' is not supported" in refusal(
        "Resizing", {**size, "interpolation": "gaussian"}
    )
    assert "crop_to_aspect_ratio and pad_to_aspect_ratio" in refusal(
        "Resizing", {**size, "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}
    )
    assert "fill_mode='reflect'" in refusal("Resizing", {**size, "fill_mode": "reflect"})
    assert "interpolation='cubic'" in refusal("UpSampling2D", {"interpolation": "cubic"}, 2)
    assert "option 'height'" in refusal("CenterCrop", {"height": -1, "width": 2})
    assert "must be positive" in refusal("Resizing", {"height": 0, "width": 2})
