"""Keras 1.x files: configs and weights rewritten into the Keras 2 form, here and only here.

Keras 1 computed everything lstmgen supports the way Keras 2 does (hard_sigmoid is
clip(0.2 x + 0.5, 0, 1), GRU applies the reset gate before the recurrent matmul), so
after this translation the layer handlers read a Keras 2 model. What differs is names
(`output_dim`, `inner_activation`, `consume_less`, `nb_filter`, ...) and weights
(LSTM/GRU gates as separate arrays, Conv1D kernels with an extra axis).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codegen.errors import layer_error

SEMANTICS = 2  # the Keras major version whose semantics a Keras 1 file has
MODELS = ("Sequential", "Model")
_WRAPPED = "layer"  # where TimeDistributed and Bidirectional keep their layer

_RECURRENT = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "forget_bias_init": "unit_forget_bias",
    "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "b_regularizer": "bias_regularizer",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "consume_less": "implementation",
}
_DENSE = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
}
_CONV = {
    **_DENSE,
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "border_mode": "padding",
    "subsample_length": "strides",
    "atrous_rate": "dilation_rate",
}
_POOL = {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding"}
_EMBEDDING = {
    "init": "embeddings_initializer",
    "W_regularizer": "embeddings_regularizer",
    "W_constraint": "embeddings_constraint",
}
_CONSUME_LESS = {"cpu": 0, "mem": 1, "gpu": 2}


@dataclass(frozen=True)
class Translation:
    """How one Keras 1 class reads in Keras 2: its class name, renamed keys, defaults."""

    class_name: str
    renames: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # Keras 1 defaults that differ
    input_shape: Tuple[str, ...] = ()  # keys that imply the input shape, as Keras 1 built it


_RNN_DEFAULTS = {"activation": "tanh", "inner_activation": "hard_sigmoid", "use_bias": True}
_SEQUENCE_SHAPE = ("input_length", "input_dim")

# Keras 1 class name -> its Keras 2 form. A class not listed here is refused.
TRANSLATIONS: Dict[str, Translation] = {
    "InputLayer": Translation("InputLayer", {"input_dtype": "dtype"}),
    "LSTM": Translation("LSTM", _RECURRENT, _RNN_DEFAULTS, _SEQUENCE_SHAPE),
    "GRU": Translation("GRU", _RECURRENT, {**_RNN_DEFAULTS, "reset_after": False}, _SEQUENCE_SHAPE),
    "SimpleRNN": Translation("SimpleRNN", _RECURRENT, {"activation": "tanh", "use_bias": True}, _SEQUENCE_SHAPE),
    "Dense": Translation("Dense", _DENSE, {"activation": "linear"}, ("input_dim",)),
    "Embedding": Translation("Embedding", _EMBEDDING, {}, ("input_length",)),
    "Convolution1D": Translation("Conv1D", _CONV, {"activation": "linear"}, _SEQUENCE_SHAPE),
    "AtrousConvolution1D": Translation("Conv1D", _CONV, {"activation": "linear"}, _SEQUENCE_SHAPE),
    "MaxPooling1D": Translation("MaxPooling1D", _POOL),
    "AveragePooling1D": Translation("AveragePooling1D", _POOL),
    "Dropout": Translation("Dropout", {"p": "rate"}),
    "SpatialDropout1D": Translation("SpatialDropout1D", {"p": "rate"}),
    "GaussianNoise": Translation("GaussianNoise", {"sigma": "stddev"}),
    "GaussianDropout": Translation("GaussianDropout", {"p": "rate"}),
    "Activation": Translation("Activation"),
    "Flatten": Translation("Flatten"),
    "RepeatVector": Translation("RepeatVector"),
    "Masking": Translation("Masking"),
    "Reshape": Translation("Reshape"),
    "Permute": Translation("Permute"),
    "TimeDistributed": Translation("TimeDistributed"),
    "Bidirectional": Translation("Bidirectional"),
}

# Merge(mode=...) -> the Keras 2 merge layer of that mode.
MERGE_MODES = {
    "sum": "Add",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "concat": "Concatenate",
}


def translate_model(config: Any) -> Any:
    """A Keras 1 model config ({"class_name", "config"}) in Keras 2 form."""
    if not isinstance(config, dict):
        return config
    body = config.get("config")
    if isinstance(body, list):  # Sequential: the bare list of its layers
        return {**config, "config": _with_input_layer(body, [_translate_entry(raw) for raw in body])}
    if isinstance(body, dict) and isinstance(body.get("layers"), list):
        return {**config, "config": {**body, "layers": [_translate_entry(r) for r in body["layers"]]}}
    return config


def _with_input_layer(raws: List[Any], layers: List[Any]) -> List[Any]:
    """Keras 1's Sequential made its input `<first layer>_input` from the first layer's
    batch_input_shape and input_dtype: written out as the InputLayer Keras 2 would save."""
    if not layers or not isinstance(layers[0], dict) or layers[0].get("class_name") in (
        "InputLayer", *MODELS,
    ):
        return layers
    config = layers[0].get("config")
    if not isinstance(config, dict) or config.get("batch_input_shape") is None:
        return layers
    dtype = raws[0]["config"].get("input_dtype") or "float32"
    shape = config["batch_input_shape"]
    name = f"{config.get('name')}_input"
    return [{"class_name": "InputLayer", "config": {"name": name, "batch_input_shape": shape, "dtype": dtype}}] + layers


def _translate_entry(raw: Any) -> Any:
    """One entry of a model's layer list; malformed entries are left for normalize to refuse."""
    if not isinstance(raw, dict) or not isinstance(raw.get("config"), (dict, list)):
        return raw
    if raw.get("class_name") in MODELS:
        # Keras 1 saved a nested model's weights under its inner layers' bare names
        # ("lstm_1_W_i"), which the nested-model weight lookup cannot attribute yet.
        body = raw["config"]
        name = str(raw.get("name") or (body.get("name") if isinstance(body, dict) else None) or raw["class_name"])
        raise layer_error(name, str(raw["class_name"]), "models nested in a Keras 1 model are not supported yet")
    if not isinstance(raw.get("config"), dict):
        return raw
    return translate_layer(raw)


