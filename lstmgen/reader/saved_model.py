"""What the reader hands on: one model file, every Keras version difference absorbed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

import numpy as np

Shape = Tuple[Optional[int], ...]


@dataclass(frozen=True)
class TensorRef:
    """Output `index` of the `node`-th call of layer `layer` (Keras's keras_history)."""

    layer: str
    node: int = 0
    index: int = 0


@dataclass(frozen=True)
class CallSpec:
    """One call of a layer: its input tensors (a recurrent layer's initial states follow
    its input) and its mask: True if Keras 3 recorded one, False if Keras 3 passes none,
    None if the propagated mask applies."""

    inputs: Tuple[TensorRef, ...]
    masked: Optional[bool] = None
    options: Mapping[str, Any] = field(default_factory=dict)  # other call arguments


@dataclass(frozen=True)
class ModelInput:
    """One model input: its InputLayer name, batch-first shape and dtype."""

    name: str
    shape: Shape
    dtype: str


@dataclass(frozen=True)
class LayerRecord:
    """One Keras layer as saved: normalized config, weights in `layer.weights` order.

    `calls` lists each call of the layer in the model (shared layers have several).
    """

    name: str
    class_name: str
    config: Mapping[str, Any]
    calls: Tuple[CallSpec, ...]
    weights: Tuple[np.ndarray, ...] = ()
    weight_names: Tuple[str, ...] = ()


@dataclass(frozen=True)
class SavedModel:
    """A whole model file: where it came from, who saved it, and its layer graph."""

    source_name: str
    sha256: str
    file_format: str  # "hdf5" or "keras"
    keras_version: str  # as written in the file, "unknown" when absent
    keras_major: int  # 2 or 3: decides semantics such as hard_sigmoid
    model_class: str
    model_name: str
    inputs: Tuple[ModelInput, ...]
    outputs: Tuple[TensorRef, ...]
    layers: Tuple[LayerRecord, ...]  # config order, InputLayers excluded
    # The model config as saved, every layer in it (connected or not): searched for code
    # (lstmgen.reader.safety) before generating, and before Keras may load the file.
    config: Any = field(default=None, compare=False, repr=False)
