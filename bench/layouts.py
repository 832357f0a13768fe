"""The fast form's layout, measured: batch-last arrays (what lstmgen writes) against the
batch-first layout it wrote before, and against a time-chunked input projection.

    OPENBLAS_NUM_THREADS=1 python bench/layouts.py [--batches 1 16 256 1024]

For each model it generates the predictor, then times, side by side on the same inputs,
its recurrent layers run by the generated code and by two reference forms written here
from the same matrices (M^T in the module):
- batch-first: s = [x_t | 1 | h] as (batch, columns), a = s M, gate blocks are column
  blocks (lstmgen's fast form before the batch-last layout);
- chunked projection: batch-first, with x W + b computed for several steps in one product
  (a few MB at a time), then h U and one addition per step (what ONNX Runtime's LSTM does).
It prints milliseconds per call, the largest difference from the generated output, and
the time of the generated form's matrix products alone (every step's M^T s, nothing else):
the floor any NumPy code with this BLAS stays above.
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

from blas import blas_core  # noqa: E402
from models import MODELS, randomize  # noqa: E402
from timing import best_ms, generated_module  # noqa: E402

HALF = np.float32(0.5)


def _lstm_gates(a, c, tmp, out, u, first):
    """An LSTM step on a = s M (batch, 4u), columns i|f|o|c with i, f, o halved."""
    np.tanh(a, a)
    ifo = a[:, : 3 * u]
    np.multiply(ifo, HALF, ifo)
    np.add(ifo, HALF, ifo)
    i, f, o, g = a[:, :u], a[:, u : 2 * u], a[:, 2 * u : 3 * u], a[:, 3 * u :]
    if first:
        np.multiply(i, g, c)
    else:
        np.multiply(f, c, c)
        np.multiply(i, g, tmp)
        np.add(c, tmp, c)
    np.tanh(c, tmp)
    np.multiply(o, tmp, out)


def lstm_batch_first(x, matrix_t, u, sequences):
    """lstmgen's former fast form: one s M per step, arrays (batch, columns)."""
    matrix = np.ascontiguousarray(matrix_t.T)
    x = x.transpose(1, 0, 2)
    steps, batch, features = x.shape
    s = np.zeros((batch, features + 1 + u), np.float32)
    s[:, features] = 1
    h = s[:, features + 1 :]
    a, c = np.empty((batch, 4 * u), np.float32), np.zeros((batch, u), np.float32)
    tmp = np.empty((batch, u), np.float32)
    hs = np.empty((steps, batch, u), np.float32)
    for t in range(steps):
        np.copyto(s[:, :features], x[t])
        np.dot(s, matrix, a)
        _lstm_gates(a, c, tmp, h, u, t == 0)
        hs[t] = h
    return hs.transpose(1, 0, 2) if sequences else h.copy()


