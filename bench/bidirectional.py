"""Bidirectional's two directions at once: does it pay? Issue 16 proposed running both in
one product; two ways to do that in NumPy are timed here against the generated module.

    OPENBLAS_NUM_THREADS=1 python bench/bidirectional.py

For Bidirectional(LSTM(64)) over 50 steps of 16 features (bench/models.py's bilstm64) it
generates the predictor (unrolled, and looped with --no-unroll), then times, side by side
on the same inputs, the Bidirectional layer computed
- by the generated code: the forward layer's function, then the backward one's;
- block: one product per step, s = [x_t | x_r | 1 | h_f | h_b] against a block matrix
  holding each direction's M^T and zeros elsewhere (what a wavefront would do: the
  product doubles), gates and updates one call for both;
- stacked: the two M^T stacked (2, gates, rows), one np.matmul of stacked arrays per step
  (no zero blocks), gates and updates one call for both on (2, ..., batch) arrays.
The two fused forms are loops written here from the module's own matrices; the generated
loop form is their fair comparison. It prints milliseconds per call and the largest
difference from the generated output.
"""

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

from lstmgen.options import Options  # noqa: E402

HALF = np.float32(0.5)


def lstm_update(a, c, tmp, h, u, first):
    """The fast form's LSTM step on gates a (..., 4u, batch), rows i|f|o|c, i, f, o halved;
    the leading axes may hold both directions."""
    np.tanh(a, a)
    ifo = a[..., : 3 * u, :]
    np.multiply(ifo, HALF, ifo)
    np.add(ifo, HALF, ifo)
    i, f, o, g = (a[..., k * u : (k + 1) * u, :] for k in range(4))
    if first:
        np.multiply(i, g, c)
    else:
        np.multiply(f, c, c)
        np.multiply(i, g, tmp)
        np.add(c, tmp, c)
    np.tanh(c, tmp)
    np.multiply(o, tmp, h)


def block(x, forward_t, backward_t, u):
    """One product per step against a block matrix with zero blocks; gate rows
    i_f i_b | f_f f_b | o_f o_b | g_f g_b so that each gate of both directions is one block."""
    x = x.transpose(1, 2, 0)
    steps, features, batch = x.shape
    rows = 2 * features + 1 + 2 * u
    matrix_t = np.zeros((8 * u, rows), np.float32)
    for d, own in enumerate((forward_t, backward_t)):
        for k in range(4):
            out = slice((2 * k + d) * u, (2 * k + d + 1) * u)
            gate = own[k * u : (k + 1) * u]
            matrix_t[out, d * features : (d + 1) * features] = gate[:, :features]
            matrix_t[out, 2 * features] = gate[:, features]
            start = 2 * features + 1 + d * u
            matrix_t[out, start : start + u] = gate[:, features + 1 :]
    s = np.zeros((rows, batch), np.float32)
    s[2 * features] = 1
    h = s[2 * features + 1 :]
    a = np.empty((8 * u, batch), np.float32)
    c, tmp = np.zeros((2 * u, batch), np.float32), np.empty((2 * u, batch), np.float32)
    for t in range(steps):
        np.copyto(s[:features], x[t])
        np.copyto(s[features : 2 * features], x[steps - 1 - t])
        np.dot(matrix_t, s, a)
        lstm_update(a, c, tmp, h, 2 * u, t == 0)
    return np.concatenate([h[:u].T, h[u:].T], axis=1)


def stacked(x, forward_t, backward_t, u):
    """One np.matmul of the stacked M^T by the stacked s per step."""
    x = x.transpose(1, 2, 0)
    steps, features, batch = x.shape
    matrix_t = np.stack([forward_t, backward_t])
    s = np.zeros((2, features + 1 + u, batch), np.float32)
    s[:, features] = 1
    h = s[:, features + 1 :]
    a = np.empty((2, 4 * u, batch), np.float32)
    c, tmp = np.zeros((2, u, batch), np.float32), np.empty((2, u, batch), np.float32)
    for t in range(steps):
        np.copyto(s[0, :features], x[t])
        np.copyto(s[1, :features], x[steps - 1 - t])
        np.matmul(matrix_t, s, out=a)
        lstm_update(a, c, tmp, h, u, t == 0)
    return np.concatenate([h[0].T, h[1].T], axis=1)


def main():
    import keras

    model = randomize(MODELS["bilstm64"](keras), seed=1)
    units = 64
    print(
        f"OpenBLAS kernels: {blas_core()}, OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        "| batch | generated (ms) | generated, looped (ms) | block (ms) | stacked (ms) "
        "| max difference |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bilstm64.keras")
        model.save(path)
        unrolled = generated_module(folder, path, "bilstm64_unrolled")
        looped = generated_module(folder, path, "bilstm64_looped", Options(unroll=False))
        layer = next(
            n[: -len("_forward_matrix")] for n in dir(unrolled) if n.endswith("_forward_matrix")
        )
        forward_t = getattr(unrolled, f"{layer}_forward_matrix")
        backward_t = getattr(unrolled, f"{layer}_backward_matrix")
        forms = {
            "generated": getattr(unrolled, layer),
            "looped": getattr(looped, layer),
            "block": lambda x: block(x, forward_t, backward_t, units),
            "stacked": lambda x: stacked(x, forward_t, backward_t, units),
        }
        for batch in (1, 4, 16, 256, 1024):
            x = np.random.default_rng(batch).normal(size=(batch, 50, 16)).astype(np.float32)
            reference = forms["generated"](x)
            error = max(float(np.max(np.abs(fn(x) - reference))) for fn in forms.values())
            times = [best_ms(fn, x) for fn in forms.values()]
            print(
                f"| {batch} | " + " | ".join(f"{t:.3f}" for t in times) + f" | {error:.1e} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
