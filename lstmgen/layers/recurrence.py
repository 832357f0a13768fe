"""What every recurrent layer decides the same way: time axis, states, masks, unrolling."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence

from lstmgen.errors import LstmgenWarning
from lstmgen.ir import Weight
from lstmgen.layers.base import Built, LayerContext, check_rank


@dataclass
class Cell:
    """One recurrent cell's part: its step template, parameters, weights and states."""

    template: str  # a macro file defining doc(p), prologue(p) and step(p, t, new)
    units: int
    states: List[str]  # state variable names, Keras's order: ["h", "c"] or ["h"]
    params: Dict[str, Any]
    weights: List[Weight] = field(default_factory=list)
    derived: List = field(default_factory=list)  # import-time constants (speed tricks)
    title: str = ""  # e.g. "LSTMCell, 8 units": names the cell in a stack's docstring


def cell_activations(ctx: LayerContext, cudnn: bool):
    """(activation, recurrent_activation) functions; cuDNN layers fix tanh and sigmoid."""
    if cudnn:
        ctx.use_helpers("sigmoid")
        return "np.tanh", "sigmoid"
    activation = ctx.activation("activation", "tanh").func
    return activation, ctx.activation("recurrent_activation", "sigmoid").func


def gated_kernels(ctx: LayerContext, units: int, gates: str, cudnn: bool):
    """The saved arrays, and W, U as constants, for a cell whose gates are packed as `gates`."""
    use_bias = cudnn or bool(ctx.option("use_bias", True))
    arrays = ctx.weights(3 if use_bias else 2)
    width, label = len(gates) * units, "|".join(gates)
    n_in = ctx.input_shapes[0][2]
    weights = [
        ctx.weight(
            arrays[0], "kernel", (n_in, width), f"W: (features, {len(gates)}*units), gates {label}"
        ),
        ctx.weight(
            arrays[1],
            "recurrent_kernel",
            (units, width),
            f"U: (units, {len(gates)}*units), gates {label}",
        ),
    ]
    return use_bias, arrays, weights


def gated_params(
    units: int, gates: str, activation, recurrent, weights, input_bias
) -> Dict[str, Any]:
    """What every gated cell template reads: each gate's column slice of the packed
    W, U and b, the activations, and the weight constants."""
    return {
        "gates": {gate: f"{k * units}:{(k + 1) * units}" for k, gate in enumerate(gates)},
        "activation": activation,
        "recurrent_activation": recurrent,
        "kernel": weights[0].var,
        "recurrent_kernel": weights[1].var,
        "input_bias": input_bias,
    }


def build_recurrent(ctx: LayerContext, cells: Sequence[Cell], kind: str) -> Built:
    """A full recurrent layer around `cells` (run in order at every step, each one's
    output feeding the next, as StackedRNNCells does), with every sequence option."""
    cells = _named_states(cells)
    states = [state for cell in cells for state in cell.states]
    units = [cell.units for cell in cells for _ in cell.states]
    params = sequence_params(ctx, len(states))
    params.update(
        cells=[_cell_params(cell, k, cells) for k, cell in enumerate(cells)],
        units=cells[-1].units,
        states=states,
        state_units=units,
        output=cells[-1].states[0],
        output_index=len(states) - len(cells[-1].states),  # the output among the states
        initial_args=[f"{s}0" if len(cells) == 1 else f"{s}_0" for s in states],
        kind=kind,
    )
    batch = _batch_axis_size(ctx)
    out_units = cells[-1].units
    if params["return_sequences"]:
        steps = params["steps"]
        first = (steps, batch, out_units) if params["time_major"] else (batch, steps, out_units)
    else:
        first = (batch, out_units)
    returned = params["return_state"]
    outputs = [first] + ([(batch, n) for n in units] if returned else [])
    streams = not (params["go_backwards"] or params["time_major"] or params["external_initial"])
    return Built(
        template="recurrent.py.j2",
        params=params,
        outputs=outputs,
        weights=[weight for cell in cells for weight in cell.weights],
        mask="pass" if params["return_sequences"] else "none",
        consumes_mask=True,
        output_names=["out"] + (states if returned else []),
        step="cell" if streams else None,
        states=[(n,) for n in units],
        stateful=params["stateful"],
        derived=[item for cell in cells for item in cell.derived],
    )