def translate_layer(raw: Dict[str, Any]) -> Dict[str, Any]:
    """One layer's {"class_name", "config"} in Keras 2 form (other keys kept)."""
    class_name = str(raw.get("class_name"))
    config = dict(raw["config"])
    name = str(config.get("name") or class_name)
    if class_name == "Merge":
        return {**raw, **_merge(name, config)}
    translation = TRANSLATIONS.get(class_name)
    if translation is None:
        raise layer_error(
            name, class_name,
            "this Keras 1 layer class is not supported; Keras 1 classes lstmgen reads: "
            + ", ".join(sorted([*TRANSLATIONS, "Merge"])),
        )
    config = {**translation.defaults, **config}
    shape = _implied_batch_shape(config, translation.input_shape)
    if class_name != "InputLayer":
        config.pop("input_dtype", None)  # the model input's dtype, not this layer's
    renamed = {translation.renames.get(key, key): value for key, value in config.items()}
    if "implementation" in renamed:
        renamed["implementation"] = _consume_less(name, class_name, renamed["implementation"])
    if "unit_forget_bias" in renamed:
        renamed["unit_forget_bias"] = renamed["unit_forget_bias"] == "one"
    if shape is not None and renamed.get("batch_input_shape") is None:
        renamed["batch_input_shape"] = shape
    wrapped = renamed.get(_WRAPPED)
    if isinstance(wrapped, dict) and isinstance(wrapped.get("config"), dict):
        renamed[_WRAPPED] = translate_layer(wrapped)
    return {**raw, "class_name": translation.class_name, "config": renamed}


def _implied_batch_shape(config: Mapping[str, Any], keys: Tuple[str, ...]) -> Optional[List[Any]]:
    """The input shape Keras 1 derived from `input_dim` / `input_length` (first layers)."""
    if not keys or config.get("batch_input_shape") is not None:
        return None
    if keys == ("input_length",):  # Embedding: the shape is just the sequence length
        return [None, config.get("input_length")]
    if config.get("input_dim") is None:
        return None
    return [None] + [config.get(key) for key in keys]


def _consume_less(name: str, class_name: str, value: Any) -> int:
    if not isinstance(value, str) or value not in _CONSUME_LESS:
        raise layer_error(
            name, class_name,
            f"Keras 1 option consume_less={value!r} is unknown (expected 'cpu', 'mem' or 'gpu')",
        )
    return _CONSUME_LESS[value]


def _merge(name: str, config: Dict[str, Any]) -> Dict[str, Any]:
    """Keras 1's Merge layer as the Keras 2 merge layer of its mode."""
    if config.get("layers"):
        raise layer_error(
            name, "Merge",
            "a Merge of Sequential branches (Keras 1's legacy Sequential) is not supported; "
            "rebuild the model with the functional API",
        )
    mode, mode_type = config.get("mode"), config.get("mode_type", "raw")
    if mode_type != "raw" or not isinstance(mode, str) or mode not in MERGE_MODES:
        code = mode_type in ("lambda", "function")
        raise layer_error(
            name, "Merge",
            f"Keras 1 option mode={'a Python function' if code else repr(mode)} is not supported "
            f"(supported: {', '.join(repr(m) for m in MERGE_MODES)})"
            + ("; lstmgen never runs code from a model file" if code else ""),
        )
    merged: Dict[str, Any] = {"name": name, "trainable": config.get("trainable", True)}
    if mode == "concat":
        merged["axis"] = config.get("concat_axis", -1)
    return {"class_name": MERGE_MODES[mode], "config": merged}


def looks_like_keras1(config_text: str) -> bool:
    """A config without a version that uses names only Keras 1 wrote."""
    return any(f'"{key}"' in config_text for key in _KERAS1_ONLY_KEYS)


_KERAS1_ONLY_KEYS = (
    "consume_less", "inner_activation", "input_dtype", "W_regularizer", "nb_filter",
    "pool_length", "border_mode", "dropout_W",
)