def lstm_chunked(x, matrix_t, u, sequences, budget=4 << 20):
    """Batch-first, x W + b for several steps in one product, then h U per step."""
    x = x.transpose(1, 0, 2)
    steps, batch, features = x.shape
    w = np.ascontiguousarray(matrix_t[:, :features].T)
    b, U = matrix_t[:, features].copy(), np.ascontiguousarray(matrix_t[:, features + 1 :].T)
    k = max(1, min(steps, budget // (batch * 4 * u * 4)))
    projected = np.empty((k, batch, 4 * u), np.float32)
    a, c = np.empty((batch, 4 * u), np.float32), np.zeros((batch, u), np.float32)
    tmp, h = np.empty((batch, u), np.float32), np.zeros((batch, u), np.float32)
    hs = np.empty((steps, batch, u), np.float32)
    for start in range(0, steps, k):
        n = min(k, steps - start)
        flat = projected[:n].reshape(n * batch, 4 * u)
        np.dot(x[start : start + n].reshape(n * batch, features), w, flat)
        np.add(flat, b, flat)
        for j in range(n):
            if start + j:
                np.dot(h, U, a)
                np.add(a, projected[j], a)
                gates = a
            else:
                gates = projected[j]
            _lstm_gates(gates, c, tmp, h, u, start + j == 0)
            hs[start + j] = h
    return hs.transpose(1, 0, 2) if sequences else h.copy()


def gru_batch_first(x, matrix_t, u):
    """lstmgen's former fast form of a GRU (reset_after): columns z|r|x_h|h_h."""
    matrix = np.ascontiguousarray(matrix_t.T)
    x = x.transpose(1, 0, 2)
    steps, batch, features = x.shape
    s = np.zeros((batch, features + 1 + u), np.float32)
    s[:, features] = 1
    h = s[:, features + 1 :]
    a, tmp = np.empty((batch, 4 * u), np.float32), np.empty((batch, u), np.float32)
    z, r, xh, hh, zr = a[:, :u], a[:, u : 2 * u], a[:, 2 * u : 3 * u], a[:, 3 * u :], a[:, : 2 * u]
    for t in range(steps):
        np.copyto(s[:, :features], x[t])
        np.dot(s, matrix, a)
        np.tanh(zr, zr)
        np.multiply(zr, HALF, zr)
        np.add(zr, HALF, zr)
        np.multiply(r, hh, hh)
        np.add(xh, hh, hh)
        np.tanh(hh, hh)
        np.subtract(h, hh, tmp)
        np.multiply(z, tmp, tmp)
        np.add(hh, tmp, h)
    return h.copy()


def products_ms(module, steps, batch):
    """Milliseconds of every step's M^T s product of the module's recurrent layers."""
    total = 0.0
    for name in dir(module):
        if name.endswith("_matrix"):
            matrix_t = getattr(module, name)
            s = np.ones((matrix_t.shape[1], batch), np.float32)
            a = np.empty((matrix_t.shape[0], batch), np.float32)
            product = lambda _, m=matrix_t, s=s, a=a: np.dot(m, s, a)
            total += best_ms(product, None, 0.1) * steps
    return total


def _number(name):
    """Keras numbers layers lstm, lstm_1, lstm_2 ...: their order in the model."""
    tail = name.rsplit("_", 1)[-1]
    return int(tail) if "_" in name and tail.isdigit() else -1


def engines(module, key):
    """(name, function) of the recurrent layers: generated, and the reference forms."""
    names = sorted(
        (n[: -len("_matrix")] for n in dir(module) if n.endswith("_matrix")), key=_number
    )
    layers = [(getattr(module, name), getattr(module, name + "_matrix")) for name in names]
    if key.startswith("gru"):
        [(function, matrix_t)] = layers
        units = matrix_t.shape[0] // 4  # z|r|x_h|h_h
        return [
            ("generated", function),
            ("batch-first", lambda x: gru_batch_first(x, matrix_t, units)),
        ]

    def chain(form):
        def run(x):
            for number, (_, matrix_t) in enumerate(layers):
                x = form(x, matrix_t, matrix_t.shape[0] // 4, number < len(layers) - 1)
            return x

        return run

    def generated(x):
        for function, _ in layers:
            x = function(x)
        return x

    return [
        ("generated", generated),
        ("batch-first", chain(lstm_batch_first)),
        ("chunked projection", chain(lstm_chunked)),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=["lstm128x2", "lstm256x2", "gru64"])
    parser.add_argument("--batches", nargs="*", type=int, default=[1, 16, 256, 1024])
    args = parser.parse_args(argv)
    import keras

    print(
        f"OpenBLAS kernels: {blas_core()}, OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        "| model | batch | generated, batch-last (ms) | batch-first (ms) | chunked projection (ms) "
        "| max difference | its products alone (ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for key in args.models:
            model = randomize(MODELS[key](keras), seed=1)
            path = os.path.join(folder, f"{key}.keras")
            model.save(path)
            module = generated_module(folder, path, f"{key}_generated")
            forms = engines(module, key)
            shape = tuple(model.inputs[0].shape[1:])
            for batch in args.batches:
                x = np.random.default_rng(batch).normal(size=(batch,) + shape).astype(np.float32)
                reference = forms[0][1](x)
                times = {name: best_ms(fn, x) for name, fn in forms}
                error = max(float(np.max(np.abs(fn(x) - reference))) for _, fn in forms)
                cells = [
                    f"{times[n]:.3f}" if n in times else "-"
                    for n in ("generated", "batch-first", "chunked projection")
                ]
                floor = products_ms(module, shape[0], batch)
                print(
                    f"| {key} | {batch} | " + " | ".join(cells) + f" | {error:.1e} | {floor:.3f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
