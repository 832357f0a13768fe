"""Rebuild model.keras: a character-level LSTM text generator, trained briefly with Keras 3.

Run from the repository root:  python generated_examples/textgen/make_model.py
(needs the test extra). The checked-in model.keras came from this script.
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = 20
TEXT = (
    "a recurrent network reads a sequence one step at a time and keeps a state. "
    "the state is a small vector that carries what it has seen so far. "
    "an lstm adds a cell and three gates: the input gate decides what to write, "
    "the forget gate decides what to keep, and the output gate decides what to show. "
    "trained on text, it learns which letter tends to follow which, then which word, "
    "and with patience, which phrase. sampling from it with a temperature trades "
    "safety for surprise: cold samples repeat the likely, warm samples wander. "
    "numbers, quotes and questions? they appear too, if the text has them; 0123456789. "
)


def main():
    keras.utils.set_random_seed(3)
    chars = sorted(set(TEXT))
    index = {c: k for k, c in enumerate(chars)}
    starts = range(len(TEXT) - WINDOW)
    x = np.zeros((len(starts), WINDOW, len(chars)), np.float32)
    y = np.zeros((len(starts), len(chars)), np.float32)
    for row, start in enumerate(starts):
        for t, c in enumerate(TEXT[start : start + WINDOW]):
            x[row, t, index[c]] = 1.0
        y[row, index[TEXT[start + WINDOW]]] = 1.0
    model = keras.Sequential(
        [
            keras.Input((WINDOW, len(chars)), name="chars"),
            keras.layers.LSTM(48, return_sequences=True),
            keras.layers.Dropout(0.2),
            keras.layers.LSTM(48),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(len(chars), activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    model.fit(x, y, epochs=30, batch_size=64, verbose=0)
    # Saved without the optimizer's state: the file carries only what inference needs.
    clean = keras.models.clone_model(model)
    clean.set_weights(model.get_weights())
    clean.save(os.path.join(HERE, "model.keras"))
    with open(os.path.join(HERE, "chars.json"), "w") as handle:
        json.dump(chars, handle)


if __name__ == "__main__":
    main()
