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
    # One filter per channel: the kernel repeated along the last output axis (as a block
    # holds it), so that NumPy runs one inner loop over that axis and the channels
    # together instead of one per output cell (1.3x-1.6x on 32 x 32 x 32 images; the same sums)
    width = y.shape[-3] if rank > 1 else rows
    tiled = per_channel.shape[-2] == 1 and per_channel.size * width <= 1 << 20
    if tiled:
        shape = per_channel.shape[:rank] + (width,) + per_channel.shape[-2:]
        per_channel = np.ascontiguousarray(np.broadcast_to(per_channel[..., None, :, :], shape))
    for b in range(0, lead[0], samples):
        for r in range(0, lead[1], rows):
            part = (slice(b, b + samples), slice(r, r + rows))
            out = y[part]
            w = per_channel[..., : out.shape[-3], :, :] if tiled else per_channel
            np.multiply(cols[part + (Ellipsis,) + first + (None, slice(None))], w[first], out=out)
            for cell in cells:
                out += cols[part + (Ellipsis,) + cell + (None, slice(None))] * w[cell]
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


# Image resizing as TensorFlow's kernels compute it (tf.image.resize, which Keras calls):
# images are (batch, rows, cols, channels); each axis is resized on its own, every
# output cell a weighted sum of a few input cells ("taps"). Positions and weights are
# computed in float32 as TensorFlow computes them, whatever the module's float type.


def sample_positions(size, new):
    """Where each of `new` output cells falls among `size` input cells: (i + 0.5) * size /
    new, TensorFlow's half-pixel centres, in float32."""
    scale = np.asarray(size, "float32") / np.asarray(new, "float32")
    return (np.arange(new, dtype="float32") + 0.5) * scale


def weighted_cells(x, axis, cells, weights):
    """Along `axis`, output cell i = sum over k of x[cells[i, k]] * weights[i, k], summed in
    the order of k as TensorFlow sums."""
    shape = (len(cells),) + (1,) * (x.ndim - axis - 1)
    y = np.take(x, cells[:, 0], axis=axis) * weights[:, 0].reshape(shape)
    for k in range(1, cells.shape[1]):
        y = y + np.take(x, cells[:, k], axis=axis) * weights[:, k].reshape(shape)
    return y


def resize_nearest(x, height, width):
    """TensorFlow's nearest-neighbour resize (half-pixel centres): output cell i takes input
    cell floor((i + 0.5) * size / new)."""
    for axis, new in ((1, height), (2, width)):
        cells = np.floor(sample_positions(x.shape[axis], new)).astype(np.int64)
        x = np.take(x, np.minimum(cells, x.shape[axis] - 1), axis=axis)
    return x


def resize_bilinear(x, height, width):
    """TensorFlow's bilinear resize (half-pixel centres, no antialiasing): along the width,
    then the height, a + (b - a) * fraction between the two input cells a and b around
    each output cell's centre (the edge cells repeated beyond the image)."""
    for axis, new in ((2, width), (1, height)):
        position = sample_positions(x.shape[axis], new) - 0.5
        below = np.floor(position)
        a = np.take(x, np.maximum(below.astype(np.int64), 0), axis=axis)
        above = np.minimum(np.ceil(position).astype(np.int64), x.shape[axis] - 1)
        b = np.take(x, above, axis=axis)
        x = a + (b - a) * (position - below).reshape((new,) + (1,) * (x.ndim - axis - 1))
    return x


def cubic_taps(size, new):
    """TensorFlow's bicubic taps along one axis (half-pixel centres, Keys' cubic with
    a = -0.5): 4 input cells and weights per output cell. As TensorFlow does, each offset is
    rounded to 1/1024 (its table), cells outside the image get no weight and the
    weights are then divided by their float32 sum."""
    position = sample_positions(size, new) - 0.5
    below = np.floor(position)
    t = np.rint((position - below) * 1024).astype("float64") / 1024

    def near(d):  # |distance| < 1
        return (1.5 * d - 2.5) * d * d + 1

    def far(d):  # 1 <= |distance| < 2
        return ((-0.5 * d + 2.5) * d - 4) * d + 2

    weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1).astype("float32")
    cells = below.astype(np.int64)[:, None] + np.arange(-1, 3)
    weights = np.where((cells >= 0) & (cells < size), weights, 0).astype("float32")
    total = weights[:, 0] + weights[:, 1] + weights[:, 2] + weights[:, 3]
    return np.clip(cells, 0, size - 1), weights * (1 / total)[:, None]


