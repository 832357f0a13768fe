"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D (Keras 3 only) against
Keras, in .h5 and .keras files; their bins against the definition."""

from __future__ import annotations

import math

import pytest

from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.adaptive_pooling import bins
from lstmgen.layers.base import LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec
from oracle import check_against_keras


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_rank_both_reductions_and_data_formats(keras3, fmt, tmp_path):
    K = keras3
    a, b, c = K.Input((11, 3)), K.Input((7, 9, 2)), K.Input((5, 6, 4, 2))
    outputs = [
        K.layers.AdaptiveAveragePooling1D(4)(a),
        K.layers.AdaptiveMaxPooling1D(5)(a),
        K.layers.AdaptiveAveragePooling1D(14)(a),  # more bins than steps
        K.layers.AdaptiveAveragePooling2D((3, 4))(b),
        K.layers.AdaptiveMaxPooling2D((5, 2), data_format="channels_first")(b),
        K.layers.AdaptiveAveragePooling3D((2, 4, 3), data_format="channels_first")(c),
        K.layers.AdaptiveMaxPooling3D(3)(c),
    ]
    check_against_keras(K.Model([a, b, c], outputs), tmp_path, fmt)


@pytest.mark.parametrize("n, out", [(11, 4), (7, 3), (5, 5), (3, 8), (100, 7), (9, 1)])
def test_bins_start_at_floor_and_end_at_ceil(n, out):
    expected = tuple((i * n // out, math.ceil((i + 1) * n / out)) for i in range(out))
    assert bins(n, out) == expected


def test_too_many_bins_and_free_axes_are_refused():
    def build(shape, output_size):
        record = LayerSpec(
            name="p", class_name="AdaptiveMaxPooling1D", config={"output_size": output_size}
        )
        ctx = LayerContext(
            record, [Tensor("x", shape)], 3, Options(), WeightTable(NameTable(RESERVED)), "p"
        )
        return run_handler(HANDLERS["AdaptiveMaxPooling1D"], ctx)

    with pytest.raises(UnsupportedError, match="up to 256 per axis"):
        build((None, 8, 2), [100000])
    with pytest.raises(UnsupportedError, match="fixed sizes"):
        build((None, None, 2), [3])
    assert build((None, 8, 2), [3]).outputs == [(None, 3, 2)]
