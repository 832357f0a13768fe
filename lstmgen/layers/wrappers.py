"""Layers that wrap another layer: Bidirectional and TimeDistributed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, FrozenSet, Optional, Sequence, Tuple

import numpy as np

from lstmgen.ir import Node, Params, Tensor, Work
from lstmgen.layers.base import Built, LayerContext, run_handler
from lstmgen.layers.conv_lstm import ConvLstmParams
from lstmgen.layers.identity import IdentityParams
from lstmgen.layers.recurrence import RecurrentParams, reads_time_major

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
# The layers Bidirectional can wrap: LSTM/GRU/SimpleRNN/RNN and ConvLSTM1D/2D/3D
RECURRENT_PARAMS = (RecurrentParams, ConvLstmParams)


@dataclass(frozen=True)
class BidirectionalParams(Params):
    """bidirectional.py.j2: both layers' functions, then the one that runs and merges them."""

    template: ClassVar[str] = "bidirectional.py.j2"
    forward: Node
    backward: Node
    merge_mode: Optional[str]
    return_sequences: bool
    # argument names of the initial states (each layer's, then both), and the names of
    # the returned states
    forward_initial: Tuple[str, ...]
    backward_initial: Tuple[str, ...]
    initial: Tuple[str, ...]
    forward_returned: Tuple[str, ...]
    backward_returned: Tuple[str, ...]
    returned: Tuple[str, ...]
    returns_tuple: bool  # several results: states returned, or merge_mode None
    time_flip: str  # the slice that reverses a sequence's time axis: "[:, ::-1]", or
    # "[::-1]" where the layers read (time, batch, features) (time_major)


@dataclass(frozen=True)
class TimeDistributedParams(Params):
    """time_distributed.py.j2: the wrapped layer's function, and the one that folds the
    time axis into the batch around it."""

    template: ClassVar[str] = "time_distributed.py.j2"
    inner: Node


