"""How much a row's result depends on the batch it comes in, for the generated predictor
and for Keras, on the benchmark models (docs/dask.md quotes it).

    python bench/batch_dependence.py            # question, gru64, bilstm64
    python bench/batch_dependence.py --models question lstm128x2 --rows 2000

One process, the same rows: each model's predictions for all rows in one batch, against
the same rows scored in chunks of 1, 100 and 1,000 rows; printed as the share of rows
that differ at all and the largest max |a - b| / (1 + |b|); then how many rows of one
NumPy matrix product change when they sit one position lower in a product of the same size.
"""

import argparse
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from models import MODELS, randomize  # noqa: E402

CHUNKS = (1, 100, 1_000)


def chunked(predict, rows, size):
    """predict() on chunks of `size` rows, joined (rows beyond 300 chunks are skipped)."""
    stop = min(len(rows), 300 * size)
    return np.concatenate([predict(rows[k : k + size]) for k in range(0, stop, size)])


def difference(got, whole):
    """(share of rows that differ, max |a - b| / (1 + |b|))."""
    whole = whole[: len(got)]
    rows = np.any((got != whole).reshape(len(got), -1), axis=1)
    relative = np.abs(got.astype(np.float64) - whole) / (1 + np.abs(whole.astype(np.float64)))
    return float(rows.mean()), float(relative.max())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["question", "gru64", "bilstm64"])
    parser.add_argument("--rows", type=int, default=3_000)
    args = parser.parse_args(argv)
    import importlib.util

    import keras

    from lstmgen.generate import generate

    print(f"{'model':10s} {'who':10s} " + " ".join(f"{f'chunks of {n}':>22s}" for n in CHUNKS))
    with tempfile.TemporaryDirectory() as folder:
        for name in args.models:
            model = randomize(MODELS[name](keras))
            path = os.path.join(folder, f"{name}.keras")
            model.save(path)
            source = os.path.join(folder, f"{name}.py")
            with open(source, "w") as handle:
                handle.write(generate(path, name))
            spec = importlib.util.spec_from_file_location(name, source)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            shape = (args.rows,) + tuple(module.INPUT_SHAPES[0][1:])
            rows = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
            runners = {
                "predictor": module.predict,
                "Keras": lambda x, m=model: np.asarray(m.predict(x, verbose=0, batch_size=len(x))),
            }
            for who, predict in runners.items():
                whole = predict(rows)
                cells = []
                for size in CHUNKS:
                    share, relative = difference(chunked(predict, rows, size), whole)
                    cells.append(f"{share:6.1%} rows, {relative:8.1e}")
                print(f"{name:10s} {who:10s} " + " ".join(f"{cell:>22s}" for cell in cells))
    shifted = shifted_product_rows()
    print(
        f"NumPy alone: (64, 64) @ (64, 256), the same rows one position lower: {shifted:.0%} differ"
    )
    return 0


def shifted_product_rows() -> float:
    """Share of rows of a float32 matrix product that change when the same rows sit one
    position lower in a matrix of the same size."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((65, 64), dtype=np.float32)
    w = rng.standard_normal((64, 256), dtype=np.float32)
    return float(np.mean(np.any((a[:64] @ w)[1:] != (a[1:] @ w)[:63], axis=1)))


if __name__ == "__main__":
    sys.exit(main())
