"""The image helpers of lstmgen.helpers (resizes, aspect-ratio crops and pads, adaptive
pooling bins) as plain Python, against their definitions. No Keras needed; their
agreement with TensorFlow's kernels is tests/test_resizing.py's."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen import helpers
from lstmgen.helper_source import helper_source

RNG = np.random.default_rng(3)
IMAGES = RNG.normal(size=(2, 6, 4, 3)).astype(np.float32)


def test_nearest_repeats_each_cell_when_enlarging_by_whole_factors():
    got = helpers.resize_nearest(IMAGES, 12, 12)
    np.testing.assert_array_equal(got, np.repeat(np.repeat(IMAGES, 2, axis=1), 3, axis=2))
    # shrinking 6 -> 4 rows: output cell i takes floor((i + 0.5) * 1.5)
    np.testing.assert_array_equal(helpers.resize_nearest(IMAGES, 4, 4), IMAGES[:, [0, 2, 3, 5]])


@pytest.mark.parametrize(
    "resize",
    [
        helpers.resize_nearest,
        helpers.resize_bilinear,
        helpers.resize_bicubic,
        helpers.resize_area,
        lambda x, h, w: helpers.resize_kernel(x, h, w, "lanczos3", 3),
    ],
)
def test_a_resize_to_the_same_size_changes_nothing(resize):
    got = resize(IMAGES, 6, 4)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, IMAGES, rtol=0, atol=1e-6)


def test_bilinear_interpolates_between_the_two_nearest_cells():
    ramp = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
    got = helpers.resize_bilinear(ramp, 1, 8)[0, 0, :, 0]
    # centres (i + 0.5) / 2 - 0.5, the edges held: 0, 0.25, 0.75, ..., 3
    np.testing.assert_allclose(got, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])


def test_area_of_whole_factors_is_the_block_mean():
    got = helpers.resize_area(IMAGES, 3, 2)
    blocks = IMAGES.reshape(2, 3, 2, 2, 2, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(got, blocks, rtol=1e-6)


@pytest.mark.parametrize(
    "taps",
    [
        lambda n, m: helpers.cubic_taps(n, m),
        lambda n, m: helpers.kernel_taps(n, m, "lanczos3", 3, False),
        lambda n, m: helpers.kernel_taps(n, m, "lanczos5", 5, True),
        lambda n, m: helpers.kernel_taps(n, m, "gaussian", 1.5, True),
        lambda n, m: helpers.kernel_taps(n, m, "triangle", 1, True),
        lambda n, m: helpers.kernel_taps(n, m, "keyscubic", 2, False),
        # an area's weights are the lengths it overlaps: they sum to size / new
        lambda n, m: (lambda c, w: (c, w * m / n))(*helpers.area_taps(n, m)),
    ],
)
@pytest.mark.parametrize("size, new", [(1, 5), (5, 1), (7, 3), (3, 11), (13, 13)])
def test_taps_stay_in_the_image_and_weigh_one_in_all(taps, size, new):
    cells, weights = taps(size, new)
    assert cells.shape == weights.shape and len(cells) == new
    assert cells.min() >= 0 and cells.max() < size
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=2e-6)


def test_aspect_crop_keeps_the_largest_centred_box_of_the_target_ratio():
    x = np.arange(9 * 4).reshape(1, 9, 4, 1)
    np.testing.assert_array_equal(helpers.aspect_crop(x, 2, 2), x[:, 2:6])  # 4 x 4
    np.testing.assert_array_equal(helpers.aspect_crop(x, 3, 1, float32=False), x[:, 0:9, 0:3])
    assert helpers.aspect_crop(x, 1, 100).shape == (1, 1, 4, 1)  # at least one cell


def test_aspect_pad_adds_half_the_difference_on_both_sides():
    x = np.ones((1, 2, 4, 1), np.float32)
    got = helpers.aspect_pad(x, 5, 4, -1.0)  # 4 * 5 / 4 = 5 rows: 3 more, 1 on each side
    assert got.shape == (1, 4, 4, 1)
    np.testing.assert_array_equal(got[0, :, 0, 0], [-1, 1, 1, -1])


def test_center_crop_takes_the_window_or_resizes_a_smaller_image():
    x = np.arange(5 * 6, dtype=np.float32).reshape(1, 5, 6, 1)
    np.testing.assert_array_equal(helpers.center_crop(x, 3, 2), x[:, 1:4, 2:4])
    small = helpers.center_crop(x, 8, 2)
    assert small.shape == (1, 8, 2, 1)
    expected = helpers.resize_bilinear(helpers.aspect_crop(x, 8, 2), 8, 2)
    np.testing.assert_array_equal(small, expected)


def test_integer_images_round_half_to_even_and_saturate():
    y = np.array([-3.0, 0.5, 1.5, 2.5, 254.6, 300.0], np.float32)
    got = helpers.integer_image(y, np.dtype(np.uint8))
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, [0, 0, 2, 2, 255, 255])
    top = helpers.integer_image(np.array([3e9], np.float32), np.dtype(np.int32))
    assert top[0] == 2147483520  # the largest float32 below 2**31, as Keras clips


def test_pool_bins_reduces_each_bin():
    x = np.arange(10, dtype=np.float32).reshape(1, 5, 2)
    got = helpers.pool_bins(x, 1, ((0, 2), (1, 4), (3, 5)), np.max)
    np.testing.assert_array_equal(got[0, :, 0], [2, 6, 8])


def test_float64_modules_keep_the_sampling_geometry_of_float32():
    text = helper_source(["resize_bicubic", "resize_area", "resize_kernel"], "float64")
    namespace = {"np": np}
    exec(compile(text, "<helpers>", "exec"), namespace)
    x64 = IMAGES.astype(np.float64)
    got = namespace["resize_bicubic"](x64, 9, 5)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, helpers.resize_bicubic(IMAGES, 9, 5), rtol=1e-6, atol=1e-6)
    cells, weights = namespace["cubic_taps"](6, 9)
    assert weights.dtype == np.float32
    np.testing.assert_array_equal(weights, helpers.cubic_taps(6, 9)[1])
