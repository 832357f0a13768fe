"""Every difference between Keras versions' configs is absorbed here, and only here."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lstmgen.errors import LstmgenError, LstmgenWarning, UnsupportedError
import lstmgen.reader.keras1 as keras1
import lstmgen.reader.limits as limits
from lstmgen.reader.layer_order import keras_layer_order
from lstmgen.reader.model_file import CallSpec, LayerSpec, ModelInput, ModelSpec, Shape, TensorRef

# Keys that hold a function (an activation) serialized by name.
_FUNCTION_KEYS = ("activation", "recurrent_activation")
# No real model has a fixed dimension this large; a file claiming one is broken.
MAX_DIMENSION = 1 << 24
MAX_CALL_INPUTS = 256  # tensors into one layer call (a merge of 10,000 does not even compile)
# Keys under which wrapper layers keep the config of the layer they wrap.
_NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell")
# Modules that built-in Keras objects are serialized from (Keras 3 and tf_keras .keras).
BUILTIN_MODULE = re.compile(r"^(keras|tf_keras|tensorflow\.keras)(\.|$)")
# Model classes that may appear as layers of another model (flattened by nesting.py).
NESTED_MODELS = ("Sequential", "Functional", "Model")
# Input dtypes lstmgen feeds: floats, and integers (token ids); bool is fed as floats.
INPUT_DTYPES = frozenset(
    ["float16", "bfloat16", "float32", "float64", "bool"]
    + [f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)]
)


def keras_major_version(version: Optional[str], config: Mapping[str, Any]) -> int:
    """The Keras major version that saved the file: 1, 2 or 3 (semantics depend on it)."""
    match = re.match(r"\s*(\d+)\.", version or "")
    if match is None:
        # No usable version: Keras 3 configs carry "module" keys and DTypePolicy dicts.
        text = _compact(config)
        major = 3 if '"module": "keras"' in text else 1 if keras1.looks_like_keras1(text) else 2
        warnings.warn(
            LstmgenWarning(f"the file does not say which Keras saved it; assuming Keras {major}")
        )
        return major
    major = int(match.group(1))
    if major > 3:
        warnings.warn(
            LstmgenWarning(f"Keras {version} is newer than lstmgen knows; reading it as Keras 3")
        )
        return 3
    return major


def parse_flat_config(
    config: Any, keras_major: int = 3, keras_version: Optional[str] = None
) -> ModelSpec:
    """Turn a model's JSON config (any Keras 1.x, 2.x or 3.x) into a ModelSpec whose
    nested models are still single layers (lstmgen.reader.nesting flattens them). Keras 1
    configs are first rewritten in Keras 2 form (`keras_version`, the file's, decides what
    some Keras 1.0.x layers meant)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise LstmgenError("the model config is not a Keras model (no 'class_name')")
    if keras_major == 1:
        config, keras_major = keras1.translate_model(config, keras_version), keras1.SEMANTICS
    model_class = _text_field(config, "class_name", "model")
    body = config.get("config")
    if model_class == "Sequential":
        return _sequential(body, keras_major)
    if model_class in ("Functional", "Model"):
        return _functional(body, model_class)
    raise UnsupportedError(
        f"model class '{model_class}' is not supported: only Sequential and functional models"
    )


def first_node(layer: LayerSpec, keras_major: int) -> int:
    """A nested model's calls are numbered from 1 (its own first call is not saved):
    functional models in both versions, Sequential ones with an InputLayer in Keras 2."""
    if layer.class_name not in NESTED_MODELS:
        return 0
    if layer.class_name != "Sequential":
        return 1
    if keras_major != 2:
        return 0
    body = layer.config
    raws = body.get("layers") if isinstance(body, dict) else body
    first = raws[0] if isinstance(raws, list) and raws else {}
    return 1 if isinstance(first, dict) and first.get("class_name") == "InputLayer" else 0


