"""The fast form of a recurrent layer: every array allocated once per call, each step one
matrix product per cell (s M, s = [x_t | 1 | h]) and NumPy functions that write into
those arrays, the views of the gates made once. What recurrent.py.j2 and fast_*.j2 print.

Its arrays are batch-last (one column per batch row): s is (columns of s, batch) and the
product is M^T s (fast_cell's M^T), so every view below is a block of whole rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from lstmgen.layers.fast_cell import FastCell


@dataclass(frozen=True)
class StepNames:
    """What a cell kind's gates and state update (fast_*.j2) write with: one cell's
    buffers, or those of several cells of one kind side by side (a wavefront)."""

    kind: str  # FastCell.kind
    block: str  # the columns of s M its gates read
    gates: Tuple[Tuple[str, str], ...]  # gate block ("i", "zr", ...) -> variable or slice
    h: str
    c: Optional[str]  # LSTM
    scratch: str  # a (batch, units) buffer
    scratch2: str  # another one (GRU with reset_after=False)
    candidate_kernel: Optional[str] = None  # GRU with reset_after=False: U_h
    activation: str = "tanh"  # SimpleRNN

    def view(self, name: str) -> str:
        """The variable (or slice) of gate block `name`."""
        return dict(self.gates)[name]


@dataclass(frozen=True)
class FastPart:
    """One cell of a layer's fast form: its window of s, its buffer a = s M, its views."""

    cell: FastCell
    label: str  # for comments: "LSTM", "LSTMCell, 8 units"
    product: str  # its buffer a = s M
    window: str  # the columns of s it multiplies: [input | 1 | h]
    first_window: str  # from zero states: [input | 1] only
    first_matrix: str  # the columns of M^T for them (np.matmul multiplies the slice uncopied)
    product_doc: str  # the product, for its comment: "[x_t | 1 | h] [W; b; U]"
    first_doc: str
    views: Tuple[Tuple[str, str], ...]  # (variable, slice of a) of its gate blocks
    names: StepNames
    step_input: str  # its input in the one-step function: x, or the previous cell's h

    @property
    def template(self) -> str:
        """Its kind's macros (setup, gates, update, step, one_step)."""
        return self.cell.template

    @property
    def states(self) -> Tuple[str, ...]:
        """Its states in Keras's order: (h, c) or (h,)."""
        return (self.names.h, self.names.c) if self.names.c else (self.names.h,)


@dataclass(frozen=True)
class FastRecurrence:
    """A layer's cells in the fast form, run one after the other at every step."""

    width: int  # columns of s
    layout: str  # s's columns, for the comment
    ones: Tuple[int, ...]  # s's columns of ones (each cell's bias row of M)
    x_view: str  # s's columns that hold x_t
    h_views: Tuple[Tuple[str, str], ...]  # (state, view of s)
    parts: Tuple[FastPart, ...]
    halves: bool  # some cell computes a sigmoid as 0.5 * tanh(z / 2) + 0.5
    first_zero: bool  # the states start at zero: step 0 skips h U (and f * c)
    output: str  # the output state (the last cell's h)
    loop_start: int  # the loop form's first step (1 after a separate step 0)
    result: str  # what the function returns first
    returned_states: Tuple[str, ...]  # the final states, when returned

    @property
    def copied(self) -> Tuple[str, ...]:
        """The states that are views of s: initial states are copied into them."""
        return tuple(state for state, _ in self.h_views)


def step_names(cell: FastCell, suffix: str, block: str, gates, h: str) -> StepNames:
    """The names of one cell's (or one wavefront group's) buffers."""
    return StepNames(
        kind=cell.kind,
        block=block,
        gates=tuple(gates),
        h=h,
        c=f"c{suffix}" if cell.kind == "lstm" else None,
        scratch=f"tmp{suffix}",
        scratch2=f"tmp{suffix}_u",
        candidate_kernel=cell.candidate_kernel,
        activation=cell.activation,
    )


def fast_recurrence(
    cells: Sequence[FastCell], labels: Sequence[str], zero: bool, sequences: Optional[str]
) -> FastRecurrence:
    """The fast form of cells run in order at every step (one cell, or StackedRNNCells),
    each one's h the next one's input: s = [x | 1 | h1 | 1 | h2 | ...], so that every
    cell's [input | 1 | h] is a window of s. `zero`: the states start at zero;
    `sequences`: what returns the outputs of every step (None: the last output only)."""
    features = cells[0].features
    stacked = len(cells) > 1
    position, ones, parts, h_views, layout = features + 1, [features], [], [], ["x_t", "1"]
    start = 0  # the current cell's window starts at its input
    for number, (cell, label) in enumerate(zip(cells, labels), start=1):
        suffix = str(number) if stacked else ""
        h_start, h_stop = position, position + cell.units
        h_name = f"h{suffix}"
        h_views.append((h_name, f"s[{h_start}:{h_stop}]"))
        layout.append(h_name)
        product = f"a{suffix}"
        views = tuple(
            (column.name + suffix, f"{product}[{column.start}:{column.stop}]")
            for column in cell.columns
        )
        gates = [(column.name, column.name + suffix) for column in cell.columns]
        parts.append(
            FastPart(
                cell=cell,
                label=label,
                product=product,
                window="s" if not stacked else f"s[{start}:{h_stop}]",
                first_window=f"s[{start}:{h_start}]",
                first_matrix=f"{cell.matrix}[:, 0:{cell.features + 1}]",
                product_doc=f"[{layout[-3 if number > 1 else 0]} | 1 | {h_name}] [W; b; U]",
                first_doc=f"[{layout[-3 if number > 1 else 0]} | 1] [W; b] (h = 0)",
                views=views,
                names=step_names(cell, suffix, product, gates, h_name),
                step_input="x" if number == 1 else parts[-1].names.h,
            )
        )
        start, position = h_start, h_stop
        if number < len(cells):
            ones.append(position)
            layout.append("1")
            position += 1
    return FastRecurrence(
        width=position,
        layout=" | ".join(layout),
        ones=tuple(ones),
        x_view=f"s[0:{features}]",
        h_views=tuple(h_views),
        parts=tuple(parts),
        halves=any(cell.halved for cell in cells),
        first_zero=zero,
        output=parts[-1].names.h,
        loop_start=1 if zero else 0,
        result=sequences or f"{parts[-1].names.h}.T.copy()",
        # the states leave batch first, C-ordered: copies
        returned_states=tuple(f"{state}.T.copy()" for part in parts for state in part.states),
    )
