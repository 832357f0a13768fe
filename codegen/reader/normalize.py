"""Every difference between Keras versions' configs is absorbed here, and only here."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codegen.errors import LstmgenError, UnsupportedError
from codegen.reader.saved_model import Shape

# Keys that hold a function (an activation) serialized by name.
_FUNCTION_KEYS = ("activation", "recurrent_activation")
# Modules that built-in Keras objects are serialized from (Keras 3 and tf_keras .keras).
_BUILTIN_MODULE = re.compile(r"^(keras|tf_keras|tensorflow\.keras)(\.|$)")


class LstmgenWarning(UserWarning):
    """Something the user should know; generation still succeeds."""


@dataclass(frozen=True)
class LayerSpec:
    """A layer's identity and normalized config, before weights are attached."""

    name: str
    class_name: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class ModelSpec:
    """The parts of a model config that lstmgen reads."""

    model_class: str
    name: str
    input_name: str
    input_shape: Shape
    input_dtype: str
    layers: Tuple[LayerSpec, ...]


def keras_major_version(version: Optional[str], config: Mapping[str, Any]) -> int:
    """The Keras major version that saved the file: 2 or 3 (semantics depend on it)."""
    match = re.match(r"\s*(\d+)\.", version or "")
    if match is None:
        # No usable version: Keras 3 configs carry "module" keys and DTypePolicy dicts.
        major = 3 if '"module": "keras"' in _compact(config) else 2
        warnings.warn(
            LstmgenWarning(f"the file does not say which Keras saved it; assuming Keras {major}")
        )
        return major
    major = int(match.group(1))
    if major == 1:
        raise UnsupportedError(
            f"the file was saved by Keras {version}; Keras 1 files are not supported yet"
        )
    if major > 3:
        warnings.warn(
            LstmgenWarning(f"Keras {version} is newer than lstmgen knows; reading it as Keras 3")
        )
        return 3
    return major


def parse_model_config(config: Any) -> ModelSpec:
    """Turn a model's JSON config (any Keras 2.x or 3.x) into a ModelSpec."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise LstmgenError("the model config is not a Keras model (no 'class_name')")
    model_class = _text_field(config, "class_name", "model")
    if model_class != "Sequential":
        raise UnsupportedError(
            f"model class '{model_class}' is not supported yet: only Sequential models are"
        )
    body = config.get("config")
    # Keras 2.0-2.2 stored a Sequential's config as the bare list of its layers.
    raw_layers = body if isinstance(body, list) else (body or {}).get("layers")
    if not isinstance(raw_layers, list):
        raise LstmgenError("the Sequential model config has no list of layers")
    name = body.get("name", "sequential") if isinstance(body, dict) else "sequential"
    layers = [_layer_spec(raw, index) for index, raw in enumerate(raw_layers)]
    if not layers:
        raise LstmgenError("the model has no layers")
    if layers[0].class_name == "InputLayer":
        first, layers = layers[0], layers[1:]
        input_name = first.name
        input_shape = _batch_shape(first.config)
        input_dtype = first.config.get("dtype") or "float32"
    else:
        first = layers[0]
        input_name = f"{first.name}_input"
        input_shape = _batch_shape(first.config)
        if input_shape is None and isinstance(body, dict):
            input_shape = _shape(body.get("build_input_shape"))
        input_dtype = first.config.get("dtype") or "float32"
    if input_shape is None:
        raise LstmgenError(
            "the model does not record its input shape (it was saved before being built)"
        )
    if not layers:
        raise LstmgenError("the model has no layers besides its input")
    return ModelSpec(
        model_class=model_class,
        name=str(name),
        input_name=input_name,
        input_shape=input_shape,
        input_dtype=str(input_dtype),
        layers=tuple(layers),
    )


def _layer_spec(raw: Any, index: int) -> LayerSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("config"), dict):
        raise LstmgenError(f"layer #{index} of the model config is not a layer")
    class_name = _text_field(raw, "class_name", f"layer #{index}")
    config = dict(raw["config"])
    name = str(config.get("name") or f"{class_name.lower()}_{index}")
    module = raw.get("module")
    registered = raw.get("registered_name")
    if (module is not None and not _BUILTIN_MODULE.match(str(module))) or (
        registered not in (None, class_name)
    ):
        raise UnsupportedError(
            f"layer '{name}' ({class_name}): custom layer class from module "
            f"'{module or registered}'; lstmgen never runs code from a model file"
        )
    config["name"] = name
    config["dtype"] = _dtype_name(config.get("dtype"))
    for key in _FUNCTION_KEYS:
        if key in config:
            config[key] = _function_name(config[key])
    return LayerSpec(name=name, class_name=class_name, config=config)


def _function_name(value: Any) -> Any:
    """'tanh' stays 'tanh'; Keras 3's {"class_name": "function", "config": "tanh"} too."""
    if isinstance(value, dict) and value.get("class_name") == "function":
        module = str(value.get("module") or "keras.activations")
        if _BUILTIN_MODULE.match(module) and isinstance(value.get("config"), str):
            return value["config"]
    return value


def _dtype_name(value: Any) -> Optional[str]:
    """'float32', or the name inside a Keras 3 DTypePolicy dict."""
    if isinstance(value, dict):
        inner = value.get("config")
        return str(inner.get("name")) if isinstance(inner, dict) else None
    return None if value is None else str(value)


def _batch_shape(config: Mapping[str, Any]) -> Optional[Shape]:
    for key in ("batch_input_shape", "batch_shape"):
        if config.get(key) is not None:
            return _shape(config[key])
    if config.get("input_shape") is not None:
        return (None,) + _shape(config["input_shape"])
    return None


def _shape(value: Any) -> Optional[Shape]:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(
        item is None or (isinstance(item, int) and not isinstance(item, bool) and item >= 0)
        for item in value
    ):
        raise LstmgenError(f"the model config has an invalid shape: {value!r}")
    return tuple(value)


def _text_field(raw: Dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise LstmgenError(f"{where} of the model config has no valid '{key}'")
    return value


def _compact(config: Mapping[str, Any]) -> str:
    return json.dumps(config, separators=(", ", ": "))


def snake_case(class_name: str) -> str:
    """Keras 3's naming of a layer's weight group in model.weights.h5."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def container_paths(class_names: List[str]) -> List[str]:
    """`layers/<snake_case>[_k]` for each layer, counted per class as Keras 3 does."""
    used: Dict[str, int] = {}
    paths = []
    for class_name in class_names:
        name = snake_case(class_name)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(f"layers/{name}")
    return paths
