"""The reading child's side of lstmgen.reader.isolation: cap itself, run, report."""

from __future__ import annotations

import faulthandler
import importlib
import os
import pickle
import sys
import traceback
import warnings
from typing import Any, Callable, Sequence

from lstmgen.errors import LstmgenError, LstmgenWarning
import lstmgen.reader.channel as channel

OUT_OF_MEMORY = 3  # the exit code when even reporting failed for lack of memory


def serve(function: Callable, args: Sequence[Any], memory: int, fd: int) -> int:
    """In the child: cap the address space, run, send the outcome to `fd`; the exit code."""
    # The parent reports a crash from the exit status; a fault handler inherited from the
    # caller (pytest enables one) would also print the caller's whole stack to stderr.
    faulthandler.disable()
    _cap_address_space(memory)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LstmgenWarning)
        try:
            payload: Any = ("ok", function(*args))
        except MemoryError:
            payload = ("memory", None)
        except LstmgenError as error:
            payload = ("error", (type(error).__name__, str(error)))
        except BaseException as error:  # noqa: BLE001 - reported to the parent by name
            payload = ("crash", (type(error).__name__, str(error), traceback.format_exc()))
    ours = [str(w.message) for w in caught if issubclass(w.category, LstmgenWarning)]
    try:
        channel.send(fd, payload + (ours,))
    except MemoryError:
        return OUT_OF_MEMORY
    return 0


def _cap_address_space(extra: int) -> None:
    """RLIMIT_AS at this process's size plus `extra` (Linux; elsewhere nothing changes)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + extra if hard == resource.RLIM_INFINITY else min(current + extra, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def main(argv: Sequence[str]) -> int:
    """A fresh interpreter's side of isolation._spawned: the function by name, arguments on stdin."""
    module, name, memory = argv
    function = getattr(importlib.import_module(module), name)
    args = pickle.load(sys.stdin.buffer)  # from lstmgen's own parent process
    return serve(function, args, int(memory), sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