def _sequential(body: Any, keras_major: int) -> ModelSpec:
    # Keras 2.0-2.2 stored a Sequential's config as the bare list of its layers.
    raw_layers = (
        body if isinstance(body, list) else body.get("layers") if isinstance(body, dict) else None
    )
    if not isinstance(raw_layers, list):
        raise LstmgenError("the Sequential model config has no list of layers")
    name = body.get("name", "sequential") if isinstance(body, dict) else "sequential"
    _check_layer_count(raw_layers)
    specs = _with_paths([_layer_spec(raw, index) for index, raw in enumerate(raw_layers)])
    if not specs:
        raise LstmgenError("the model has no layers")
    if specs[0].class_name == "InputLayer":
        first = specs.pop(0)
        model_input = ModelInput(first.name, _required_shape(first), _input_dtype(first))
    else:
        # No InputLayer: Keras 2 named the implicit one after the first layer.
        first = specs[0]
        shape = _batch_shape(first.config)
        if shape is None and isinstance(body, dict):
            shape = _shape(body.get("build_input_shape"))
        if shape is None:
            raise LstmgenError(
                "the model does not record its input shape (it was saved before being built)"
            )
        model_input = ModelInput(f"{first.name}_input", shape, _input_dtype(first))
    if not specs:
        raise LstmgenError("the model has no layers besides its input")
    previous = TensorRef(model_input.name)
    layers = []
    for spec in specs:
        layers.append(replace(spec, calls=(CallSpec((previous,)),)))
        # Keras 2 counts a nested model's own first call: its calls here start at 1.
        previous = TensorRef(spec.name, first_node(spec, keras_major))
    return ModelSpec(
        model_class="Sequential",
        name=bounded_name(str(name), "the model's name"),
        inputs=(model_input,),
        outputs=(previous,),
        layers=tuple(layers),
    )


def _functional(body: Any, model_class: str) -> ModelSpec:
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise LstmgenError("the functional model config has no list of layers")
    layers, inputs = [], {}
    raws = body["layers"]
    _check_layer_count(raws)
    specs = _with_paths([_layer_spec(raw, index) for index, raw in enumerate(raws)])
    if len({spec.name for spec in specs}) != len(specs):
        raise LstmgenError("the model config names two layers alike")
    for raw, spec in zip(raws, specs):
        if spec.class_name == "InputLayer":
            inputs[spec.name] = ModelInput(spec.name, _required_shape(spec), _input_dtype(spec))
            continue
        nodes = raw.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise LstmgenError(f"layer '{spec.name}' ({spec.class_name}): invalid inbound_nodes")
        calls = tuple(_call_inputs(node, spec) for node in nodes)
        layers.append(replace(spec, calls=calls))
    input_refs = _refs(body.get("input_layers"), "input_layers")
    missing = [ref.layer for ref in input_refs if ref.layer not in inputs]
    if missing:
        raise UnsupportedError(f"model input(s) {missing} are not InputLayers of this model")
    outputs = _refs(body.get("output_layers"), "output_layers")
    if not outputs:
        raise LstmgenError("the model has no outputs")
    layers = _with_keras_paths(list(inputs), outputs, specs, layers)
    for what, refs, cap in (
        ("inputs", input_refs, limits.MAX_INPUTS),
        ("outputs", outputs, limits.MAX_OUTPUTS),
    ):
        if len(refs) > cap:
            raise LstmgenError(
                f"the model has {len(refs)} {what}, more than the {cap} lstmgen accepts"
            )
    return ModelSpec(
        model_class=model_class,
        name=bounded_name(str(body.get("name") or "model"), "the model's name"),
        inputs=tuple(inputs[ref.layer] for ref in input_refs),
        outputs=outputs,
        layers=tuple(layers),
    )


def _with_paths(specs: List[LayerSpec]) -> List[LayerSpec]:
    """Where each layer's weights live: by name in HDF5, by class counter in .keras."""
    paths = container_paths([spec.class_name for spec in specs])
    return [
        replace(spec, keras_path=path, h5_path=(spec.name,)) for spec, path in zip(specs, paths)
    ]


def _with_keras_paths(inputs, outputs, specs: List[LayerSpec], layers: List[LayerSpec]):
    """The layers, checked against the order Keras derives from the graph
    (lstmgen.reader.layer_order) to find each layer's .keras weights (counted per class).
    Keras writes the config's list in that order, so the two agree in every file Keras
    saved; where they would give a layer another's weights, the list was edited (or the
    derivation misses a case): refused, never guessed."""
    order = keras_layer_order(inputs, outputs, layers)
    classes = {spec.name: spec.class_name for spec in specs}
    if order is None or not set(order) <= set(classes):
        return layers
    # Layers the walk did not reach but another layer calls feed only what lstmgen does not
    # follow (Keras 3's mask operations). Should one share a class with a layer reached,
    # Keras might count it: then the list's order, as Keras wrote it, is kept.
    called = {ref.layer for layer in layers for call in layer.calls for ref in call.inputs}
    unreached = {classes[n] for n in called if n in classes and n not in order}
    if unreached & {classes[n] for n in order}:
        return layers
    paths = dict(zip(order, container_paths([classes[name] for name in order])))
    for layer in layers:
        if layer.name in paths and paths[layer.name] != layer.keras_path:
            raise LstmgenError(
                f"layer '{layer.name}' ({layer.class_name}): the config lists the layers in "
                "another order than Keras derives from the graph, so Keras would load it "
                f"with the weights at '{paths[layer.name]}', not '{layer.keras_path}'; "
                "Keras writes the list in graph order: was the config edited?"
            )
    return layers


