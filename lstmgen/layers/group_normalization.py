"""GroupNormalization: the channels split into groups, each group of each sample
normalized by its own mean and variance (over the group's channels and every other
non-batch axis), then scaled by gamma and shifted by beta per channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext

TRAINING_ONLY = (
    "beta_initializer",
    "gamma_initializer",
    "beta_regularizer",
    "gamma_regularizer",
    "beta_constraint",
    "gamma_constraint",
)


@dataclass(frozen=True)
class GroupNormalizationParams(Params):
    """group_normalization.py.j2."""

    template: ClassVar[str] = "group_normalization.py.j2"
    groups: int
    axis: int  # the channels axis (non-negative)
    epsilon: float
    before: str  # x.shape up to the channels axis, as code: "x.shape[:2]"
    after: str  # and after it: "x.shape[3:]"
    split: Tuple[int, int]  # the channels axis as (groups, channels per group)
    reduced: Tuple[int, ...]  # the axes each group's statistics run over, once split
    broadcast: Tuple[int, ...]  # gamma and beta reshaped to line up with the split input
    gamma: Optional[str]
    beta: Optional[str]


def build_group_normalization(ctx: LayerContext) -> Built:
    """GroupNormalization(groups, axis, epsilon, center, scale) of Keras 3 and tf_keras."""
    shape = ctx.input_shape
    rank = len(shape)
    axis = ctx.option("axis", -1)
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise ctx.fail(f"option axis={axis!r} does not fit an input of rank {rank}")
    axis %= rank
    channels = shape[axis]
    if axis == 0 or channels is None:
        raise ctx.fail(f"option axis={axis} must be a channels axis of fixed size, got {shape}")
    groups = ctx.int_option("groups", 32)  # -1 (instance normalization) is saved as built
    if groups < 1 or channels % groups:
        raise ctx.fail(f"groups={groups} must divide the {channels} channels")
    if ctx.input_masked[0] and ctx.keras_major == 2:
        # tf_keras weighs the statistics by the mask; Keras 3 passes it on unused.
        raise ctx.fail(
            "a mask on its input is not supported (tf_keras weighs the statistics by it)"
        )
    epsilon = float(ctx.option("epsilon", 1e-3))
    center = bool(ctx.option("center", True))
    scale = bool(ctx.option("scale", True))
    for key in TRAINING_ONLY:
        ctx.option(key)
    arrays = list(ctx.weights(scale + center))
    names = {}
    for name, used in (("gamma", scale), ("beta", center)):
        if used:
            names[name] = ctx.weight(arrays.pop(0), name, (channels,), f"{name}: ({channels},)")
    broadcast = [1] * (rank + 1)
    broadcast[axis : axis + 2] = [groups, channels // groups]
    return Built(
        params=GroupNormalizationParams(
            groups=groups,
            axis=axis,
            epsilon=epsilon,
            before=f"x.shape[:{axis}]",
            after=f"x.shape[{axis + 1}:]",
            split=(groups, channels // groups),
            reduced=tuple(k for k in range(1, rank + 1) if k != axis),
            broadcast=tuple(broadcast),
            gamma=names["gamma"].var if scale else None,
            beta=names["beta"].var if center else None,
        ),
        outputs=[shape],
        weights=list(names.values()),
        mask="pass",
        step="same" if rank == 2 else None,  # a time axis is among the reduced ones
    )
