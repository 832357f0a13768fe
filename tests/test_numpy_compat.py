"""Generated modules on the oldest NumPy that installs here and on NumPy 2, in fresh venvs."""

import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(
    os.path.join(ROOT, "generated_examples", name, "predictor.py")
    for name in os.listdir(os.path.join(ROOT, "generated_examples"))
    if os.path.exists(os.path.join(ROOT, "generated_examples", name, "predictor.py"))
)


def run(*args):
    result = subprocess.run(list(args), capture_output=True, text=True)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("numpy_spec", ["numpy==1.23.2", "numpy>=2,<3"])
def test_examples_on_other_numpy_versions(numpy_spec, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    run(python, "-m", "pip", "install", "-q", numpy_spec)
    version = run(python, "-c", "import numpy; print(numpy.__version__)").strip()
    assert version.startswith("1.23" if "1.23" in numpy_spec else "2.")
    seed = os.path.join(ROOT, "generated_examples", "seed_lstm", "predictor.py")
    x = np.random.default_rng(0).normal(size=(5, 32, 28)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    run(python, seed, str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"))
    run(sys.executable, seed, str(tmp_path / "x.npy"), "-o", str(tmp_path / "here.npy"))
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), np.load(tmp_path / "here.npy"), rtol=1e-6, atol=1e-7)
    for example in EXAMPLES:
        assert "self-test passed" in run(python, example, "--self-test"), example
