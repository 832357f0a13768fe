"""Keras 1.x files: configs and weights rewritten into the Keras 2 form, here and only here.

Keras 1 computed everything lstmgen supports the way Keras 2 does (hard_sigmoid is
clip(0.2 x + 0.5, 0, 1), GRU applies the reset gate before the recurrent matmul), so
after this translation the layer handlers read a Keras 2 model. What differs is names
(`output_dim`, `inner_activation`, `consume_less`, `nb_filter`, ...) and weights
(LSTM/GRU gates as separate arrays, Conv1D kernels with an extra axis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from lstmgen.errors import layer_error

SEMANTICS = 2  # the Keras major version whose semantics a Keras 1 file has
MODELS = ("Sequential", "Model")
WRAPPED = "layer"  # where TimeDistributed and Bidirectional keep their layer

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
    # Keras 1 options with no Keras 2 key: the values that compute as the Keras 2 class
    # does (any other is refused); the option is then dropped.
    only: Mapping[str, Tuple[Any, ...]] = field(default_factory=dict)
    # Keras 1 option -> its value in Keras 2 form (ValueError: refused, naming the option).
    values: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    # The first Keras version whose files this translation reads right (None: any).
    since: Optional[Tuple[int, int]] = None
    since_why: str = ""


def _consume_less(value: Any) -> int:
    if not isinstance(value, str) or value not in _CONSUME_LESS:
        raise ValueError("is unknown (expected 'cpu', 'mem' or 'gpu')")
    return _CONSUME_LESS[value]


def _padding_pair(value: Any) -> Any:
    """ZeroPadding1D: Keras 1.2 also took {"left_pad": a, "right_pad": b}."""
    if isinstance(value, dict):
        if not set(value) <= {"left_pad", "right_pad"}:
            raise ValueError("has keys other than 'left_pad' and 'right_pad'")
        return [value.get("left_pad", 0), value.get("right_pad", 0)]
    return value  # an int or a pair, as in Keras 2 (the handler checks it)


_RNN_DEFAULTS = {"activation": "tanh", "inner_activation": "hard_sigmoid", "use_bias": True}
_RNN_VALUES = {"consume_less": _consume_less, "forget_bias_init": lambda value: value == "one"}
_SEQUENCE_SHAPE = ("input_length", "input_dim")
_BATCH_NORMALIZATION_SINCE = (
    "Keras 1.0.x's BatchNormalization kept a running standard deviation in early releases "
    "and a running variance in later ones, so files saved before Keras 1.1 are not read"
)

# Keras 1 class name -> its Keras 2 form. A class not listed here is refused.
TRANSLATIONS: Dict[str, Translation] = {
    "InputLayer": Translation("InputLayer", {"input_dtype": "dtype"}),
    "LSTM": Translation("LSTM", _RECURRENT, _RNN_DEFAULTS, _SEQUENCE_SHAPE, values=_RNN_VALUES),
    "GRU": Translation(
        "GRU",
        _RECURRENT,
        {**_RNN_DEFAULTS, "reset_after": False},
        _SEQUENCE_SHAPE,
        values=_RNN_VALUES,
    ),
    "SimpleRNN": Translation(
        "SimpleRNN",
        _RECURRENT,
        {"activation": "tanh", "use_bias": True},
        _SEQUENCE_SHAPE,
        values=_RNN_VALUES,
    ),
    "Dense": Translation("Dense", _DENSE, {"activation": "linear"}, ("input_dim",)),
    # Dense on 3-D input applies W to every step, as TimeDistributedDense did.
    "TimeDistributedDense": Translation("Dense", _DENSE, {"activation": "linear"}, _SEQUENCE_SHAPE),
    "Embedding": Translation("Embedding", _EMBEDDING, {}, ("input_length",)),
    "Convolution1D": Translation("Conv1D", _CONV, {"activation": "linear"}, _SEQUENCE_SHAPE),
    "AtrousConvolution1D": Translation("Conv1D", _CONV, {"activation": "linear"}, _SEQUENCE_SHAPE),
    "MaxPooling1D": Translation("MaxPooling1D", _POOL),
    "AveragePooling1D": Translation("AveragePooling1D", _POOL),
    "GlobalMaxPooling1D": Translation("GlobalMaxPooling1D"),
    "GlobalAveragePooling1D": Translation("GlobalAveragePooling1D"),
    "ZeroPadding1D": Translation(
        "ZeroPadding1D", defaults={"padding": 1}, values={"padding": _padding_pair}
    ),
    # mode 0 at inference: (x - running_mean) / sqrt(running_std + epsilon) * gamma + beta;
    # from Keras 1.1 on running_std holds the moving variance (Keras 2's moving_variance).
    "BatchNormalization": Translation(
        "BatchNormalization",
        defaults={"mode": 0, "epsilon": 1e-3, "axis": -1},
        only={"mode": (0,)},
        since=(1, 1),
        since_why=_BATCH_NORMALIZATION_SINCE,
    ),
    "LeakyReLU": Translation("LeakyReLU", defaults={"alpha": 0.3}),
    "ELU": Translation("ELU", defaults={"alpha": 1.0}),
    "ThresholdedReLU": Translation("ThresholdedReLU", defaults={"theta": 1.0}),
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

# Keras 1 classes refused with a reason of their own (any other unlisted class: the list above).
REFUSED: Dict[str, str] = {
    "Highway": "Keras 1's Highway layer (a gated Dense, removed in Keras 2) is not supported",
}

# Merge(mode=...) -> the Keras 2 merge layer of that mode.
MERGE_MODES = {
    "sum": "Add",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "concat": "Concatenate",
}


def translate_model(config: Any, version: Optional[str] = None) -> Any:
    """A Keras 1 model config ({"class_name", "config"}) in Keras 2 form; `version` is the
    file's keras_version (None: unknown)."""
    if not isinstance(config, dict):
        return config
    body = config.get("config")
    saved = _version_pair(version)
    if isinstance(body, list):  # Sequential: the bare list of its layers
        return {
            **config,
            "config": _with_input_layer(body, [_translate_entry(raw, saved) for raw in body]),
        }
    if isinstance(body, dict) and isinstance(body.get("layers"), list):
        return {
            **config,
            "config": {**body, "layers": [_translate_entry(r, saved) for r in body["layers"]]},
        }
    return config


