"""What the reader hands on: a model file as read, every Keras version difference absorbed."""

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
    """One call of a layer as the file records it: the tensors passed positionally
    (flattened, in order), those passed by keyword, the other call arguments, and the
    masks Keras 3 recorded. Which keyword tensors a layer takes, in which order, and
    whether it takes a mask per tensor argument is its call signature: the reader knows
    no layer's; lstmgen.graph_order reads each call through its layer's."""

    inputs: Tuple[TensorRef, ...]
    keywords: Tuple[Tuple[str, Tuple[TensorRef, ...]], ...] = ()  # (keyword, tensors)
    options: Mapping[str, Any] = field(default_factory=dict)  # other call arguments
    mask_given: bool = False  # Keras 3 recorded a mask= tensor
    # Keras 3: how many arguments hold tensors (a list counts as one); None for Keras 2,
    # whose masks propagate to every call.
    tensor_arguments: Optional[int] = None

    def refs(self) -> Tuple[TensorRef, ...]:
        """Every tensor of the call, positional ones first."""
        return self.inputs + tuple(ref for _, refs in self.keywords for ref in refs)


@dataclass(frozen=True)
class ModelInput:
    """One model input: its InputLayer name, batch-first shape and dtype."""

    name: str
    shape: Shape
    dtype: str


@dataclass(frozen=True)
class LayerSpec:
    """One Keras layer: its identity, normalized config and calls; the reader attaches its
    weights (in `layer.weights` order) once the file's weights are read.

    `calls` lists each call of the layer in the model (shared layers have several).
    """

    name: str
    class_name: str
    config: Mapping[str, Any]
    calls: Tuple[CallSpec, ...] = ()
    keras_path: str = ""  # its weight group in a .keras model.weights.h5
    h5_path: Tuple[str, ...] = ()  # its group in legacy HDF5, then names inside it
    weights: Tuple[np.ndarray, ...] = field(default=(), compare=False, repr=False)
    weight_names: Tuple[str, ...] = ()
    # Files a .keras zip keeps for the layer under assets/<keras_path>/ (an adapted
    # lookup layer's vocabulary.txt): name inside that folder -> bytes.
    assets: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ModelSpec:
    """The graph a model config describes: inputs, outputs and layers (InputLayers
    excluded, nested models flattened into it)."""

    model_class: str
    name: str
    inputs: Tuple[ModelInput, ...]
    outputs: Tuple[TensorRef, ...]
    layers: Tuple[LayerSpec, ...]


@dataclass(frozen=True)
class ModelFile:
    """A model file as read: where it came from, which Keras saved it, and its layer
    graph with the weights attached. (Not TensorFlow's SavedModel format, which lstmgen
    does not read.)"""

    source_name: str
    sha256: str
    keras_version: str  # as written in the file, "unknown" when absent
    keras_major: int  # 2 or 3: decides semantics such as hard_sigmoid
    model_class: str
    model_name: str
    inputs: Tuple[ModelInput, ...]
    outputs: Tuple[TensorRef, ...]
    layers: Tuple[LayerSpec, ...]  # config order, InputLayers excluded, weights attached
    # The model config as saved, every layer in it (connected or not): searched for code
    # (lstmgen.reader.safety) before generating, and before Keras may load the file.
    config: Any = field(default=None, compare=False, repr=False)
    # "h5" or "keras": the format lstmgen read, the only one Keras may be given it as.
    file_format: str = ""
    # Output shapes the config states outright (lstmgen.reader.recorded_shapes): what
    # `inspect` shows after a layer lstmgen cannot translate.
    recorded_shapes: Mapping[TensorRef, Shape] = field(
        default_factory=dict, compare=False, repr=False
    )
