"""Run the generated predictor and Keras 2 on the same input and print both.

Run from the repository root:  python generated_examples/seed_lstm/side_by_side.py
(Keras side needs the test extra: tf_keras.)
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import predictor  # noqa: E402  (NumPy only)


def main():
    x = np.random.default_rng(0).random((4, 32, 28), dtype=np.float32)
    ours = predictor.predict(x)
    print("lstmgen predictor:\n", ours)
    try:
        import tf_keras
    except ImportError:
        print("(install tf_keras to compare with Keras)")
        return 0
    model = tf_keras.models.load_model(os.path.join(HERE, "model.h5"))
    theirs = model.predict(x, verbose=0)
    print("Keras model.predict:\n", theirs)
    error = float(np.max(np.abs(ours - theirs) / (1 + np.abs(theirs))))
    print(f"max |a - b| / (1 + |b|) = {error:.2e}")
    return 0 if error <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
