"""The generation options the command line sets (and Python callers pass)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Options:
    """Generation choices from the command line."""

    unroll: Optional[bool] = None  # None: unroll when the step count is fixed and small
    unroll_limit: int = 128
    timesteps: Optional[int] = None  # fixes a free time axis
    fast: bool = True  # speed tricks that keep float32 results (see --readable)
    float64: bool = False  # compute in float64 instead of Keras's float32 (see --float64)
    weights_file: bool = False  # weights in a sibling .npz instead of the module (--weights-file)

    def flags(self) -> str:
        """The command-line flags that reproduce these options ('' for the defaults)."""
        flags = []
        if self.unroll is not None:
            flags.append("--unroll" if self.unroll else "--no-unroll")
        if self.unroll_limit != Options.unroll_limit:
            flags.append(f"--unroll-limit {self.unroll_limit}")
        if self.timesteps is not None:
            flags.append(f"--timesteps {self.timesteps}")
        if not self.fast:
            flags.append("--readable")
        if self.float64:
            flags.append("--float64")
        if self.weights_file:
            flags.append("--weights-file")
        return " ".join(flags)
