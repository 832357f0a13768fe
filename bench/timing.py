"""What bench/layouts.py and bench/bidirectional.py share: a generated module imported
from a model file, and the best time of a function over a few runs."""

import importlib.util
import os
import time

from lstmgen.generate import generate
from lstmgen.options import Options


def generated_module(folder: str, path: str, name: str, options: Options = Options()):
    """The predictor lstmgen generates for the model at `path`, written into `folder` as
    `name`.py and imported."""
    out = os.path.join(folder, f"{name}.py")
    with open(out, "w") as handle:
        handle.write(generate(path, name, options))
    spec = importlib.util.spec_from_file_location(name, out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_ms(fn, x, seconds=0.3):
    """The best of three runs of enough calls fn(x) to last `seconds` in all, in ms per call."""
    fn(x)
    start = time.perf_counter()
    fn(x)
    calls = max(1, int(seconds / 3 / max(time.perf_counter() - start, 1e-7)))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            fn(x)
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e3
