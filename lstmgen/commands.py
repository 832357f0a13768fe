"""The commands besides generating: `lstmgen inspect`, `lstmgen verify`, `lstmgen layers`."""

from __future__ import annotations

import sys
from typing import List

from lstmgen import verify as verification
from lstmgen.boundary import OneLineParser, guarded
from lstmgen.inspect_model import inspect_text
from lstmgen.layer_names import supported_classes

EXIT_NOT_TRANSLATABLE = 1  # inspect printed its report, and the model cannot be translated
EXIT_VERIFY_FAILED = 1


def inspect_command(argv: List[str]) -> int:
    """`lstmgen inspect MODEL`: the model summary, without Keras; exit 1 if lstmgen
    cannot translate the model (the last line says why)."""
    cli = OneLineParser(prog="lstmgen inspect", description=inspect_command.__doc__)
    cli.add_argument("model", metavar="MODEL")
    args = cli.parse_args(argv)

    def body() -> int:
        text, translatable = inspect_text(args.model)  # every name from the file is escaped
        sys.stdout.write(text)
        return 0 if translatable else EXIT_NOT_TRANSLATABLE

    return guarded("lstmgen inspect", args.model, body, doing="inspected")


def verify_command(argv: List[str]) -> int:
    """`lstmgen verify MODEL PREDICTOR.py`: Keras and the predictor on the same inputs."""
    cli = OneLineParser(prog="lstmgen verify", description=verify_command.__doc__)
    cli.add_argument("model", metavar="MODEL")
    cli.add_argument("predictor", metavar="PREDICTOR.py")
    cli.add_argument("--input", nargs="+", metavar="X.npy", help="also compare on these inputs")
    cli.add_argument(
        "--tolerance",
        type=float,
        default=1e-5,
        metavar="T",
        help="max |a - b| / (1 + |b|) allowed against Keras (default 1e-5); beyond it an "
        "output still passes when the predictor is no further than T plus Keras's own distance "
        "from the exact answer (Keras's model in float64, same weights): float32 rounding that "
        "the model amplifies in Keras too",
    )
    args = cli.parse_args(argv)

    def body() -> int:
        text, ok = verification.verify(args.model, args.predictor, args.tolerance, args.input)
        sys.stdout.write(text)
        return 0 if ok else EXIT_VERIFY_FAILED

    return guarded("lstmgen verify", args.model, body, doing="verified", name_errors=False)


def layers_command(argv: List[str]) -> int:
    """`lstmgen layers`: every Keras layer class lstmgen translates, one a line."""
    cli = OneLineParser(
        prog="lstmgen layers",
        description="Print every Keras layer class lstmgen translates, one a line "
        "(options and details: docs/layers.md).",
    )
    cli.parse_args(argv)
    sys.stdout.write("".join(f"{name}\n" for name in supported_classes()))
    return 0


COMMANDS = {"inspect": inspect_command, "verify": verify_command, "layers": layers_command}
