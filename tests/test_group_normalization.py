"""GroupNormalization against Keras 3 and tf_keras, in .h5 and .keras files."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.base import LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec
from oracle import check_against_keras, padded


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_groups_of_channels_over_a_sequence(any_keras, fmt, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((6, 8)),
            K.layers.GroupNormalization(groups=4, epsilon=0.01),
            K.layers.Dense(3),
        ]
    )
    check_against_keras(model, tmp_path, fmt)


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_channels_first_images_without_beta_and_features_without_gamma(any_keras, fmt, tmp_path):
    K = any_keras
    images = K.Input((6, 5, 4))
    features = K.Input((6,))
    a = K.layers.GroupNormalization(groups=2, axis=1, center=False)(images)
    b = K.layers.GroupNormalization(groups=3, scale=False)(features)
    model = K.Model([images, features], [a, b])
    module = check_against_keras(model, tmp_path, fmt)
    assert module.OUTPUT_SHAPES == [(None, 6, 5, 4), (None, 6)]


@pytest.mark.keras
def test_instance_normalization_and_a_mask_passed_on_in_keras3(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [
            K.Input((7, 4)),
            K.layers.Masking(),
            K.layers.GroupNormalization(groups=-1),  # one group per channel
            K.layers.LSTM(3),
        ]
    )
    check_against_keras(model, tmp_path, "keras", make_inputs=padded)


def test_a_tf_keras_mask_and_groups_that_do_not_divide_the_channels_are_refused():
    record = LayerSpec(
        name="gn",
        class_name="GroupNormalization",
        config={"groups": 2, "axis": -1},
        weights=(np.ones(4, np.float32), np.zeros(4, np.float32)),
    )
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record, [Tensor("x", (None, 5, 4), mask="m")], 2, Options(), WeightTable(names), "gn"
    )
    with pytest.raises(UnsupportedError, match=r"layer 'gn' \(GroupNormalization\): a mask"):
        run_handler(HANDLERS["GroupNormalization"], ctx)
    ctx = LayerContext(record, [Tensor("x", (None, 5, 5))], 3, Options(), WeightTable(names), "g")
    with pytest.raises(UnsupportedError, match="groups=2 must divide the 5 channels"):
        run_handler(HANDLERS["GroupNormalization"], ctx)
