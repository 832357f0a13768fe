"""Regenerate every checked-in predictor; with --check, fail when one is stale.

python generated_examples/regenerate.py          # rewrite the stale ones
python generated_examples/regenerate.py --check  # exit 1 if any is stale

Stale means: not what the generator writes today, byte for byte, except the self-test's
expected outputs, which come from this machine's BLAS and are compared within float32
rounding (lstmgen/freshness.py). So another machine neither reports nor rewrites them.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lstmgen.freshness import same_predictor  # noqa: E402
from lstmgen.generate import generate  # noqa: E402
from lstmgen.options import Options  # noqa: E402

# example folder -> (model file, output file, generation options)
EXAMPLES = {
    "seed_lstm": ("model.h5", "predictor.py", Options()),
    "textgen": ("model.keras", "predictor.py", Options()),
    "seq2seq": ("model.keras", "predictor.py", Options()),
}


def stale_examples(write: bool):
    """Names of examples whose predictor differs from a fresh generation."""
    stale = []
    for name, (model, output, options) in sorted(EXAMPLES.items()):
        folder = os.path.join(HERE, name)
        module_name = os.path.splitext(output)[0]
        fresh = generate(os.path.join(folder, model), module_name, options)
        target = os.path.join(folder, output)
        current = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if current is None or not same_predictor(current, fresh):
            stale.append(name)
            if write:
                with open(target, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(fresh)
    return stale


def main(argv):
    check = "--check" in argv
    stale = stale_examples(write=not check)
    for name in stale:
        print(f"{'stale' if check else 'regenerated'}: {name}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
