"""Score a large array with a generated predictor under Dask, one chunk of rows per task.

    python generated_examples/dask_scoring/score.py                       # local threads
    python generated_examples/dask_scoring/score.py --scheduler tcp://host:8786
    python generated_examples/dask_scoring/score.py --predictor my.py --input x.npy -o y.npy

The array is split along the batch axis only (every chunk holds whole sequences), each
chunk goes through the predictor's predict(), and the results are joined: the answer is
the same as one predict() call on the whole array. With --scheduler, the predictor file
is sent to the cluster's workers (Client.upload_file), so they need NumPy, not lstmgen.
Refused (one line, exit 2): stateful predictors (chunks would share the recurrent
states) and, without --input, token-id (integer) inputs (random ids may be invalid).
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
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(os.path.splitext(name)[0])


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
    parser.add_argument("--rows", type=int, default=200_000, help="random rows when no --input")
    parser.add_argument("--chunk", type=int, default=10_000, help="rows per task")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a distributed scheduler, e.g. tcp://host:8786"
    )
    parser.add_argument("-o", "--output", metavar="Y.npy", help="write the scores here")
    args = parser.parse_args(argv)
    predictor = load_predictor(args.predictor)
    try:
        check_predictor(predictor)
        x = load_or_draw_rows(predictor, args)
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
    range is the Embedding's vocabulary, which the predictor does not publish)."""
    if args.input:
        return np.load(args.input, allow_pickle=False)
    dtype = str(predictor.INPUT_DTYPES[0])
    if dtype.startswith(("int", "uint")):
        raise Refused(
            f"{predictor.__file__}: input {predictor.INPUT_NAMES[0]!r} is {dtype} (token ids): "
            "random rows would not be valid ids; pass --input X.npy"
        )
    shape = (args.rows,) + tuple(predictor.INPUT_SHAPES[0][1:])
    return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)


if __name__ == "__main__":
    sys.exit(main())