def resize_bicubic(x, height, width):
    """TensorFlow's bicubic resize (half-pixel centres, no antialiasing): the height, then
    the width, with cubic_taps."""
    for axis, new in ((1, height), (2, width)):
        x = weighted_cells(x, axis, *cubic_taps(x.shape[axis], new))
    return x


def area_taps(size, new):
    """TensorFlow's area taps along one axis: output cell i covers input cells [i * s,
    (i + 1) * s) with s = size / new; each input cell weighs the length it overlaps."""
    scale = np.asarray(size, "float32") / np.asarray(new, "float32")
    start = np.arange(new, dtype="float32")[:, None] * scale
    end = np.arange(1, new + 1, dtype="float32")[:, None] * scale
    first, last = np.floor(start).astype(np.int64), np.ceil(end).astype(np.int64)
    cells = first + np.arange(np.max(last - first))
    low, high = cells.astype("float32"), (cells + 1).astype("float32")
    inside = np.where(high > end, end - low, 1)
    weights = np.where(low < start, np.where(high > end, scale, high - start), inside)
    weights = np.where(cells < last, weights, 0).astype("float32")
    return np.clip(cells, 0, size - 1), weights


def resize_area(x, height, width):
    """TensorFlow's area resize: each output cell the mean of the input area it covers
    (the width summed first, then the height, then divided by the area)."""
    rows, cols = np.asarray(x.shape[1:3], "float32")
    area = (rows / np.asarray(height, "float32")) * (cols / np.asarray(width, "float32"))
    for axis, new in ((2, width), (1, height)):
        x = weighted_cells(x, axis, *area_taps(x.shape[axis], new))
    return x * np.asarray(1 / area.astype("float64"), "float32")


def sampling_kernel(kernel, radius, d):
    """TensorFlow's sampling kernels (scale_and_translate) at distances d >= 0, float32."""
    if kernel == "triangle":
        return np.maximum(1 - d, 0)
    if kernel == "keyscubic":
        far = np.where(d < 2, ((-0.5 * d + 2.5) * d - 4) * d + 2, 0)
        return np.where(d < 1, (1.5 * d - 2.5) * d * d + 1, far)
    if kernel == "mitchellcubic":
        far = np.where(d < 2, (((-7 / 18) * d + 2) * d - 10 / 3) * d + 16 / 9, 0)
        return np.where(d < 1, ((7 / 6) * d - 2) * d * d + 8 / 9, far)
    if kernel == "gaussian":  # sigma 0.5, the exponential in float64 as TensorFlow's
        value = np.exp(-(d * d).astype("float64") / 0.5).astype("float32")
        return np.where(d < 1.5, value, 0)
    pi = np.asarray(3.14159265359, "float32")  # lanczos3, lanczos5 (radius 3, 5)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = radius * np.sin(pi * d) * np.sin(pi * d / radius) / (pi * pi * d * d)
    return np.where(d <= 1e-3, 1, np.where(d > radius, 0, value)).astype("float32")


def kernel_taps(size, new, kernel, radius, antialias):
    """TensorFlow's scale_and_translate taps along one axis: the kernel (of `radius`)
    centred on each output cell, stretched by size / new when antialiasing a reduction,
    over the input cells it reaches, the weights divided by their float32 sum."""
    scale = np.asarray(new, "float32") / np.asarray(size, "float32")
    inverse = np.asarray(1 / scale.astype("float64"), "float32")
    stretch = max(inverse, np.asarray(1, "float32")) if antialias else np.asarray(1, "float32")
    reach = np.asarray(radius, "float32") * stretch
    centre = (np.arange(new, dtype="float32") + 0.5) * inverse
    first = np.clip(np.ceil(centre - reach - 0.5).astype(np.int64), 0, size - 1)
    last = np.clip(np.floor(centre + reach - 0.5).astype(np.int64), 0, size - 1) + 1
    cells = first[:, None] + np.arange(min(2 * int(np.ceil(reach)) + 1, size))
    distance = np.abs((cells.astype("float32") + 0.5 - centre[:, None]) * (1 / stretch))
    weights = sampling_kernel(kernel, radius, distance)
    weights = np.where(cells < last[:, None], weights, 0).astype("float32")
    total = weights[:, 0]
    for k in range(1, weights.shape[1]):
        total = total + weights[:, k]
    return np.minimum(cells, size - 1), weights * (1 / total)[:, None]


