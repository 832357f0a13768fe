"""docs/performance.md's tables are made from the last benchmark run (bench/results)."""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from docs_tables import PAGE, RESULTS, page  # noqa: E402


def test_performance_page_is_not_stale():
    with open(RESULTS) as handle:
        run = json.load(handle)
    with open(PAGE) as handle:
        text = handle.read()
    assert page(text, run) == text, "run: python bench/docs_tables.py"


def test_every_benchmarked_model_is_in_the_page():
    with open(RESULTS) as handle:
        run = json.load(handle)
    with open(PAGE) as handle:
        text = handle.read()
    for model in ("question", "lstm128x2", "lstm256x2"):
        assert model in run["models"]
    assert "batch 256" in text and "ONNX Runtime" in text
