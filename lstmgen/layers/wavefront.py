"""Wavefront fusion: several recurrent layers run in one loop, each iteration one matrix
product for all of them. At iteration t a layer k steps behind the first computes its
step t - k, from the states of iteration t - 1, so every cell reads only what the previous
iteration wrote: s = [x | 1 | h_1 | h_2 | ...] times one block matrix M gives every
cell's gates, and cells of one kind sit side by side (the gates of one kind gate-major:
i of every LSTM, then f, ...) so that one NumPy call serves them all. Stacked layers
(return_sequences between them) and Bidirectional's two directions fuse so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Dict, List, Optional, Sequence, Tuple

from lstmgen.layers.fast_cell import FastCell
from lstmgen.layers.fast_recurrence import StepNames

# The cost model that decides up to which batch size fusion pays (rough costs on the
# benchmark machine; bench/fusion.py times the fused function against the layers one by
# one on both sides of the limit it gives): a NumPy call costs about CALL_NS, and each entry
# of M costs ROW_NS per iteration to read, plus MAC_NS per batch row to multiply. The
# fused M holds zero blocks (x feeds only the first cell, h_k only cells k and k + 1);
# the calls that one product and one pass per kind save must pay for them.
CALL_NS = 250.0
ROW_NS = 0.08
MAC_NS = 0.02


@dataclass(frozen=True)
class WaveCell:
    """A cell to fuse: its fast form, which layer it is and where its input comes from."""

    cell: FastCell
    label: str  # the layer's name
    delay: int  # iterations behind the first cell: its step t - delay runs at iteration t
    source: Optional[int]  # the cell whose h it reads, or None: the input x
    backwards: bool  # reads x from its end (go_backwards, Bidirectional's backward layer)
    tag: str  # for its variables: h_<tag>


@dataclass(frozen=True)
class WaveGroup:
    """The cells of one kind, side by side: their gates and states in one pass each."""

    template: str
    names: StepNames  # the whole group's views
    views: Tuple[Tuple[str, str], ...]  # (variable, slice of a) to define
    members: Tuple[int, ...]  # its cells
    cell_names: Tuple[StepNames, ...]  # each member's own slices (partial iterations)
    units: int  # its cells' units together
    lstm: bool  # it has a state c
    second_scratch: bool


@dataclass(frozen=True)
class Update:
    """A group's state update at one iteration: the whole group, or one cell of it."""

    template: str
    names: StepNames
    first: bool  # from zero states
    label: str  # for the comment


@dataclass(frozen=True)
class Iteration:
    """One iteration of the wavefront: which steps of which cells it runs."""

    index: object  # the iteration (a number, or "t" in the loop)
    title: str  # its comment
    copies: Tuple[Tuple[str, str], ...]  # (view of s, x slice) of the inputs it reads
    first: bool  # no cell has state yet: only the x and bias rows of M
    gates: Tuple[Tuple[str, StepNames], ...]  # (template, names) of every group
    updates: Tuple[Update, ...]
    writes: Tuple[Tuple[str, str], ...]  # (output sequence element, h) it writes
    looped: ClassVar[bool] = False  # (a Loop's body is one)


# NumPy calls of a cell's gates and update in the fast form (fast_*.j2), by kind
UPDATE_CALLS = {"lstm": 9, "gru": 9, "gru_before": 10, "simple_rnn": 1}


def fusion_limit(cells: Sequence[WaveCell], rows: int, width: int, groups: int) -> int:
    """The largest batch size at which the fused loop beats the layers one by one, by the
    cost model above (0: none). A layer's own step also copies its input into s, makes its
    product and writes its output sequence; the fused iteration does that once."""
    own = sum(wave.cell.rows * wave.cell.width for wave in cells)
    waste = rows * width - own  # M's zero blocks
    alone = sum(UPDATE_CALLS[wave.cell.kind] + 3 for wave in cells)
    fused = 3 + sum(
        UPDATE_CALLS[cells[members[0]].cell.kind]
        for members in groups_of([wave.cell for wave in cells])
    )
    saved = alone - fused
    if waste <= 0:
        return 1 << 30
    return max(0, int((saved * CALL_NS / waste - ROW_NS) / MAC_NS))


def groups_of(cells: Sequence[FastCell]) -> List[List[int]]:
    """Cells of one kind (and activation) run their gates and updates together; a GRU
    with reset_after=False multiplies (r * h) by its own U_h, so it stays alone."""
    groups: Dict[Tuple[str, str], List[int]] = {}
    for index, cell in enumerate(cells):
        key = (cell.kind, cell.activation) if cell.kind != "gru_before" else (str(index), "")
        groups.setdefault(key, []).append(index)
    return list(groups.values())
