"""The model from the question that started the project, saved by Keras 2 and Keras 3."""

import pytest

from oracle import check_against_keras, question_model

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_question_model_matches_model_predict(any_keras, fmt, tmp_path):
    module = check_against_keras(
        question_model(any_keras), tmp_path, fmt, batches=(1, 17), use_predict=True
    )
    assert module.INPUT_SHAPES == [(None, 32, 28)]
    assert module.OUTPUT_SHAPES == [(None, 2)]


def test_keras2_file_uses_keras2_hard_sigmoid(keras2, tmp_path):
    module = check_against_keras(question_model(keras2), tmp_path, "h5", batches=(3,))
    assert hasattr(module, "hard_sigmoid_keras2") and not hasattr(module, "hard_sigmoid_keras3")


def test_keras3_hard_sigmoid_is_the_keras3_definition(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [K.Input((6, 3)), K.layers.LSTM(4, recurrent_activation="hard_sigmoid"), K.layers.Dense(2)]
    )
    module = check_against_keras(model, tmp_path, "keras", batches=(5,))
    assert hasattr(module, "hard_sigmoid_keras3") and not hasattr(module, "hard_sigmoid_keras2")
