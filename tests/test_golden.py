"""Golden files: generate from model files Keras saved, compare with the outputs Keras gave
for stored inputs (tests/data/golden, made by tests/data/make_golden.py). No Keras here."""

import os

import numpy as np
import pytest

from golden import calls, generated, golden_path, manifest, prefixes, recorded
from lstmgen.options import Options
from oracle import TOLERANCE, load_module, relative_error

FILES = sorted(manifest())
FLOAT64_TOLERANCE = 1e-4  # --float64 differs from Keras's float32 by its rounding


def module_for(name, tmp_path, options=Options()):
    path = tmp_path / f"predictor_{abs(hash(options))}.py"
    path.write_text(generated(name, options))
    return load_module(str(path))


def assert_calls_agree(module, name, tolerance=TOLERANCE):
    """Every recorded call, in order (stateful models carry their states across them)."""
    for number, (inputs, expected) in enumerate(calls(recorded(name))):
        got = module.predict(inputs if len(inputs) > 1 else inputs[0])
        got = got if isinstance(got, list) else [got]
        assert len(got) == len(expected), (len(got), len(expected))
        for k, (a, b) in enumerate(zip(got, expected)):
            error = relative_error(a, b)
            assert error <= tolerance, f"call {number}, output {k}: relative error {error:.3g}"


@pytest.mark.parametrize("name", FILES)
def test_predicts_what_keras_predicted(name, tmp_path):
    module = module_for(name, tmp_path)
    assert module.self_test()[0]
    if hasattr(module, "reset_states"):  # the self-test moved a stateful model's states
        module.reset_states()
    assert_calls_agree(module, name)


@pytest.mark.parametrize("name", FILES)
def test_every_constant_the_module_multiplies_is_c_ordered(name, tmp_path):
    """BLAS multiplies a Fortran-ordered matrix slower (up to 1.7x at batch 16 with AVX-512
    kernels), and a row slice of one is copied at every call: weights and everything
    derived at import are C-ordered."""
    module = module_for(name, tmp_path)
    fortran = [
        key
        for key, value in vars(module).items()
        if isinstance(value, np.ndarray) and value.ndim >= 2 and not value.flags.c_contiguous
    ]
    assert not fortran, fortran


@pytest.mark.parametrize("name", [n for n in FILES if not n.startswith(("conv", "keras1_c"))])
def test_looped_form_agrees_too(name, tmp_path):
    """--no-unroll: the same numbers from `for t in range(steps)` (a no-op without steps)."""
    assert_calls_agree(module_for(name, tmp_path, Options(unroll=False)), name)


@pytest.mark.parametrize("name", [n for n in FILES if ".k3." in n or ".k1." in n])
def test_readable_form_agrees_too(name, tmp_path):
    assert_calls_agree(module_for(name, tmp_path, Options(fast=False)), name)


@pytest.mark.parametrize("name", [n for n in FILES if ".k2." in n])
def test_float64_form_agrees_within_float32_rounding(name, tmp_path):
    module = module_for(name, tmp_path, Options(float64=True))
    assert_calls_agree(module, name, FLOAT64_TOLERANCE)
    inputs = calls(recorded(name))[0][0]
    got = module.predict(inputs if len(inputs) > 1 else inputs[0])
    assert all(a.dtype == np.float64 for a in (got if isinstance(got, list) else [got]))


@pytest.mark.parametrize("name", [n for n in FILES if manifest()[n]["prefixes"]])
def test_step_gives_predict_on_every_prefix(name, tmp_path):
    module = module_for(name, tmp_path)
    arrays = recorded(name)
    (x,), _ = calls(arrays)[0]
    state = module.initial_state(x.shape[0])
    for t, expected in enumerate(prefixes(arrays)):
        y, state = module.step(x[:, t], state)
        assert relative_error(y, expected[0]) <= TOLERANCE, t


@pytest.mark.parametrize("name", ["lstm_free_time.k2.h5", "lstm_free_time.k3.keras"])
def test_timesteps_unrolls_a_free_time_axis(name, tmp_path):
    (x,), expected = calls(recorded(name))[0]
    module = module_for(name, tmp_path, Options(timesteps=x.shape[1]))
    assert module.INPUT_SHAPES == [(None, x.shape[1], x.shape[2])]
    assert relative_error(module.predict(x), expected[0]) <= TOLERANCE
    with pytest.raises(ValueError, match="expected shape"):
        module.predict(x[:, 1:])


@pytest.mark.parametrize("name", ["stateful.k2.h5", "stateful.k3.keras"])
def test_reset_states_starts_over(name, tmp_path):
    module = module_for(name, tmp_path)
    (first, expected), *_ = calls(recorded(name))
    module.predict(first[0])
    module.reset_states()
    assert relative_error(module.predict(first[0]), expected[0]) <= TOLERANCE
    assert relative_error(module.Predictor().predict(first[0]), expected[0]) <= TOLERANCE


def test_tests_data_stays_small():
    folder = os.path.dirname(golden_path("manifest.json"))
    data = os.path.dirname(folder)
    total = sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(data)
        for name in names
    )
    assert total < 3.5 * 2**20, f"tests/data holds {total / 2**20:.1f} MB"


def test_the_golden_files_cover_both_kerases_both_formats_and_keras1():
    kinds = {tuple(name.split(".")[-2:]) for name in FILES}
    assert {("k2", "h5"), ("k2", "keras"), ("k3", "h5"), ("k3", "keras"), ("k1", "h5")} <= kinds


def test_several_inputs_by_list_or_by_name(tmp_path):
    module = module_for("merges.k3.h5", tmp_path)
    (a, b), expected = calls(recorded("merges.k3.h5"))[0]
    by_list = module.predict([a, b])
    by_name = module.predict(dict(zip(module.INPUT_NAMES, [a, b])))
    assert module.OUTPUT_NAMES == ["concat", "concat_1"] and len(by_list) == len(expected)
    for x, y in zip(by_list, by_name):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match=r"input 'b' is missing; the inputs are \['a', 'b'\]"):
        module.predict({"a": a})
    with pytest.raises(ValueError, match="expected a list of 2 arrays"):
        module.predict(a)


def test_step_checks_its_input_and_leaves_the_state_alone(tmp_path):
    module = module_for("streaming.k3.keras", tmp_path)
    state = module.initial_state(2)
    with pytest.raises(ValueError, match="step input"):
        module.step(np.zeros((2, 4, 3), np.float32), state)
    x = np.ones((2, 3), np.float32)
    first, _ = module.step(x, state)
    again, _ = module.step(x, state)  # the same state continued twice: the same answer
    np.testing.assert_array_equal(first, again)
