"""Image augmentation layers against both Kerases in .h5 and .keras files: at inference
each gives its input as float32, except RandomCrop in tf_keras, which resizes."""

from __future__ import annotations

import numpy as np
import pytest

from oracle import check_against_keras, generate_module, major, save

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]
# name -> arguments; each takes its random options, which matter only in training
LAYERS = {
    "RandomFlip": dict(mode="horizontal"),
    "RandomRotation": dict(factor=0.2, fill_mode="nearest"),
    "RandomZoom": dict(height_factor=0.2, width_factor=(-0.1, 0.3)),
    "RandomTranslation": dict(height_factor=0.1, width_factor=0.2, fill_mode="constant"),
    "RandomContrast": dict(factor=0.3),
    "RandomBrightness": dict(factor=0.2, value_range=(0, 1)),
    "RandomHue": dict(factor=0.2),
    "RandomSaturation": dict(factor=0.2),
    "RandomSharpness": dict(factor=0.2),
    "RandomHeight": dict(factor=0.2),
    "RandomWidth": dict(factor=0.2),
}
# Keras 3 cannot save these in .h5 ("cannot pickle 'module' object")
NOT_IN_KERAS3_H5 = {"RandomBrightness", "RandomSaturation", "RandomSharpness"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_identity_at_inference(any_keras, fmt, tmp_path):
    K = any_keras
    names = [n for n in LAYERS if hasattr(K.layers, n)]
    if major(K) == 3 and fmt == "h5":
        names = [n for n in names if n not in NOT_IN_KERAS3_H5]
        for name in sorted(NOT_IN_KERAS3_H5):
            unsaved = K.Sequential([K.Input((8, 10, 3)), getattr(K.layers, name)(**LAYERS[name])])
            with pytest.raises(Exception, match="cannot pickle"):
                save(unsaved, tmp_path, fmt)
    images = K.Input((8, 10, 3))
    outputs = [getattr(K.layers, n)(**LAYERS[n])(images) for n in names]
    # RandomCrop: Keras 3 returns its input at inference, whatever shape it declares;
    # tf_keras resizes, which to the input's own size changes nothing
    crop = (4, 6) if major(K) == 3 else (8, 10)
    outputs.append(K.layers.RandomCrop(*crop)(images))
    module = check_against_keras(K.Model(images, outputs), tmp_path, fmt)
    x = np.random.default_rng(0).uniform(0, 1, (2, 8, 10, 3)).astype(np.float32)
    for y in module.predict(x):
        np.testing.assert_array_equal(y, x)


def test_integer_images_become_float32(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [
            K.Input((6, 6, 3), dtype="uint8"),
            K.layers.RandomFlip(),
            K.layers.Conv2D(2, 3),
        ]
    )
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    x = np.random.default_rng(1).integers(0, 256, (2, 6, 6, 3)).astype(np.uint8)
    got = module.predict(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("fmt", FORMATS)
def test_tf_keras_random_crop_resizes(keras2, fmt, tmp_path):
    K = keras2
    images = K.Input((8, 10, 3))
    model = K.Model(images, [K.layers.RandomCrop(4, 6)(images), K.layers.RandomCrop(6, 3)(images)])
    module = check_against_keras(model, tmp_path, fmt)
    assert module.OUTPUT_SHAPES == [(None, 4, 6, 3), (None, 6, 3, 3)]


def test_keras3_takes_one_image_or_a_batch(keras3, tmp_path):
    """Rank-3 inputs are single images to Keras 3 (identity at inference); rank 5 fails."""
    K = keras3
    x = K.Input((5, 4))
    outputs = [K.layers.RandomFlip()(x), K.layers.RandomZoom(0.2)(x), K.layers.RandomCrop(2, 2)(x)]
    module = check_against_keras(K.Model(x, outputs), tmp_path, "keras")
    assert module.OUTPUT_SHAPES == [(None, 5, 4)] * 3
    model = K.Sequential([K.Input((2, 5, 4, 3)), K.layers.RandomFlip()])
    with pytest.raises(ValueError, match="Expected image tensor"):
        model.predict(np.zeros((1, 2, 5, 4, 3), np.float32), verbose=0)
