"""Keras activations -> the NumPy function the generated module calls.

A config names an activation (`"relu"`; Keras 3 also `{"class_name": "function", ...}`,
which the reader turns into the name) or holds an activation layer object, which carries
parameters (`{"class_name": "LeakyReLU", "config": {"negative_slope": 0.1}}`), which
lstmgen.activation_layers reads.

Semantics follow the Keras major version that saved the file: Keras 2's hard_sigmoid is
clip(0.2*x + 0.5, 0, 1), Keras 3's is relu6(x + 3) / 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, FrozenSet, Optional, Tuple

from lstmgen.errors import UnsupportedError


@dataclass(frozen=True)
class ActivationCall:
    """How to apply one activation: a function name (None: identity), the arguments after
    the input (numbers as source text) and the helpers it needs."""

    keras_name: str
    func: Optional[str]
    helpers: FrozenSet[str]
    arguments: Tuple[str, ...] = ()
    semantics: Optional[str] = None  # its definition, where the other version differs

    def apply(self, expression: str) -> str:
        """The activation of `expression` as generated code: `relu(y)`, or `y` for linear."""
        return (
            f"{self.func}({', '.join((expression,) + self.arguments)})" if self.func else expression
        )


# Keras name -> helper (or NumPy function), for each major version that has the name.
_COMMON = {
    "linear": None,
    "relu": "relu",
    "relu6": "relu6",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "sigmoid": "sigmoid",
    "tanh": "np.tanh",
    "softsign": "softsign",
    "softplus": "softplus",
    "swish": "swish",
    "silu": "swish",
    "mish": "mish",
    "exponential": "np.exp",
    "softmax": "softmax",
    "log_softmax": "log_softmax",
    "leaky_relu": "leaky_relu",  # the function's default slope is 0.2 in both versions
}
_BY_VERSION = {
    2: {**_COMMON, "hard_sigmoid": "hard_sigmoid_keras2"},
    3: {
        **_COMMON,
        "hard_sigmoid": "hard_sigmoid_keras3",
        "hard_silu": "hard_silu_keras3",
        "hard_swish": "hard_silu_keras3",
        "celu": "celu",
        "hard_tanh": "hard_tanh",
        "tanh_shrink": "tanh_shrink",
        "log_sigmoid": "log_sigmoid",
        "soft_shrink": "soft_shrink",
        "hard_shrink": "hard_shrink",
        "squareplus": "squareplus",
        "sparse_plus": "sparse_plus",
        "sparse_sigmoid": "sparse_sigmoid",
        "sparsemax": "sparsemax",
    },
}
# Names Keras 3 deserializes but that no model can run as they are saved.
_UNUSABLE = {
    "threshold": "it needs threshold and default_value, which a saved name cannot carry "
    "(Keras fails calling it)",
    "glu": "it halves the last axis while the layer declares its input's shape",
}


# Activations whose definition depends on the version, as the header states them.
_DIFFERS = {
    ("hard_sigmoid", 2): "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)",
    ("hard_sigmoid", 3): "hard_sigmoid(x) = clip(x / 6 + 0.5, 0, 1)",
}


def resolve(value: Any, keras_major: int, where: str) -> ActivationCall:
    """The call for the activation named `value` under Keras `keras_major` (an activation
    layer object is lstmgen.activation_layers's)."""
    table = _BY_VERSION[keras_major]
    if value is None:
        value = "linear"
    if not isinstance(value, str):
        raise UnsupportedError(f"{where}: custom activation {repr(value)[:80]} is not supported")
    if keras_major >= 3 and value in _UNUSABLE:
        raise UnsupportedError(
            f"{where}: activation '{value}' is not supported: {_UNUSABLE[value]}"
        )
    if value not in table:
        raise UnsupportedError(
            f"{where}: activation '{value}' is not supported for Keras {keras_major} files; "
            f"supported: {', '.join(sorted(table))}"
        )
    return function(value, table[value], semantics=_DIFFERS.get((value, keras_major)))


def function(
    keras_name: str, func: Optional[str], *arguments: str, semantics: Optional[str] = None
) -> ActivationCall:
    """The call of `func` (a helper, an `np.` function, or None for the identity), with
    its definition where the Keras versions differ (`semantics`, for the header)."""
    helpers = frozenset() if func is None or func.startswith("np.") else frozenset([func])
    return ActivationCall(keras_name, func, helpers, tuple(arguments), semantics)


def relu(negative_slope: float, max_value: Optional[float], threshold: float) -> ActivationCall:
    """Keras's ReLU with its options (the ReLU layer, or relu() with arguments)."""
    name = f"ReLU(negative_slope={negative_slope}, max_value={max_value}, threshold={threshold})"
    if negative_slope == 0 and threshold == 0 and max_value in (None, 6):
        return function(name, "relu" if max_value is None else "relu6")
    arguments = (
        f"negative_slope={float(negative_slope)!r}",
        f"max_value={max_value if max_value is None else float(max_value)!r}",
        f"threshold={float(threshold)!r}",
    )
    return function(name, "relu_with_options", *arguments)


def leaky_relu(negative_slope: float) -> ActivationCall:
    """x if x > 0 else negative_slope * x."""
    slope = f"negative_slope={float(negative_slope)!r}"
    return function(f"LeakyReLU({negative_slope})", "leaky_relu", slope)


def elu(alpha: float) -> ActivationCall:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    if alpha == 1:
        return function("elu", "elu")
    return function(f"ELU(alpha={alpha})", "elu", f"alpha={float(alpha)!r}")
