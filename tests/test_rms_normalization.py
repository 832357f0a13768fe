"""RMSNormalization (Keras 3 only) against Keras, in .h5 and .keras files."""

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
def test_axes_epsilon_scale_and_a_dropped_mask(keras3, fmt, tmp_path):
    K = keras3
    seq, images, square = K.Input((7, 4)), K.Input((3, 5, 2)), K.Input((5, 5))
    masked = K.layers.Masking()(seq)
    # Keras drops the mask at RMSNormalization: the LSTM after it sees every step
    a = K.layers.LSTM(3)(K.layers.RMSNormalization()(masked))
    b = K.layers.RMSNormalization(axis=[-2, -1], epsilon=0.3)(images)
    c = K.layers.RMSNormalization(axis=-1, epsilon=None)(images)  # Keras's global epsilon
    # axis 1: Keras multiplies the (5,) scale along the last axis, as NumPy broadcasts
    d = K.layers.RMSNormalization(axis=1)(square)
    model = K.Model([seq, images, square], [a, b, c, d])
    check_against_keras(model, tmp_path, fmt, make_inputs=padded)


def test_a_scale_that_does_not_broadcast_from_the_last_axis_is_refused():
    record = LayerSpec(
        name="rms",
        class_name="RMSNormalization",
        config={"axis": [1], "epsilon": 1e-6},
        weights=(np.ones(6, np.float32),),
    )
    ctx = LayerContext(
        record, [Tensor("x", (None, 6, 8))], 3, Options(), WeightTable(NameTable(RESERVED)), "rms"
    )
    with pytest.raises(UnsupportedError, match=r"scale of shape \(6,\) does not broadcast"):
        run_handler(HANDLERS["RMSNormalization"], ctx)
