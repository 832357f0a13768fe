"""Wavefront fusion against the layers one by one, in the same generated module.

    python bench/fusion.py

For stacked LSTMs of several sizes: the fused function and the chain of the layers' own
functions, timed side by side on the same inputs at several batch sizes, with the batch
limit that lstmgen's cost model (lstmgen/layers/wavefront.py) wrote into the module.
Ratios > 1: the fused function is faster there (it is timed beyond the limit too).
"""

import os
import re
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from models import randomize  # noqa: E402
from run import load, median_time  # noqa: E402

from lstmgen.generate import generate  # noqa: E402

SIZES = [(32, 28, 5), (50, 16, 32), (50, 16, 64)]  # (steps, features, units)
BATCHES = [1, 16, 64, 256, 1024]


def main() -> int:
    import keras

    print(f"load average: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        for steps, features, units in SIZES:
            layers = keras.layers
            model = keras.Sequential(
                [
                    keras.Input((steps, features)),
                    layers.LSTM(units, return_sequences=True),
                    layers.LSTM(units),
                ]
            )
            path = os.path.join(folder, f"m{units}.keras")
            randomize(model, seed=1).save(path)
            source = generate(path, f"m{units}")
            fused = re.search(r"^def (\w+_to_\w+)\(x\):", source, re.M)
            if not fused:
                print(f"LSTM({units}) x 2, {steps} steps: not fused (the cost model's limit is 0)")
                continue
            limit = re.search(r"if x.shape\[0\] > (\d+):", source).group(1)
            out = os.path.join(folder, f"m{units}.py")
            with open(out, "w") as handle:  # the fused loop at every batch size, to time it
                handle.write(re.sub(r"if x.shape\[0\] > \d+:", "if False:", source))
            module = load(out, f"m{units}")
            first, second = fused.group(1).split("_to_")
            whole = getattr(module, fused.group(1))
            layer1, layer2 = getattr(module, first), getattr(module, second)

            def one_by_one(v, layer1=layer1, layer2=layer2):
                return layer2(layer1(v))

            print(f"LSTM({units}) x 2, {steps} steps: fused up to batch {limit}")
            for batch in BATCHES:
                x = np.random.default_rng(batch).normal(size=(batch, steps, features))
                x = x.astype(np.float32)
                plain = median_time(one_by_one, x, 0.1, 3)
                both = median_time(whole, x, 0.1, 3)
                print(
                    f"  batch {batch}: layers one by one {plain * 1e3:.3f} ms, fused "
                    f"{both * 1e3:.3f} ms, ratio {plain / both:.2f}"
                )
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
