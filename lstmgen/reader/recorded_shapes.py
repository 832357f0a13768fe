"""The tensor shapes a model config states outright, for `inspect` to show past a layer
lstmgen cannot translate: Keras 3 records the shape of every tensor a functional model
passes to a layer (`__keras_tensor__`), and each layer's input shape (`build_config`),
which in a Sequential model is the shape its predecessor returns. Keras 2 configs do not.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from lstmgen.reader.model_file import Shape, TensorRef
from lstmgen.reader.normalize import NESTED_MODELS

MAX_RANK = 8  # more axes than any layer lstmgen translates: not a shape worth showing


def recorded_shapes(config: Any) -> Dict[TensorRef, Shape]:
    """Output shapes of the top-level model's own layers that its config states (layers
    of nested models are renamed when flattened: left out)."""
    body = config.get("config") if isinstance(config, dict) else None
    layers = body.get("layers") if isinstance(body, dict) else None
    if not isinstance(layers, list):
        return {}
    nested = {_name(raw) for raw in layers if _class(raw) in NESTED_MODELS}
    shapes: Dict[TensorRef, Shape] = {}
    if config.get("class_name") == "Sequential":
        for raw, following in zip(layers, layers[1:]):
            build = following.get("build_config") if isinstance(following, dict) else None
            shape = _shape(build.get("input_shape") if isinstance(build, dict) else None)
            name = _name(raw)
            if shape is not None and name is not None and name not in nested:
                shapes[TensorRef(name)] = shape
        return shapes
    for raw in layers:
        nodes = raw.get("inbound_nodes") if isinstance(raw, dict) else None
        for item in _keras_tensors(nodes):
            history = item.get("keras_history")
            shape = _shape(item.get("shape"))
            if (
                shape is not None
                and isinstance(history, list)
                and len(history) == 3
                and isinstance(history[0], str)
                and history[0] not in nested
                and all(isinstance(n, int) and not isinstance(n, bool) for n in history[1:])
            ):
                shapes[TensorRef(history[0], history[1], history[2])] = shape
    return shapes


def _keras_tensors(value: Any) -> Iterator[Dict[str, Any]]:
    """The config of every `__keras_tensor__` in a call's arguments (iteratively)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if item.get("class_name") == "__keras_tensor__":
                if isinstance(item.get("config"), dict):
                    yield item["config"]
                continue
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _shape(value: Any) -> Optional[Shape]:
    """A shape as the config lists it, or None for anything that is not one."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RANK:
        return None
    if not all(
        n is None or (isinstance(n, int) and not isinstance(n, bool) and n >= 0) for n in value
    ):
        return None
    return tuple(value)


def _class(raw: Any) -> Optional[str]:
    return raw.get("class_name") if isinstance(raw, dict) else None


def _name(raw: Any) -> Optional[str]:
    body = raw.get("config") if isinstance(raw, dict) else None
    name = body.get("name") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None
