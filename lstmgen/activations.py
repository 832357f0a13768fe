"""Keras activation names -> the NumPy function the generated module calls.

Semantics follow the Keras major version that saved the file: Keras 2's
hard_sigmoid is clip(0.2*x + 0.5, 0, 1), Keras 3's is relu6(x + 3) / 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, FrozenSet, Optional

from lstmgen.errors import UnsupportedError


@dataclass(frozen=True)
class ActivationCall:
    """How to apply one activation: a function name (None: identity) and its helpers."""

    keras_name: str
    func: Optional[str]
    helpers: FrozenSet[str]
    semantics: Optional[str] = None  # its definition, where the other version differs

    def apply(self, expression: str) -> str:
        """The activation of `expression` as generated code: `relu(y)`, or `y` for linear."""
        return f"{self.func}({expression})" if self.func else expression


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
    },
}


# Activations whose definition depends on the version, as the header states them.
_DIFFERS = {
    ("hard_sigmoid", 2): "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)",
    ("hard_sigmoid", 3): "hard_sigmoid(x) = clip(x / 6 + 0.5, 0, 1)",
}


def resolve(value: Any, keras_major: int, where: str) -> ActivationCall:
    """The call for activation `value` (a name from the config) under Keras `keras_major`."""
    table = _BY_VERSION[keras_major]
    if value is None:
        value = "linear"
    if not isinstance(value, str):
        raise UnsupportedError(
            f"{where}: custom activation {_describe(value)} is not supported; "
            f"built-in activations are: {', '.join(sorted(table))}"
        )
    if value not in table:
        raise UnsupportedError(
            f"{where}: activation '{value}' is not supported for Keras {keras_major} files; "
            f"supported: {', '.join(sorted(table))}"
        )
    func = table[value]
    helpers = frozenset() if func is None or func.startswith("np.") else frozenset([func])
    return ActivationCall(value, func, helpers, _DIFFERS.get((value, keras_major)))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return repr(str(value.get("config") or value.get("class_name") or "?"))[:80]
    return repr(value)[:80]
