"""Layers that only apply an activation function: Activation and Softmax (the ReLU family
is in relu.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Tuple, Union

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext


@dataclass(frozen=True)
class ActivationParams(Params):
    """activation.py.j2: an activation function applied to x."""

    template: ClassVar[str] = "activation.py.j2"
    description: str  # e.g. "activation 'relu'"
    result: str  # e.g. "relu(x)"


@dataclass(frozen=True)
class SoftmaxParams(Params):
    """softmax.py.j2: the softmax helper along one axis or several."""

    template: ClassVar[str] = "softmax.py.j2"
    axis: Union[int, Tuple[int, ...]]


def build_activation(ctx: LayerContext) -> Built:
    """Activation('name'): the function itself, as the file's Keras version defines it."""
    call = ctx.activation("activation")
    return Built(
        params=ActivationParams(
            description=f"activation '{call.keras_name}'", result=call.apply("x")
        ),
        outputs=[ctx.input_shape],
        step="same",
    )


def build_softmax(ctx: LayerContext) -> Built:
    """Softmax(axis): normalized exponentials along one axis or several."""
    axis = ctx.option("axis", -1)
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    rank = len(ctx.input_shape)
    if not axes or not all(isinstance(a, int) and -rank <= a < rank for a in axes):
        raise ctx.fail(f"option axis={axis!r} does not fit an input of rank {rank}")
    if any(a % rank == 0 for a in axes):
        raise ctx.fail(f"option axis={axis!r} would normalize over the batch axis")
    if ctx.input_masked[0]:
        raise ctx.fail("a Softmax layer that receives a mask is not supported yet")
    ctx.use_helpers("softmax")
    return Built(
        params=SoftmaxParams(axis=axes[0] if len(axes) == 1 else axes),
        outputs=[ctx.input_shape],
        step="same" if axes in ((-1,), (rank - 1,)) else None,
    )
