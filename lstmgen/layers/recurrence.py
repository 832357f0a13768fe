"""What every recurrent layer decides the same way: time axis, states, masks, unrolling."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import ClassVar, Optional, Sequence, Tuple

from lstmgen.errors import LstmgenWarning
from lstmgen.ir import Node, Params, Work
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.cell import Cell, CellParams
from lstmgen.layers.fast_recurrence import FastRecurrence, fast_recurrence


@dataclass(frozen=True)
class SequenceOptions:
    """How a recurrent layer runs over its sequence, from its config and input shapes."""

    features: int
    steps: Optional[int]
    unrolled: bool  # one block of code per step, else a loop
    time_major: bool  # the input is (time, batch, features) (old tf.keras)
    go_backwards: bool
    return_sequences: bool
    return_state: bool
    initial_state: bool  # the function takes initial states (given, or kept: stateful)
    stateful: bool
    external_initial: bool  # initial states are tensors of the model
    masked: bool
    zero_output_for_mask: bool
    # Keras's output at a masked step is the previous output, zeros before the first
    # real step: it differs from h only when an initial state is given (or carried over
    # from the previous call, when stateful).
    track_output: bool


@dataclass(frozen=True)
class RecurrentParams(Params):
    """recurrent.py.j2: the sequence loop around one cell or a stack of them."""

    template: ClassVar[str] = "recurrent.py.j2"
    kind: str  # e.g. "LSTM", "RNN(GRUCell)", for the docstring
    units: int  # the output's (the last cell's)
    cells: Tuple[CellParams, ...]
    stacked: bool
    states: Tuple[str, ...]  # every cell's states, in order
    # (state, initial state argument, units) of each state
    state_inits: Tuple[Tuple[str, str, int], ...]
    output: str  # the state that is the output: the last cell's h
    output_index: int  # its place among the states (step() reads it from there)
    new: str  # suffix of the new states at a step: "_new" when a mask may keep the old
    step_indices: Sequence[int]  # unrolled: the steps (a lazy range: the budget checks it)
    sequence_value: str  # what return_sequences keeps of each step
    result: str  # the first value returned
    returns_states: bool  # the states follow it (return_state, or stateful)
    sequence: SequenceOptions
    fast: Optional[FastRecurrence] = None  # the fast form (recurrent_fast.py.j2), if it runs

    @property
    def return_state(self) -> bool:
        """The layer returns its final states after its output."""
        return self.sequence.return_state

    @property
    def zero_output_for_mask(self) -> bool:
        """A masked step's output is 0 (else the previous output)."""
        return self.sequence.zero_output_for_mask


def reads_time_major(node: Node) -> bool:
    """A recurrent layer that reads (time, batch, features): time_major=True (old tf.keras)."""
    return isinstance(node.params, RecurrentParams) and node.params.sequence.time_major


def build_recurrent(ctx: LayerContext, cells: Sequence[Cell], kind: str) -> Built:
    """A full recurrent layer around `cells` (run in order at every step, each one's
    output feeding the next, as StackedRNNCells does), with every sequence option."""
    cell_params = tuple(cell.params for cell in cells)
    states = tuple(state for cell in cell_params for state in cell.states)
    units = [cell.units for cell in cell_params for _ in cell.states]
    seq = sequence_params(ctx, len(states))
    fast = _fast_form(cells, seq, kind)
    if fast:  # the per-gate form's speed tricks are not used: its docstring is the math
        cell_params = tuple(_plain_doc(cell) for cell in cell_params)
        # every sigmoid of every cell is 0.5 * tanh(z / 2) + 0.5 there: no helper called
        ctx.drop_helpers("sigmoid")
    last = cell_params[-1]
    output = last.h
    arguments = [f"{s}0" if len(cells) == 1 else f"{s}_0" for s in states]
    params = RecurrentParams(
        kind=kind,
        units=last.units,
        cells=cell_params,
        stacked=len(cells) > 1,
        states=states,
        state_inits=tuple(zip(states, arguments, units)),
        output=output,
        output_index=len(states) - len(last.states),
        new="_new" if seq.masked else "",
        step_indices=range(seq.steps) if seq.unrolled else range(0),
        sequence_value=(
            f"np.where(m, {output}, 0.0)"
            if seq.zero_output_for_mask and seq.masked
            else "y" if seq.track_output else output
        ),
        result=_result(seq, output),
        returns_states=seq.return_state or seq.stateful,
        sequence=seq,
        fast=fast,
    )
    batch = _batch_axis_size(ctx)
    if seq.return_sequences:
        steps = seq.steps
        first = (steps, batch, last.units) if seq.time_major else (batch, steps, last.units)
    else:
        first = (batch, last.units)
    returned = seq.return_state
    outputs = [first] + ([(batch, n) for n in units] if returned else [])
    streams = not (seq.go_backwards or seq.time_major or seq.external_initial)
    return Built(
        params=params,
        outputs=outputs,
        weights=[weight for cell in cells for weight in cell.weights],
        mask="pass" if seq.return_sequences else "none",
        consumes_mask=True,
        output_names=["out"] + (list(states) if returned else []),
        step="cell" if streams else None,
        states=[(n,) for n in units],
        stateful=seq.stateful,
        derived=[
            item
            for cell in cells
            for item in (cell.fast.derived if fast and cell.fast else cell.derived)
        ],
        work=Work(
            time_axis=0 if seq.time_major else 1,
            cells=len(cells),
            unrolled=len(params.step_indices) * len(cells),
        ),
    )


def _fast_form(cells: Sequence[Cell], seq: SequenceOptions, kind: str):
    """The fast form, for cells that all have one, without a mask (masked steps keep the
    previous states: the per-gate form's np.where), over at least one step."""
    fast_cells = [cell.fast for cell in cells]
    if any(cell is None for cell in fast_cells) or seq.masked or seq.steps == 0:
        return None
    labels = [kind] if len(cells) == 1 else [cell.params.title for cell in cells]
    sequences = None
    if seq.return_sequences:  # hs: (steps, units, batch), batch-last as the fast form runs
        sequences = "hs.transpose(0, 2, 1)" if seq.time_major else "hs.transpose(2, 0, 1)"
    return fast_recurrence(fast_cells, labels, not seq.initial_state, sequences)


def _plain_doc(cell: CellParams) -> CellParams:
    """The cell's parameters without the per-gate form's fast-form note."""
    gates = getattr(cell, "gates", None)
    return replace(cell, gates=replace(gates, fast=False)) if gates and gates.fast else cell


def _result(seq: SequenceOptions, output: str) -> str:
    """What the layer returns first: the sequence of outputs, or the last output."""
    if seq.return_sequences:
        return "hs" if seq.time_major else "hs.transpose(1, 0, 2)"
    if seq.masked and seq.zero_output_for_mask:
        return f"np.where(mask[:, -1, None], {output}, 0.0)"
    return "y" if seq.track_output else output


def sequence_params(ctx: LayerContext, n_states: int) -> SequenceOptions:
    """The sequence options of a recurrent layer, from its config and input shapes."""
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
    return SequenceOptions(
        features=shape[2],
        steps=steps,
        unrolled=unrolled,
        time_major=time_major,
        go_backwards=bool(ctx.option("go_backwards", False)),
        return_sequences=bool(ctx.option("return_sequences", False)),
        return_state=bool(ctx.option("return_state", False)),
        initial_state=initial > 0 or stateful,
        stateful=stateful,
        external_initial=initial > 0,
        masked=masked,
        zero_output_for_mask=zero_output,
        track_output=masked and (initial > 0 or stateful) and not zero_output,
    )


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
