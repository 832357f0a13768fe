"""Rebuild model.h5: the question's model, trained briefly on random data with Keras 2.

Run from the repository root:  python generated_examples/seed_lstm/make_model.py
(needs the test extra: tf_keras). The checked-in model.h5 came from this script.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.layers import LSTM, Dense  # noqa: E402
from tf_keras.models import Sequential  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    keras.utils.set_random_seed(7)
    # Keras 2.0-2.3 used recurrent_activation='hard_sigmoid' by default: spell it out.
    model = Sequential()
    model.add(
        LSTM(5, return_sequences=True, input_shape=(32, 28), recurrent_activation="hard_sigmoid")
    )
    model.add(LSTM(5, recurrent_activation="hard_sigmoid"))
    model.add(Dense(2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    rng = np.random.default_rng(7)
    x = rng.random((256, 32, 28), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 2, 256), 2)
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    model.save(os.path.join(HERE, "model.h5"))


if __name__ == "__main__":
    main()
