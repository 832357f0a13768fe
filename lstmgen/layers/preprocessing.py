"""Preprocessing layers that compute at inference: Rescaling and Normalization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Tuple

import numpy as np

from lstmgen.ir import Params, Shape
from lstmgen.layers.base import Built, LayerContext

# Keras's backend.epsilon() (1e-7 in both versions), Normalization's floor on the
# standard deviation.
EPSILON = 1e-7


@dataclass(frozen=True)
class RescalingParams(Params):
    """rescaling.py.j2: x * scale + offset, each a number or a constant."""

    template: ClassVar[str] = "rescaling.py.j2"
    scale: str
    offset: str
    offset_zero: bool


@dataclass(frozen=True)
class FeatureNormalizationParams(Params):
    """feature_normalization.py.j2: (x - mean) / std, or with invert mean + x * std."""

    template: ClassVar[str] = "feature_normalization.py.j2"
    mean: str
    std: str  # an import-time constant: max(sqrt(variance), epsilon)
    broadcast: Tuple[int, ...]
    invert: bool
    axes: Tuple[int, ...]
    origin: str  # where the statistics come from, for the docstring
    epsilon: float


def build_rescaling(ctx: LayerContext) -> Built:
    """Rescaling(scale, offset): x * scale + offset in float32; each a number or an array
    that broadcasts against the input's last axes (channels_last; Keras 3 reshapes an
    array scale for the global channels_first setting, which the file does not record)."""
    shape = ctx.input_shape
    values = {}
    weights = []
    for key, default in (("scale", None), ("offset", 0.0)):
        value = _array_option(ctx, key, default)
        if value.ndim == 0:
            values[key] = repr(float(value))
            continue
        _check_broadcast(ctx, key, value.shape, shape)
        weight = ctx.weight(value, key, value.shape, f"{key}: {value.shape}")
        weights.append(weight)
        values[key] = weight.var
    ndim = max((w.array.ndim for w in weights), default=0)
    return Built(
        params=RescalingParams(
            scale=values["scale"], offset=values["offset"], offset_zero=values["offset"] == "0.0"
        ),
        outputs=[shape],
        weights=weights,
        # One timestep drops axis 1: arrays that stop short of it still line up.
        step="same" if len(shape) <= 2 or ndim <= len(shape) - 2 else None,
    )


def build_normalization(ctx: LayerContext) -> Built:
    """Normalization (the preprocessing layer): (x - mean) / max(sqrt(variance), 1e-7),
    or with invert=True mean + x * max(sqrt(variance), 1e-7). The statistics are either
    adapt()'s weights (mean, variance, count) or `mean` and `variance` in the config,
    numbers or arrays that broadcast against the kept axes."""
    shape = ctx.input_shape
    rank = len(shape)
    value = ctx.option("axis", -1)
    axis = () if value is None else (value,) if isinstance(value, int) else tuple(value)
    if not all(isinstance(a, int) and not isinstance(a, bool) and -rank <= a < rank for a in axis):
        raise ctx.fail(f"option axis={value!r} does not fit an input of rank {rank}")
    keep = tuple(sorted({a % rank for a in axis}))
    if 0 in keep:
        raise ctx.fail(f"option axis={value!r} keeps the batch axis")
    if any(shape[a] is None for a in keep):
        raise ctx.fail(f"the kept axes {keep} must have a fixed size, got {shape}")
    invert = bool(ctx.option("invert", False))
    stats_shape = tuple(shape[a] for a in keep)
    mean_cfg, variance_cfg = ctx.option("mean"), ctx.option("variance")
    if (mean_cfg is None) != (variance_cfg is None):
        raise ctx.fail("options mean and variance must be given together")
    if mean_cfg is None:
        # adapt()'s statistics; `count` (how many values adapt() saw, an integer) is not
        # needed.
        arrays = ctx.weights(3, optional=1, counters=True)
        # The reader gives a scalar (axis=None) as shape (1,).
        mean_array, variance_array = (
            np.reshape(a, stats_shape) if a.size == 1 else a for a in arrays[:2]
        )
        origin = "adapt() statistics"
    else:
        # Both versions broadcast the config values against the kept axes' sizes.
        mean_array, variance_array = (
            np.broadcast_to(_array_option(ctx, key, None), stats_shape).astype(np.float32)
            for key in ("mean", "variance")
        )
        ctx.weights(0)
        origin = "mean and variance from the config"
    mean = ctx.weight(np.asarray(mean_array), "mean", stats_shape, f"mean: {stats_shape}")
    variance = ctx.weight(
        np.asarray(variance_array), "variance", stats_shape, f"variance: {stats_shape}"
    )
    # The statistics' shape within one sample, leading 1s dropped so that it also lines
    # up with one timestep (no axis 1) when axis 1 is not kept.
    broadcast = tuple(shape[k] if k in keep else 1 for k in range(1, rank))
    while broadcast and broadcast[0] == 1:
        broadcast = broadcast[1:]
    std = ctx.derived_name("std")
    dtype = "float64" if ctx.options.float64 else "float32"
    derived = [
        (
            std,
            f"np.maximum(np.sqrt({variance.var}), np.{dtype}({EPSILON!r})).reshape({broadcast!r})",
            f"max(sqrt(variance), {EPSILON!r}): {broadcast}",
        )
    ]
    return Built(
        params=FeatureNormalizationParams(
            mean=mean.var,
            std=std,
            broadcast=broadcast,
            invert=invert,
            axes=keep,
            origin=origin,
            epsilon=EPSILON,
        ),
        outputs=[shape],
        weights=[mean, variance],
        derived=derived,
        step="same" if rank <= 2 or 1 not in keep else None,
    )


def _array_option(ctx: LayerContext, key: str, default: Any) -> np.ndarray:
    """A number or (nested) list option as a float32 array; Keras 3 may wrap an array
    as {"class_name": "__numpy__", "config": {"value": [...], "dtype": ...}}."""
    value = ctx.option(key, default)
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        value = (value.get("config") or {}).get("value")
    if value is None:
        raise ctx.fail(f"option '{key}' is missing")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ctx.fail(f"option {key}={value!r} must be a number or an array of numbers") from None
    if not np.all(np.isfinite(array)) or not np.all(np.abs(array) <= np.finfo(np.float32).max):
        raise ctx.fail(f"option '{key}' holds a value that is not a finite float32")
    return array.astype(np.float32)


def _check_broadcast(ctx: LayerContext, key: str, value: Tuple[int, ...], shape: Shape) -> None:
    """An array option must broadcast against the input without changing its shape."""
    fits = len(value) < len(shape) and all(
        size == 1 or size == dim for size, dim in zip(reversed(value), reversed(shape))
    )
    if not fits:
        raise ctx.fail(f"option '{key}' of shape {value} does not broadcast against {shape}")
