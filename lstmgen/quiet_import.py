"""Importing Keras without TensorFlow's start-up log on stderr.

TensorFlow's C++ code writes absl log lines while it is imported ("oneDNN custom
operations are on", "Could not find cuda drivers", ...) before TF_CPP_MIN_LOG_LEVEL is
read: six lines on every `lstmgen verify`. They say nothing about the model.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
from types import ModuleType

# absl's INFO and WARNING lines ("I0000 00:00:1796.0   20104 port.cc:153] ...") and the
# notice before them; errors (E, F) and anything else are written back.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] )"
)


def import_quietly(name: str) -> ModuleType:
    """The module `name`, imported with file descriptor 2 captured: absl's INFO and
    WARNING lines are dropped, every other line is written back to stderr."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to protect
        return importlib.import_module(name)
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        os.dup2(captured.fileno(), 2)
        try:
            return importlib.import_module(name)
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not NOISE.match(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
