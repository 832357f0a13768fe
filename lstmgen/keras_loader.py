"""Loading a model file into Keras for `verify` and `--verify`, only after lstmgen has
read and checked the very bytes Keras will load (lstmgen.loading's private copy)."""

from __future__ import annotations

import inspect
import os
import re
from typing import Optional

from lstmgen.cudnn_for_keras import PLAIN_CLASSES, rename_cudnn_layers
from lstmgen.errors import LstmgenError, UnsupportedError
from lstmgen.generate import translate
from lstmgen.ir import ModelGraph
from lstmgen.layers import REGISTRY
from lstmgen.layers.rnn_cell import CELL_BUILDERS
from lstmgen.loading import CheckedCopy, private_copy
from lstmgen.reader.model_file import ModelFile
from lstmgen.reader.normalize import NESTED_MODELS
from lstmgen.quiet_import import import_quietly
from lstmgen.reader.safety import every_layer, refuse_code

KERAS_FOR = {2: ("tf_keras", "tf-keras==2.21.*"), 3: ("keras", "keras>=3.10")}

# Layer classes Keras may rebuild from a file lstmgen lets it load: those lstmgen
# translates, the structure around them, and RNN cells.
KNOWN_CLASSES = (
    frozenset(REGISTRY)
    | frozenset(CELL_BUILDERS)
    | frozenset(NESTED_MODELS + ("InputLayer", "StackedRNNCells"))
)
# Keras 3 records how it computes masks as built-in operation layers that feed no output
# (lstmgen computes masks itself): harmless, and in every masked Keras 3 model.
MASK_OPERATIONS = frozenset(
    {
        "NotEqual",
        "Any",
        "All",
        "LogicalOr",
        "LogicalAnd",
        "ExpandDims",
        "ZerosLike",
        "OnesLike",
        "Concatenate",
        "ConvertToTensor",
        "Squeeze",
        "Where",
    }
)
_KERAS_OPERATIONS = re.compile(r"^keras\.src\.ops\.")


def check_before_keras(path: str) -> ModelFile:
    """The model read without Keras, refused (one line naming the file and the layer)
    if Keras loading it could run code from it or import a module outside Keras."""
    with private_copy(path) as checked:
        check_model(checked.model, path)
        return checked.model


def check_model(model: ModelFile, path: str) -> ModelGraph:
    """Refuse (one line naming the file and the layer) a model Keras may not load: every
    layer at any depth, connected or not, must be one lstmgen knows, nothing in the
    config may be code (Lambda, marshalled lambdas, functions or classes from foreign
    modules, registered custom objects), and lstmgen must translate it within budget.
    Returns lstmgen's graph of it."""
    try:
        if model.keras_version.startswith("1."):
            raise LstmgenError(
                f"{path}: saved by Keras {model.keras_version}; no Keras that installs today "
                "loads Keras 1 files, so verify cannot run it (compare with your own reference outputs)"
            )
        refuse_code(model.config)
        for layer in every_layer(model.config):
            if layer.class_name in KNOWN_CLASSES or (
                layer.class_name in MASK_OPERATIONS
                and (layer.module is None or _KERAS_OPERATIONS.match(layer.module))
            ):
                continue
            raise UnsupportedError(
                f"{layer.label}: not a layer class lstmgen translates, so it does not let "
                "Keras load the file (Keras would rebuild it from the file's config)"
            )
        # Every option, activation and weight of the connected layers must be one lstmgen
        # understands too, and its cost within budget: verifying a model lstmgen cannot
        # translate proves nothing, and Keras then never sees a name such as
        # activation='os.system' (nor runs a pooling window of two million steps).
        return translate(model)
    except LstmgenError as error:
        message = " ".join(str(error).split())
        raise type(error)(message if message.startswith(path) else f"{path}: {message}") from None


def load_keras_model(path: str):
    """The model loaded by the Keras that matches the file's major version, from a private
    copy that `check_model` found nothing in that Keras would run."""
    with private_copy(path) as checked:
        check_model(checked.model, path)
        return keras_load(checked, path)


def keras_load(checked: CheckedCopy, path: str):
    """Keras's model from the checked copy (named for its format, so that Keras picks the
    loader lstmgen read it with); errors name `path`."""
    major = checked.model.keras_major
    package, requirement = KERAS_FOR[major]
    cudnn = _cudnn_layer(checked.model) if major == 2 else None
    if cudnn is not None and checked.model.file_format == "h5":
        rename_cudnn_layers(checked.path)  # Keras runs them only on a GPU
    elif cudnn is not None:
        raise LstmgenError(
            f"{path}: {cudnn}: tf_keras cannot load cuDNN layers from a .keras file, so "
            "verify cannot run it (saved as .h5, Keras loads them into plain layers)"
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        keras = import_quietly(package)
    except ImportError:
        raise LstmgenError(
            f"{path}: checking it needs Keras {major} ({package}), which is not installed: "
            f"pip install '{requirement}' tensorflow-cpu"
        ) from None
    load = keras.models.load_model
    options = {"compile": False}
    if _accepts(load, "safe_mode"):  # defence in depth: Keras refuses lambdas itself
        options["safe_mode"] = True
    try:
        return load(checked.path, **options)
    except Exception as error:  # noqa: BLE001 - Keras raises many kinds
        message = first_line(error).replace(checked.path, path)
        raise LstmgenError(f"{path}: Keras {major} cannot load it ({message})") from None


def _cudnn_layer(model: ModelFile) -> Optional[str]:
    """The label of the model's first cuDNN layer, or None."""
    cudnn = (layer for layer in every_layer(model.config) if layer.class_name in PLAIN_CLASSES)
    return next((layer.label for layer in cudnn), None)


def _accepts(function, name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def first_line(error: BaseException) -> str:
    """`Kind: the first line of the message`, at most 200 characters."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= 200 else text[:197] + "..."
