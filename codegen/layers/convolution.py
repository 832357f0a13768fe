"""Conv1D and the 1-D pooling layers, on one shared windowing helper (im2col)."""

from __future__ import annotations

from typing import Optional, Tuple

from codegen.layers.base import Built, LayerContext, check_rank

PADDINGS = ("valid", "same", "causal")


def build_conv1d(ctx: LayerContext) -> Built:
    """Conv1D: padding valid/same/causal, strides, dilation_rate, groups, any activation."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (3,))
    channels_first = is_channels_first(ctx)
    steps, channels = (shape[2], shape[1]) if channels_first else (shape[1], shape[2])
    filters = ctx.int_option("filters")
    (kernel_size,), (stride,), (dilation,) = window_geometry(ctx, 1)
    groups = ctx.int_option("groups", 1)
    if groups < 1 or channels % groups or filters % groups:
        raise ctx.fail(f"groups={groups} must divide the {channels} channels and {filters} filters")
    padding = ctx.require("padding", PADDINGS, "valid")
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(2 if use_bias else 1)
    weights = [
        ctx.weight(
            arrays[0], "kernel", (kernel_size, channels // groups, filters),
            "W: (kernel_size, channels / groups, filters)",
        )
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[1], "bias", (filters,), "b: (filters,)"))
    out_steps = output_steps(steps, kernel_size, stride, dilation, padding)
    ctx.use_helpers("windows")
    out = (shape[0], filters, out_steps) if channels_first else (shape[0], out_steps, filters)
    return Built(
        template="conv1d.py.j2",
        params={
            "filters": filters,
            "kernel_size": kernel_size,
            "stride": stride,
            "dilation": dilation,
            "groups": groups,
            "group_channels": channels // groups,
            "group_filters": filters // groups,
            "padding": padding,
            "channels_first": channels_first,
            "activation": activation.func,
            "activation_name": activation.keras_name,
            "kernel": weights[0].var,
            "bias": weights[1].var if use_bias else None,
        },
        outputs=[out],
        weights=weights,
        mask="none",
    )


def build_pooling1d(ctx: LayerContext) -> Built:
    """MaxPooling1D / AveragePooling1D: pool_size, strides, padding valid/same."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (3,))
    channels_first = is_channels_first(ctx)
    steps = shape[2] if channels_first else shape[1]
    (size,) = int_tuple(ctx, "pool_size", 2, 1)
    strides = ctx.option("strides")
    (stride,) = (size,) if strides is None else int_tuple(ctx, "strides", size, 1)
    padding = ctx.require("padding", ("valid", "same"), "valid")
    out_steps = output_steps(steps, size, stride, 1, padding)
    ctx.use_helpers("windows")
    out = (shape[0], shape[1], out_steps) if channels_first else (shape[0], out_steps, shape[2])
    return Built(
        template="pooling1d.py.j2",
        params={
            "max": ctx.class_name.startswith("Max"),
            "size": size,
            "stride": stride,
            "padding": padding,
            "channels_first": channels_first,
        },
        outputs=[out],
        mask="none",
    )


def build_global_pooling1d(ctx: LayerContext) -> Built:
    """GlobalMaxPooling1D / GlobalAveragePooling1D, keepdims, masked mean as in Keras."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (3,))
    channels_first = is_channels_first(ctx)
    keepdims = bool(ctx.option("keepdims", False))
    time_axis = 2 if channels_first else 1
    out = shape[:time_axis] + ((1,) if keepdims else ()) + shape[time_axis + 1 :]
    is_max = ctx.class_name.startswith("GlobalMax")
    return Built(
        template="global_pooling1d.py.j2",
        params={"max": is_max, "axis": time_axis, "keepdims": keepdims},
        outputs=[out],
        mask="none",
        consumes_mask=not is_max,  # Keras averages over the unmasked steps only
        step=None,
    )


def output_steps(
    steps: Optional[int], size: int, stride: int, dilation: int, padding: str
) -> Optional[int]:
    """Output length, padding as TensorFlow does (windows in the generated code)."""
    if steps is None:
        return None
    if padding == "same":
        return -(-steps // stride)
    span = (size - 1) * dilation + 1
    padded = steps + (span - 1 if padding == "causal" else 0)
    return max((padded - span) // stride + 1, 0)


def window_geometry(ctx: LayerContext, rank: int) -> Tuple[Tuple[int, ...], ...]:
    """(kernel_size, strides, dilation_rate) of a `rank`-D convolution, one int per axis."""
    kernel = int_tuple(ctx, "kernel_size", 1, rank)
    strides = int_tuple(ctx, "strides", 1, rank)
    dilations = int_tuple(ctx, "dilation_rate", 1, rank)
    if max(strides) > 1 and max(dilations) > 1:
        raise ctx.fail("strides > 1 together with dilation_rate > 1 is not allowed by Keras")
    return kernel, strides, dilations


def int_tuple(ctx: LayerContext, key: str, default: int, rank: int) -> Tuple[int, ...]:
    """Option `key` as `rank` positive integers (one integer stands for all axes)."""
    value = ctx.option(key, default)
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(values) != rank or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ctx.fail(f"option {key}={value!r} must be {rank} positive integer(s)")
    return values


def is_channels_first(ctx: LayerContext) -> bool:
    """data_format: channels_last (the default) or channels_first."""
    fmt = ctx.require("data_format", ("channels_last", "channels_first", None), "channels_last")
    return fmt == "channels_first"
