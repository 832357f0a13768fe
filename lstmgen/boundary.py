"""The one error boundary of every command: one line on stderr, an exit code, no traceback.

`lstmgen MODEL`, `lstmgen inspect` and `lstmgen verify` all run through `guarded`, so a
file that breaks one of them is reported the same way by all: LstmgenError as its own
message (exit 2, or the error's `exit_code`), MemoryError and anything unexpected as one
line naming the file (exit 2; LSTMGEN_DEBUG=1 prints the traceback as well). Warnings
are printed like errors, escaped (text from a file never reaches the terminal raw), as
soon as they are raised: one may announce a long wait.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from typing import Callable, Optional, Union

from lstmgen.errors import LstmgenError, LstmgenWarning, PathError, printable
from lstmgen.progress import interrupt

EXIT_BAD_INPUT = 2
MAX_LINE = 2000  # characters of one printed message: names from a file can be long


def guarded(
    prog: str,
    model: str,
    body: Callable[[], int],
    quiet: bool = False,
    doing: str = "translated",
    name_errors: bool = True,
) -> int:
    """Run `body`; its exit code, or the boundary's. Messages name the `model` file
    (LstmgenErrors only if `name_errors`: verify's may be about the predictor); `doing`
    completes "could not be ..." for an error nobody expected."""

    def show(message, category, *_args, **_kwargs) -> None:
        # As they arrive (a warning may announce minutes of work), on a line of their
        # own; any other library's warnings are not lstmgen's to show.
        if issubclass(category, LstmgenWarning) and not quiet:
            interrupt()
            report(prog, "warning", str(message))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", LstmgenWarning)
            warnings.showwarning = show
            code = body()
    except LstmgenError as error:
        named = name_errors and not isinstance(error, PathError)
        report(prog, "error", _named(str(error), model if named else None))
        return getattr(error, "exit_code", EXIT_BAD_INPUT)
    except MemoryError:
        _debug()
        report(prog, "error", _named("ran out of memory (the model is too large for it)", model))
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback
        _debug()
        message = f"could not be {doing} ({type(error).__name__}: {error})"
        report(prog, "error", _named(message, model))
        return EXIT_BAD_INPUT
    return code


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), like every other error."""

    def error(self, message: str):
        report(self.prog, "error", f"{message} (see {self.prog} --help)")
        raise SystemExit(EXIT_BAD_INPUT)


def report(prog: str, kind: str, message: Union[str, BaseException]) -> None:
    """`prog: kind: message` on stderr, as one printable line."""
    print(f"{prog}: {kind}: {one_line(message)}", file=sys.stderr)


def one_line(error: Union[BaseException, str]) -> str:
    """The message on one line, at most MAX_LINE characters; control characters from the
    file (terminal escapes) shown as escapes, never sent to the terminal."""
    text = " ".join(str(error).split()) or type(error).__name__
    if len(text) > MAX_LINE:
        text = text[: MAX_LINE - 3] + "..."
    return printable(text)


def _named(message: str, model: Optional[str]) -> str:
    """Every message names the file."""
    message = " ".join(message.split())
    if model is None or message.startswith(model):
        return message
    return f"{model}: {message}"


def _debug() -> None:
    if os.environ.get("LSTMGEN_DEBUG"):
        traceback.print_exc()
