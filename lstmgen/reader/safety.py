"""The whole model config searched for what would make Keras run code from the file.

Keras's `load_model` rebuilds every layer in the config, whether or not it feeds the
outputs: a Lambda's marshalled bytecode is run, a `module` is imported, a registered
custom object is looked up. This module finds all of those with plain JSON walking (no
Keras), at any depth: nested models, wrapped layers, RNN cells, activation dicts, any
dict with "class_name", "module" or "registered_name".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from lstmgen.errors import UnsupportedError
from lstmgen.reader.normalize import BUILTIN_MODULE

# Built-in Keras layers whose config carries code (bytecode, a function to import, a
# pickled module) that Keras runs or loads while rebuilding the layer.
CODE_CLASSES = frozenset(
    {"Lambda", "TFOpLambda", "SlicingOpLambda", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}
)
# Keys under which a config holds layers: a model's list, a wrapper's inner layer(s),
# an RNN's cell, StackedRNNCells's cells.
LAYER_KEYS = frozenset({"layers", "layer", "forward_layer", "backward_layer", "cell", "cells"})
NEVER_RUNS = "lstmgen never runs code from a model file"
MAX_OBJECTS = 10_000_000  # a bound on the walk; a config this size is not a model


@dataclass(frozen=True)
class LayerEntry:
    """A layer (or the file's model itself) found anywhere in the config."""

    name: str  # 'outer/inner' for layers inside nested models and wrappers
    class_name: str
    module: Optional[str]
    kind: str = "layer"  # "model": the file's own model, whose layers it names

    @property
    def prefix(self) -> str:
        return "" if self.kind == "model" else f"{self.name}/"

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}' ({self.class_name})"


def refuse_code(config: Any) -> None:
    """Raise an UnsupportedError naming the layer if anything in `config` would make
    Keras run code from the file or import a module outside Keras."""
    for owner, key, item in _objects(config):
        problem = _code_in(item, key is None)
        if problem:
            where = "the model config" if owner is None else owner.label
            raise UnsupportedError(
                f"{where}: {'it is' if key is None else f'its {key!r} is'} {problem}; {NEVER_RUNS}"
            )


def code_layers(config: Any) -> Dict[str, str]:
    """Layer name -> why Keras would run code for it, for every such layer (Lambda, custom
    classes) at any depth."""
    found: Dict[str, str] = {}
    for owner, key, item in _objects(config):
        problem = _code_in(item, True) if key is None and owner is not None else None
        if problem and owner.kind == "layer":
            found.setdefault(owner.name, problem)
    return found


def every_layer(config: Any) -> List[LayerEntry]:
    """Every layer in the config, connected to the outputs or not, at any depth."""
    return [
        owner
        for owner, key, _ in _objects(config)
        if key is None and owner is not None and owner.kind == "layer"
    ]


def _code_in(item: Dict[Any, Any], is_layer: bool) -> Optional[str]:
    """What in this one dict would run code or import a module, or None."""
    class_name = item.get("class_name")
    class_name = class_name if isinstance(class_name, str) else None  # a hostile file's list
    module = item.get("module")
    registered = item.get("registered_name")
    if class_name in CODE_CLASSES:
        return (
            f"a {class_name} layer, which holds Python code Keras would run when loading the file"
        )
    if class_name == "__lambda__" or any(
        str(key).endswith("_type") and value == "lambda" for key, value in item.items()
    ):
        return "a Python lambda (marshalled bytecode), which Keras would run"
    if module is not None and not (isinstance(module, str) and BUILTIN_MODULE.match(module)):
        what = "a function" if class_name == "function" else "an object"
        what = "a custom layer class" if is_layer else what
        return f"{what} from module {_short(module)}, which Keras would import"
    if class_name == "function" and not (module and isinstance(item.get("config"), str)):
        return "a function Keras would look up outside its own modules"
    if registered is not None and not (
        isinstance(registered, str)
        and ">" not in registered
        and (registered == class_name or not is_layer)
    ):
        what = "a custom layer class" if is_layer else "a custom object"
        return f"{what} registered as {_short(registered)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


Pending = Tuple[Any, Optional[LayerEntry], Optional[str], bool]


def _objects(config: Any) -> Iterator[Tuple[Optional[LayerEntry], Optional[str], Dict[Any, Any]]]:
    """(innermost layer around it, the key of that layer's config it sits under, dict)
    for every dict in the config; the key is None for a layer's own dict. Iterative, so
    that a deeply nested hostile config cannot exhaust the stack."""
    # (value, innermost layer, key under that layer's config, whether it is a layer slot)
    pending: List[Pending] = [(config, None, None, True)]
    seen = 0
    while pending:
        value, owner, key, slot = pending.pop()
        seen += 1
        if seen > MAX_OBJECTS:
            raise UnsupportedError("the model config is implausibly large")
        if isinstance(value, list):
            pending.extend((item, owner, key, slot) for item in reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        class_name = value.get("class_name")
        if not (slot and isinstance(class_name, str)):
            yield owner, key or "config", value
            pending.extend(
                (item, owner, key or str(k), str(k) in LAYER_KEYS)
                for k, item in reversed(list(value.items()))
            )
            continue
        body = value.get("config")
        name = body.get("name") if isinstance(body, dict) else None
        module = value.get("module") if isinstance(value.get("module"), str) else None
        if owner is None:
            layer = LayerEntry(str(name or "model"), class_name, module, kind="model")
        else:
            layer = LayerEntry(owner.prefix + str(name or class_name.lower()), class_name, module)
        yield layer, None, value
        children: List[Pending] = []
        if isinstance(body, list):  # Keras 2.0-2.2 stored a Sequential as its layer list
            children.append((body, layer, "layers", True))
        elif isinstance(body, dict):
            yield layer, "config", body
            children.extend((item, layer, str(k), str(k) in LAYER_KEYS) for k, item in body.items())
        # The file's own compile_config is never read: lstmgen's Keras loads with
        # compile=False, which drops it (a nested model's would be compiled: searched).
        skip = ("config", "compile_config") if owner is None else ("config",)
        children.extend((item, layer, str(k), False) for k, item in value.items() if k not in skip)
        pending.extend(reversed(children))
