"""The project's own code is formatted by the black it ships and passes ruff."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_black_check_passes_on_the_project():
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"black would reformat:\n{result.stderr}"


def test_ruff_check_passes_on_the_project():
    if shutil.which("ruff") is None:
        pytest.skip(
            "ruff is not installed (it comes with the test extras: pip install -e '.[test]')"
        )
    result = subprocess.run(
        ["ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"ruff finds:\n{result.stdout}{result.stderr}"
