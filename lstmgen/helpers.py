"""The functions a generated predictor may need besides NumPy, as real, tested Python.

The emitter copies the ones a model uses into the generated module, by name and with the
helpers they call (lstmgen.helper_source), so this file is what the predictor's reader
sees: plain NumPy, no type hints, float32 as Keras computes. A --float64 predictor gets
the same text with np.float64 in place of np.float32.
"""

import numpy as np


def windows(x, sizes, strides, dilations, padding="valid", fill=0.0):
    """Sliding windows over the spatial axes (im2col), the same for 1, 2 and 3 of them:
    (batch, *spatial, channels) -> (batch, *out_spatial, *sizes, channels).

    padding: "valid" (none), "same" (TensorFlow's split, the odd cell at the end)
    or "causal" (all at the start); padded cells hold `fill`.
    """
    spans = [(size - 1) * dilation + 1 for size, dilation in zip(sizes, dilations)]
    pads = [(0, 0)]
    for n, span, stride in zip(x.shape[1:-1], spans, strides):
        if padding == "causal":
            pads.append((span - 1, 0))
        elif padding == "same":
            total = max((-(-n // stride) - 1) * stride + span - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((0, 0))
    pads.append((0, 0))
    if any(left or right for left, right in pads):
        x = np.pad(x, pads, constant_values=fill)
    rank = len(sizes)
    # (batch, *positions, channels, *spans): every window start, each window's cells
    view = np.lib.stride_tricks.sliding_window_view(x, spans, axis=tuple(range(1, rank + 1)))
    starts = tuple(slice(None, None, stride) for stride in strides)
    cells = tuple(slice(None, None, dilation) for dilation in dilations)
    view = view[(slice(None),) + starts + (slice(None),) + cells]
    return np.moveaxis(view, rank + 1, -1)


def depthwise(cols, kernel, block=1 << 17):
    """Each channel's windows times its own filters (a depthwise convolution's sums):
    cols (batch, *out_spatial, *sizes, channels) from `windows`, kernel (*sizes,
    channels, multiplier) -> (batch, *out_spatial, channels * multiplier), channel-major
    (output channel c * multiplier + m), as TensorFlow orders them.

    One multiply-add per kernel cell, reading the windows where they lie (no im2col
    copy), over blocks of about `block` outputs, which then stay in the CPU's cache.
    """
    rank = kernel.ndim - 2
    # (*sizes, multiplier, channels), contiguous: NumPy's inner loops run along channels
    per_channel = np.ascontiguousarray(np.moveaxis(kernel, -1, -2))
    first, *cells = np.ndindex(*kernel.shape[:rank])
    lead = cols.shape[: cols.ndim - rank - 1]  # batch, *out_spatial
    y = np.empty(lead + per_channel.shape[-2:], cols.dtype)
    row = max(int(np.prod(y.shape[2:])), 1)  # outputs in one row of the first spatial axis
    rows = max(1, min(block // row, lead[1]))
    samples = max(1, block // (row * lead[1])) if rows == lead[1] else 1
    for b in range(0, lead[0], samples):
        for r in range(0, lead[1], rows):
            part = (slice(b, b + samples), slice(r, r + rows))
            out = y[part]
            np.multiply(
                cols[part + (Ellipsis,) + first + (None, slice(None))], per_channel[first], out=out
            )
            for cell in cells:
                out += cols[part + (Ellipsis,) + cell + (None, slice(None))] * per_channel[cell]
    return np.swapaxes(y, -1, -2).reshape(lead + (y.shape[-1] * y.shape[-2],))


def transposed_length(steps, size, stride, dilation, padding, output_padding=None):
    """(output length, output cells cut at the start) of one axis of a transposed
    convolution: the length as Keras computes it (both versions), the cut as TensorFlow
    pads the convolution it transposes (`same`: half the padding, the odd cell at the end)."""
    span = (size - 1) * dilation + 1
    if output_padding is None:
        length = steps * stride if padding == "same" else (steps - 1) * stride + max(span, stride)
    elif padding == "same":
        length = (steps - 1) * stride + span % 2 + output_padding
    else:
        length = (steps - 1) * stride + span + output_padding
    cut = max((steps - 1) * stride + span - length, 0) // 2 if padding == "same" else 0
    return length, cut


def overlap_add(cols, strides, dilations, padding="valid", output_padding=None):
    """A transposed convolution's col2im, the same for 1, 2 and 3 spatial axes:
    (batch, *in_spatial, *sizes, filters) -> (batch, *out_spatial, filters).

    cols holds each input cell's products with every kernel cell; the product of input
    cell i and kernel cell k lands on output cell i * stride + k * dilation - cut, and
    products landing on one cell add up (transposed_length gives the sizes and cuts).
    """
    rank = len(strides)
    steps, sizes = cols.shape[1 : rank + 1], cols.shape[rank + 1 : 2 * rank + 1]
    pads = output_padding or (None,) * rank
    axes = [
        transposed_length(n, size, stride, dilation, padding, pad)
        for n, size, stride, dilation, pad in zip(steps, sizes, strides, dilations, pads)
    ]
    full = [
        max((n - 1) * stride + (size - 1) * dilation + 1, length + cut)
        for n, size, stride, dilation, (length, cut) in zip(steps, sizes, strides, dilations, axes)
    ]
    y = np.zeros((cols.shape[0], *full, cols.shape[-1]), cols.dtype)
    for cell in np.ndindex(*sizes):
        # every input cell's product with kernel cell `cell`, at stride `strides`
        target = tuple(
            slice(k * dilation, k * dilation + (n - 1) * stride + 1, stride)
            for k, dilation, n, stride in zip(cell, dilations, steps, strides)
        )
        y[(slice(None),) + target] += cols[(slice(None),) * (rank + 1) + cell]
    return y[(slice(None),) + tuple(slice(cut, cut + length) for length, cut in axes)]


def erf(x):
    """Error function (NumPy has none): rational approximation, float32-accurate on [-4, 4]."""
    x = np.clip(x, -4.0, 4.0)
    x2 = x * x
    p = -2.72614225801306e-10
    for a in (
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    ):
        p = p * x2 + a
    q = -1.45660718464996e-05
    for b in (
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    ):
        q = q * x2 + b
    return x * p / q


def sigmoid(x):
    """1 / (1 + exp(-x)), written as 0.5 * tanh(x / 2) + 0.5 so it never overflows."""
    return 0.5 * np.tanh(0.5 * x) + 0.5


def hard_sigmoid_keras2(x):
    """Keras 2's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return np.clip(x * 0.2 + 0.5, 0.0, 1.0)


def hard_sigmoid_keras3(x):
    """Keras 3's hard_sigmoid: relu6(x + 3) / 6, i.e. clip(x / 6 + 0.5, 0, 1)."""
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def hard_silu_keras3(x):
    """Keras 3's hard_silu (hard_swish): x * hard_sigmoid(x)."""
    return x * hard_sigmoid_keras3(x)


def relu(x):
    """max(x, 0)."""
    return np.maximum(x, 0.0)


def relu6(x):
    """min(max(x, 0), 6)."""
    return np.clip(x, 0.0, 6.0)


def leaky_relu(x):
    """The leaky_relu activation function: x if x > 0 else 0.2 * x."""
    return np.where(x > 0, x, x * 0.2)


def elu(x):
    """x if x > 0 else exp(x) - 1."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def selu(x):
    """scale * x if x > 0 else scale * alpha * (exp(x) - 1), TensorFlow's constants."""
    return np.where(
        x > 0, 1.0507009873554805 * x, 1.7580993408473769 * np.expm1(np.minimum(x, 0.0))
    )


def celu(x):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha) with alpha = 1."""
    return np.maximum(x, 0.0) + np.expm1(np.minimum(x, 0.0))


def gelu(x):
    """Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2)))."""
    return 0.5 * x * (1.0 + erf(x * 0.7071067811865476))


def softsign(x):
    """x / (1 + |x|)."""
    return x / (1.0 + np.abs(x))


def softplus(x):
    """log(1 + exp(x)), computed without overflow."""
    return np.logaddexp(0.0, x).astype(np.float32, copy=False)


def swish(x):
    """swish / silu: x * sigmoid(x)."""
    return x * sigmoid(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return x * np.tanh(softplus(x))


def hard_tanh(x):
    """clip(x, -1, 1)."""
    return np.clip(x, -1.0, 1.0)


def tanh_shrink(x):
    """x - tanh(x)."""
    return x - np.tanh(x)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return -np.logaddexp(0.0, -x).astype(np.float32, copy=False)


def soft_shrink(x):
    """x - 0.5 if x > 0.5, x + 0.5 if x < -0.5, else 0."""
    return np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)).astype(np.float32)


def hard_shrink(x):
    """x if |x| > 0.5 else 0."""
    return np.where(np.abs(x) > 0.5, x, 0.0).astype(np.float32)


def squareplus(x):
    """(x + sqrt(x^2 + 4)) / 2."""
    return (x + np.sqrt(x * x + 4.0)) / 2.0


def sparse_plus(x):
    """0 if x <= -1, (x + 1)^2 / 4 if x < 1, else x."""
    return np.where(x <= -1, 0.0, np.where(x < 1, 0.25 * (x + 1.0) ** 2, x)).astype(np.float32)


def sparse_sigmoid(x):
    """0 if x <= -1, 1 if x >= 1, else (x + 1) / 2."""
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1.0))).astype(np.float32)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum for stability."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - log(sum(exp(x))) along `axis`, shifted by the maximum for stability."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
