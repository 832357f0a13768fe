"""generated_examples/dask_scoring: each chunk's rows are exactly predict() of that chunk,
and within float32 rounding of one predict() call on the whole array.

A row's result can depend on the batch it comes in: BLAS computes a matrix product's rows
differently for matrices of other sizes (even at other positions in a matrix of the same
size), so no predictor that multiplies whole batches can promise more.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from oracle import ROOT

sys.path.insert(0, os.path.join(ROOT, "generated_examples", "dask_scoring"))

import score

# Dask comes with the test extras, not with the generator: the Keras-free tier may lack it.
pytest.importorskip("dask", reason="Dask is not installed (pip install -e '.[test]')")

SCRIPT = os.path.join(ROOT, "generated_examples", "dask_scoring", "score.py")
ROUNDING = 1e-6  # max |a - b| / (1 + |b|) against one predict() call; measured <= 4e-7


def chunk_by_chunk(predictor, rows, chunk_rows):
    """predict() on each chunk of rows, joined: what Dask must give, bit for bit."""
    return np.concatenate(
        [predictor.predict(rows[k : k + chunk_rows]) for k in range(0, len(rows), chunk_rows)]
    )


# score.score() runs in a child process: Dask's thread pools live as long as the process
# that started them, and with another thread alive lstmgen reads model files in a fresh
# interpreter instead of a fork, so tests after these would run another reading path.
CHILD = """
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import score
predictor_path, rows_path, chunk_rows, scheduler, out = sys.argv[2:]
client = None
if scheduler == "distributed":
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    client = Client(cluster)
got = score.score(score.load_predictor(predictor_path), np.load(rows_path), int(chunk_rows), client=client)
np.save(out, got)
if client is not None:
    client.close()
    cluster.close()
"""


def score_in_child(folder, predictor_path, rows, chunk_rows, scheduler="threads"):
    """score.score(...) of `rows`, computed by a child process (see CHILD)."""
    np.save(os.path.join(folder, "rows.npy"), rows)
    out = os.path.join(folder, "scores.npy")
    args = [os.path.dirname(SCRIPT), predictor_path, os.path.join(folder, "rows.npy")]
    command = [sys.executable, "-c", CHILD, *args, str(chunk_rows), scheduler, out]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return np.load(out)


def within_rounding(got, expected):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    return np.max(np.abs(got - expected) / (1 + np.abs(expected))) <= ROUNDING


@pytest.fixture(scope="module")
def predictor_and_rows():
    predictor = score.load_predictor(score.DEFAULT_PREDICTOR)
    rows = np.random.default_rng(11).standard_normal((5_000, 32, 28), dtype=np.float32)
    return predictor, rows, predictor.predict(rows)


def test_local_scheduler_gives_each_chunks_predict(predictor_and_rows, tmp_path):
    predictor, rows, whole = predictor_and_rows
    got = score_in_child(tmp_path, score.DEFAULT_PREDICTOR, rows, 700)  # 7 x 700 + 100
    assert got.dtype == whole.dtype
    assert np.array_equal(got, chunk_by_chunk(predictor, rows, 700))
    assert within_rounding(got, whole)


def test_distributed_client_gives_each_chunks_predict(predictor_and_rows, tmp_path):
    predictor, rows, whole = predictor_and_rows
    got = score_in_child(tmp_path, score.DEFAULT_PREDICTOR, rows, 1_000, "distributed")
    assert np.array_equal(got, chunk_by_chunk(predictor, rows, 1_000))
    assert within_rounding(got, whole)


@pytest.mark.keras
@pytest.mark.parametrize("name", ["question", "gru64", "bilstm64"])
def test_benchmark_models_chunk_by_chunk(tmp_path, name):
    # bench/models.py's models with weights on a trained scale (Keras 3).
    import keras

    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from models import MODELS, randomize

    from lstmgen.generate import generate

    path = str(tmp_path / f"{name}.keras")
    randomize(MODELS[name](keras)).save(path)
    (tmp_path / f"bench_{name}.py").write_text(generate(path, f"bench_{name}"))
    predictor = score.load_predictor(str(tmp_path / f"bench_{name}.py"))
    shape = (1_500,) + tuple(predictor.INPUT_SHAPES[0][1:])
    rows = np.random.default_rng(3).standard_normal(shape, dtype=np.float32)
    got = score_in_child(tmp_path, str(tmp_path / f"bench_{name}.py"), rows, 400)
    assert np.array_equal(got, chunk_by_chunk(predictor, rows, 400))
    assert within_rounding(got, predictor.predict(rows))


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
    y = np.load(tmp_path / "y.npy")
    assert np.array_equal(y, chunk_by_chunk(predictor, rows[:1_500], 500))
    assert within_rounding(y, expected[:1_500])


FAKE = """
INPUT_NAMES = ["x"]
INPUT_SHAPES = [(None, 4)]
INPUT_DTYPES = [{dtype!r}]
OUTPUT_NAMES = ["y"]
OUTPUT_SHAPES = [(None, 4)]


def predict(x):
    return x
"""

FREE_TIME_AXIS = """
import numpy as np

INPUT_NAMES = ["x"]
INPUT_SHAPES = [(None, None, 4)]
INPUT_DTYPES = ["float32"]
OUTPUT_NAMES = ["y"]
OUTPUT_SHAPES = [(None, 4)]


def predict(x):
    if x.ndim != 3 or x.shape[2] != 4:
        raise ValueError(f"input 'x': expected shape (batch, steps, 4), got {x.shape}")
    return x.sum(axis=1)
"""


def run_script(*args):
    result = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr.strip().splitlines()


def test_a_free_time_axis_needs_steps_and_wrong_rows_are_refused(tmp_path):
    free = tmp_path / "free_axis.py"
    free.write_text(FREE_TIME_AXIS)
    code, out, err = run_script("--predictor", str(free), "--rows", "1000")
    assert code == 2 and out == "" and len(err) == 1, err
    assert err[0] == (
        f"score.py: error: {free}: input 'x' has a free time axis (None, 4): "
        "pass --steps N for random rows of N steps, or --input X.npy"
    )
    code, out, err = run_script("--predictor", str(free), "--rows", "1000", "--steps", "6")
    assert code == 0 and out.startswith("scored 1,000 rows in 1 chunks"), err
    np.save(tmp_path / "wrong.npy", np.zeros((5, 6, 3), np.float32))
    for args, message in [
        (["--input", str(tmp_path / "wrong.npy")], "the rows do not fit the predictor: input 'x'"),
        (["--input", str(tmp_path / "none.npy")], "none.npy: not a readable .npy array"),
        (["--rows", "0"], "argument --rows: expected a positive integer, got 0"),
    ]:
        code, out, err = run_script("--predictor", str(free), *args)
        assert code == 2 and out == "" and message in err[-1] and "Traceback" not in "".join(err)
    missing = tmp_path / "missing.py"
    code, _, err = run_script("--predictor", str(missing))
    assert code == 2 and err == [f"score.py: error: {missing}: no such predictor .py file"]


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
