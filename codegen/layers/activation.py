"""Layers that only apply an activation: Activation, Softmax, ReLU, LeakyReLU."""

from __future__ import annotations

from codegen.layers.base import Built, LayerContext


def build_activation(ctx: LayerContext) -> Built:
    """Activation('name'): the function itself, as the file's Keras version defines it."""
    call = ctx.activation("activation")
    return _elementwise(ctx, call.func, f"activation '{call.keras_name}'")


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
        template="softmax.py.j2",
        params={"axis": axes[0] if len(axes) == 1 else axes},
        outputs=[ctx.input_shape],
        step="same" if axes in ((-1,), (rank - 1,)) else None,
    )


def build_relu(ctx: LayerContext) -> Built:
    """ReLU(max_value, negative_slope, threshold), step by step as Keras computes it."""
    max_value = ctx.option("max_value")
    slope = ctx.option("negative_slope", ctx.option("alpha", 0.0))
    threshold = ctx.option("threshold", 0.0)
    for key, value in (("max_value", max_value), ("negative_slope", slope), ("threshold", threshold)):
        if value is not None and not isinstance(value, (int, float)):
            raise ctx.fail(f"option {key}={value!r} must be a number")
    if max_value is not None and max_value < 0:
        raise ctx.fail(f"option max_value={max_value!r} must be >= 0")
    return Built(
        template="relu.py.j2",
        params={
            "max_value": None if max_value is None else float(max_value),
            "negative_slope": float(slope),
            "threshold": float(threshold),
            # Keras takes tf.nn.leaky_relu for this common case and relu6 for max 6.
            "leaky_only": slope != 0 and max_value is None and threshold == 0,
            "relu6": threshold == 0 and max_value == 6,
        },
        outputs=[ctx.input_shape],
        step="same",
    )


def build_leaky_relu(ctx: LayerContext) -> Built:
    """LeakyReLU: `alpha` in Keras 2, `negative_slope` in Keras 3, default 0.3 in both."""
    slope = ctx.option("negative_slope", ctx.option("alpha", 0.3))
    if not isinstance(slope, (int, float)):
        raise ctx.fail(f"option negative_slope={slope!r} must be a number")
    return Built(
        template="leaky_relu.py.j2",
        params={"negative_slope": float(slope)},
        outputs=[ctx.input_shape],
        step="same",
    )


def _elementwise(ctx: LayerContext, func, description: str) -> Built:
    return Built(
        template="activation.py.j2",
        params={"activation": func, "description": description},
        outputs=[ctx.input_shape],
        step="same",
    )
