"""BatchNormalization (inference statistics) and LayerNormalization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, List, Optional, Tuple

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext


@dataclass(frozen=True)
class BatchNormalizationParams(Params):
    """batch_normalization.py.j2: x * inv + shift from the moving statistics."""

    template: ClassVar[str] = "batch_normalization.py.j2"
    epsilon: float
    broadcast: Tuple[int, ...]  # the vectors' shape within one sample
    gamma: Optional[str]  # None: scale=False
    beta: Optional[str]  # None: center=False
    moving_mean: str
    moving_variance: str


@dataclass(frozen=True)
class LayerNormalizationParams(Params):
    """layer_normalization.py.j2: each sample's own mean and variance over `axes`."""

    template: ClassVar[str] = "layer_normalization.py.j2"
    axes: Tuple[int, ...]  # negative: they also fit one timestep
    epsilon: float
    rms: bool  # Keras 3's rms_scaling: scaled, not centred
    broadcast: Tuple[int, ...]
    gamma: Optional[str]
    beta: Optional[str]


@dataclass(frozen=True)
class UnitNormalizationParams(Params):
    """unit_normalization.py.j2."""

    template: ClassVar[str] = "unit_normalization.py.j2"
    axes: Tuple[int, ...]
    epsilon: float


def build_batch_normalization(ctx: LayerContext) -> Built:
    """y = x * inv + (beta - mean * inv), inv = gamma / sqrt(moving_variance + epsilon)."""
    shape = ctx.input_shape
    axes = _axes(ctx, shape, -1)
    # One axis: vectors of (C,). Several (tf.keras allows a list): Keras keeps the
    # vectors at full rank, 1 on every other axis, batch included.
    size = (
        (shape[axes[0]],)
        if len(axes) == 1
        else tuple(shape[k] if k in axes else 1 for k in range(len(shape)))
    )
    center = bool(ctx.option("center", True))
    scale = bool(ctx.option("scale", True))
    epsilon = float(ctx.option("epsilon", 1e-3))
    for key in (
        "momentum",
        "renorm",
        "renorm_clipping",
        "renorm_momentum",
        "fused",
        "virtual_batch_size",
        "adjustment",
        "synchronized",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "beta_initializer",
        "gamma_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
    ):
        ctx.option(key)  # training-time options
    arrays = list(ctx.weights(2 + center + scale))
    weights = {}
    for name, used in (
        ("gamma", scale),
        ("beta", center),
        ("moving_mean", True),
        ("moving_variance", True),
    ):
        if used:
            weights[name] = ctx.weight(arrays.pop(0), name, size, f"{name}: {size}")
    names = {name: weight.var for name, weight in weights.items()}
    return Built(
        params=BatchNormalizationParams(
            epsilon=epsilon,
            broadcast=_broadcast_shape(shape, axes),
            gamma=names.get("gamma"),
            beta=names.get("beta"),
            moving_mean=names["moving_mean"],
            moving_variance=names["moving_variance"],
        ),
        outputs=[shape],
        weights=list(weights.values()),
        step="same" if axes == (len(shape) - 1,) else None,
    )


def build_layer_normalization(ctx: LayerContext) -> Built:
    """(x - mean) / sqrt(variance + epsilon) * gamma + beta over the normalized axes."""
    shape = ctx.input_shape
    axes = _axes(ctx, shape, -1)
    center = bool(ctx.option("center", True))
    scale = bool(ctx.option("scale", True))
    rms = bool(ctx.option("rms_scaling", False))
    epsilon = float(ctx.option("epsilon", 1e-3))
    for key in (
        "beta_initializer",
        "gamma_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
    ):
        ctx.option(key)
    param_shape = tuple(shape[a] for a in axes)
    # Keras 3's deprecated rms_scaling keeps gamma and drops beta.
    use_gamma, use_beta = scale or rms, center and not rms
    arrays = list(ctx.weights(use_gamma + use_beta))
    weights = {}
    for name, used in (("gamma", use_gamma), ("beta", use_beta)):
        if used:
            weights[name] = ctx.weight(arrays.pop(0), name, param_shape, f"{name}: {param_shape}")
    broadcast = tuple(shape[k] if k in axes else 1 for k in range(1, len(shape)))
    return Built(
        params=LayerNormalizationParams(
            axes=tuple(a - len(shape) for a in axes),
            epsilon=epsilon,
            rms=rms,
            broadcast=broadcast,
            gamma=weights["gamma"].var if use_gamma else None,
            beta=weights["beta"].var if use_beta else None,
        ),
        outputs=[shape],
        weights=list(weights.values()),
        step="same" if axes == (len(shape) - 1,) else None,
    )


def _axis_option(ctx: LayerContext, shape, default) -> Tuple[int, ...]:
    """The `axis` option (an int or a list) as sorted non-negative axes, batch axis refused."""
    value = ctx.option("axis", default)
    values: List = list(value) if isinstance(value, (list, tuple)) else [value]
    rank = len(shape)
    if not values or not all(
        isinstance(a, int) and not isinstance(a, bool) and -rank <= a < rank for a in values
    ):
        raise ctx.fail(f"option axis={value!r} does not fit an input of rank {rank}")
    axes = tuple(sorted({a % rank for a in values}))
    if 0 in axes:
        raise ctx.fail(f"option axis={value!r} would normalize over the batch axis")
    return axes


def _axes(ctx: LayerContext, shape, default) -> Tuple[int, ...]:
    """_axis_option, for layers whose weights span the axes: their sizes must be fixed."""
    axes = _axis_option(ctx, shape, default)
    if any(shape[a] is None for a in axes):
        raise ctx.fail(f"the normalized axis {axes} must have a fixed size, got {shape}")
    return axes


def _broadcast_shape(shape, axes: Tuple[int, ...]) -> Tuple[int, ...]:
    """How the per-channel vectors line up with one sample: (C,), (C, 1, ...), (C, 1, D)."""
    return tuple(shape[k] if k in axes else 1 for k in range(axes[0], len(shape)))


# The floor UnitNormalization puts under sum(x**2): tf_keras calls tf.linalg.l2_normalize
# (rsqrt(max(sum, 1e-12))), Keras 3 ops.normalize (min(rsqrt(sum), 1 / 1e-12)), which is
# the same as a floor of 1e-24 under the sum.
UNIT_NORM_EPSILON = {2: 1e-12, 3: 1e-24}


def build_unit_normalization(ctx: LayerContext) -> Built:
    """UnitNormalization(axis): x / sqrt(max(sum(x**2 over axis), eps)), per sample."""
    shape = ctx.input_shape
    rank = len(shape)
    axes = _axis_option(ctx, shape, -1)
    epsilon = UNIT_NORM_EPSILON[3 if ctx.keras_major >= 3 else 2]
    ctx.version_semantics(f"UnitNormalization: each sum of squares at least {epsilon:g}")
    return Built(
        params=UnitNormalizationParams(axes=tuple(a - rank for a in axes), epsilon=epsilon),
        outputs=[shape],
        step="same" if rank <= 2 or 1 not in axes else None,
    )
