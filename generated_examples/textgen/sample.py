"""Generate text one character at a time with the predictor's streaming API.

    python generated_examples/textgen/sample.py --seed "the state " --length 200 --temperature 0.5

Each character is fed once with step(): no window is re-run, the LSTM states carry the
context (NumPy only; no Keras needed).
"""

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import predictor  # noqa: E402


def one_hot(char, chars):
    x = np.zeros((1, len(chars)), np.float32)
    x[0, chars.index(char)] = 1.0
    return x


def sample(probabilities, temperature, rng):
    """Draw an index from softmax probabilities sharpened (<1) or flattened (>1)."""
    logits = np.log(np.maximum(probabilities.astype(np.float64), 1e-12)) / temperature
    weights = np.exp(logits - logits.max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def generate(seed, length, temperature, rng_seed=0):
    """The seed text followed by `length` sampled characters."""
    with open(os.path.join(HERE, "chars.json")) as handle:
        chars = json.load(handle)
    rng = np.random.default_rng(rng_seed)
    state = predictor.initial_state(batch_size=1)
    text = [c for c in seed.lower() if c in chars] or [chars[0]]
    for char in text:
        probabilities, state = predictor.step(one_hot(char, chars), state)
    for _ in range(length):
        char = chars[sample(probabilities[0], temperature, rng)]
        text.append(char)
        probabilities, state = predictor.step(one_hot(char, chars), state)
    return "".join(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="the state ")
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--temperature", type=float, default=0.5)
    args = parser.parse_args(argv)
    print(generate(args.seed, args.length, args.temperature))
    return 0


if __name__ == "__main__":
    sys.exit(main())
