"""The generated module's API as a newcomer calls it: every way of passing the inputs
that names them or nests them gives the same answer, every wrong one says what it got,
and `__all__` lists the module's whole API. No Keras: the shipped predictors."""

import os

import numpy as np
import pytest

from oracle import load_module

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "generated_examples")


@pytest.fixture(scope="module")
def seed():
    return load_module(os.path.join(EXAMPLES, "seed_lstm", "predictor.py"))  # one input


@pytest.fixture(scope="module")
def seq2seq():
    return load_module(os.path.join(EXAMPLES, "seq2seq", "predictor.py"))  # two inputs


@pytest.fixture(scope="module")
def textgen():
    return load_module(os.path.join(EXAMPLES, "textgen", "predictor.py"))  # streams


def seed_input():
    return np.random.default_rng(0).normal(size=(2, 32, 28)).astype(np.float32)


def test_one_input_every_spelling_gives_the_same_answer(seed):
    x = seed_input()
    expected = seed.predict(x)
    spellings = [[x], (x,), {"lstm_input": x}, x.tolist(), [x.tolist()], [x[0], x[1]]]
    for given in spellings:
        assert np.array_equal(seed.predict(given), expected)


def test_two_arrays_for_a_one_input_model_say_so(seed):
    x = seed_input()
    with pytest.raises(ValueError) as error:
        seed.predict([x, x])
    assert str(error.value) == (
        "the model has one input, 'lstm_input' (batch, 32, 28); got a list of 2 arrays"
    )


def test_a_wrong_name_is_named(seed, seq2seq):
    with pytest.raises(ValueError) as error:
        seed.predict({"lstm_1_input": seed_input()})
    assert str(error.value) == "no input named 'lstm_1_input'; the inputs are ['lstm_input']"
    with pytest.raises(ValueError) as error:
        seq2seq.predict({"encoder_chars": np.zeros((1, 3, 8))})
    assert str(error.value) == (
        "input 'decoder_chars' is missing; the inputs are ['encoder_chars', 'decoder_chars']"
    )


def test_several_inputs_as_lists_or_by_name(seq2seq):
    a = np.eye(8, dtype=np.float32)[None, :3]
    b = np.eye(10, dtype=np.float32)[None, :2]
    expected = seq2seq.predict([a, b])
    for given in ([a.tolist(), b.tolist()], (a, b), {"decoder_chars": b, "encoder_chars": a}):
        assert np.array_equal(seq2seq.predict(given), expected)
    for wrong, got in (([a], "a list of 1"), (a, "ndarray")):
        with pytest.raises(ValueError) as error:
            seq2seq.predict(wrong)
        assert str(error.value) == (
            "expected a list of 2 arrays, one per input in ['encoder_chars', 'decoder_chars']; "
            f"got {got}"
        )


def test_all_lists_the_api_this_module_has(seq2seq, textgen):
    for module, extra in ((seq2seq, []), (textgen, ["initial_state", "step"])):
        assert module.__all__ == ["predict", "self_test"] + extra + [
            "INPUT_NAMES",
            "INPUT_SHAPES",
            "INPUT_DTYPES",
            "OUTPUT_NAMES",
            "OUTPUT_SHAPES",
            "SOURCE_SHA256",
        ]
        namespace = {}
        exec(f"from {module.__name__} import *", namespace)
        assert set(module.__all__) <= set(namespace)


def test_all_names_a_stateful_models_predictor_and_a_weights_file():
    from dataclasses import replace

    from lstmgen.emitter import public_names
    from lstmgen.generate import read_graph

    graph = read_graph(os.path.join(EXAMPLES, "seed_lstm", "model.h5"))
    names = public_names(replace(graph, stateful_batch=3, streamable=False, weights_file=True))
    assert names[:4] == ["predict", "self_test", "Predictor", "reset_states"]
    assert names[-2:] == ["SOURCE_SHA256", "WEIGHTS_FILE"]
