"""Is a cheap rational tanh worth it? np.tanh against one made of multiply/add/divide/clip
passes, the kind issue 16 proposed for large batches, timed side by side.

    python bench/activations.py

It times both over a (256, 512) float32 array (one step's gates of LSTM(128) at batch
256) in this process and again in a child process with NumPy's AVX-512 loops disabled
(NPY_DISABLE_CPU_FEATURES), as on a CPU without AVX-512, and prints nanoseconds per
element. The rational form is x P(t) / Q(t), t = (x / 9)^2, on x clipped to [-9, 9] (P of
degree 6, Q of degree 3, fitted here by weighted least squares on the relative error, not
minimax): 23 passes over the array. Its accuracy is printed too, in float32 ulps against
tanh in float64, over 2,000,001 points of [0, 9] (the function is odd). A minimax fit of
the same degrees would be more accurate at the same cost: the cost is the passes.
"""

import os
import subprocess
import sys
import time

import numpy as np

SHAPE = (256, 512)
BOUND = 9.0  # tanh(9) rounds to 1 in float32
AVX512 = (
    "AVX512F AVX512CD AVX512VL AVX512BW AVX512DQ AVX512VNNI AVX512IFMA AVX512VBMI "
    "AVX512VBMI2 AVX512BITALG AVX512BF16 AVX512VPOPCNTDQ AVX512_SKX AVX512_CLX AVX512_CNL "
    "AVX512_ICL AVX512_SPR X86_V4"
)


def fit(p_degree=6, q_degree=3, rounds=4):
    """Coefficients of tanh(x) ~ x P(t) / Q(t), t = (x / 9)^2, Q(0) = 1: weighted least
    squares on x P - tanh(x) Q, reweighted by 1 / Q (Loeb's iteration), relative to tanh."""
    x = np.concatenate([np.linspace(1e-6, 1, 20000), np.linspace(1, BOUND, 20000)])
    t, y = (x / BOUND) ** 2, np.tanh(x)
    weight = 1 / y
    for _ in range(rounds):
        columns = [x * t**k for k in range(p_degree + 1)]
        columns += [-y * t**k for k in range(1, q_degree + 1)]
        matrix = np.stack(columns, axis=1) * weight[:, None]
        solution, *_ = np.linalg.lstsq(matrix, y * weight, rcond=None)
        p, q = solution[: p_degree + 1], np.concatenate([[1.0], solution[p_degree + 1 :]])
        weight = 1 / (y * np.polyval(q[::-1], t))
    return p.astype(np.float32), q.astype(np.float32)


def rational_tanh(x, out, p, q, scratch):
    """x P(t) / Q(t) in float32, in place: every call writes into its last argument."""
    np.clip(x, -BOUND, BOUND, out)
    t = scratch[0]
    np.multiply(out, np.float32(1 / BOUND), t)
    np.multiply(t, t, t)
    numerator, denominator = scratch[1], scratch[2]
    for polynomial, value in ((p, numerator), (q, denominator)):  # Horner's rule
        np.multiply(t, polynomial[-1], value)
        for k in range(len(polynomial) - 2, -1, -1):
            np.add(value, polynomial[k], value)
            if k:
                np.multiply(value, t, value)
    np.multiply(numerator, out, numerator)
    np.divide(numerator, denominator, out)
    return out


def ulps(got, exact):
    """|got - exact| in units of the float32 spacing at exact."""
    return np.abs(got.astype(np.float64) - exact) / np.spacing(np.abs(exact).astype(np.float32))


def per_element(fn, size, seconds=0.3):
    fn()
    best = float("inf")
    for _ in range(5):
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            fn()
            calls += 1
        best = min(best, (time.perf_counter() - start) / calls)
    return best / size * 1e9


def measure():
    p, q = fit()
    x = np.random.default_rng(0).normal(scale=3.0, size=SHAPE).astype(np.float32)
    out = np.empty_like(x)
    scratch = np.empty((3,) + SHAPE, np.float32)
    tanh_ns = per_element(lambda: np.tanh(x, out), x.size)
    rational_ns = per_element(lambda: rational_tanh(x, out, p, q, scratch), x.size)
    grid = np.linspace(0, BOUND, 2_000_001).astype(np.float32)
    exact = np.tanh(grid.astype(np.float64))
    work = np.empty((3,) + grid.shape, np.float32)
    rational_ulps = ulps(rational_tanh(grid, np.empty_like(grid), p, q, work), exact).max()
    numpy_ulps = ulps(np.tanh(grid), exact).max()
    return tanh_ns, rational_ns, numpy_ulps, rational_ulps


def main():
    if os.environ.get("ACTIVATIONS_CHILD"):
        print(*measure())
        return 0
    rows = []
    for label, disabled in (("NumPy's dispatch here", ""), ("AVX-512 loops disabled", AVX512)):
        environment = dict(os.environ, ACTIVATIONS_CHILD="1", NPY_DISABLE_CPU_FEATURES=disabled)
        result = subprocess.run(
            [sys.executable, __file__], env=environment, capture_output=True, text=True, check=True
        )
        rows.append((label, *map(float, result.stdout.split())))
    print(
        "| NumPy loops | np.tanh (ns/element) | rational tanh (ns/element) | rational / np.tanh "
        "| max error np.tanh (ulp) | max error rational (ulp) |"
    )
    print("|---|---|---|---|---|---|")
    for label, tanh_ns, rational_ns, numpy_ulps, rational_ulps in rows:
        print(
            f"| {label} | {tanh_ns:.2f} | {rational_ns:.2f} | {rational_ns / tanh_ns:.1f}x "
            f"| {numpy_ulps:.1f} | {rational_ulps:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
