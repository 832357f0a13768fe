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


def relu_with_options(x, negative_slope, max_value, threshold):
    """Keras's ReLU with its options, in Keras's order: x above the threshold (else 0),
    clipped to [0, max_value], minus negative_slope * (threshold - x) below it."""
    y = np.where(x > threshold, x, 0.0) if threshold else np.maximum(x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    if negative_slope:
        y = y - negative_slope * np.maximum(threshold - x, 0.0)
    return y.astype(np.float32, copy=False)


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x (the leaky_relu function's slope: 0.2)."""
    return np.where(x > 0, x, x * negative_slope)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def selu(x):
    """scale * x if x > 0 else scale * alpha * (exp(x) - 1), TensorFlow's constants."""
    return np.where(
        x > 0, 1.0507009873554805 * x, 1.7580993408473769 * np.expm1(np.minimum(x, 0.0))
    )


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0) / alpha)


def gelu(x):
    """Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2)))."""
    return 0.5 * x * (1.0 + erf(x * 0.7071067811865476))


def gelu_approximate(x):
    """GELU's tanh approximation: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


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


def soft_shrink(x, threshold=0.5):
    """x - threshold if x > threshold, x + threshold if x < -threshold, else 0."""
    shrunk = np.where(x < -threshold, x + threshold, 0.0)
    return np.where(x > threshold, x - threshold, shrunk).astype(np.float32)


def hard_shrink(x, threshold=0.5):
    """x if |x| > threshold else 0."""
    return np.where(np.abs(x) > threshold, x, 0.0).astype(np.float32)


def keep_above(x, threshold, default_value):
    """Keras's threshold activation: x if x > threshold else default_value."""
    return np.where(x > threshold, x, default_value).astype(np.float32)


def squareplus(x, b=4.0):
    """(x + sqrt(x^2 + b)) / 2."""
    return (x + np.sqrt(x * x + b)) / 2.0


def sparse_plus(x):
    """0 if x <= -1, (x + 1)^2 / 4 if x < 1, else x."""
    return np.where(x <= -1, 0.0, np.where(x < 1, 0.25 * (x + 1.0) ** 2, x)).astype(np.float32)


def sparse_sigmoid(x):
    """0 if x <= -1, 1 if x >= 1, else (x + 1) / 2."""
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1.0))).astype(np.float32)


def sparsemax(x, axis=-1):
    """Keras's sparsemax: max(x - tau, 0) along `axis`, tau from the sorted values. As in
    every Keras backend, tau sums the cumulative sums over the support, (sum_j<=k cumsum_j
    - 1) / k, where the paper takes cumsum_k: its rows need not sum to 1."""
    z = -np.sort(-x, axis=axis)
    cumsum = np.cumsum(z, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = np.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(shape)
    support = z - (cumsum - 1) / r > 0
    k = np.sum(support, axis=axis, keepdims=True).astype(x.dtype)
    tau = (np.sum(np.where(support, cumsum, 0.0), axis=axis, keepdims=True) - 1) / k
    return np.maximum(x - tau, 0.0).astype(x.dtype, copy=False)


def glu(x, axis=-1):
    """Gated linear unit: the first half of `axis` times the sigmoid of the second half."""
    a, b = np.split(x, 2, axis=axis)
    return a * sigmoid(b)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum for stability."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - log(sum(exp(x))) along `axis`, shifted by the maximum for stability."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def one_hot(ids, depth):
    """ids (...) -> (..., depth): 1.0 at each id's position; an id outside [0, depth)
    gives a row of zeros, as tf.one_hot does."""
    return (ids[..., None] == np.arange(depth)).astype(np.float32)


def token_counts(ids, depth):
    """How often each id in [0, depth) occurs along axis 1 of ids (batch, n, ...):
    (batch, ..., depth), float32. Ids outside the range are not counted."""
    ids = np.moveaxis(ids, 1, -1)
    rows = ids.reshape(-1, ids.shape[-1])
    row = np.broadcast_to(np.arange(len(rows))[:, None], rows.shape)
    kept = (rows >= 0) & (rows < depth)
    # one bincount for all rows: row r's id i is counted at r * depth + i
    counts = np.bincount((row * depth + rows)[kept], minlength=len(rows) * depth)
    return counts.reshape(ids.shape[:-1] + (depth,)).astype(np.float32)
