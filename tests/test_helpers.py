"""The generated module's helper functions as Python (lstmgen.helpers), and the copying
of them into a module by name (lstmgen.helper_source). No Keras needed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmgen import activations, helpers
from lstmgen.helper_source import dependencies, helper_names, helper_source, with_dependencies

X = np.linspace(-8.0, 8.0, 401, dtype=np.float32)


def exact(function, x):
    """A float64 reference evaluated pointwise."""
    return np.array([function(float(v)) for v in x])


@pytest.mark.parametrize(
    "name, reference, tolerance",
    [
        ("sigmoid", lambda v: 1 / (1 + math.exp(-v)), 1e-7),
        ("hard_sigmoid_keras2", lambda v: min(max(0.2 * v + 0.5, 0.0), 1.0), 1e-7),
        ("hard_sigmoid_keras3", lambda v: min(max(v / 6 + 0.5, 0.0), 1.0), 1e-7),
        ("hard_silu_keras3", lambda v: v * min(max(v / 6 + 0.5, 0.0), 1.0), 1e-6),
        ("relu", lambda v: max(v, 0.0), 0.0),
        ("relu6", lambda v: min(max(v, 0.0), 6.0), 0.0),
        ("leaky_relu", lambda v: v if v > 0 else 0.2 * v, 1e-7),
        ("elu", lambda v: v if v > 0 else math.expm1(v), 1e-7),
        (
            "selu",
            lambda v: 1.0507009873554805 * (v if v > 0 else 1.6732632423543772 * math.expm1(v)),
            1e-6,
        ),
        ("celu", lambda v: max(v, 0.0) + math.expm1(min(v, 0.0)), 1e-7),
        ("erf", math.erf, 1e-6),
        ("gelu", lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))), 1e-6),
        ("softsign", lambda v: v / (1 + abs(v)), 1e-7),
        ("softplus", lambda v: math.log1p(math.exp(v)), 1e-6),
        ("swish", lambda v: v / (1 + math.exp(-v)), 1e-6),
        ("mish", lambda v: v * math.tanh(math.log1p(math.exp(v))), 1e-6),
        ("hard_tanh", lambda v: min(max(v, -1.0), 1.0), 0.0),
        ("tanh_shrink", lambda v: v - math.tanh(v), 1e-6),
        ("log_sigmoid", lambda v: -math.log1p(math.exp(-v)), 1e-6),
        ("soft_shrink", lambda v: v - 0.5 if v > 0.5 else v + 0.5 if v < -0.5 else 0.0, 1e-7),
        ("hard_shrink", lambda v: v if abs(v) > 0.5 else 0.0, 0.0),
        ("squareplus", lambda v: (v + math.sqrt(v * v + 4)) / 2, 1e-6),
        ("sparse_plus", lambda v: 0.0 if v <= -1 else (v + 1) ** 2 / 4 if v < 1 else v, 1e-6),
        ("sparse_sigmoid", lambda v: 0.0 if v <= -1 else 1.0 if v >= 1 else (v + 1) / 2, 1e-7),
    ],
)
def test_elementwise_helpers_compute_their_formula(name, reference, tolerance):
    got = getattr(helpers, name)(X)
    assert got.dtype == np.float32 and got.shape == X.shape
    np.testing.assert_allclose(got, exact(reference, X), rtol=0, atol=tolerance * 8)


@pytest.mark.parametrize(
    "name, arguments, reference",
    [
        ("leaky_relu", {"negative_slope": 0.1}, lambda v: v if v > 0 else 0.1 * v),
        ("elu", {"alpha": 0.5}, lambda v: v if v > 0 else 0.5 * math.expm1(v)),
        ("celu", {"alpha": 0.5}, lambda v: max(v, 0.0) + 0.5 * math.expm1(min(v, 0.0) / 0.5)),
        (
            "soft_shrink",
            {"threshold": 0.7},
            lambda v: v - 0.7 if v > 0.7 else v + 0.7 if v < -0.7 else 0.0,
        ),
        ("hard_shrink", {"threshold": 0.3}, lambda v: v if abs(v) > 0.3 else 0.0),
        ("keep_above", {"threshold": 0.5, "default_value": -1.0}, lambda v: v if v > 0.5 else -1.0),
        ("squareplus", {"b": 2.0}, lambda v: (v + math.sqrt(v * v + 2)) / 2),
        (
            "gelu_approximate",
            {},
            lambda v: 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))),
        ),
        # Keras's ReLU: above the threshold, clipped, minus the slope part below it
        (
            "relu_with_options",
            {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5},
            lambda v: min(v, 2.0) if v > 0.5 else 0.1 * (v - 0.5),
        ),
        (
            "relu_with_options",
            {"negative_slope": 0.0, "max_value": 0.7, "threshold": -0.3},
            lambda v: min(max(v, 0.0), 0.7) if v > -0.3 else 0.0,
        ),
    ],
)
def test_helpers_with_parameters(name, arguments, reference):
    got = getattr(helpers, name)(X, **arguments)
    assert got.dtype == np.float32 and got.shape == X.shape
    np.testing.assert_allclose(got, exact(reference, X), rtol=0, atol=1e-5)


def test_sparsemax_glu_and_the_encodings():
    x = np.random.default_rng(1).normal(0, 2, (4, 6)).astype(np.float32)
    # Keras's sparsemax in float64: tau from the sum of the cumulative sums on the support
    z = -np.sort(-x.astype(np.float64), axis=-1)
    cumsum = np.cumsum(z, axis=-1)
    support = z - (cumsum - 1) / np.arange(1, 7) > 0
    tau = (np.where(support, cumsum, 0).sum(-1, keepdims=True) - 1) / support.sum(-1, keepdims=True)
    np.testing.assert_allclose(helpers.sparsemax(x), np.maximum(x - tau, 0), atol=1e-6)
    expected = x[:, :3] / (1 + np.exp(-x[:, 3:].astype(np.float64)))
    np.testing.assert_allclose(helpers.glu(x), expected, atol=1e-6)
    ids = np.array([[1, 1, 3, 9], [0, 2, 2, -1]])
    np.testing.assert_array_equal(helpers.token_counts(ids, 4), [[0, 2, 0, 1], [1, 0, 2, 0]])
    # counted along axis 1 for every position of the axes after it
    counts = helpers.token_counts(np.array([[[1, 2], [1, 0], [3, 3]]]), 4)
    np.testing.assert_array_equal(counts, [[[0, 2, 0, 1], [1, 0, 1, 1]]])
    one = helpers.one_hot(np.array([[0, 3, 4, -1]]), 4)
    np.testing.assert_array_equal(one[0], [[1, 0, 0, 0], [0, 0, 0, 1], [0] * 4, [0] * 4])
    assert one.dtype == np.float32 and helpers.token_counts(ids, 4).dtype == np.float32


def test_helpers_do_not_overflow_or_warn_on_large_inputs():
    big = np.float32([-1e4, -100.0, 100.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in ("sigmoid", "softplus", "log_sigmoid", "swish", "mish", "elu", "selu"):
            assert np.all(np.isfinite(getattr(helpers, name)(big))), name


def test_softmax_and_log_softmax_along_an_axis():
    x = np.random.default_rng(0).normal(0, 5, (3, 4, 5)).astype(np.float32)
    for axis in (-1, 1):
        e = np.exp(x.astype(np.float64) - x.max(axis=axis, keepdims=True))
        expected = e / e.sum(axis=axis, keepdims=True)
        np.testing.assert_allclose(helpers.softmax(x, axis=axis), expected, atol=1e-7)
        np.testing.assert_allclose(helpers.log_softmax(x, axis=axis), np.log(expected), atol=1e-5)


def naive_windows(x, sizes, strides, dilations, padding):
    """im2col written as plain loops, TensorFlow's padding rules."""
    pads = []
    for n, size, stride, dilation in zip(x.shape[1:-1], sizes, strides, dilations):
        span = (size - 1) * dilation + 1
        if padding == "same":
            total = max((math.ceil(n / stride) - 1) * stride + span - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((span - 1, 0) if padding == "causal" else (0, 0))
    x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [
        (n - (size - 1) * dilation - 1) // stride + 1
        for n, size, stride, dilation in zip(x.shape[1:-1], sizes, strides, dilations)
    ]
    result = np.zeros((x.shape[0], *outs, *sizes, x.shape[-1]), x.dtype)
    for position in np.ndindex(*outs):
        for cell in np.ndindex(*sizes):
            source = tuple(p * s + c * d for p, c, s, d in zip(position, cell, strides, dilations))
            result[(slice(None),) + position + cell] = x[(slice(None),) + source]
    return result


@pytest.mark.parametrize(
    "spatial, sizes, strides, dilations, padding",
    [
        ((9,), (3,), (1,), (1,), "valid"),
        ((9,), (3,), (2,), (1,), "same"),
        ((9,), (2,), (1,), (3,), "causal"),
        ((7, 6), (3, 2), (2, 1), (1, 1), "same"),
        ((7, 6), (2, 2), (1, 1), (2, 1), "valid"),
        ((5, 4, 6), (2, 3, 2), (1, 2, 2), (1, 1, 1), "same"),
    ],
)
def test_windows_is_im2col(spatial, sizes, strides, dilations, padding):
    x = np.random.default_rng(1).normal(size=(2, *spatial, 3)).astype(np.float32)
    got = helpers.windows(x, sizes, strides, dilations, padding)
    np.testing.assert_array_equal(got, naive_windows(x, sizes, strides, dilations, padding))


def naive_transposed(cols, strides, dilations, padding, lengths):
    """A transposed convolution as plain loops: the adjoint of TensorFlow's convolution of
    an input of `lengths` cells (which must give back cols' cells, as TensorFlow checks)."""
    rank = len(strides)
    steps, sizes = cols.shape[1 : rank + 1], cols.shape[rank + 1 : 2 * rank + 1]
    cuts = []
    for n, length, size, stride, dilation in zip(steps, lengths, sizes, strides, dilations):
        span = (size - 1) * dilation + 1
        if padding == "same":
            assert math.ceil(length / stride) == n
            cuts.append(max((n - 1) * stride + span - length, 0) // 2)
        else:
            assert (length - span) // stride + 1 == n
            cuts.append(0)
    y = np.zeros((cols.shape[0], *lengths, cols.shape[-1]), cols.dtype)
    for position in np.ndindex(*steps):
        for cell in np.ndindex(*sizes):
            target = tuple(
                p * s + c * d - cut
                for p, c, s, d, cut in zip(position, cell, strides, dilations, cuts)
            )
            if all(0 <= t < length for t, length in zip(target, lengths)):
                y[(slice(None),) + target] += cols[(slice(None),) + position + cell]
    return y


@pytest.mark.parametrize(
    "steps, sizes, strides, dilations, padding, output_padding, lengths",
    [
        ((5,), (3,), (2,), (1,), "valid", None, (11,)),
        ((5,), (2,), (3,), (1,), "valid", None, (15,)),  # max(kernel, stride) per cell
        ((5,), (3,), (2,), (1,), "same", None, (10,)),
        ((5,), (4,), (3,), (1,), "same", (1,), (13,)),
        ((5,), (3,), (1,), (2,), "same", None, (5,)),
        ((4, 3), (3, 2), (2, 3), (1, 1), "valid", (1, 2), (10, 10)),
        ((4, 3), (3, 3), (2, 2), (1, 1), "same", (0, 1), (7, 6)),
        ((3, 2, 3), (2, 3, 1), (1, 2, 2), (1, 1, 1), "same", None, (3, 4, 6)),
    ],
)
def test_overlap_add_is_the_transposed_convolution(
    steps, sizes, strides, dilations, padding, output_padding, lengths
):
    cols = np.random.default_rng(2).normal(size=(2, *steps, *sizes, 3)).astype(np.float32)
    got = helpers.overlap_add(cols, strides, dilations, padding, output_padding)
    expected = naive_transposed(cols, strides, dilations, padding, lengths)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_depthwise_gives_each_channel_its_own_filters():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 7, 6, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 2, 3, 2)).astype(np.float32)  # (*sizes, channels, multiplier)
    cols = helpers.windows(x, (3, 2), (2, 1), (1, 2), "same")
    expected = np.einsum("bhwijc,ijcm->bhwcm", cols.astype(np.float64), kernel).reshape(2, 4, 6, 6)
    for block in (1, 7, 100, 1 << 17):  # a row at a time, rows, samples, all at once
        got = helpers.depthwise(cols, kernel, block)
        assert got.shape == (2, 4, 6, 6)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert helpers.depthwise(cols[:0], kernel).shape == (0, 4, 6, 6)


