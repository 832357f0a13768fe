"""Score a large array with a generated predictor under Dask, one chunk of rows per task.

    python generated_examples/dask_scoring/score.py                       # local threads
    python generated_examples/dask_scoring/score.py --scheduler tcp://host:8786
    python generated_examples/dask_scoring/score.py --predictor my.py --input x.npy -o y.npy

The array is split along the batch axis only (every chunk holds whole sequences), each
chunk goes through the predictor's predict(), and the results are joined: each chunk's
rows are exactly what predict() gives for that chunk, and within float32 rounding of one
predict() call on the whole array (BLAS computes a row differently in batches of other
sizes). With --scheduler, the predictor file is sent to the cluster's workers
(Client.upload_file), so they need NumPy, not lstmgen.
Refused (one line, exit 2): a file that is not a predictor, stateful predictors (chunks
would share the recurrent states), rows the predictor does not accept and, without
--input, token-id (integer) inputs (random ids may be invalid) and a free time axis
without --steps N.
Needs `pip install "lstmgen[dask]"` (dask[array], distributed); the predictor does not.
"""

import argparse
import importlib
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PREDICTOR = os.path.join(HERE, "..", "seed_lstm", "predictor.py")


def load_predictor(path):
    """Import the generated module by its file name (its folder joins sys.path)."""
    folder, name = os.path.split(os.path.abspath(path))
    if not os.path.isfile(path) or not name.endswith(".py"):
        raise Refused(f"{path}: no such predictor .py file")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        module = importlib.import_module(os.path.splitext(name)[0])
    except Exception as error:  # noqa: BLE001 - whatever the file does: one line
        raise Refused(f"{path}: importing it failed ({type(error).__name__}: {error})") from None
    missing = [
        n
        for n in (
            "predict",
            "INPUT_NAMES",
            "INPUT_SHAPES",
            "INPUT_DTYPES",
            "OUTPUT_NAMES",
            "OUTPUT_SHAPES",
        )
        if not hasattr(module, n)
    ]
    if missing:
        raise Refused(f"{path}: not an lstmgen predictor (it has no {', '.join(missing)})")
    return module


def predict_block(block, module_name):
    """One task: predict() on a chunk of rows, in whichever process runs it."""
    return importlib.import_module(module_name).predict(block)


class Refused(ValueError):
    """A predictor or input this example cannot score: one line, exit 2."""


def check_predictor(predictor):
    """Refuse what chunked scoring would get wrong or cannot shape."""
    if hasattr(predictor, "reset_states"):  # generated only for stateful models
        raise Refused(
            f"{predictor.__file__}: a stateful predictor: its predict() continues from the "
            "previous call's states, which chunks scored in any order (and threads) would "
            "share; score it with one predict() per stream instead"
        )
    if len(predictor.INPUT_NAMES) != 1 or len(predictor.OUTPUT_NAMES) != 1:
        raise Refused("this example scores models with one input and one output")
    if None in tuple(predictor.OUTPUT_SHAPES[0][1:]):
        raise Refused("this example needs an output shape fixed apart from the batch axis")


def score(predictor, x, chunk_rows=10_000, client=None):
    """predictor.predict(x) computed chunk by chunk with dask.array.map_blocks."""
    import dask
    import dask.array as da

    check_predictor(predictor)
    rows = da.from_array(x, chunks=(chunk_rows,) + x.shape[1:])  # split the batch axis only
    tail = tuple(predictor.OUTPUT_SHAPES[0][1:])
    out_ndim = 1 + len(tail)
    result = rows.map_blocks(
        predict_block,
        predictor.__name__,
        dtype=predict_block(x[:1], predictor.__name__).dtype,
        chunks=(rows.chunks[0],) + tuple((n,) for n in tail),
        drop_axis=list(range(out_ndim, x.ndim)) or None,
        new_axis=list(range(x.ndim, out_ndim)) or None,
    )
    if client is not None:
        return client.compute(result).result()
    return dask.compute(result, scheduler="threads")[0]  # the local scheduler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictor", default=DEFAULT_PREDICTOR, help="a generated predictor .py")
    parser.add_argument("--input", metavar="X.npy", help="the rows to score (default: random)")
    parser.add_argument(
        "--rows", type=positive, default=200_000, help="random rows when no --input"
    )
    parser.add_argument(
        "--steps", type=positive, help="random rows' length where the time axis is free"
    )
    parser.add_argument("--chunk", type=positive, default=10_000, help="rows per task")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a distributed scheduler, e.g. tcp://host:8786"
    )
    parser.add_argument("-o", "--output", metavar="Y.npy", help="write the scores here")
    args = parser.parse_args(argv)
    try:
        predictor = load_predictor(args.predictor)
        check_predictor(predictor)
        x = load_or_draw_rows(predictor, args)
        check_rows(predictor, x)
    except Refused as error:
        print(f"score.py: error: {error}", file=sys.stderr)
        return 2
    client = None
    try:
        if args.scheduler:
            from distributed import Client

            client = Client(args.scheduler)
            client.upload_file(os.path.abspath(args.predictor))
        start = time.perf_counter()
        y = score(predictor, x, args.chunk, client)
        seconds = time.perf_counter() - start
    finally:
        if client is not None:
            client.close()
    where = f"distributed scheduler {args.scheduler}" if client else "local threaded scheduler"
    print(
        f"scored {len(x):,} rows in {-(-len(x) // args.chunk)} chunks on the {where}: "
        f"{seconds:.2f} s, {len(x) / seconds:,.0f} rows/s; output {y.shape} {y.dtype}"
    )
    if args.output:
        np.save(args.output, y)
    return 0


def load_or_draw_rows(predictor, args):
    """--input's rows, or random float rows (refused for token-id inputs: their valid
    range is the Embedding's vocabulary, which the predictor does not publish; and for a
    free time axis without --steps)."""
    if args.input:
        try:
            return np.load(args.input, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise Refused(f"{args.input}: not a readable .npy array ({error})") from None
    name, dtype = predictor.INPUT_NAMES[0], str(predictor.INPUT_DTYPES[0])
    if dtype.startswith(("int", "uint")):
        raise Refused(
            f"{predictor.__file__}: input {name!r} is {dtype} (token ids): "
            "random rows would not be valid ids; pass --input X.npy"
        )
    tail = tuple(predictor.INPUT_SHAPES[0][1:])
    if None in tail and args.steps is None:
        raise Refused(
            f"{predictor.__file__}: input {name!r} has a free time axis {tail}: "
            "pass --steps N for random rows of N steps, or --input X.npy"
        )
    shape = (args.rows,) + tuple(args.steps if n is None else n for n in tail)
    return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)


def check_rows(predictor, x):
    """The predictor's own input check on the first row: its message, in one line."""
    try:
        predictor.predict(x[:1])
    except (ValueError, TypeError, IndexError) as error:
        message = " ".join(str(error).split())
        raise Refused(f"the rows do not fit the predictor: {message}") from None


def positive(text):
    """An integer of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


if __name__ == "__main__":
    sys.exit(main())
