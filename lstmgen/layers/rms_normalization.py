"""RMSNormalization (Keras 3): each sample divided by its root mean square over the
normalized axes, then multiplied by the learned scale, as ops.rms_normalization does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, List, Tuple

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext

# What Keras uses when the config says epsilon=None: keras.config.epsilon()'s default (a
# global setting the file does not record).
KERAS_EPSILON = 1e-7


@dataclass(frozen=True)
class RmsNormalizationParams(Params):
    """rms_normalization.py.j2."""

    template: ClassVar[str] = "rms_normalization.py.j2"
    axes: Tuple[int, ...]  # negative: they also fit one timestep
    epsilon: float
    scale: str
    scale_shape: Tuple[int, ...]


def build_rms_normalization(ctx: LayerContext) -> Built:
    """x * rsqrt(mean(x**2 over axis) + epsilon) * scale, the scale broadcast against x
    from its last axis as Keras multiplies it."""
    shape = ctx.input_shape
    rank = len(shape)
    value = ctx.option("axis", -1)
    values: List = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values or not all(
        isinstance(a, int) and not isinstance(a, bool) and -rank < a < rank and a % rank
        for a in values
    ):
        raise ctx.fail(f"option axis={value!r} does not name non-batch axes of rank {rank}")
    axes = tuple(sorted({a % rank for a in values}))
    sizes = tuple(shape[a] for a in axes)
    if None in sizes:
        raise ctx.fail(f"the normalized axes {axes} must have a fixed size, got {shape}")
    epsilon = ctx.option("epsilon")
    if epsilon is None:  # missing: the layer's default; null: Keras's global epsilon
        epsilon = 1e-6 if "epsilon" not in ctx.record.config else KERAS_EPSILON
    (array,) = ctx.weights(1)
    scale = ctx.weight(array, "scale", sizes, f"scale: {sizes}")
    # Keras multiplies by the scale as NumPy broadcasts, from the last axis: anything but
    # the trailing axes works only where the sizes happen to agree (Keras fails otherwise).
    trailing = shape[rank - len(sizes) :]
    if any(s != 1 and s != n for s, n in zip(sizes, trailing)):
        raise ctx.fail(
            f"its scale of shape {sizes} does not broadcast against the input {shape} from "
            "the last axis, as Keras multiplies it (Keras fails on this model too)"
        )
    return Built(
        params=RmsNormalizationParams(
            axes=tuple(a - rank for a in axes),
            epsilon=float(epsilon),
            scale=scale.var,
            scale_shape=sizes,
        ),
        outputs=[shape],
        weights=[scale],
        mask="none",  # RMSNormalization does not support masking: Keras drops the mask
        step="same" if rank == 2 or (1 not in axes and len(sizes) <= rank - 2) else None,
    )
