"""Reading a model file in a child process: bounded memory and time, nothing changed here.

libhdf5 parses the file in C, and a corrupt file can make it allocate without end (a
broken local heap: 24 GB), loop or crash. So the reading runs in a child process whose
address space is capped (RLIMIT_AS, set in the child only: the caller's limits never
change) and which is stopped after a time limit; the caller gets the result through
lstmgen.reader.channel, or one error line.

- POSIX, a caller without other threads: os.fork() (about 15 ms more than reading).
- A caller with other threads: a fork would copy locks those threads may hold (h5py's,
  the allocator's) and could hang, so a fresh interpreter reads instead (about 0.3 s).
- Elsewhere (Windows): the reading runs in this process, without the caps.
"""

from __future__ import annotations

import builtins
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from typing import Any, Callable, Sequence

from lstmgen import errors
from lstmgen.errors import LstmgenError, LstmgenWarning
import lstmgen.reader.channel as channel
import lstmgen.reader.child as child


def run_isolated(function: Callable, args: Sequence[Any], label: str, memory: int, seconds: float):
    """`function(*args)`, run in a child under an address-space cap of `memory` more bytes
    and a limit of `seconds`; its result, its LstmgenError, or an LstmgenError naming
    `label` if the child ran out of memory or time, or crashed. LstmgenWarnings it
    raised are raised again here."""
    if os.name != "posix":
        return function(*args)
    scratch = tempfile.mkdtemp(prefix="lstmgen-read-")  # the child's temporary files
    deadline = time.monotonic() + seconds
    try:
        if threading.active_count() > 1:
            payload = _spawned(function, args, memory, deadline, scratch, label, seconds)
        else:
            payload = _forked(function, args, memory, deadline, scratch, label, seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _unpack(payload, label, memory)


def _forked(function, args, memory, deadline, scratch, label, seconds):
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() whenever the process has other threads, native
        # ones included (BLAS pools, which are fork-safe); Python threads never get here.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            tempfile.tempdir = scratch
            code = child.serve(function, args, memory, write_end)
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        return _collect(read_end, deadline, label, seconds, memory, pid=pid)
    finally:
        os.close(read_end)


_BOOT = (
    "import sys; del sys.path[0]; "
    f"from {child.__name__} import main; sys.exit(main(sys.argv[1:]))"
)


def _spawned(function, args, memory, deadline, scratch, label, seconds):
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.pathsep.join([package_root] + [p for p in sys.path if p])
    env = dict(os.environ, TMPDIR=scratch, PYTHONPATH=path)
    # Not `-m`: it puts the current directory first on the child's path, where a numpy.py
    # or h5py.py next to the model would be imported (and run) instead of the real one.
    # `-c` puts "" (the same directory) there: removed before anything is imported.
    command = [sys.executable, "-c", _BOOT, function.__module__, function.__name__, str(memory)]
    debug = bool(os.environ.get("LSTMGEN_DEBUG"))
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if debug else subprocess.DEVNULL,
        env=env,
    ) as process:
        process.stdin.write(pickle.dumps(tuple(args)))
        process.stdin.close()
        return _collect(process.stdout.fileno(), deadline, label, seconds, memory, process=process)


def _collect(fd, deadline, label, seconds, memory, pid=None, process=None):
    """The child's payload; the child is always reaped, and killed if it overstays."""

    def stop(kill: bool) -> int:
        if process is not None:
            if kill:
                process.kill()
            return process.wait()
        if kill:
            os.kill(pid, signal.SIGKILL)
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:  # the caller ignores SIGCHLD: children reap themselves
            return 0

    try:
        payload = channel.receive(fd, deadline)
    except channel.ChannelTimeout:
        stop(kill=True)
        raise LstmgenError(f"{label}: reading it took more than {seconds:.0f} s; stopped") from None
    except (EOFError, pickle.UnpicklingError) as problem:
        if os.environ.get("LSTMGEN_DEBUG"):
            print("reader channel:", repr(problem), file=sys.stderr)
        code = stop(kill=False)
        if code == child.OUT_OF_MEMORY or code == -signal.SIGKILL:
            return ("memory", None, [])
        raise LstmgenError(
            f"{label}: the reader stopped while reading it ({_how(code)}); "
            "the file is damaged or built to crash libhdf5"
        ) from None
    except BaseException:
        stop(kill=True)
        raise
    stop(kill=False)
    return payload


def _how(code: int) -> str:
    if code < 0:
        return (
            f"signal {signal.Signals(-code).name}" if -code in signal.valid_signals() else "killed"
        )
    return f"exit code {code}"


def _unpack(payload, label: str, memory: int):
    kind, value, caught = payload
    for message in caught:
        warnings.warn(LstmgenWarning(message))
    if kind == "ok":
        return value
    if kind == "error":  # errors travel as (class name, message): never as pickled objects
        name, text = value
        error_class = getattr(errors, name, None)
        if not (isinstance(error_class, type) and issubclass(error_class, LstmgenError)):
            error_class = LstmgenError
        raise error_class(text)
    if kind == "memory":
        raise LstmgenError(
            f"{label}: reading it needs more than the {memory} bytes of memory lstmgen allows "
            "for it (no real model file does: a corrupt or hostile file)"
        )
    name, text, trace = value  # "crash": an exception lstmgen did not expect, raised here
    if os.environ.get("LSTMGEN_DEBUG"):
        sys.stderr.write(f"In the process that read {label}:\n{trace}")
    kind_of = getattr(builtins, name, None)
    if not (isinstance(kind_of, type) and issubclass(kind_of, Exception)):
        kind_of, text = RuntimeError, f"{name}: {text}"
    raise kind_of(text)
