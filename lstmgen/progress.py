"""A one-line progress display on stderr: the current stage, rewritten in place."""

from __future__ import annotations

import sys
import time
from typing import List, Optional, TextIO

_SHOWN: List["Progress"] = []  # the progress line on the terminal now, if any


def interrupt() -> None:
    """Erase the progress line, if one is shown, so that a message gets a line of its
    own; the next stage draws it again."""
    for progress in _SHOWN:
        progress.clear()


class Progress:
    """Call it with a stage name ('reading', 'formatting', ...) as the work moves on.

    It writes only to a terminal (never into a pipe or a log file) and clears its line at
    the end, so what the command prints afterwards starts on a clean line.
    """

    def __init__(self, stream: Optional[TextIO] = None, enabled: Optional[bool] = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self._width = 0
        self._start = time.monotonic()

    def __call__(self, stage: str) -> None:
        """Show `stage` in place of the previous one."""
        if not self.enabled:
            return
        text = f"lstmgen: {stage}... ({time.monotonic() - self._start:.1f} s)"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> "Progress":
        _SHOWN.append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        self.clear()
        _SHOWN.remove(self)


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (a closed or fake stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