def _refs(value: Any, what: str) -> Tuple[TensorRef, ...]:
    """[["name", 0, 0], ...] or, in Keras 3 for a single tensor, ["name", 0, 0]."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        value = [value]
    if not isinstance(value, list):
        raise LstmgenError(f"the model config's {what} is not a list")
    return tuple(_ref(item, what) for item in value)


def _ref(item: Any, what: str) -> TensorRef:
    if (
        isinstance(item, (list, tuple))
        and len(item) >= 3
        and isinstance(item[0], str)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in item[1:3])
    ):
        return TensorRef(item[0], item[1], item[2])
    raise LstmgenError(f"the model config has an invalid tensor reference in {what}: {item!r}")


def _call_inputs(node: Any, spec: LayerSpec) -> CallSpec:
    """One call's tensors (positional ones flattened; keyword ones by keyword), its other
    arguments, and the masks Keras 3 recorded.

    Keras 3 records a propagated mask as a `mask=` tensor computed by operation layers
    (NotEqual, Any); lstmgen propagates masks itself and only notes that one was there.
    """
    where = f"layer '{spec.name}' ({spec.class_name})"
    args = node.get("args") or [] if isinstance(node, dict) else []
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        tensors = list(_keras3_tensors(args, where))
        kwargs = node.get("kwargs") or {}
        if not isinstance(kwargs, dict) or not isinstance(args, list):
            raise LstmgenError(f"{where}: invalid call arguments {node!r}"[:200])
    elif isinstance(node, list):  # Keras 2: [["name", node, index, {kwargs}], ...]
        tensors, kwargs = [], {}
        for entry in node:
            if isinstance(entry, list) and entry and isinstance(entry[0], list):
                tensors.extend(_keras2_tensors(entry, where))  # nested, e.g. a cell's states
                continue
            tensors.append(_ref(entry, where))
            if isinstance(entry, list) and len(entry) > 3 and isinstance(entry[3], dict):
                kwargs.update(entry[3])
    else:
        raise LstmgenError(f"{where}: invalid inbound node {node!r}"[:200])
    find = _keras3_tensors if isinstance(node, dict) else _keras2_tensors
    if not isinstance(node, dict) and list(find(kwargs.get("mask"), where)):
        # Keras 2 records only masks given explicitly; lstmgen computes masks itself.
        raise UnsupportedError(
            f"{where}: a mask tensor passed explicitly with 'mask=' is not supported "
            "(masks from Masking or Embedding(mask_zero=True) are)"
        )
    options, keywords = {}, []
    for key, value in kwargs.items():
        refs = tuple(find(value, where))
        if not refs and key not in ("mask", "training"):
            options[key] = value  # e.g. use_causal_mask, return_attention_scores
        elif refs and key != "mask":
            keywords.append((key, refs))
    count = len(tensors) + sum(len(refs) for _, refs in keywords)
    if not count:
        raise LstmgenError(f"{where}: a call of the layer has no inputs")
    if count > MAX_CALL_INPUTS:
        raise UnsupportedError(
            f"{where}: a call of the layer has {count} input tensors, more than the "
            f"{MAX_CALL_INPUTS} lstmgen accepts (no real model merges that many)"
        )
    if not isinstance(node, dict):
        return CallSpec(tuple(tensors), tuple(keywords), options)
    # Keras 3 passes a propagated mask to a call by the number of its tensor arguments
    # (a list counts as one), and an explicit mask= always.
    arguments = [a for a in node.get("args") or [] if list(find(a, where))]
    arguments += [v for k, v in kwargs.items() if k != "mask" and list(find(v, where))]
    mask_given = bool(list(find(kwargs.get("mask"), where)))
    return CallSpec(tuple(tensors), tuple(keywords), options, mask_given, len(arguments))


def _keras3_tensors(value: Any, where: str):
    """Every __keras_tensor__ in a nested Keras 3 argument structure, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            config = value.get("config")
            yield _ref(config.get("keras_history") if isinstance(config, dict) else None, where)
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _keras3_tensors(item, where)


def _keras2_tensors(value: Any, where: str):
    """Tensor references ["name", node, index] nested in a Keras 2 kwargs value."""
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        yield _ref(value, where)
    elif isinstance(value, list):
        for item in value:
            yield from _keras2_tensors(item, where)


