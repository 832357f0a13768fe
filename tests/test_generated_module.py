"""The generated file's contract: NumPy only, black-clean, deterministic, validating."""

import os
import subprocess
import sys
import textwrap

import black
import numpy as np
import pytest

from lstmgen.generate import generate
from lstmgen.options import Options
from golden import calls, golden_path, recorded
from oracle import load_module

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED_H5 = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")  # Keras 2 HDF5

BLOCK_IMPORTS = textwrap.dedent("""
    import sys

    class Block:
        def __init__(self, names):
            self.names = names

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.names:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block(BLOCKED))
    """)


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory):
    """The question's model saved by Keras 3 (a golden file), its generated predictor, and
    (inputs, Keras's outputs) for it."""
    folder = tmp_path_factory.mktemp("seed")
    path = golden_path("question.k3.keras")
    out = folder / "predictor.py"
    out.write_text(generate(path, "predictor"))
    (inputs, outputs), *_ = calls(recorded("question.k3.keras"))
    return path, str(out), (inputs[0], outputs[0])


def run_python(code, cwd, *args):
    env = dict(os.environ, PYTHONPATH="")
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def test_imports_with_only_numpy(seed_files):
    _, predictor, _ = seed_files
    blocked = ["tensorflow", "keras", "tf_keras", "h5py", "jinja2", "black", "lstmgen", "scipy"]
    code = BLOCK_IMPORTS.replace("BLOCKED", repr(blocked)) + textwrap.dedent("""
        import numpy as np
        import predictor
        y = predictor.predict(np.zeros((2, 32, 28), np.float32))
        assert y.shape == (2, 2) and y.dtype == np.float32, (y.shape, y.dtype)
        third_party = sorted({m.split(".")[0] for m in sys.modules} & {"h5py", "jinja2", "black"})
        assert not third_party, third_party
        print("ok")
        """)
    result = run_python(code, os.path.dirname(predictor))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("source", ["keras3 .keras", "keras2 .h5"])
def test_generator_never_imports_keras_or_tensorflow(seed_files, tmp_path, source):
    model_path = seed_files[0] if source == "keras3 .keras" else SHIPPED_H5
    code = BLOCK_IMPORTS.replace(
        "BLOCKED", repr(["tensorflow", "keras", "tf_keras"])
    ) + textwrap.dedent(
        """
        from lstmgen.cli import main
        code = main(sys.argv[1:])
        loaded = sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras", "tf_keras"})
        assert not loaded, loaded
        sys.exit(code)
        """
    )
    out = tmp_path / "p.py"
    env_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, "-c", code, model_path, "-o", str(out)],
        cwd=env_root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith('"""NumPy predictor')


def test_black_clean(seed_files):
    source = open(seed_files[1]).read()
    assert black.format_str(source, mode=black.Mode()) == source


def test_identical_bytes_on_regeneration(seed_files):
    model_path, predictor, _ = seed_files
    assert generate(model_path, "predictor") == open(predictor).read()


def test_header_and_constants(seed_files):
    model_path, predictor, _ = seed_files
    module = load_module(predictor)
    doc = module.__doc__
    assert "lstmgen" in doc and os.path.basename(model_path) in doc
    assert "Keras 3.1" in doc and "sha256" in doc
    assert "Total parameters: 912" in doc
    assert module.INPUT_NAMES[0].startswith("input_layer")
    assert module.OUTPUT_NAMES == ["dense"]


def test_gates_are_named_step_by_step(seed_files):
    model_path, predictor, _ = seed_files
    source = open(predictor).read()
    for text in (
        "# step 0: from zero states",
        "# step 31",
        "_matrix, s, a)  # [x_t | 1 | h] [W; b; U]",  # (layer names depend on test order)
        "fused: a wavefront",
        "np.multiply(o, tmp, h)  # h = o * tanh(c)",
    ):
        assert text in source
    readable = generate(model_path, "predictor", Options(fast=False))
    for text in (
        "# step 0",
        "# step 31",
        "# input gate",
        "# forget gate",
        "# output gate",
        "c = f * c + i * g",
        "h = o * np.tanh(c)",
    ):
        assert text in readable


def test_wrong_shape_or_dtype_raises_value_error(seed_files):
    module = load_module(seed_files[1])
    with pytest.raises(ValueError, match=r"expected shape \(batch, 32, 28\)"):
        module.predict(np.zeros((2, 31, 28), np.float32))
    with pytest.raises(ValueError, match="expected shape"):
        module.predict(np.zeros((32, 28), np.float32))
    with pytest.raises(ValueError, match="expected numbers"):
        module.predict(np.array([["a"] * 28] * 32, dtype=object)[None])


def test_accepts_lists_dicts_float64_and_ints(seed_files):
    _, predictor, _ = seed_files
    module = load_module(predictor)
    x = np.random.default_rng(3).normal(size=(4, 32, 28))
    expected = module.predict(x.astype(np.float32))
    assert module.predict(x).dtype == np.float32
    np.testing.assert_array_equal(module.predict([x]), expected)
    np.testing.assert_array_equal(module.predict({module.INPUT_NAMES[0]: x}), expected)
    np.testing.assert_array_equal(module.predict(x.tolist()), expected)
    assert module.predict(np.ones((1, 32, 28), np.int64)).shape == (1, 2)


def test_self_test_and_command_line(seed_files, tmp_path):
    _, predictor, (x, expected) = seed_files
    folder = os.path.dirname(predictor)
    result = subprocess.run(
        [sys.executable, predictor, "--self-test"], capture_output=True, text=True, cwd=folder
    )
    assert result.returncode == 0 and "self-test passed" in result.stdout, result.stderr
    np.save(tmp_path / "in.npy", x)
    result = subprocess.run(
        [sys.executable, predictor, str(tmp_path / "in.npy"), "-o", str(tmp_path / "out.npy")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    got = np.load(tmp_path / "out.npy")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.save(tmp_path / "bad.npy", x[:, :5])
    result = subprocess.run(
        [sys.executable, predictor, str(tmp_path / "bad.npy")], capture_output=True, text=True
    )
    assert result.returncode == 2 and "expected shape" in result.stderr


def test_self_test_detects_corrupted_weights(seed_files, tmp_path):
    source = open(seed_files[1]).read()
    broken = source.replace("reshape((5, 2))", "reshape((5, 2))[:, ::-1]")
    assert broken != source
    path = tmp_path / "broken.py"
    path.write_text(broken)
    ok, error = load_module(str(path)).self_test()
    assert not ok and error > 1e-3


def test_generated_syntax_is_python39(seed_files, tmp_path):
    # Only Python 3.11 is installed here: the parser checks the oldest supported grammar.
    import ast
    import glob

    sources = [open(seed_files[1]).read()]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sources += [
        open(p).read()
        for p in glob.glob(os.path.join(root, "generated_examples", "*", "predictor.py"))
    ]
    for source in sources:
        ast.parse(source, feature_version=(3, 9))
