"""Files in the layouts older Keras 2 versions wrote, built with h5py."""

import numpy as np
import pytest

from legacy_files import to_keras21_layout
from oracle import generate_module, randomize, relative_error, save
from test_seed_model import question_model


@pytest.mark.parametrize("batch", [1, 17])
def test_keras21_question_model(keras2, tmp_path, batch):
    model = question_model(keras2)
    randomize(model, seed=4)
    path = to_keras21_layout(save(model, tmp_path, "h5"), str(tmp_path / "keras21.h5"))
    module = generate_module(path, tmp_path)
    assert "Keras 2.1.6" in module.__doc__
    assert module.INPUT_NAMES == [f"{model.layers[0].name}_input"]
    x = np.random.default_rng(batch).normal(size=(batch, 32, 28)).astype(np.float32)
    assert relative_error(module.predict(x), model.predict(x, verbose=0)) <= 1e-5