def _version_pair(version: Optional[str]) -> Optional[Tuple[int, int]]:
    match = re.match(r"\s*(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _with_input_layer(raws: List[Any], layers: List[Any]) -> List[Any]:
    """Keras 1's Sequential made its input `<first layer>_input` from the first layer's
    batch_input_shape and input_dtype: written out as the InputLayer Keras 2 would save."""
    if (
        not layers
        or not isinstance(layers[0], dict)
        or layers[0].get("class_name")
        in (
            "InputLayer",
            *MODELS,
        )
    ):
        return layers
    config = layers[0].get("config")
    if not isinstance(config, dict) or config.get("batch_input_shape") is None:
        return layers
    dtype = raws[0]["config"].get("input_dtype") or "float32"
    shape = config["batch_input_shape"]
    name = f"{config.get('name')}_input"
    return [
        {
            "class_name": "InputLayer",
            "config": {"name": name, "batch_input_shape": shape, "dtype": dtype},
        }
    ] + layers


def _translate_entry(raw: Any, saved: Optional[Tuple[int, int]] = None) -> Any:
    """One entry of a model's layer list; malformed entries are left for normalize to refuse."""
    if not isinstance(raw, dict) or not isinstance(raw.get("config"), (dict, list)):
        return raw
    if raw.get("class_name") in MODELS:
        # Keras 1 saved a nested model's weights under its inner layers' bare names
        # ("lstm_1_W_i"), which the nested-model weight lookup cannot attribute yet.
        body = raw["config"]
        name = str(
            raw.get("name")
            or (body.get("name") if isinstance(body, dict) else None)
            or raw["class_name"]
        )
        raise layer_error(
            name, str(raw["class_name"]), "models nested in a Keras 1 model are not supported yet"
        )
    if not isinstance(raw.get("config"), dict):
        return raw
    return translate_layer(raw, saved)


def translate_layer(raw: Dict[str, Any], saved: Optional[Tuple[int, int]] = None) -> Dict[str, Any]:
    """One layer's {"class_name", "config"} in Keras 2 form (other keys kept); `saved` is
    the file's Keras (major, minor), None if unknown."""
    class_name = str(raw.get("class_name"))
    config = dict(raw["config"])
    name = str(config.get("name") or class_name)
    if class_name == "Merge":
        return {**raw, **_merge(name, config)}
    if class_name in REFUSED:
        raise layer_error(name, class_name, REFUSED[class_name])
    translation = TRANSLATIONS.get(class_name)
    if translation is None:
        raise layer_error(
            name,
            class_name,
            "this Keras 1 layer class is not supported; Keras 1 classes lstmgen reads: "
            + ", ".join(sorted([*TRANSLATIONS, "Merge"])),
        )
    if translation.since is not None and (saved is None or saved < translation.since):
        saved_by = "an unknown Keras version" if saved is None else f"Keras {saved[0]}.{saved[1]}"
        raise layer_error(name, class_name, f"saved by {saved_by}: {translation.since_why}")
    config = {**translation.defaults, **config}
    for key, accepted in translation.only.items():
        value = config.pop(key, None)
        if value not in accepted or isinstance(value, bool):
            raise layer_error(
                name,
                class_name,
                f"Keras 1 option {key}={value!r} is not supported "
                f"(supported: {' or '.join(repr(item) for item in accepted)})",
            )
    for key, convert in translation.values.items():
        if key in config:
            try:
                config[key] = convert(config[key])
            except ValueError as error:
                raise layer_error(
                    name, class_name, f"Keras 1 option {key}={config[key]!r} {error}"
                ) from None
    shape = _implied_batch_shape(config, translation.input_shape)
    if class_name != "InputLayer":
        config.pop("input_dtype", None)  # the model input's dtype, not this layer's
    renamed = {translation.renames.get(key, key): value for key, value in config.items()}
    if shape is not None and renamed.get("batch_input_shape") is None:
        renamed["batch_input_shape"] = shape
    wrapped = renamed.get(WRAPPED)
    if isinstance(wrapped, dict) and isinstance(wrapped.get("config"), dict):
        renamed[WRAPPED] = translate_layer(wrapped, saved)
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


def _merge(name: str, config: Dict[str, Any]) -> Dict[str, Any]:
    """Keras 1's Merge layer as the Keras 2 merge layer of its mode."""
    if config.get("layers"):
        raise layer_error(
            name,
            "Merge",
            "a Merge of Sequential branches (Keras 1's legacy Sequential) is not supported; "
            "rebuild the model with the functional API",
        )
    mode, mode_type = config.get("mode"), config.get("mode_type", "raw")
    if mode_type != "raw" or not isinstance(mode, str) or mode not in MERGE_MODES:
        code = mode_type in ("lambda", "function")
        raise layer_error(
            name,
            "Merge",
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
    "consume_less",
    "inner_activation",
    "input_dtype",
    "W_regularizer",
    "nb_filter",
    "pool_length",
    "border_mode",
    "dropout_W",
)
