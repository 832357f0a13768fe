"""generated_examples/dask_scoring: Dask gives exactly what one predict() call gives."""

import os
import subprocess
import sys

import numpy as np
import pytest

from test_commands import ROOT

sys.path.insert(0, os.path.join(ROOT, "generated_examples", "dask_scoring"))

import score

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
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = score.score(predictor, rows, chunk_rows=1_000, client=client)
    assert np.array_equal(got, expected)


def test_neither_generator_nor_predictor_imports_dask(predictor_and_rows):
    code = (
        "import sys, lstmgen.cli, lstmgen.generate;"
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
        [
            sys.executable,
            SCRIPT,
            "--input",
            str(tmp_path / "x.npy"),
            "--chunk",
            "500",
            "-o",
            str(tmp_path / "y.npy"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scored 1,500 rows in 3 chunks on the local threaded scheduler")
    assert np.array_equal(np.load(tmp_path / "y.npy"), expected[:1_500])


FAKE = """
INPUT_NAMES = ["x"]
INPUT_SHAPES = [(None, 4)]
INPUT_DTYPES = [{dtype!r}]
OUTPUT_NAMES = ["y"]
OUTPUT_SHAPES = [(None, 4)]


def predict(x):
    return x
"""


@pytest.mark.parametrize(
    "dtype, extra, fragment",
    [
        ("float32", "\n\ndef reset_states():\n    pass\n", "a stateful predictor"),
        (
            "int32",
            "",
            "input 'x' is int32 (token ids): random rows would not be valid ids; pass --input X.npy",
        ),
    ],
)
def test_script_refuses_stateful_predictors_and_random_token_ids(tmp_path, dtype, extra, fragment):
    fake = tmp_path / f"fake_{dtype}.py"
    fake.write_text(FAKE.format(dtype=dtype) + extra)
    result = subprocess.run(
        [sys.executable, SCRIPT, "--predictor", str(fake), "--rows", "10"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith(f"score.py: error: {fake}: ")
        and fragment in lines[0]
    ), lines


def test_score_refuses_a_stateful_predictor(tmp_path):
    fake = tmp_path / "fake_stateful.py"
    fake.write_text(FAKE.format(dtype="float32") + "\n\ndef reset_states():\n    pass\n")
    with pytest.raises(score.Refused, match="stateful"):
        score.score(score.load_predictor(str(fake)), np.zeros((4, 4), np.float32))
