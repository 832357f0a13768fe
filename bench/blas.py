"""Which OpenBLAS kernels NumPy runs here: the benchmarks print it beside their numbers.

OpenBLAS picks its kernels for the CPU when it loads, and OPENBLAS_CORETYPE (set before
NumPy starts) overrides the choice. On this machine's AMD Zen 5 CPU the OpenBLAS 0.3.31
in NumPy's wheel picks its Haswell (AVX2) kernels; OPENBLAS_CORETYPE=SkylakeX runs its
AVX-512 ones, which multiply the benchmark LSTMs' matrices about 1.8x faster here at batch
256 (bench/results/blas.md against blas_skylakex.md).

    python bench/blas.py   # the kernels, and products with M C- and Fortran-ordered"""

import ctypes
import glob
import os

import numpy as np

NAMES = ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename")


def blas_core() -> str:
    """The name of the kernels NumPy's OpenBLAS runs ("Haswell", "SkylakeX"), or
    "unknown" when NumPy's BLAS is not an OpenBLAS found beside it."""
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(folder, "*openblas*"))):
        library = ctypes.CDLL(path)
        for name in NAMES:
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown"


def product_ms(matrix, batch, seconds=0.2):
    """Best milliseconds of s M for s (batch, rows)."""
    import time

    s = np.ones((batch, matrix.shape[0]), np.float32)
    out = np.empty((batch, matrix.shape[1]), np.float32)
    np.dot(s, matrix, out)
    best = float("inf")
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            np.dot(s, matrix, out)
            calls += 1
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e3


def main():
    """The kernels, then the benchmark LSTMs' products s M with M C- and Fortran-ordered
    (what the fast form's column reordering had left)."""
    print(f"OpenBLAS kernels: {blas_core()}")
    print("| M (rows x columns) | batch | C-ordered (ms) | Fortran-ordered (ms) | Fortran / C |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for rows, columns in ((161, 512), (257, 512), (289, 1024), (513, 1024)):
        matrix = rng.normal(size=(rows, columns)).astype(np.float32)
        for batch in (1, 16, 256):
            c, f = product_ms(matrix, batch), product_ms(np.asfortranarray(matrix), batch)
            print(f"| {rows} x {columns} | {batch} | {c:.4f} | {f:.4f} | {f / c:.2f} |")


if __name__ == "__main__":
    main()
