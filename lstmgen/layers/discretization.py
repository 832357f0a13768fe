"""Discretization: each value's bin among sorted boundaries, as an id or encoded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.encoding import Encoding, check_mode, encoding

INT_DTYPES = ("int32", "int64")


@dataclass(frozen=True)
class DiscretizationParams(Params):
    """discretization.py.j2: the bin of each value, then encode.j2's lines."""

    template: ClassVar[str] = "discretization.py.j2"
    boundaries: str  # the constant of the sorted boundaries
    count: int  # how many boundaries
    origin: str  # where they come from, for the docstring
    encoding: Encoding


def build_discretization(ctx: LayerContext) -> Built:
    """Discretization(bin_boundaries or num_bins, output_mode): value x falls in bin i when
    boundaries[i-1] <= x < boundaries[i] (tf.raw_ops.Bucketize, float32 boundaries, in both
    versions); the bins are ids 0..len(boundaries), then encoded by `output_mode`.

    Keras 3 keeps adapted boundaries in the config (`bin_boundaries` beside `num_bins`);
    tf_keras keeps adapt()'s `summary` weight and derives them when its .h5 loader calls
    finalize_state, as done here (its .keras loader forgets to, and bins everything 0)."""
    mode = check_mode(ctx, ("int", "one_hot", "multi_hot", "count"))
    ctx.option("epsilon")  # adapt()'s precision: already in the boundaries or summary
    boundaries, origin = _boundaries(ctx)
    if np.any(np.diff(boundaries) < 0):
        raise ctx.fail("option bin_boundaries must be sorted (Keras fails on this layer)")
    cast = _output_dtype(ctx, mode)
    encoded, shape = encoding(ctx, mode, len(boundaries) + 1, declares_axis1=True, cast=cast)
    count = len(boundaries)
    weight = ctx.weight(boundaries, "boundaries", (count,), f"bin boundaries: ({count},)")
    return Built(
        params=DiscretizationParams(
            boundaries=weight.var, count=count, origin=origin, encoding=encoded
        ),
        outputs=[shape],
        weights=[weight],
        mask="none",  # Keras drops masks here
        step="same" if mode in ("int", "one_hot") else None,  # counts run along time
    )


def _boundaries(ctx: LayerContext):
    """The boundaries as float32 (as Bucketize holds them), and where they come from."""
    given = ctx.option("bin_boundaries")
    num_bins = ctx.option("num_bins")
    if given is not None:
        if not isinstance(given, list) or not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) for b in given
        ):
            raise ctx.fail("option bin_boundaries must be a list of numbers")
        # (Keras 3 ignores the summary weight some of its versions saved)
        ctx.weights(1 if ctx.keras_major >= 3 else 0, optional=1 if ctx.keras_major >= 3 else 0)
        origin = "adapted" if num_bins is not None else "given"
        return np.asarray(given, np.float32), f"{origin} bin boundaries"
    if ctx.keras_major >= 3 or not isinstance(num_bins, int) or num_bins < 1:
        raise ctx.fail("has no bin boundaries: neither bin_boundaries nor an adapted state")
    (summary,) = ctx.weights(1)
    if summary.ndim != 2 or summary.shape[0] != 2:
        raise ctx.fail(f"weight 'summary' has shape {summary.shape}, expected (2, n)")
    return (
        _tf_keras_bins(summary, num_bins),
        f"bin boundaries from adapt()'s summary, {num_bins} bins",
    )


def _tf_keras_bins(summary: np.ndarray, num_bins: int) -> np.ndarray:
    """tf_keras's get_bin_boundaries(summary, num_bins): the summary compressed to
    `num_bins` quantiles (_compress_summary_numpy, NumPy as there), the last one dropped."""
    epsilon = 1.0 / num_bins
    summary = np.asarray(summary, np.float32)
    if summary.shape[1] * epsilon >= 1:
        percents = epsilon + np.arange(0.0, 1.0, epsilon)
        cum_weights = summary[1].cumsum()
        cum_weight_percents = cum_weights / cum_weights[-1]
        summary = np.interp(percents, cum_weight_percents, summary[0])[None].astype(np.float32)
    return np.ascontiguousarray(summary[0, :-1], np.float32)


def _output_dtype(ctx: LayerContext, mode: str):
    """The dtype of int output (Keras 3: int32; tf_keras: the layer's integer dtype, int64
    by default); other modes give float32. None where the ids stay int64."""
    dtype = ctx.option("dtype")
    if mode != "int":
        if dtype not in (None, "float32"):
            raise ctx.fail(f"dtype policy '{dtype}' is not supported (lstmgen computes in float32)")
        return None
    if ctx.keras_major >= 3:
        return "int32"
    if dtype not in (None,) + INT_DTYPES:  # tf_keras: int64 unless given
        raise ctx.fail(f"dtype '{dtype}' is not supported for int output (supported: int32, int64)")
    return None if dtype in (None, "int64") else dtype
