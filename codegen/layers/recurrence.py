"""What every recurrent layer decides the same way: time axis, step count, unrolling."""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

from codegen.layers.base import LayerContext, check_rank
from codegen.reader.normalize import LstmgenWarning


def sequence_params(ctx: LayerContext) -> Dict[str, Any]:
    """Template parameters shared by LSTM-like layers, from config and input shape."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (3,))
    time_major = bool(ctx.option("time_major", False))
    # A time-major layer (old tf.keras) sees (time, batch, features).
    steps = shape[0] if time_major else shape[1]
    if ctx.option("stateful", False):
        raise ctx.fail("option stateful=True is not supported yet")
    if ctx.option("return_state", False):
        raise ctx.fail("option return_state=True is not supported yet")
    ctx.option("zero_output_for_mask")  # only matters with a mask
    return {
        "features": shape[2],
        "steps": steps,
        "unrolled": _unrolled(ctx, steps),
        "time_major": time_major,
        "go_backwards": bool(ctx.option("go_backwards", False)),
        "return_sequences": bool(ctx.option("return_sequences", False)),
    }


def output_shape(params: Dict[str, Any], batch: Optional[int], units: int):
    """Keras's output shape for a recurrent layer without return_state."""
    if not params["return_sequences"]:
        return (batch, units)
    return (params["steps"], batch, units) if params["time_major"] else (batch, params["steps"], units)


def batch_axis_size(ctx: LayerContext) -> Optional[int]:
    """The batch size in the input shape (axis 1 for time-major layers)."""
    shape = ctx.input_shape
    return shape[1] if ctx.record.config.get("time_major") else shape[0]


def _unrolled(ctx: LayerContext, steps: Optional[int]) -> bool:
    wanted = ctx.options.unroll
    if wanted is False:
        return False
    if steps is None:
        if wanted:
            warnings.warn(
                LstmgenWarning(
                    f"layer '{ctx.name}' ({ctx.class_name}): the time axis is not fixed, "
                    "so it runs as a loop; pass --timesteps N to unroll it"
                )
            )
        return False
    return bool(wanted) or steps <= ctx.options.unroll_limit