def _named_states(cells: Sequence[Cell]) -> List[Cell]:
    """A single cell keeps h and c; stacked cells number theirs: h1, c1, h2, ..."""
    if len(cells) == 1:
        return list(cells)
    return [
        replace(cell, states=[f"{state}{k}" for state in cell.states])
        for k, cell in enumerate(cells, start=1)
    ]


def _cell_params(cell: Cell, index: int, cells: Sequence[Cell]) -> Dict[str, Any]:
    """What a cell template reads: its own parameters, state names and input."""
    first = index == 0
    return {
        **cell.params,
        "template": cell.template,
        "title": cell.title,
        "units": cell.units,
        "states": cell.states,
        "h": cell.states[0],
        "c": cell.states[1] if len(cell.states) > 1 else None,
        # The first cell's x W + b is computed for all steps at once ("xw[t]"); a stacked
        # cell's input is the previous cell's new output, so it is projected per step.
        "hoisted": first,
        "xw": "xw" if first else f"xw{index + 1}",
        "source": None if first else cells[index - 1].states[0],
        "stacked": len(cells) > 1,
        "number": index + 1,
    }


def sequence_params(ctx: LayerContext, n_states: int) -> Dict[str, Any]:
    """Template parameters shared by all recurrent layers, from config and input shapes."""
    shape = ctx.input_shapes[0]
    check_rank(ctx, shape, (3,))
    time_major = bool(ctx.option("time_major", False))
    # A time-major layer (old tf.keras) sees (time, batch, features).
    steps = shape[0] if time_major else shape[1]
    initial = len(ctx.input_shapes) - 1
    stateful = stateful_option(ctx, _batch_axis_size(ctx), initial)
    if initial not in (0, n_states):
        raise ctx.fail(f"expects 0 or {n_states} initial state tensors, got {initial}")
    masked = ctx.input_masked[0]
    if masked and time_major:
        raise ctx.fail("a mask together with time_major=True is not supported")
    unrolled = _unrolled(ctx, steps)
    zero_output = bool(ctx.option("zero_output_for_mask", False))
    return {
        "features": shape[2],
        "steps": steps,
        "unrolled": unrolled,
        "step_indices": range(steps) if unrolled else range(0),  # lazy: checked by budget
        "time_major": time_major,
        "go_backwards": bool(ctx.option("go_backwards", False)),
        "return_sequences": bool(ctx.option("return_sequences", False)),
        "return_state": bool(ctx.option("return_state", False)),
        "initial_state": initial > 0 or stateful,  # the function takes initial states
        "stateful": stateful,
        "external_initial": initial > 0,
        "masked": masked,
        "zero_output_for_mask": zero_output,
        # Keras's output at a masked step is the previous output, zeros before the first
        # real step: it differs from h only when an initial state is given (or carried
        # over from the previous call, when stateful).
        "track_output": masked and (initial > 0 or stateful) and not zero_output,
    }


def stateful_option(ctx: LayerContext, batch: Optional[int], initial: int) -> bool:
    """Option stateful; refused with initial_state tensors or without a fixed batch size."""
    stateful = bool(ctx.option("stateful", False))
    if stateful and initial:
        raise ctx.fail("stateful=True together with initial_state tensors is not supported")
    if stateful and batch is None:
        raise ctx.fail("stateful=True needs a fixed batch size in the model's input shape")
    return stateful


def _batch_axis_size(ctx: LayerContext) -> Optional[int]:
    shape = ctx.input_shapes[0]
    return shape[1] if ctx.record.config.get("time_major") else shape[0]


def _unrolled(ctx: LayerContext, steps: Optional[int]) -> bool:
    wanted = ctx.options.unroll
    if wanted is False:
        return False
    if steps is None:
        if wanted:
            warnings.warn(
                LstmgenWarning(
                    f"layer '{ctx.name}' ({ctx.class_name}): the time axis is not fixed, "
                    "so it runs as a loop; pass --timesteps N to unroll it"
                )
            )
        return False
    # --timesteps N asks for N unrolled steps, beyond --unroll-limit if need be.
    limit = max(ctx.options.unroll_limit, ctx.options.timesteps or 0)
    return bool(wanted) or steps <= limit
