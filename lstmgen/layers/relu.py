"""The ReLU family of activation layers: ReLU, LeakyReLU, and Keras 2's "advanced
activations" ELU, ThresholdedReLU and PReLU (learned slopes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Tuple

from lstmgen import activations
from lstmgen.activations import ActivationCall
from lstmgen.ir import Params
from lstmgen.layers.activation import ActivationParams
from lstmgen.layers.base import Built, LayerContext


@dataclass(frozen=True)
class ThresholdedReluParams(Params):
    """thresholded_relu.py.j2."""

    template: ClassVar[str] = "thresholded_relu.py.j2"
    theta: float


@dataclass(frozen=True)
class PReluParams(Params):
    """prelu.py.j2: the learned slopes' constant and its shape."""

    template: ClassVar[str] = "prelu.py.j2"
    alpha: str
    alpha_shape: Tuple[int, ...]


def build_relu(ctx: LayerContext) -> Built:
    """ReLU(max_value, negative_slope, threshold), step by step as Keras computes it."""
    max_value = ctx.option("max_value")
    slope = ctx.option("negative_slope", ctx.option("alpha", 0.0))
    threshold = ctx.option("threshold", 0.0)
    for key, value in (
        ("max_value", max_value),
        ("negative_slope", slope),
        ("threshold", threshold),
    ):
        if value is not None and not isinstance(value, (int, float)):
            raise ctx.fail(f"option {key}={value!r} must be a number")
    if max_value is not None and max_value < 0:
        raise ctx.fail(f"option max_value={max_value!r} must be >= 0")
    options = f"max_value={max_value}, negative_slope={slope}, threshold={threshold}"
    return _activation_layer(ctx, activations.relu(slope, max_value, threshold), options)


def build_leaky_relu(ctx: LayerContext) -> Built:
    """LeakyReLU: `alpha` in Keras 2, `negative_slope` in Keras 3, default 0.3 in both."""
    slope = ctx.option("negative_slope", ctx.option("alpha", 0.3))
    if not isinstance(slope, (int, float)):
        raise ctx.fail(f"option negative_slope={slope!r} must be a number")
    return _activation_layer(ctx, activations.leaky_relu(slope), f"negative_slope={slope}")


def build_elu(ctx: LayerContext) -> Built:
    """ELU(alpha): x if x > 0 else alpha * (exp(x) - 1), the same in both versions."""
    alpha = ctx.option("alpha", 1.0)
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
        raise ctx.fail(f"option alpha={alpha!r} must be a number")
    return _activation_layer(ctx, activations.elu(alpha), f"alpha={alpha}")


def _activation_layer(ctx: LayerContext, call: ActivationCall, options: str) -> Built:
    """The layer as its activation function: the same helper a layer's activation calls."""
    ctx.use_helpers(*call.helpers)
    return Built(
        params=ActivationParams(description=options, result=call.apply("x")),
        outputs=[ctx.input_shape],
        step="same",
    )


def build_thresholded_relu(ctx: LayerContext) -> Built:
    """ThresholdedReLU(theta) (Keras 2 only; Keras 3 dropped it): x if x > theta else 0."""
    theta = ctx.option("theta", 1.0)
    if not isinstance(theta, (int, float)) or isinstance(theta, bool):
        raise ctx.fail(f"option theta={theta!r} must be a number")
    return Built(
        params=ThresholdedReluParams(theta=float(theta)),
        outputs=[ctx.input_shape],
        step="same",
    )


def build_prelu(ctx: LayerContext) -> Built:
    """PReLU: x if x > 0 else alpha * x, alpha a learned array of the input's shape
    without the batch axis, with 1 on every axis in `shared_axes`."""
    shape = ctx.input_shape
    rank = len(shape)
    shared = ctx.option("shared_axes")
    if shared is None:
        shared = []
    elif not isinstance(shared, (list, tuple)):
        shared = [shared]
    for key in ("alpha_initializer", "alpha_regularizer", "alpha_constraint"):
        ctx.option(key)  # training-time options
    alpha_shape = list(shape[1:])
    for axis in shared:
        if not isinstance(axis, int) or isinstance(axis, bool) or axis == 0 or abs(axis) >= rank:
            raise ctx.fail(f"option shared_axes={shared!r} does not fit an input of rank {rank}")
        alpha_shape[axis - 1] = 1  # Keras's own indexing, negative axes included
    if any(size is None for size in alpha_shape):
        raise ctx.fail(f"axes of free size must be in shared_axes, got {shared!r} for {shape}")
    (array,) = ctx.weights(1)
    alpha = ctx.weight(array, "alpha", tuple(alpha_shape), f"alpha: {tuple(alpha_shape)}")
    return Built(
        params=PReluParams(alpha=alpha.var, alpha_shape=tuple(alpha_shape)),
        outputs=[shape],
        weights=[alpha],
        # One timestep drops axis 1: alpha still lines up if it has size 1 there.
        step="same" if rank <= 2 or alpha_shape[0] == 1 else None,
    )
