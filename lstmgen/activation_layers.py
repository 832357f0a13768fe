"""Activation layer objects used as a layer's activation (`Dense(activation=LeakyReLU(0.1))`):
both Kerases save them as the layer's config and deserialize them as the activation
(Keras 3 through serialization_lib, tf_keras through activations.deserialize, which knows
its "advanced activation" layers). They are how a saved file carries an activation's
parameters: a slope, a threshold, an axis."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping

from lstmgen import activations
from lstmgen.activations import ActivationCall
from lstmgen.errors import UnsupportedError
from lstmgen.reader.normalize import BUILTIN_MODULE

_IGNORED = {"name", "trainable", "dtype"}


def resolve_activation(value: Any, keras_major: int, where: str) -> ActivationCall:
    """The call for activation `value` from a config: a name, or a layer object."""
    if not isinstance(value, dict):
        return activations.resolve(value, keras_major, where)
    class_name = value.get("class_name")
    module = value.get("module")
    registered = value.get("registered_name")
    reader = _READERS.get(class_name) if isinstance(class_name, str) else None
    builtin = (module is None or BUILTIN_MODULE.match(str(module))) and registered in (
        None,
        class_name,
    )
    config = value.get("config")
    if reader is None or not builtin or not isinstance(config, dict):
        shown = repr(str(value.get("config") if class_name == "function" else class_name))
        raise UnsupportedError(
            f"{where}: custom activation {shown[:80]} is not supported; supported: the "
            f"built-in names and the layers {', '.join(sorted(_READERS))}"
        )
    where = f"{where} ({class_name})"
    _check_dtype(config.get("dtype"), where)
    known = _IGNORED | set(_KEYS[class_name])
    unknown = sorted(set(config) - known)
    if unknown:
        raise UnsupportedError(f"{where}: option '{unknown[0]}' is not supported")
    return reader(config, keras_major, where)


def _number(config: Mapping[str, Any], key: str, default: Any, where: str) -> Any:
    value = config.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise UnsupportedError(f"{where}: option {key}={value!r} must be a number")
    if abs(value) == float("inf"):
        raise UnsupportedError(f"{where}: option {key}={value!r} must be finite")
    return value


def _relu(config, major, where) -> ActivationCall:
    max_value = _number(config, "max_value", None, where)
    if max_value is not None and max_value < 0:
        raise UnsupportedError(f"{where}: option max_value={max_value!r} must be >= 0")
    slope = _number(config, "negative_slope", 0.0, where)
    return activations.relu(slope, max_value, _number(config, "threshold", 0.0, where))


def _leaky_relu(config, major, where) -> ActivationCall:
    # Keras 3 names the slope negative_slope, tf_keras alpha; the layer's default is 0.3
    key = "negative_slope" if "negative_slope" in config else "alpha"
    return activations.leaky_relu(_number(config, key, 0.3, where))


def _elu(config, major, where) -> ActivationCall:
    return activations.elu(_number(config, "alpha", 1.0, where))


def _thresholded_relu(config, major, where) -> ActivationCall:
    # x * (x > theta), which is ReLU's threshold branch
    return activations.relu(0.0, None, _number(config, "theta", 1.0, where))


def _softmax(config, major, where) -> ActivationCall:
    axis = config.get("axis", -1)
    axes = axis if isinstance(axis, list) else [axis]
    if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise UnsupportedError(f"{where}: option axis={axis!r} must be an integer or a list")
    argument = [] if axes == [-1] else [f"axis={tuple(axes) if len(axes) > 1 else axes[0]!r}"]
    return activations.function(f"Softmax(axis={axis})", "softmax", *argument)


def _activation(config, major, where) -> ActivationCall:
    return resolve_activation(config.get("activation"), major, where)


def _check_dtype(dtype: Any, where: str) -> None:
    """A float32 policy (Keras 3: a DTypePolicy dict), or none."""
    inner = dtype.get("config") if isinstance(dtype, dict) else None
    name = inner.get("name") if isinstance(inner, dict) else dtype
    if name not in (None, "float32"):
        raise UnsupportedError(f"{where}: dtype policy {name!r} is not supported")


Reader = Callable[[Dict[str, Any], int, str], ActivationCall]
_READERS: Dict[str, Reader] = {
    "ReLU": _relu,
    "LeakyReLU": _leaky_relu,
    "ELU": _elu,
    "ThresholdedReLU": _thresholded_relu,
    "Softmax": _softmax,
    "Activation": _activation,
}
_KEYS = {
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "LeakyReLU": ("negative_slope", "alpha"),
    "ELU": ("alpha",),
    "ThresholdedReLU": ("theta",),
    "Softmax": ("axis",),
    "Activation": ("activation",),
}
