"""Snapshots of the generated source, one per template family and per option that changes
the text. After an intended change: `python tests/golden.py`, then review the diff."""

import difflib

import black

import pytest

import lstmgen.formatting
from golden import BLACK_VERSION, SNAPSHOT_SPECS, generated, snapshot_path
from lstmgen.freshness import same_predictor

IDS = [snapshot_path(name, options).rsplit("/", 1)[-1][:-3] for name, options in SNAPSHOT_SPECS]


def test_snapshots_were_made_by_this_black():
    made_by = open(BLACK_VERSION).read().strip()
    assert made_by == black.__version__, (
        f"the snapshots were made with black {made_by}, this is black {black.__version__}: "
        f"pip install black=={made_by}, or rewrite them (python tests/golden.py) and review"
    )


@pytest.mark.parametrize("name, options", SNAPSHOT_SPECS, ids=IDS)
def test_generated_source_matches_its_snapshot(name, options):
    fresh = generated(name, options)
    stored = open(snapshot_path(name, options), encoding="utf-8").read()
    if not same_predictor(stored, fresh):
        diff = difflib.unified_diff(stored.splitlines(), fresh.splitlines(), lineterm="", n=1)
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"the source changed; if intended, run python tests/golden.py:\n{shown}")


@pytest.mark.parametrize("name, options", SNAPSHOT_SPECS, ids=IDS)
def test_piecewise_formatting_is_what_black_makes_of_the_whole(name, options, monkeypatch):
    fast = generated(name, options)
    monkeypatch.setattr(lstmgen.formatting, "PIECEWISE", False)
    whole = generated(name, options)
    assert fast == whole
