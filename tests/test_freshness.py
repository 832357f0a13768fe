"""The staleness check of checked-in predictors: the BLAS may move the self-test outputs'
last bits, nothing else may change."""

import base64
import os
import re
import zlib

import numpy as np
import pytest

from lstmgen.freshness import same_predictor, split_self_test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = ["seed_lstm", "seq2seq", "textgen"]


def predictor(name):
    return open(os.path.join(ROOT, "generated_examples", name, "predictor.py")).read()


def with_self_test(source, change):
    """The source with its self-test arrays passed through `change(arrays)`."""
    _, arrays = split_self_test(source)
    arrays = change([a.copy() for a in arrays])
    packed = base64.b64encode(zlib.compress(np.concatenate([a.ravel() for a in arrays]).tobytes()))
    return re.sub(
        r'^_SELF_TEST = (?:"[^"\n]*"|\(\n(?:    "[^"\n]*"\n)*\))$',
        lambda _: f'_SELF_TEST = "{packed.decode()}"',
        source,
        flags=re.M,
    )


def nudge(index, amount):
    def change(arrays):
        arrays[index] = (arrays[index] * (1 + amount)).astype(np.float32)
        return arrays

    return change


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_self_test_blob_is_found_and_decoded(name):
    source = predictor(name)
    rest, arrays = split_self_test(source)
    assert "_SELF_TEST = ..." in rest and len(rest) < len(source)
    shapes = eval(re.search(r"^_SELF_TEST_SHAPES = (.*)$", source, re.M).group(1))
    assert [a.shape for a in arrays] == shapes and all(a.dtype == np.float32 for a in arrays)
    assert same_predictor(source, with_self_test(source, lambda arrays: arrays))


@pytest.mark.parametrize("name", EXAMPLES)
def test_output_rounding_is_not_a_change(name):
    source = predictor(name)
    assert same_predictor(source, with_self_test(source, nudge(-1, 3e-7)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_real_changes_are_caught(name):
    source = predictor(name)
    assert not same_predictor(source, with_self_test(source, nudge(-1, 1e-3)))  # outputs
    assert not same_predictor(source, with_self_test(source, nudge(0, 1e-7)))  # inputs: exact
    assert not same_predictor(source, source.replace("np.tanh(", "np.sinh(", 1))  # code
    assert not same_predictor(source, source.replace("\n", " \n", 1))  # one space
    weights_line = next(line for line in source.splitlines() if line.startswith('    "'))
    assert not same_predictor(source, source.replace(weights_line, weights_line[:-2] + 'A"'))


def test_a_module_without_inline_self_test_compares_as_bytes():
    text = "INPUT_NAMES = ['x']\n_SELF_TEST_SHAPES = [(1, 2)]\n"
    assert same_predictor(text, text)
    assert not same_predictor(text, text + "# changed\n")
    assert not same_predictor(predictor("seed_lstm"), "not a module")
