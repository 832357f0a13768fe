"""Greedy decoding with the generated seq2seq predictor (NumPy only).

A toy: the model learned one thing, to reverse words of 2 to 5 letters from a to h
(make_model.py). It reverses its examples and the words kept out of its training
(alphabets.json's held_out); longer words or other letters it gets wrong or refuses.

python generated_examples/seq2seq/translate.py abc hgfe dead
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import predictor  # noqa: E402

with open(os.path.join(HERE, "alphabets.json")) as handle:
    ALPHABETS = json.load(handle)
START, END = "\t", "\n"


def one_hot(text, alphabet):
    x = np.zeros((1, len(text), len(alphabet)), np.float32)
    for t, char in enumerate(text):
        x[0, t, alphabet.index(char)] = 1.0
    return x


def translate(word, max_length=8):
    """Feed the decoded prefix back in until the end character (the time axis is free)."""
    source = one_hot(word, ALPHABETS["source"])
    decoded = START
    while len(decoded) <= max_length:
        probabilities = predictor.predict([source, one_hot(decoded, ALPHABETS["target"])])
        char = ALPHABETS["target"][int(np.argmax(probabilities[0, -1]))]
        if char == END:
            break
        decoded += char
    return decoded[1:]


def main(argv):
    words = argv or ["abc", "hgfe", "dead", "bag"]
    letters = "".join(ALPHABETS["source"])
    foreign = [word for word in words if not word or set(word) - set(letters)]
    if foreign:
        print(f"translate.py: the toy knows only words of the letters {letters}, got {foreign}")
        return 2
    for word in words:
        print(f"{word} -> {translate(word)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
