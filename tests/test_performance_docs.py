"""docs/performance.md's tables are made from the last benchmark run (bench/results)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from docs_tables import PAGE, page, runs  # noqa: E402


def test_performance_page_is_not_stale():
    with open(PAGE) as handle:
        text = handle.read()
    assert page(text, runs()) == text, "run: python bench/docs_tables.py"


def test_every_benchmarked_model_is_in_the_page():
    with open(PAGE) as handle:
        text = handle.read()
    for marker, run in runs().items():
        assert f"<!-- {marker}:begin -->" in text
        for model in ("question", "lstm128x2", "lstm256x2", "gru64", "bilstm64"):
            assert model in run["models"]
    assert "SkylakeX" in runs()["bench-skylakex"]["machine"]
    assert "batch 256" in text and "ONNX Runtime" in text
