"""generated_examples/dask_scoring: Dask gives exactly what one predict() call gives."""

import os
import subprocess
import sys

import numpy as np
import pytest

from test_commands import ROOT

sys.path.insert(0, os.path.join(ROOT, "generated_examples", "dask_scoring"))

import score  # noqa: E402

SCRIPT = os.path.join(ROOT, "generated_examples", "dask_scoring", "score.py")


@pytest.fixture(scope="module")
def predictor_and_rows():
    predictor = score.load_predictor(score.DEFAULT_PREDICTOR)
    rows = np.random.default_rng(11).standard_normal((5_000, 32, 28), dtype=np.float32)
    return predictor, rows, predictor.predict(rows)


def test_local_scheduler_equals_one_predict_call(predictor_and_rows):
    predictor, rows, expected = predictor_and_rows
    got = score.score(predictor, rows, chunk_rows=700)  # uneven chunks: 7 x 700 + 100
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_distributed_client_equals_one_predict_call(predictor_and_rows):
    from distributed import Client, LocalCluster

    predictor, rows, expected = predictor_and_rows
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        got = score.score(predictor, rows, chunk_rows=1_000, client=client)
    assert np.array_equal(got, expected)


def test_neither_generator_nor_predictor_imports_dask(predictor_and_rows):
    code = (
        "import sys, codegen.cli, codegen.generate;"
        f"sys.path.insert(0, {os.path.dirname(score.DEFAULT_PREDICTOR)!r});"
        "import predictor; assert predictor.self_test()[0];"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'));"
        "assert not bad, bad; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr


def test_script_runs_and_writes_scores(tmp_path, predictor_and_rows):
    predictor, rows, expected = predictor_and_rows
    np.save(tmp_path / "x.npy", rows[:1_500])
    result = subprocess.run(
        [sys.executable, SCRIPT, "--input", str(tmp_path / "x.npy"), "--chunk", "500",
         "-o", str(tmp_path / "y.npy")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scored 1,500 rows in 3 chunks on the local threaded scheduler")
    assert np.array_equal(np.load(tmp_path / "y.npy"), expected[:1_500])
