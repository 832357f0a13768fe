"""Dense: y = activation(x W + b) over the last axis, for inputs of any rank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext, check_rank


@dataclass(frozen=True)
class DenseParams(Params):
    """dense.py.j2: the weight constants and the activated result."""

    template: ClassVar[str] = "dense.py.j2"
    units: int
    activation_name: str  # the Keras name, for the docstring
    kernel: str
    bias: Optional[str]
    result: str  # the activation of y, e.g. "relu(y)"


def build_dense(ctx: LayerContext) -> Built:
    """A Dense layer on 2-D, 3-D or higher input."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (2, 3, 4, 5))
    units = ctx.int_option("units")
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(2 if use_bias else 1)
    weights = [ctx.weight(arrays[0], "kernel", (shape[-1], units), "W: (features, units)")]
    if use_bias:
        weights.append(ctx.weight(arrays[1], "bias", (units,), "b: (units,)"))
    return Built(
        params=DenseParams(
            units=units,
            activation_name=activation.keras_name,
            kernel=weights[0].var,
            bias=weights[1].var if use_bias else None,
            result=activation.apply("y"),
        ),
        outputs=[shape[:-1] + (units,)],
        weights=weights,
        step="same",
    )