def build_bidirectional(ctx: LayerContext) -> Built:
    """Bidirectional(layer, merge_mode, backward_layer) around any recurrent or ConvLSTM layer."""
    layer = _nested(ctx, "layer")
    merge_mode = ctx.require("merge_mode", MERGE_MODES, "concat")
    forward_config = dict(layer["config"])
    backward_given = ctx.option("backward_layer")
    if backward_given:
        backward = _nested(ctx, "backward_layer")
        backward_config = dict(backward["config"])
    else:
        backward = layer
        backward_config = dict(forward_config)
        # Keras 3 always reads the copy backwards; Keras 2 flips the wrapped layer's setting.
        forward_backwards = bool(forward_config.get("go_backwards", False))
        backward_config["go_backwards"] = True if ctx.keras_major == 3 else not forward_backwards
        if forward_backwards:
            ctx.version_semantics(
                "Bidirectional around a go_backwards layer: its backward copy reads "
                + ("backwards too" if ctx.keras_major == 3 else "forwards")
            )
    for key in ("return_sequences", "return_state"):
        if bool(forward_config.get(key, False)) != bool(backward_config.get(key, False)):
            raise ctx.fail(f"the forward and backward layers disagree on {key}")
    sequences = bool(forward_config.get("return_sequences", False))
    for config in (forward_config, backward_config):
        config["zero_output_for_mask"] = sequences  # Keras forces this on both halves
    weights = ctx.record.weights
    half = len(weights) // 2
    states = ctx.inputs[1:]
    forward, forward_helpers = _sub_node(
        ctx,
        {**layer, "config": forward_config},
        weights[:half],
        [ctx.inputs[0], *states[: len(states) // 2]],
        "forward",
    )
    backward_node, backward_helpers = _sub_node(
        ctx,
        {**backward, "config": backward_config},
        weights[half:],
        [ctx.inputs[0], *states[len(states) // 2 :]],
        "backward",
    )
    if not all(isinstance(n.params, RECURRENT_PARAMS) for n in (forward, backward_node)):
        raise ctx.fail("Bidirectional wraps recurrent layers only")
    return_state = forward.params.return_state
    fw_out, bw_out = forward.outputs[0].shape, backward_node.outputs[0].shape
    if merge_mode == "concat":
        merged = [fw_out[:-1] + (_add(fw_out[-1], bw_out[-1]),)]
    elif merge_mode is None:
        merged = [fw_out, bw_out]
    else:
        if fw_out != bw_out:
            raise ctx.fail(
                f"merge_mode={merge_mode!r} needs equal output shapes, got {fw_out} and {bw_out}"
            )
        merged = [fw_out]
    state_shapes = (
        [t.shape for t in forward.outputs[1:] + backward_node.outputs[1:]] if return_state else []
    )
    forward_states = tuple(f"forward_{s}" for s in forward.params.states)
    backward_states = tuple(f"backward_{s}" for s in backward_node.params.states)
    state_names = forward_states + backward_states
    forward_initial = tuple(f"{s}0" for s in forward_states) if states else ()
    backward_initial = tuple(f"{s}0" for s in backward_states) if states else ()
    returned = state_names if return_state else ()
    return Built(
        params=BidirectionalParams(
            forward=forward,
            backward=backward_node,
            merge_mode=merge_mode,
            return_sequences=sequences,
            forward_initial=forward_initial,
            backward_initial=backward_initial,
            initial=forward_initial + backward_initial,
            forward_returned=forward_states if return_state else (),
            backward_returned=backward_states if return_state else (),
            returned=returned,
            returns_tuple=bool(returned) or merge_mode is None,
            time_flip="[::-1]" if reads_time_major(forward) else "[:, ::-1]",
        ),
        outputs=merged + state_shapes,
        weights=list(forward.weights + backward_node.weights),
        derived=list(forward.derived + backward_node.derived),
        helpers=forward_helpers | backward_helpers,
        mask="pass" if sequences else "none",
        masked_outputs=len(merged),  # merge_mode None: both halves carry the mask
        consumes_mask=True,
        output_names=(["out"] if merge_mode else ["forward", "backward"])
        + (list(state_names) if return_state else []),
        work=Work(inner=(forward, backward_node)),
    )


def build_time_distributed(ctx: LayerContext) -> Built:
    """TimeDistributed(layer): the layer applied to every timestep, as one batch."""
    layer = _nested(ctx, "layer")
    shape = ctx.input_shape
    if len(shape) < 3:
        raise ctx.fail(f"expects an input with a time axis, got shape {shape}")
    inner_input = Tensor(var="x", shape=(None,) + tuple(shape[2:]))
    inner, helpers = _sub_node(ctx, layer, ctx.record.weights, [inner_input], "inner")
    if inner.alias:  # TimeDistributed(Dropout) and the like
        return Built(params=IdentityParams(), outputs=[shape], alias=True)
    if len(inner.outputs) != 1:
        raise ctx.fail("the wrapped layer must have exactly one output")
    out = inner.outputs[0].shape
    return Built(
        params=TimeDistributedParams(inner=inner),
        outputs=[(shape[0], shape[1]) + tuple(out[1:])],
        weights=list(inner.weights),
        derived=list(inner.derived),
        helpers=helpers,
        step="inner" if inner.step == "same" else None,
        work=Work(inner=(inner,)),
    )


def _sub_node(
    ctx: LayerContext,
    config: Dict[str, Any],
    weights: Tuple[np.ndarray, ...],
    inputs: Sequence[Tensor],
    suffix: str,
) -> Tuple[Node, FrozenSet[str]]:
    """Run the wrapped layer's own handler; its function as a Node, and its helpers."""
    class_name = str(config.get("class_name"))
    handler = ctx.handlers.get(class_name)
    if handler is None or handler in (build_bidirectional, build_time_distributed):
        raise ctx.fail(f"cannot wrap a {class_name} layer")
    sub = ctx.sublayer(suffix, config, weights, inputs, suffix)
    built = run_handler(handler, sub)
    if built.stateful:
        raise ctx.fail(f"a stateful {class_name} inside {ctx.class_name} is not supported yet")
    outputs = tuple(Tensor(var=f"out{k}", shape=s) for k, s in enumerate(built.outputs))
    return built.node(sub.name, class_name, sub.ident, inputs, outputs), built.helpers


def _nested(ctx: LayerContext, key: str) -> Dict[str, Any]:
    value = ctx.option(key)
    if not isinstance(value, dict) or not isinstance(value.get("config"), dict):
        raise ctx.fail(f"option '{key}' is not a layer config")
    return value


def _add(a, b):
    return None if a is None or b is None else a + b
