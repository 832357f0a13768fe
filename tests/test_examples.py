"""generated_examples/ is checked in: it must be what the generator writes today."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "generated_examples"))

import regenerate  # noqa: E402


def test_generated_examples_are_fresh():
    stale = regenerate.stale_examples(write=False)
    assert not stale, f"stale examples {stale}: run python generated_examples/regenerate.py"


def test_every_example_self_tests():
    for name, (_, output, _) in regenerate.EXAMPLES.items():
        path = os.path.join(ROOT, "generated_examples", name, output)
        result = subprocess.run(
            [sys.executable, path, "--self-test"], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"


@pytest.mark.keras
def test_seed_example_agrees_with_keras_side_by_side():
    script = os.path.join(ROOT, "generated_examples", "seed_lstm", "side_by_side.py")
    result = subprocess.run([sys.executable, script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "max |a - b| / (1 + |b|)" in result.stdout


def test_ci_runs_the_readme_test_command():
    readme = open(os.path.join(ROOT, "README.md")).read().splitlines()
    test_command = readme[4]
    assert "pytest" in test_command
    ci = open(os.path.join(ROOT, ".ci", "run")).read()
    assert test_command in ci
    assert '-m pytest -m "not keras"' in ci  # the Keras-free tier, in a venv without Keras


def test_textgen_samples_with_the_streaming_api():
    script = os.path.join(ROOT, "generated_examples", "textgen", "sample.py")
    result = subprocess.run(
        [sys.executable, script, "--seed", "the gate ", "--length", "40"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("the gate ") and len(result.stdout.strip()) == 49


def test_seq2seq_translates_with_the_predictor():
    script = os.path.join(ROOT, "generated_examples", "seq2seq", "translate.py")
    result = subprocess.run([sys.executable, script, "abc"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("abc -> ")
