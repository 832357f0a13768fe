"""`lstmgen MODEL -o OUT.py`: clean one-line errors, exit 2, never a partial file."""

from __future__ import annotations

import argparse
import sys
import traceback  # noqa: F401 - lstmgen.boundary prints with it; tests patch it here
import warnings
from typing import List, Optional

from lstmgen import __version__
from lstmgen.boundary import EXIT_BAD_INPUT, OneLineParser, guarded, report
from lstmgen.commands import COMMANDS, EXIT_VERIFY_FAILED
from lstmgen.emitter import generate_source
from lstmgen.errors import LstmgenError, LstmgenWarning, PathError
from lstmgen.generate import read_graph, translate
from lstmgen.options import Options
from lstmgen.output_files import check_output_paths, stale_weights_file, staged, write_outputs
from lstmgen.output_name import STDOUT, check_output_name, module_name
from lstmgen.progress import Progress, is_terminal
from lstmgen.reader.normalize import MAX_DIMENSION
from lstmgen import verify as verification

VERIFY_TOLERANCE = {False: 1e-5, True: 1e-4}  # float32, --float64: Keras computes in float32


class VerificationFailed(PathError):
    """--verify: the predictor and Keras disagree beyond the tolerance."""

    exit_code = EXIT_VERIFY_FAILED


def parser() -> argparse.ArgumentParser:
    """The command line interface."""
    cli = OneLineParser(
        prog="lstmgen",
        description=(
            "Turn a trained Keras model (.h5 or .keras, Keras 2 or 3) into one Python file "
            "that needs only NumPy and predicts what Keras predicts. "
            "Also: 'lstmgen inspect MODEL' (what lstmgen makes of a model), "
            "'lstmgen verify MODEL PREDICTOR.py' (compare with Keras), "
            "'lstmgen layers' (the supported layer classes)."
        ),
    )
    cli.add_argument("model", metavar="MODEL", help="the Keras model file (.h5 or .keras)")
    cli.add_argument(
        "-o",
        "--output",
        metavar="OUT.py",
        help="where to write the predictor, a module name ending in .py; '-' for stdout "
        "(the default when stdout is a pipe or a file)",
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
        return COMMANDS[argv[0]](argv[1:])
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
        report("lstmgen", "error", misuse)
        return EXIT_BAD_INPUT
    if args.output is None and is_terminal(sys.stdout):
        report("lstmgen", "error", NOT_ON_A_TERMINAL)
        return EXIT_BAD_INPUT

    def body() -> int:
        table: List[str] = []  # the --verify table, shown whether or not it passed
        try:
            with Progress(enabled=False if args.quiet else None) as progress:
                _generate_and_write(args, options, progress, table)
        finally:
            if not args.quiet:
                sys.stderr.write("".join(table))
        return 0

    return guarded("lstmgen", args.model, body, quiet=args.quiet)


NOT_ON_A_TERMINAL = (
    "no -o given, and stdout is a terminal: a predictor is a whole Python module with its "
    "weights inside; write it with -o predictor.py (-o - prints it anyway)"
)


def _option_misuse(args: argparse.Namespace) -> Optional[str]:
    """Options that contradict each other, or an -o name that cannot be imported, as the
    one-line message; None if all is well."""
    if args.weights_file and args.output in (None, STDOUT):
        return "--weights-file needs -o OUT.py: the weights go to OUT.npz next to it"
    if args.output not in (None, STDOUT):
        try:
            check_output_name(args.output)
        except LstmgenError as error:
            return str(error)
    if args.tolerance is not None and not args.verify:
        return "--tolerance applies only with --verify"
    if args.tolerance is not None and not args.tolerance >= 0:
        return f"--tolerance must be a number >= 0, got {args.tolerance}"
    return None


def _generate_and_write(
    args: argparse.Namespace, options: Options, progress, table: List[str]
) -> None:
    """Generate; with --verify check against Keras first; then write (or print) it."""
    if args.output not in (None, STDOUT):
        check_output_paths(args.output, options.weights_file)  # before reading anything
    if not args.verify:
        _write(args, options, read_graph(args.model, options, progress), progress)
        return
    # Keras loads the very copy of the file that lstmgen read and checked.
    progress("reading")
    with verification.private_copy(args.model) as checked:
        verification.check_model(checked.model, args.model)
        graph = translate(checked.model, options)
        progress("loading Keras")
        model = verification.keras_load(checked, args.model)
    reference = verification.keras_reference(model, graph.input_dtypes)
    tolerance = VERIFY_TOLERANCE[args.float64] if args.tolerance is None else args.tolerance

    def check(module_path: str) -> None:
        progress("verifying")
        text, ok = verification.verify_loaded(
            model, args.model, module_path, tolerance, source=graph
        )
        table.append(text)
        if not ok:
            where = "run without -q for the table" if args.quiet else "table above"
            raise VerificationFailed(
                f"{_output_name(args)}: disagrees with Keras beyond tolerance "
                f"{tolerance:g} ({where}); nothing written"
            )

    _write(args, options, graph, progress, reference, check)


def _write(args, options: Options, graph, progress, reference=None, check=None) -> None:
    """The module from `graph`, checked by `check` if given, written to -o or stdout."""
    name = module_name(args.output)
    generated = generate_source(graph, name, reference, progress)
    if args.output not in (None, STDOUT):
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
        with staged(generated, f"{name}.py", private=True) as module:
            check(module)
    sys.stdout.write(generated.source)


def _output_name(args: argparse.Namespace) -> str:
    """The predictor's name in messages: its path, or where it would go."""
    return "<stdout>" if args.output in (None, STDOUT) else args.output


def _positive(text: str) -> int:
    """An integer from 1 to 2**24 (no time axis of a real model is longer)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if not 1 <= value <= MAX_DIMENSION:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer up to {MAX_DIMENSION} (2**24), got {value}"
        )
    return value


if __name__ == "__main__":
    raise SystemExit(main())
