"""The benchmark's hand-written NumPy baseline computes what Keras computes (a fair race)."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
)

from baseline import baseline_for
from models import bilstm64, gru64, question, randomize

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("builder", [question, gru64, bilstm64], ids=lambda b: b.__name__)
def test_baseline_matches_keras(keras3, builder):
    model = randomize(builder(keras3), seed=3)
    shape = (2,) + tuple(model.inputs[0].shape[1:])
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    np.testing.assert_allclose(baseline_for(model)(x), model(x), rtol=1e-4, atol=1e-5)