def resize_kernel(x, height, width, kernel, radius, antialias=False):
    """TensorFlow's resize by a sampling kernel (lanczos3, lanczos5, gaussian,
    mitchellcubic; bilinear and bicubic with antialiasing): the height, then the width."""
    for axis, new in ((1, height), (2, width)):
        x = weighted_cells(x, axis, *kernel_taps(x.shape[axis], new, kernel, radius, antialias))
    return x


def aspect_crop(x, height, width, float32=True):
    """The largest centred crop of (batch, rows, cols, channels) images with the aspect
    ratio of height x width, its size computed as Keras does: in float32 where Keras uses
    TensorFlow tensors, in float64 where it uses Python numbers (`float32=False`)."""
    rows, cols = x.shape[1], x.shape[2]
    dtype = "float32" if float32 else "float64"
    crop_rows = int(np.asarray(cols * height, dtype) / np.asarray(width, dtype))
    crop_cols = int(np.asarray(rows * width, dtype) / np.asarray(height, dtype))
    crop_rows, crop_cols = max(min(rows, crop_rows), 1), max(min(cols, crop_cols), 1)
    top = int(np.asarray(rows - crop_rows, dtype) / 2)
    left = int(np.asarray(cols - crop_cols, dtype) / 2)
    return x[:, top : top + crop_rows, left : left + crop_cols]


def aspect_pad(x, height, width, fill):
    """(batch, rows, cols, channels) images padded with `fill` towards the aspect ratio of
    height x width, as Keras 3 does: the same number of rows (or columns) on both sides,
    half the difference rounded down, sizes computed in float32."""
    rows, cols = x.shape[1], x.shape[2]
    padded_rows = max(
        rows, int(np.asarray(cols * height, "float32") / np.asarray(width, "float32"))
    )
    padded_cols = max(
        cols, int(np.asarray(rows * width, "float32") / np.asarray(height, "float32"))
    )
    top = int(np.asarray(padded_rows - rows, "float32") / 2)
    left = int(np.asarray(padded_cols - cols, "float32") / 2)
    return np.pad(x, ((0, 0), (top, top), (left, left), (0, 0)), constant_values=fill)


def center_crop(x, height, width, float32=True):
    """Keras's CenterCrop of (batch, rows, cols, channels) images: the centred height x width
    window; when an image is smaller on either side, its largest centred crop of that aspect
    ratio (aspect_crop) resized to height x width (bilinear)."""
    top, left = (x.shape[1] - height) // 2, (x.shape[2] - width) // 2
    if top >= 0 and left >= 0:
        return x[:, top : top + height, left : left + width]
    return resize_bilinear(aspect_crop(x, height, width, float32), height, width)


def integer_image(y, dtype):
    """Keras 3 gives integer images back in their integer dtype: rounded half to even, then
    clipped to the part of the dtype's range that float32 holds."""
    info = np.iinfo(dtype)
    high = np.asarray(info.max, "float32")
    if int(high) > info.max:  # compared exactly, not in float32
        high = np.nextafter(high, np.asarray(0, "float32"))
    return np.clip(np.round(y), np.asarray(info.min, "float32"), high).astype(dtype)


def pool_bins(x, axis, bins, reduce):
    """Along `axis`, output cell k reduces (np.mean or np.max) the input cells
    bins[k][0] up to bins[k][1]: adaptive pooling's bins."""
    before = (slice(None),) * axis
    parts = [reduce(x[before + (slice(a, b),)], axis=axis, keepdims=True) for a, b in bins]
    return np.concatenate(parts, axis=axis)
