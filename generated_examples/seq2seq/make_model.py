"""Rebuild model.keras: a toy character-level seq2seq "translator", trained with Keras 3.

It is a toy. Its "language pair" is a word of 2 to 5 letters from a to h and the same
word reversed; it knows nothing else. It shows the architecture of Keras's lstm_seq2seq
example (the encoder LSTM's states become the decoder LSTM's initial_state), generated
into a NumPy-only predictor that translate.py decodes greedily.

Training is seeded and batched by word length, so that the encoder never sees padding
(translate.py feeds it exactly the word). alphabets.json gets the alphabets and
`held_out`: words kept out of training, on which tests check the predictor.
Run from the repository root (a few minutes on two cores):

    python generated_examples/seq2seq/make_model.py
"""

import itertools
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LETTERS = "abcdefgh"
LENGTHS = range(2, 6)
START, END = "\t", "\n"
LATENT = 64
SAMPLES_PER_LENGTH = 6000
HELD_OUT_PER_LENGTH = {2: 4, 3: 24, 4: 60, 5: 60}  # about 5% of the 3- and 4-letter words
EPOCHS = 40
BATCH = 64
SHOWN = ["abc", "hgfe", "dead", "bag"]  # translate.py's own examples: always trained on


def encode(words, alphabet):
    """One-hot rows of equal-length words: (len(words), length, len(alphabet))."""
    x = np.zeros((len(words), len(words[0]), len(alphabet)), np.float32)
    for row, word in enumerate(words):
        for t, char in enumerate(word):
            x[row, t, alphabet.index(char)] = 1.0
    return x


def split_words(rng):
    """(training words per length, held-out words): no held-out word is ever trained on."""
    training, held_out = {}, []
    for length in LENGTHS:
        every = ["".join(w) for w in itertools.product(LETTERS, repeat=length)]
        candidates = [w for w in every if w not in SHOWN]
        kept = set(rng.choice(candidates, HELD_OUT_PER_LENGTH[length], replace=False).tolist())
        held_out += sorted(kept)
        pool = [w for w in every if w not in kept]
        training[length] = rng.choice(pool, SAMPLES_PER_LENGTH).tolist()
        training[length] += [w for w in SHOWN if len(w) == length]
    return training, held_out


def build_model(source_size, target_size):
    """The encoder-decoder of Keras's lstm_seq2seq example; both time axes free."""
    encoder_inputs = keras.Input((None, source_size), name="encoder_chars")
    _, state_h, state_c = keras.layers.LSTM(LATENT, return_state=True, name="encoder")(
        encoder_inputs
    )
    decoder_inputs = keras.Input((None, target_size), name="decoder_chars")
    decoded = keras.layers.LSTM(LATENT, return_sequences=True, name="decoder")(
        decoder_inputs, initial_state=[state_h, state_c]
    )
    outputs = keras.layers.Dense(target_size, activation="softmax", name="next_char")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name="translator")


def batches(training, source_chars, target_chars, rng):
    """One epoch of (inputs, targets) batches in random order, each of one word length."""
    chosen = []
    for words in training.values():
        order = rng.permutation(len(words))
        chosen += [[words[k] for k in order[i : i + BATCH]] for i in range(0, len(words), BATCH)]
    for index in rng.permutation(len(chosen)):
        words = chosen[index]
        decoder = encode([START + w[::-1] + END for w in words], target_chars)
        # Teacher forcing: at each step the decoder sees the previous character and
        # learns the next one.
        yield [encode(words, source_chars), decoder[:, :-1]], decoder[:, 1:]


def main():
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    source_chars, target_chars = list(LETTERS), [START, END] + list(LETTERS)
    training, held_out = split_words(rng)
    model = build_model(len(source_chars), len(target_chars))
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="categorical_crossentropy")
    for epoch in range(EPOCHS):
        if epoch == EPOCHS * 3 // 4:
            model.optimizer.learning_rate.assign(0.001)
        losses = [
            float(model.train_on_batch(x, y))
            for x, y in batches(training, source_chars, target_chars, rng)
        ]
        print(f"epoch {epoch + 1}: loss {np.mean(losses):.4f}", flush=True)
    clean = keras.models.clone_model(model)  # without the optimizer's state
    clean.set_weights(model.get_weights())
    clean.save(os.path.join(HERE, "model.keras"))
    with open(os.path.join(HERE, "alphabets.json"), "w") as handle:
        json.dump({"source": source_chars, "target": target_chars, "held_out": held_out}, handle)


if __name__ == "__main__":
    main()
