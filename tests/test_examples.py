"""generated_examples/ is checked in: it must be what the generator writes today."""

import json
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


@pytest.mark.keras  # side_by_side.py runs tf_keras
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
    result = subprocess.run([sys.executable, script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shown = [line.split(" -> ") for line in result.stdout.splitlines()]
    assert len(shown) == 4 and all(out == word[::-1] for word, out in shown), result.stdout


def test_seq2seq_reverses_words_it_never_saw():
    # The toy's claim, checked with the generated predictor alone (no Keras): every word
    # make_model.py kept out of training is reversed.
    folder = os.path.join(ROOT, "generated_examples", "seq2seq")
    with open(os.path.join(folder, "alphabets.json")) as handle:
        held_out = json.load(handle)["held_out"]
    assert len(held_out) >= 100 and {len(word) for word in held_out} == {2, 3, 4, 5}
    code = (
        "import sys, translate\n"
        "for word in sys.argv[1:]:\n"
        "    print(word, translate.translate(word))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *held_out], capture_output=True, text=True, cwd=folder
    )
    assert result.returncode == 0, result.stderr
    wrong = [
        line for line in result.stdout.splitlines() if line.split()[1] != line.split()[0][::-1]
    ]
    assert len(result.stdout.splitlines()) == len(held_out) and not wrong, wrong
