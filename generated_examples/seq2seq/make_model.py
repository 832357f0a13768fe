"""Rebuild model.keras: the character-level seq2seq translator, trained briefly with Keras 3.

The toy "language pair": a word and the same word reversed. Encoder LSTM states become
the decoder LSTM's initial_state, as in Keras's lstm_seq2seq example.
Run from the repository root:  python generated_examples/seq2seq/make_model.py
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LETTERS = "abcdefgh"
START, END = "\t", "\n"
LATENT = 64


def encode(words, alphabet, length):
    x = np.zeros((len(words), length, len(alphabet)), np.float32)
    for row, word in enumerate(words):
        for t, char in enumerate(word):
            x[row, t, alphabet.index(char)] = 1.0
    return x


def main():
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    words = ["".join(rng.choice(list(LETTERS), rng.integers(2, 6))) for _ in range(3000)]
    targets = [START + word[::-1] + END for word in words]
    source_chars = list(LETTERS)
    target_chars = [START, END] + list(LETTERS)
    enc = encode(words, source_chars, 5)
    dec = encode(targets, target_chars, 7)
    expected = np.zeros_like(dec)
    expected[:, :-1] = dec[:, 1:]

    encoder_inputs = keras.Input((None, len(source_chars)), name="encoder_chars")
    _, state_h, state_c = keras.layers.LSTM(LATENT, return_state=True, name="encoder")(
        encoder_inputs
    )
    decoder_inputs = keras.Input((None, len(target_chars)), name="decoder_chars")
    decoded = keras.layers.LSTM(LATENT, return_sequences=True, name="decoder")(
        decoder_inputs, initial_state=[state_h, state_c]
    )
    outputs = keras.layers.Dense(len(target_chars), activation="softmax", name="next_char")(decoded)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="translator")
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="categorical_crossentropy")
    model.fit([enc, dec], expected, batch_size=64, epochs=25, verbose=0)
    clean = keras.models.clone_model(model)
    clean.set_weights(model.get_weights())
    clean.save(os.path.join(HERE, "model.keras"))
    with open(os.path.join(HERE, "alphabets.json"), "w") as handle:
        json.dump({"source": source_chars, "target": target_chars}, handle)


if __name__ == "__main__":
    main()