def _required_shape(spec: LayerSpec) -> Shape:
    shape = _batch_shape(spec.config)
    if shape is None:
        raise LstmgenError(f"input '{spec.name}' does not record its shape")
    return shape


def _input_dtype(spec: LayerSpec) -> str:
    dtype = spec.config.get("dtype") or "float32"
    if dtype not in INPUT_DTYPES:
        raise UnsupportedError(
            f"input '{spec.name}': dtype {dtype!r} is not supported "
            f"(supported: {', '.join(sorted(INPUT_DTYPES))})"
        )
    return dtype


def _check_layer_count(raws: List[Any]) -> None:
    """Refuse a config with more layers or calls than MAX_LAYER_CALLS, before reading them."""
    calls = 0
    for raw in raws:
        nodes = raw.get("inbound_nodes") if isinstance(raw, dict) else None
        calls += max(1, len(nodes) if isinstance(nodes, list) else 0)
    if calls > limits.MAX_LAYER_CALLS:
        raise LstmgenError(
            f"the model config has {len(raws)} layers called {calls} times, more than the "
            f"{limits.MAX_LAYER_CALLS} layer calls lstmgen accepts"
        )


def bounded_name(name: str, what: str) -> str:
    """`name`, if it is at most MAX_NAME_LENGTH characters long."""
    if len(name) > limits.MAX_NAME_LENGTH:
        raise LstmgenError(
            f"{what} is {len(name)} characters long ({name[:40]!r}...), more than the "
            f"{limits.MAX_NAME_LENGTH} lstmgen accepts"
        )
    return name


def _layer_spec(raw: Any, index: int) -> LayerSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("config"), dict):
        raise LstmgenError(f"layer #{index} of the model config is not a layer")
    class_name = _text_field(raw, "class_name", f"layer #{index}")
    config = dict(raw["config"])
    name = bounded_name(
        str(config.get("name") or f"{class_name.lower()}_{index}"), f"the name of layer #{index}"
    )
    # A custom class (a foreign `module`, a `registered_name`) is read like any unknown
    # class: `inspect` shows it; generating and verifying refuse it (lstmgen.reader.safety).
    config["name"] = name
    return LayerSpec(name=name, class_name=class_name, config=_normalize_config(config))


def _normalize_config(config: Dict[str, Any]) -> Dict[str, Any]:
    """dtype policies to names, serialized activations to names, nested layers too."""
    config = dict(config)
    config["dtype"] = _dtype_name(config.get("dtype"))
    for key in _FUNCTION_KEYS:
        if key in config:
            config[key] = _function_name(config[key])
    for key in _NESTED_LAYER_KEYS:
        if key in config:
            config[key] = _nested_layer(config[key])
    if isinstance(config.get("cells"), list):  # StackedRNNCells
        config["cells"] = [_nested_layer(cell) for cell in config["cells"]]
    return config


def _nested_layer(inner: Any) -> Any:
    """A layer config inside another (wrapped layer, RNN cell), normalized like any layer."""
    if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
        spec = _layer_spec(inner, 0)
        return {"class_name": spec.class_name, "config": spec.config}
    return inner


def _function_name(value: Any) -> Any:
    """'tanh' stays 'tanh'; Keras 3's {"class_name": "function", "config": "tanh"} too."""
    if isinstance(value, dict) and value.get("class_name") == "function":
        module = str(value.get("module") or "keras.activations")
        if BUILTIN_MODULE.match(module) and isinstance(value.get("config"), str):
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
        item is None
        or (isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= MAX_DIMENSION)
        for item in value
    ):
        raise LstmgenError(
            f"the model config has an invalid shape: {value!r} (each dimension a whole "
            f"number from 1 to {MAX_DIMENSION}, or null)"
        )
    return tuple(value)


def _text_field(raw: Dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise LstmgenError(f"{where} of the model config has no valid '{key}'")
    return bounded_name(value, f"the '{key}' of {where}")


def _compact(config: Mapping[str, Any]) -> str:
    return json.dumps(config, separators=(", ", ": "))


# Keras 3 names a layer's weight group after its Python class, which a few public names
# (the file's class_name) spell otherwise.
PYTHON_CLASS_NAMES = {"GroupQueryAttention": "GroupedQueryAttention"}


def snake_case(class_name: str) -> str:
    """Keras 3's naming of a layer's weight group in model.weights.h5."""
    name = re.sub(r"\W+", "", PYTHON_CLASS_NAMES.get(class_name, class_name))
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def container_paths(class_names: List[str], folder: str = "layers/") -> List[str]:
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
        paths.append(f"{folder}{name}")
    return paths
