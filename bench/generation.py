"""Generation time and peak memory, measured side by side in one run.

    python bench/generation.py              # median of 5 runs each (about a minute)
    python bench/generation.py --repeats 9

Every measurement runs the `lstmgen` command in a fresh process, as a user does: wall
time from start to exit, and the process's peak resident memory (VmHWM). Two models:
the seed model (generated_examples/seed_lstm/model.h5: 2 LSTM(5), 32 steps) and a
2-layer LSTM(8) with a free time axis (tests/data/golden/lstm_free_time.k3.keras),
unrolled with --timesteps 32, 1000 and 5000. Each runs with lstmgen's formatting stage
(black on each distinct piece once, the garbage collector paused: lstmgen/formatting.py)
and, for comparison, as lstmgen did before: black on the whole file, the collector
running. Both write the same bytes (checked). No Keras needed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")
FREE = os.path.join(ROOT, "tests", "data", "golden", "lstm_free_time.k3.keras")

# The child process: lstmgen's command line, then its peak memory on stderr's last line.
CHILD = """
import sys
if sys.argv[1] == "whole":  # as before: black on the whole file, the collector running
    import contextlib
    import lstmgen.formatting
    lstmgen.formatting.PIECEWISE = False
    lstmgen.formatting.cyclic_gc_paused = contextlib.nullcontext
from lstmgen.cli import main
code = main(sys.argv[2:])
peak = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(peak, file=sys.stderr)
sys.exit(code)
"""

# (label, model, flags, also with black on the whole file: minutes at 5000 steps)
CASES = [
    ("seed model (32 steps x 2 layers)", SEED, [], True),
    ("free time axis, --timesteps 32", FREE, ["--timesteps", "32"], True),
    ("free time axis, --timesteps 1000", FREE, ["--timesteps", "1000"], True),
    ("free time axis, --timesteps 5000", FREE, ["--timesteps", "5000"], False),
]


def run_once(formatting: str, model: str, flags, out: str):
    """(seconds, peak bytes, output bytes) of one `lstmgen` run in a fresh process."""
    command = [sys.executable, "-c", CHILD, formatting, model, "-o", out, "-q", *flags]
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"lstmgen failed: {result.stderr}")
    peak = int(result.stderr.strip().splitlines()[-1]) * 1024
    with open(out, "rb") as handle:
        return seconds, peak, handle.read()


def measure(formatting, model, flags, repeats, folder):
    """Median seconds, max peak bytes, and the output of `repeats` runs."""
    runs = [
        run_once(formatting, model, flags, os.path.join(folder, "p.py")) for _ in range(repeats)
    ]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-whole", action="store_true", help="skip black on the whole file")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, model, flags, compare in CASES:
            mine = measure("steps", model, flags, args.repeats, folder)
            whole = None
            if compare and not args.no_whole:
                whole = measure("whole", model, flags, args.repeats, folder)
                assert whole[2] == mine[2], f"{label}: the two formatting paths differ"
            rows[label] = (mine, whole)
            print(f"measured: {label}", file=sys.stderr)
    print("| lstmgen command | time | peak memory | before (black on the whole file) | speed-up |")
    print("|---|---|---|---|---|")
    for label, (mine, whole) in rows.items():
        other = f"{whole[0]:.2f} s, {whole[1] / 2**20:.0f} MB" if whole else "-"
        speed = f"{whole[0] / mine[0]:.1f}x" if whole else "-"
        print(f"| {label} | {mine[0]:.2f} s | {mine[1] / 2**20:.0f} MB | {other} | {speed} |")
    base = rows["free time axis, --timesteps 32"][0][0]
    for steps in ("1000", "5000"):
        ratio = rows[f"free time axis, --timesteps {steps}"][0][0] / base
        print(f"\ntime(--timesteps {steps}) / time(--timesteps 32) = {ratio:.2f}")


if __name__ == "__main__":
    main()
