"""What a layer handler receives (LayerContext) and returns (Built)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

import numpy as np

from lstmgen import activations
from lstmgen.activation_layers import resolve_activation
from lstmgen.errors import LstmgenError, LstmgenWarning, UnsupportedError, layer_error
from lstmgen.identifiers import NameTable
from lstmgen.ir import Node, Params, Shape, Tensor, Weight, Work, shape_text
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec

# Config keys that never change what a layer computes at inference.
INFERENCE_IRRELEVANT = frozenset(
    {
        "name",
        "trainable",
        "dtype",
        "batch_input_shape",
        "batch_shape",
        "input_shape",
        "input_dim",
        "input_length",
        "seed",
        "rate",
        "noise_shape",
        "stddev",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "recurrent_constraint",
        "bias_constraint",
        "dropout",
        "recurrent_dropout",
        "unit_forget_bias",
        "implementation",
        "unroll",
        "use_cudnn",
        "reset_dropout_mask",
        "lora_rank",
        "lora_alpha",
        "quantization_config",
        "embeddings_initializer",
        "embeddings_regularizer",
        "embeddings_constraint",
        "sparse",
    }
)


@dataclass
class Built:
    """A handler's result: its template's parameters, weights and output shapes."""

    params: Params  # its template's parameters (the template is params.template)
    outputs: List[Shape]
    weights: List[Weight] = field(default_factory=list)
    helpers: FrozenSet[str] = frozenset()
    alias: bool = False  # identity at inference: the output is the input
    mask: str = "pass"  # first output's mask: "pass" the input's, "produce" a new one, "none"
    masked_outputs: int = 1  # how many leading outputs carry that mask (2: merge_mode None)
    consumes_mask: bool = False  # the function takes the input's mask, when there is one
    output_names: Optional[List[str]] = None  # variable suffixes, e.g. ["out", "h", "c"]
    # How step() runs it on one timestep: "same" function, its recurrent "cell" step,
    # the wrapped "inner" function; None: the model cannot be streamed through it.
    step: Optional[str] = None
    # Each recurrent state's shape without the batch axis, as the layer returns it:
    # (units,) for LSTM's h and c, (rows, cols, filters) for ConvLSTM2D's.
    states: List[Tuple[int, ...]] = field(default_factory=list)
    stateful: bool = False  # keeps its states between predict() calls
    token_ids: bool = False  # its input holds integer token ids (Embedding)
    # Ids it surely accepts, which the self-test draws its input from (empty: 0 and 1)
    sample_ids: Tuple[int, ...] = ()
    # Constants computed from weights at import: (variable, expression, comment).
    derived: List[Tuple[str, str, str]] = field(default_factory=list)
    work: Work = Work()  # windows, timesteps, pairs: what the cost budget estimates
    # Where the saving Keras version decided the math (LayerContext.version_semantics).
    semantics: FrozenSet[str] = frozenset()

    def node(
        self,
        layer_name: str,
        class_name: str,
        func: str,
        inputs: Sequence[Tensor],
        outputs: Sequence[Tensor],
        define: bool = True,
    ) -> Node:
        """This layer in the IR: its function `func`, called on `inputs` (`define`: False
        for a repeated call of a shared layer's function, which is written once)."""
        return Node(
            layer_name=layer_name,
            class_name=class_name,
            func=func,
            params=self.params,
            weights=tuple(self.weights),
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            alias=self.alias,
            define=define,
            mask_arg=self.consumes_mask and any(tensor.mask for tensor in inputs),
            mask_out=self.mask == "produce",
            step=self.step,
            states=tuple(self.states),
            stateful=self.stateful,
            token_ids=self.token_ids,
            sample_ids=self.sample_ids,
            derived=tuple(self.derived) if define else (),
            work=self.work,
            semantics=tuple(sorted(self.semantics)),
        )


class WeightTable:
    """Module constants for weights, one per layer and weight even if a layer is shared."""

    def __init__(self, names: NameTable) -> None:
        self._names = names
        self._weights: Dict[Tuple[str, str], Weight] = {}

    def claim_name(self, wanted: str) -> str:
        """A fresh identifier for the generated module (e.g. a wrapped layer's function)."""
        return self._names.claim(wanted)

    def claim(self, layer: str, ident: str, suffix: str, array: np.ndarray, comment: str) -> Weight:
        """The constant `<ident>_<suffix>` for this layer's weight."""
        key = (layer, suffix)
        if key not in self._weights:
            var = self._names.claim(f"{ident}_{suffix}")
            self._weights[key] = Weight(var=var, array=array, comment=comment)
        return self._weights[key]


class LayerContext:
    """One layer being translated: config access that tracks which options were read."""

    def __init__(
        self,
        record: LayerSpec,
        inputs: Sequence[Tensor],
        keras_major: int,
        options: Options,
        weights: WeightTable,
        ident: str,
        call_options: Optional[Dict[str, Any]] = None,
        handlers: Optional[Mapping[str, "Handler"]] = None,
    ) -> None:
        self.record = record
        self.name = record.name
        self.class_name = record.class_name
        self.inputs = list(inputs)
        self.input_shapes = [tensor.shape for tensor in inputs]
        self.input_masked = [tensor.mask is not None for tensor in inputs]
        self.keras_major = keras_major
        self.options = options
        self.ident = ident
        self.call_options = dict(call_options or {})  # e.g. use_causal_mask=True
        # The registry (class name -> handler), for layers that translate a wrapped layer.
        self.handlers: Mapping[str, Handler] = handlers or {}
        self._weights = weights
        self._read: Set[str] = set()
        self._helpers: Set[str] = set()
        self._semantics: Set[str] = set()  # shared with the contexts of wrapped layers

    @property
    def input_shape(self) -> Shape:
        """The shape of the only input (batch axis first)."""
        if len(self.input_shapes) != 1:
            raise self.fail(f"expects one input, got {len(self.input_shapes)}")
        return self.input_shapes[0]

    def option(self, key: str, default: Any = None) -> Any:
        """A config value (or `default`); remembers that this option was understood.

        Checked for type where the default tells it (a bool, or a number or list of
        numbers), and always for what no real config holds: NaN or infinity, and
        numbers written as strings ("nan", "1e999"), which would reach the source."""
        self._read.add(key)
        value = self.record.config.get(key, default)
        problem = option_problem(value, default)
        if problem:
            raise self.fail(f"option '{key}' {problem}, got {_short(value)}")
        return default if value is None and default is not None else value

    def int_option(self, key: str, default: Any = None) -> int:
        """A config value that must be a non-negative integer."""
        value = self.option(key, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1 << 24:
            raise self.fail(f"option '{key}' must be an integer from 0 to 2**24, got {value!r}")
        return value

    def require(self, key: str, allowed: Sequence[Any], default: Any) -> Any:
        """A config value that must be one of `allowed`; anything else is refused."""
        self._read.add(key)
        value = self.record.config.get(key, default)  # an explicit None stays None
        if value not in allowed:
            supported = " or ".join(repr(item) for item in allowed)
            raise self.fail(f"option {key}={value!r} is not supported (supported: {supported})")
        return value

    def activation(self, key: str, default: str = "linear") -> activations.ActivationCall:
        """Resolve the activation in option `key` for this file's Keras version."""
        call = resolve_activation(
            self.option(key, default), self.keras_major, self._where(f"option '{key}'")
        )
        self._helpers.update(call.helpers)
        if call.semantics:
            self.version_semantics(call.semantics)
        return call

    def version_semantics(self, text: str) -> None:
        """Note `text`: what this layer computes as the Keras version that saved the file
        does, where the other version computes differently. The module's header lists
        these, and `inspect` shows them per layer."""
        self._semantics.add(text)

    def derived_name(self, suffix: str) -> str:
        """A fresh module constant name `<layer>_<suffix>` for a derived weight."""
        return self._weights.claim_name(f"{self.ident}_{suffix}")

    def use_helpers(self, *helpers: str) -> None:
        """Declare helper functions the template calls directly."""
        self._helpers.update(helpers)

    def drop_helpers(self, *helpers: str) -> None:
        """Withdraw helpers that the code written in the end does not call."""
        self._helpers.difference_update(helpers)

    def weights(
        self, count: int, optional: int = 0, counters: bool = False
    ) -> Tuple[np.ndarray, ...]:
        """The saved weights, checking that there are `count` (or `count - optional`), and
        that they are floats: integer scalars (counters) only for a layer that saves some."""
        arrays = self.record.weights
        if not count - optional <= len(arrays) <= count:
            expected = str(count) if not optional else f"{count - optional} to {count}"
            raise self.fail(f"expected {expected} weight arrays in the file, found {len(arrays)}")
        names = self.record.weight_names
        for k, array in enumerate(arrays):
            if array.dtype.kind != "f" and not (counters and array.ndim == 0):
                name = names[k] if len(names) == len(arrays) else f"#{k}"
                raise self.fail(f"weight '{name}' has dtype {array.dtype}, expected floats")
        return arrays

    def weight(self, array: np.ndarray, suffix: str, shape: Shape, comment: str) -> Weight:
        """Name a weight constant `<layer>_<suffix>` after checking its shape."""
        if tuple(array.shape) != tuple(shape):
            raise self.fail(
                f"weight '{suffix}' has shape {tuple(array.shape)} in the file, "
                f"but the config implies {tuple(shape)}"
            )
        if not np.all(np.isfinite(array)):
            warnings.warn(LstmgenWarning(self._where(f"weight '{suffix}' contains NaN or inf")))
        return self._weights.claim(self.name, self.ident, suffix, array, comment)

    def sublayer(
        self,
        key: str,
        config: Dict[str, Any],
        weights: Tuple[np.ndarray, ...],
        inputs: Sequence[Tensor],
        suffix: Optional[str],
    ) -> "LayerContext":
        """A context for a layer wrapped inside this one (Bidirectional, TimeDistributed,
        an RNN's cell); its constants are named `<ident>_<suffix>_...`, or `<ident>_...`
        when `suffix` is None."""
        record = LayerSpec(
            name=f"{self.name}/{key}",
            class_name=str(config.get("class_name")),
            config=config.get("config", {}),
            calls=(),
            weights=weights,
        )
        ident = self.ident if suffix is None else self._weights.claim_name(f"{self.ident}_{suffix}")
        sub = LayerContext(
            record,
            inputs,
            self.keras_major,
            self.options,
            self._weights,
            ident,
            handlers=self.handlers,
        )
        sub._semantics = self._semantics  # what a wrapped layer decides, its wrapper states
        return sub

    def fail(self, message: str) -> UnsupportedError:
        """An error naming this layer, its class and `message`."""
        return layer_error(self.name, self.class_name, message)

    def absorb(self, sub: "LayerContext") -> None:
        """Check a part's options (a cell inside an RNN) and take over the helpers it uses."""
        sub.check_options()
        self._helpers.update(sub._helpers)

    def finish(self, built: Built) -> Built:
        """Attach the helpers used, after checking the options."""
        self.check_options()
        built.helpers = frozenset(self._helpers) | built.helpers
        built.semantics = frozenset(self._semantics) | built.semantics
        return built

    def check_options(self) -> None:
        """Warn about options lstmgen did not read; refuse dtype policies other than float32
        (unless the handler read `dtype` itself: layers whose output holds integers)."""
        unknown = sorted(
            key
            for key in self.record.config
            if key not in self._read and key not in INFERENCE_IRRELEVANT
        )
        for key in unknown:
            warnings.warn(
                LstmgenWarning(self._where(f"option '{key}' is unknown to lstmgen and ignored"))
            )
        dtype = self.record.config.get("dtype")
        if dtype not in (None, "float32") and "dtype" not in self._read:
            raise self.fail(
                f"dtype policy '{dtype}' is not supported (lstmgen computes in float32)"
            )

    def _where(self, what: str) -> str:
        return f"layer '{self.name}' ({self.class_name}): {what}"


Handler = Callable[[LayerContext], Built]


def run_handler(handler: Handler, ctx: LayerContext) -> Built:
    """Run `handler` on `ctx`: the one place handlers run (model layers and wrapped ones).
    Errors name the layer; a config that contradicts itself is reported, never a traceback."""
    try:
        return ctx.finish(handler(ctx))
    except LstmgenError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as error:
        # Options that contradict each other, or an input of a rank the layer cannot take
        # (a rank-1 input to an LSTM): the handler found no named check for it.
        shapes = ", ".join(shape_text(shape) for shape in ctx.input_shapes)
        raise ctx.fail(
            f"its config does not fit its input shape(s) {shapes} "
            f"({type(error).__name__}: {error})"
        ) from None


def check_rank(ctx: LayerContext, shape: Shape, ranks: Sequence[int]) -> None:
    """Refuse inputs whose rank (batch included) is not one of `ranks`."""
    if len(shape) not in ranks:
        wanted = " or ".join(str(rank) for rank in ranks)
        raise ctx.fail(f"expects a rank-{wanted} input, got shape {shape}")


def option_problem(value: Any, default: Any) -> Optional[str]:
    """What is wrong with an option's value, or None (an explicit null means the default)."""
    leaves = list(_leaves(value))
    if any(isinstance(v, float) and not math.isfinite(v) for v in leaves):
        # JSON from Python may hold NaN and Infinity; no option of a real model does.
        return "is not a finite number"
    if any(isinstance(v, str) and _numeric_text(v) for v in leaves):
        return "is a number written as a string"
    if value is None:
        return None
    if isinstance(default, bool) and not isinstance(value, bool):
        return "must be true or false"
    if _is_number(default) and not all(_is_number(v) for v in leaves):  # [] is a list too
        return "must be a number (or a list of numbers)"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _leaves(value: Any) -> Iterator[Any]:
    """An option value's scalars: itself, or those in a (nested) list; a dict is one leaf."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
