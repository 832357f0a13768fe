"""Generated modules on Python 3.9 to 3.13 and NumPy 1.21 to 2.x, in fresh venvs."""

import glob
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from oracle import fresh_venv, pip_install, without_pythonpath

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(
    os.path.join(ROOT, "generated_examples", name, "predictor.py")
    for name in os.listdir(os.path.join(ROOT, "generated_examples"))
    if os.path.exists(os.path.join(ROOT, "generated_examples", name, "predictor.py"))
)


def run(*args):
    result = subprocess.run(list(args), capture_output=True, text=True, env=without_pythonpath())
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def interpreter(version):
    """This interpreter for "current"; else a Python `version` found on PATH
    (python3.X) or under pyenv's root; skips, saying where it looked, when there is none."""
    if version == "current":
        return sys.executable
    candidates = [shutil.which(f"python{version}")]
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    installs = glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}"))
    candidates += sorted(installs, key=release, reverse=True)  # the newest patch release first
    for candidate in filter(None, candidates):
        if reports_version(candidate, version):
            return candidate
    pytest.skip(f"no Python {version} here: none on PATH as python{version}, none in {root}")


def release(path):
    """(3, 9, 18) for .../versions/3.9.18/bin/python3.9; patch releases sort as numbers."""
    name = os.path.basename(os.path.dirname(os.path.dirname(path)))
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def reports_version(python, version):
    """The interpreter runs and is Python `version` (a pyenv shim may exist and refuse)."""
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == version


@pytest.mark.slow
@pytest.mark.parametrize(
    "python_version,numpy_spec",
    [
        ("current", "numpy==1.23.2"),  # the oldest NumPy with wheels for Python 3.11
        ("current", "numpy>=2,<3"),
        ("3.9", "numpy==1.21.6"),  # the oldest supported pair
        ("3.10", "numpy==1.21.6"),
        ("3.12", "numpy==1.26.4"),  # the first NumPy line with Python 3.12 wheels
        ("3.13", "numpy>=2,<3"),
    ],
)
def test_examples_on_other_numpy_versions(python_version, numpy_spec, tmp_path):
    python = fresh_venv(tmp_path / "venv", interpreter(python_version))
    pip_install(python, numpy_spec)
    version = run(python, "-c", "import numpy; print(numpy.__version__)").strip()
    assert version.startswith(numpy_spec.split("==")[1] if "==" in numpy_spec else "2.")
    seed = os.path.join(ROOT, "generated_examples", "seed_lstm", "predictor.py")
    x = np.random.default_rng(0).normal(size=(5, 32, 28)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    run(python, seed, str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"))
    run(sys.executable, seed, str(tmp_path / "x.npy"), "-o", str(tmp_path / "here.npy"))
    np.testing.assert_allclose(
        np.load(tmp_path / "y.npy"), np.load(tmp_path / "here.npy"), rtol=1e-6, atol=1e-7
    )
    for example in EXAMPLES:
        assert "self-test passed" in run(python, example, "--self-test"), example


def test_a_missing_interpreter_is_skipped_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match=r"no Python 3\.9 here: none on PATH"):
        interpreter("3.9")
