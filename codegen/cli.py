"""`lstmgen MODEL -o OUT.py`: clean one-line errors, exit 2, never a partial file."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
import warnings
from typing import List, Optional

from codegen import __version__
from codegen.errors import LstmgenError
from codegen.generate import generate
from codegen.layers.base import Options
from codegen.reader.normalize import LstmgenWarning

EXIT_BAD_INPUT = 2


def parser() -> argparse.ArgumentParser:
    """The command line interface."""
    cli = argparse.ArgumentParser(
        prog="lstmgen",
        description=(
            "Turn a trained Keras model (.h5 or .keras, Keras 2 or 3) into one Python file "
            "that needs only NumPy and predicts what Keras predicts. "
            "Also: 'lstmgen inspect MODEL', 'lstmgen verify MODEL PREDICTOR.py'."
        ),
    )
    cli.add_argument("model", metavar="MODEL", help="the Keras model file (.h5 or .keras)")
    cli.add_argument(
        "-o", "--output", metavar="OUT.py", help="where to write the predictor (default: stdout)"
    )
    unroll = cli.add_mutually_exclusive_group()
    unroll.add_argument(
        "--unroll",
        dest="unroll",
        action="store_true",
        default=None,
        help="write every timestep out, even beyond --unroll-limit",
    )
    unroll.add_argument(
        "--no-unroll", dest="unroll", action="store_false", help="always use a loop over time"
    )
    cli.add_argument(
        "--unroll-limit",
        type=_positive,
        default=128,
        metavar="N",
        help="by default, unroll recurrent layers with at most N fixed timesteps (default 128)",
    )
    cli.add_argument(
        "--timesteps",
        type=_positive,
        metavar="N",
        help="fix a free (None) time axis to N steps: the predictor then accepts only N",
    )
    cli.add_argument(
        "--readable",
        action="store_true",
        help="no speed tricks: every gate written with its own activation call",
    )
    cli.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    cli.add_argument("--version", action="version", version=f"lstmgen {__version__}")
    return cli


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the `lstmgen` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return _run_command(argv[0], argv[1:])
    args = parser().parse_args(argv)
    options = Options(
        unroll=args.unroll,
        unroll_limit=args.unroll_limit,
        timesteps=args.timesteps,
        fast=not args.readable,
    )
    module_name = _module_name(args.output)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LstmgenWarning)
            source = generate(args.model, module_name, options)
        if not args.quiet:
            for warning in caught:
                if issubclass(warning.category, LstmgenWarning):
                    print(f"lstmgen: warning: {warning.message}", file=sys.stderr)
        if args.output is None or args.output == "-":
            sys.stdout.write(source)
        else:
            write_atomically(args.output, source)
    except LstmgenError as error:
        message = _one_line(error)
        if not message.startswith(args.model):  # every message names the file
            message = f"{args.model}: {message}"
        print(f"lstmgen: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback
        if os.environ.get("LSTMGEN_DEBUG"):
            traceback.print_exc()
        print(
            f"lstmgen: error: {args.model}: could not be translated "
            f"({type(error).__name__}: {_one_line(error)})",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return 0


def inspect_command(argv: List[str]) -> int:
    """`lstmgen inspect MODEL`: the model summary, without Keras."""
    from codegen.inspect_model import inspect_text

    cli = argparse.ArgumentParser(prog="lstmgen inspect", description=inspect_command.__doc__)
    cli.add_argument("model", metavar="MODEL")
    args = cli.parse_args(argv)
    text, _ = inspect_text(args.model)
    sys.stdout.write(text)
    return 0


def verify_command(argv: List[str]) -> int:
    """`lstmgen verify MODEL PREDICTOR.py`: Keras and the predictor on the same inputs."""
    from codegen.verify import verify

    cli = argparse.ArgumentParser(prog="lstmgen verify", description=verify_command.__doc__)
    cli.add_argument("model", metavar="MODEL")
    cli.add_argument("predictor", metavar="PREDICTOR.py")
    cli.add_argument("--input", nargs="+", metavar="X.npy", help="also compare on these inputs")
    cli.add_argument("--tolerance", type=float, default=1e-5,
                     help="max |a - b| / (1 + |b|) allowed (default 1e-5)")
    args = cli.parse_args(argv)
    text, ok = verify(args.model, args.predictor, args.tolerance, args.input)
    sys.stdout.write(text)
    return 0 if ok else 1


COMMANDS = {"inspect": inspect_command, "verify": verify_command}


def _run_command(name: str, argv: List[str]) -> int:
    try:
        return COMMANDS[name](argv)
    except LstmgenError as error:
        print(f"lstmgen {name}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def write_atomically(path: str, text: str) -> None:
    """Write via a temporary file in the same folder, so no partial file is ever left."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".lstmgen-", suffix=".py", dir=folder)
    except OSError as error:
        raise LstmgenError(f"{path}: cannot write: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise LstmgenError(f"{path}: cannot write: {error.strerror or error}") from None


def _module_name(output: Optional[str]) -> str:
    if not output or output == "-":
        return "predictor"
    return os.path.splitext(os.path.basename(output))[0] or "predictor"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value