@pytest.mark.parametrize("shape, sizes", [((2, 7, 6, 3), (3, 2)), ((3, 7, 4), (3,))])
def test_depthwise_with_one_filter_per_channel_repeats_the_kernel_along_the_last_axis(shape, sizes):
    # blocks of 8 outputs: 1-D blocks of 2 steps, the last one shorter (7 steps)
    rng = np.random.default_rng(4)
    x = rng.normal(size=shape).astype(np.float32)
    kernel = rng.normal(size=sizes + (shape[-1], 1)).astype(np.float32)
    cols = helpers.windows(x, sizes, (1,) * len(sizes), (1,) * len(sizes), "same")
    letters = "hw"[: len(sizes)]
    kernel_letters = "ij"[: len(sizes)]
    expected = np.einsum(
        f"b{letters}{kernel_letters}c,{kernel_letters}cm->b{letters}cm",
        cols.astype(np.float64),
        kernel,
    ).reshape(shape)
    for block in (1, 7, 8, 100, 1 << 17):
        got = helpers.depthwise(cols, kernel, block)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_dependencies_are_read_from_the_bodies():
    calls = dependencies()
    assert calls["swish"] == {"sigmoid"}
    assert calls["mish"] == {"softplus"}
    assert calls["gelu"] == {"erf"}
    assert calls["hard_silu_keras3"] == {"hard_sigmoid_keras3"}
    assert calls["relu"] == frozenset()
    assert with_dependencies(["gelu", "relu"]) == {"gelu", "erf", "relu"}
    with pytest.raises(KeyError):
        with_dependencies(["no_such_helper"])


