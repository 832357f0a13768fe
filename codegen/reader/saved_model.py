"""What the reader hands on: one model file, every Keras version difference absorbed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

import numpy as np

Shape = Tuple[Optional[int], ...]


@dataclass(frozen=True)
class LayerRecord:
    """One Keras layer as saved: normalized config, weights in `layer.weights` order."""

    name: str
    class_name: str
    config: Mapping[str, Any]
    weights: Tuple[np.ndarray, ...] = ()
    weight_names: Tuple[str, ...] = ()
    inputs: Tuple[str, ...] = ()  # names of the layers whose outputs feed this one


@dataclass(frozen=True)
class SavedModel:
    """A whole model file: where it came from, who saved it, and its layers."""

    source_name: str
    sha256: str
    file_format: str  # "hdf5" or "keras"
    keras_version: str  # as written in the file, "unknown" when absent
    keras_major: int  # 2 or 3: decides semantics such as hard_sigmoid
    model_class: str
    model_name: str
    input_name: str
    input_shape: Shape  # batch axis first, None where free
    input_dtype: str
    layers: Tuple[LayerRecord, ...] = field(default=())
