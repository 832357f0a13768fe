"""`lstmgen MODEL -o OUT.py`: clean one-line errors, exit 2, never a partial file."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from typing import List, Optional, Union

from lstmgen import __version__
from lstmgen.emitter import generate_source
from lstmgen.errors import LstmgenError, LstmgenWarning, printable
from lstmgen.inspect_model import inspect_text
from lstmgen.generate import read_graph
from lstmgen.options import Options
from lstmgen.output_files import stale_weights_file, staged, write_outputs
from lstmgen.progress import Progress
from lstmgen import verify as verification

EXIT_BAD_INPUT = 2
EXIT_VERIFY_FAILED = 1
VERIFY_TOLERANCE = {False: 1e-5, True: 1e-4}  # float32, --float64: Keras computes in float32


class VerificationFailed(LstmgenError):
    """--verify: the predictor and Keras disagree beyond the tolerance."""


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
        help="fix a free (None) time axis to N steps and unroll them (even beyond "
        "--unroll-limit; --no-unroll keeps the loop): the predictor then accepts only N",
    )
    cli.add_argument(
        "--readable",
        action="store_true",
        help="no speed tricks: every gate written with its own activation call",
    )
    cli.add_argument(
        "--float64",
        action="store_true",
        help="compute in float64 (Keras computes in float32: results differ by its rounding, "
        "checked within 1e-4)",
    )
    cli.add_argument(
        "--weights-file",
        action="store_true",
        help="write the weights to OUT.npz next to OUT.py instead of embedding them; "
        "the module loads it from next to itself",
    )
    cli.add_argument(
        "--verify",
        action="store_true",
        help="before writing, compare the predictor with Keras (tf_keras for Keras 2 files, "
        "keras for Keras 3) and embed Keras's output as its self-test vector; exit 1 if "
        "they disagree",
    )
    cli.add_argument(
        "--tolerance",
        type=float,
        metavar="T",
        help="with --verify: max |a - b| / (1 + |b|) allowed against Keras (default 1e-5; 1e-4 "
        "with --float64); beyond it an output still passes when the predictor is no further "
        "than T plus Keras's own distance from the exact answer (Keras's model in float64, "
        "same weights): float32 rounding that the model amplifies in Keras too",
    )
    cli.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="do not print warnings, progress or the --verify table",
    )
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
        float64=args.float64,
        weights_file=args.weights_file,
    )
    misuse = _option_misuse(args)
    if misuse:
        print(f"lstmgen: error: {misuse}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report: List[str] = []  # the --verify table
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            Progress(enabled=False if args.quiet else None) as progress,
        ):
            warnings.simplefilter("always", LstmgenWarning)
            _generate_and_write(args, options, progress, report)
        if not args.quiet:
            for warning in caught:
                if issubclass(warning.category, LstmgenWarning):
                    print(f"lstmgen: warning: {_one_line(warning.message)}", file=sys.stderr)
            sys.stderr.write("".join(report))
    except VerificationFailed as error:
        if not args.quiet:
            sys.stderr.write("".join(report))
        print(f"lstmgen: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_VERIFY_FAILED
    except LstmgenError as error:
        message = " ".join(str(error).split())
        if not message.startswith(args.model):  # every message names the file
            message = f"{args.model}: {message}"
        print(f"lstmgen: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback
        if os.environ.get("LSTMGEN_DEBUG"):
            traceback.print_exc()
        message = f"{args.model}: could not be translated ({type(error).__name__}: {error})"
        print(f"lstmgen: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _option_misuse(args: argparse.Namespace) -> Optional[str]:
    """Options that contradict each other, as the one-line message; None if all is well."""
    if args.weights_file and args.output in (None, "-"):
        return "--weights-file needs -o OUT.py: the weights go to OUT.npz next to it"
    if args.weights_file and not args.output.endswith(".py"):
        return (
            f"--weights-file needs -o OUT.py ending in .py, got {args.output!r}: "
            "the weights go to OUT.npz next to it"
        )
    if args.tolerance is not None and not args.verify:
        return "--tolerance applies only with --verify"
    if args.tolerance is not None and not args.tolerance >= 0:
        return f"--tolerance must be a number >= 0, got {args.tolerance}"
    return None


def _generate_and_write(
    args: argparse.Namespace, options: Options, progress, report: List[str]
) -> None:
    """Generate; with --verify check against Keras first; then write (or print) it."""
    graph = read_graph(args.model, options, progress)
    reference = check = None
    if args.verify:
        progress("loading Keras")
        model = verification.load_keras_model(args.model)
        reference = verification.keras_reference(model, graph.input_dtypes)
        tolerance = VERIFY_TOLERANCE[args.float64] if args.tolerance is None else args.tolerance

        def check(module_path: str) -> None:
            progress("verifying")
            text, ok = verification.verify_loaded(model, args.model, module_path, tolerance)
            report.append(text)
            if not ok:
                table = "run without -q for the table" if args.quiet else "table above"
                raise VerificationFailed(
                    f"{_output_name(args)}: disagrees with Keras beyond tolerance "
                    f"{tolerance:g} ({table}); nothing written"
                )

    module_name = _module_name(args.output)
    generated = generate_source(graph, module_name, reference, progress)
    if args.output is not None and args.output != "-":
        progress("writing")
        write_outputs(generated, args.output, check)
        stale = None if options.weights_file else stale_weights_file(args.output)
        if stale is not None:
            warnings.warn(
                f"{stale}: left from an earlier --weights-file run; stale and unused "
                f"(this {args.output} embeds its weights)",
                LstmgenWarning,
            )
        return
    if check is not None:
        with staged(generated, f"{module_name}.py", private=True) as module:
            check(module)
    sys.stdout.write(generated.source)


def inspect_command(argv: List[str]) -> int:
    """`lstmgen inspect MODEL`: the model summary, without Keras."""
    cli = argparse.ArgumentParser(prog="lstmgen inspect", description=inspect_command.__doc__)
    cli.add_argument("model", metavar="MODEL")
    args = cli.parse_args(argv)
    text, _ = inspect_text(args.model)  # every name from the file in it is escaped
    sys.stdout.write(text)
    return 0


def verify_command(argv: List[str]) -> int:
    """`lstmgen verify MODEL PREDICTOR.py`: Keras and the predictor on the same inputs."""
    cli = argparse.ArgumentParser(prog="lstmgen verify", description=verify_command.__doc__)
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
    text, ok = verification.verify(args.model, args.predictor, args.tolerance, args.input)
    sys.stdout.write(text)
    return 0 if ok else 1


COMMANDS = {"inspect": inspect_command, "verify": verify_command}


def _run_command(name: str, argv: List[str]) -> int:
    try:
        return COMMANDS[name](argv)
    except LstmgenError as error:
        print(f"lstmgen {name}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _output_name(args: argparse.Namespace) -> str:
    """The predictor's name in messages: its path, or where it would go."""
    return "<stdout>" if args.output in (None, "-") else args.output


def _module_name(output: Optional[str]) -> str:
    if not output or output == "-":
        return "predictor"
    return os.path.splitext(os.path.basename(output))[0] or "predictor"


def _one_line(error: Union[BaseException, str]) -> str:
    """The message on one line; control characters from the file (terminal escapes) shown
    as escapes, never sent to the terminal."""
    text = " ".join(str(error).split()) or type(error).__name__
    return printable(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
