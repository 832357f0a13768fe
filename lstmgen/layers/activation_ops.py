"""Keras 3's activation operations as a functional model saves them: `keras.ops.tanh(x)`
applied to a model's tensor becomes a node of class Tanh (module keras.src.ops.nn or
.numpy), its parameters in the config (`{"name": "gelu", "approximate": true}`). The math
is the TensorFlow backend's (keras/src/backend/tensorflow/nn.py)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from lstmgen import activations
from lstmgen.layers.activation import ActivationParams
from lstmgen.layers.base import Built, LayerContext

REQUIRED = object()  # a parameter without a default: Keras saves it always
# Operation class -> (helper or NumPy function, its parameters with the operation's
# defaults, in the helper's argument order).
OPERATIONS: Dict[str, Tuple[str, Tuple[Tuple[str, Any], ...]]] = {
    "Relu": ("relu", ()),
    "Relu6": ("relu6", ()),
    "Sigmoid": ("sigmoid", ()),
    "SparseSigmoid": ("sparse_sigmoid", ()),
    "Softplus": ("softplus", ()),
    "Softsign": ("softsign", ()),
    "SoftShrink": ("soft_shrink", (("threshold", 0.5),)),
    "SparsePlus": ("sparse_plus", ()),
    "Silu": ("swish", ()),
    "Squareplus": ("squareplus", (("b", 4.0),)),
    "LogSigmoid": ("log_sigmoid", ()),
    "LeakyRelu": ("leaky_relu", (("negative_slope", 0.2),)),
    "HardSigmoid": ("hard_sigmoid_keras3", ()),
    "HardSilu": ("hard_silu_keras3", ()),
    "Elu": ("elu", (("alpha", 1.0),)),
    "Selu": ("selu", ()),
    "Gelu": ("gelu", ()),  # approximate=True (the operation's default): gelu_approximate
    "Celu": ("celu", (("alpha", 1.0),)),
    "TanhShrink": ("tanh_shrink", ()),
    "HardTanh": ("hard_tanh", ()),
    "HardShrink": ("hard_shrink", (("threshold", 0.5),)),
    "Threshold": ("keep_above", (("threshold", REQUIRED), ("default_value", REQUIRED))),
    "Tanh": ("np.tanh", ()),
    "Exp": ("np.exp", ()),
}
# Operations along one axis (the Softmax operation is the Softmax layer's handler's).
AXIS_OPERATIONS = {"LogSoftmax": "log_softmax", "Sparsemax": "sparsemax", "Glu": "glu"}


def build_activation_op(ctx: LayerContext) -> Built:
    """An elementwise activation operation, with its saved parameters."""
    func, parameters = OPERATIONS[ctx.class_name]
    arguments = []
    for key, default in parameters:
        value = _number(ctx, key, default)
        if value != default:  # the helpers' defaults are the operations'
            arguments.append(f"{key}={float(value)!r}")
    if ctx.class_name == "Gelu" and ctx.option("approximate", True):
        func = "gelu_approximate"
    return _built(ctx, activations.function(ctx.class_name, func, *arguments), step=True)


def build_axis_op(ctx: LayerContext) -> Built:
    """LogSoftmax, Sparsemax or Glu along `axis` (Glu halves it)."""
    shape = ctx.input_shape
    rank = len(shape)
    axis = ctx.option("axis", -1)
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise ctx.fail(f"option axis={axis!r} does not fit an input of rank {rank}")
    if axis % rank == 0:
        raise ctx.fail(f"option axis={axis!r} would reach across the batch")
    argument = () if axis == -1 else (f"axis={axis}",)
    call = activations.function(ctx.class_name, AXIS_OPERATIONS[ctx.class_name], *argument)
    out: Optional[Tuple] = None
    if ctx.class_name == "Glu":
        size = shape[axis]
        if size is None or size % 2:
            raise ctx.fail(f"the size {size} of axis {axis} must be even (Keras fails)")
        out = tuple(size // 2 if k == axis % rank else n for k, n in enumerate(shape))
    return _built(ctx, call, step=axis % rank == rank - 1, shape=out)


def _built(ctx: LayerContext, call, step: bool, shape: Optional[Tuple] = None) -> Built:
    ctx.use_helpers(*call.helpers)
    return Built(
        params=ActivationParams(description="a keras.ops operation", result=call.apply("x")),
        outputs=[shape or ctx.input_shape],
        mask="none",  # operations take no mask
        step="same" if step else None,
    )


def _number(ctx: LayerContext, key: str, default: Any) -> float:
    value = ctx.option(key, None if default is REQUIRED else default)
    if value is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ctx.fail(f"option {key}={value!r} must be a number")
    return value