def test_every_activation_lstmgen_names_is_a_helper_or_numpy():
    for major in (2, 3):
        for name in activations._BY_VERSION[major]:
            call = activations.resolve(name, major, "test")
            assert call.helpers <= helper_names(), name
            assert call.func is None or call.func.startswith("np.") or call.func in helper_names()


def test_copied_source_is_the_functions_in_definition_order():
    text = helper_source(["swish", "windows"])
    namespace = {"np": np}
    exec(compile(text, "<helpers>", "exec"), namespace)
    assert [name for name in namespace if not name.startswith("__")] == [
        "np",
        "windows",
        "sigmoid",
        "swish",
    ]
    np.testing.assert_array_equal(namespace["swish"](X), helpers.swish(X))
    assert helper_source([]) == ""


def test_float64_copies_compute_in_float64():
    text = helper_source(["soft_shrink", "softplus"], "float64")
    assert "np.float32" not in text and text.count("np.float64") == 2
    namespace = {"np": np}
    exec(compile(text, "<helpers>", "exec"), namespace)
    assert namespace["soft_shrink"](X.astype(np.float64)).dtype == np.float64


def test_activation_spellings_that_cannot_be_translated_are_refused():
    from lstmgen.activation_layers import resolve_activation
    from lstmgen.errors import UnsupportedError

    def layer(class_name, module="keras.layers", **config):
        return {"module": module, "class_name": class_name, "config": config}

    leaky = resolve_activation(layer("LeakyReLU", negative_slope=0.1), 3, "here")
    assert leaky.apply("z") == "leaky_relu(z, negative_slope=0.1)"
    assert resolve_activation(layer("ELU", alpha=1.0), 2, "here").apply("z") == "elu(z)"
    inner = layer("Activation", activation="sparsemax")
    assert resolve_activation(inner, 3, "here").apply("z") == "sparsemax(z)"
    refused = [
        ("threshold", "needs threshold and default_value"),
        ("glu", "halves the last axis"),
        (layer("PReLU"), "custom activation 'PReLU'"),
        (layer("LeakyReLU", module="my_package.layers"), "custom activation"),
        (layer("ReLU", max_value=-1.0), "max_value=-1.0 must be >= 0"),
        (layer("ELU", alpha=1.0, beta=2), "option 'beta' is not supported"),
        ({"class_name": "function", "config": "my_gelu", "module": "mine"}, "'my_gelu'"),
        ({**layer("ELU"), "config": {"dtype": {"config": ["x"]}}}, "dtype policy"),
        ({**layer("ELU"), "config": {"dtype": "float16"}}, "dtype policy 'float16'"),
    ]
    for value, message in refused:
        with pytest.raises(UnsupportedError, match=message):
            resolve_activation(value, 3, "here")
