"""The wheel ships templates/: install it in a fresh venv and run lstmgen elsewhere."""

import os
import shutil
import subprocess
import sys

import pytest

from lstmgen.freshness import same_predictor
from oracle import fresh_venv, pip_install, without_pythonpath

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_MODEL = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")


def run(*args, cwd=None):
    result = subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, env=without_pythonpath()
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_in_fresh_venv_runs_from_another_directory(tmp_path):
    # Build from a copy of the sources: a stale build/ folder in the checkout
    # could otherwise hide a template missing from the wheel.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("lstmgen", "templates"):
        shutil.copytree(os.path.join(ROOT, name), source / name, ignore=ignore)
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source))
    (wheel,) = list(dist.glob("lstmgen-*.whl"))
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(os.listdir(os.path.join(ROOT, "templates")))
    assert "module.py.j2" in templates
    missing = [t for t in templates if f"lstmgen/templates/{t}" not in names]
    assert not missing, f"templates missing from the wheel: {missing}"
    venv = tmp_path / "venv"
    python = fresh_venv(venv)
    pip_install(python, str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = run(str(venv / "bin" / "lstmgen"), "--version", cwd=elsewhere)
    assert out.startswith("lstmgen ")
    run(str(venv / "bin" / "lstmgen"), SEED_MODEL, "-o", "predictor.py", cwd=elsewhere)
    out = run(str(python), "predictor.py", "--self-test", cwd=elsewhere)
    assert "self-test passed" in out
    # The installed copy generates exactly the checked-in example (but for the self-test
    # outputs' rounding by this venv's NumPy and BLAS).
    expected = open(os.path.join(ROOT, "generated_examples", "seed_lstm", "predictor.py")).read()
    assert same_predictor(expected, (elsewhere / "predictor.py").read_text())
