"""The iterations of a wavefront (lstmgen.layers.wavefront) and its block matrix: what
wavefront.py.j2 prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, List, Optional, Sequence, Tuple

from lstmgen.layers.wavefront import Iteration, Update, WaveCell, fusion_limit
from lstmgen.layers.wavefront_layout import Layout, layout


@dataclass(frozen=True)
class Loop:
    """The loop form's steady iterations: `body` for t in range(start, stop)."""

    start: int
    stop: int
    body: Iteration
    looped: ClassVar[bool] = True


@dataclass(frozen=True)
class Wavefront:
    """A fused loop over several recurrent cells (layers, or both directions)."""

    func: str  # the fused function
    labels: Tuple[str, ...]  # each cell's layer, in order
    steps: int
    layout: Layout
    layout_doc: str  # s's columns
    columns_doc: str  # M's columns
    matrix: str  # the block matrix M (derived at import)
    first_window: str  # step 0 (every state 0): only the inputs and the ones column of s
    first_matrix: str  # and the columns of M^T for them (a slice np.matmul reads uncopied)
    derived: Tuple[Tuple[str, str, str], ...]
    halves: bool  # some gates are sigmoids through tanh
    items: Tuple[object, ...]  # Iteration, or Loop for the steady ones
    sequences: Tuple[Tuple[str, int], ...]  # (buffer, units) of the output sequences
    results: Tuple[str, ...]  # what it returns, in order
    max_batch: int  # larger batches run the layers one by one
    delays: Tuple[int, ...]
    fallback: str  # the layers one by one (a chain's functions), "" where the caller decides
    template: ClassVar[str] = "wavefront.py.j2"


def _entry(waves: Sequence[WaveCell], layout_: Layout, row, cell: int, column, dtype: str) -> str:
    """M's block for the rows of `row` (a Region, or None for the ones row) and a gate of
    `cell`: a block of that cell's own M = [W; b; U], or zeros."""
    wave = waves[cell]
    own, features = f"{wave.cell.matrix}.T", wave.cell.features  # the cell's M^T, as M
    cols = f"{column.start}:{column.stop}"
    if row is None:
        return f"{own}[{features}:{features + 1}, {cols}]"
    reads = (
        row.cell == wave.source
        if wave.source is not None
        else row.name == ("x_r" if wave.backwards else "x_t")
    )
    if reads:
        return f"{own}[0:{features}, {cols}]"
    if row.cell == cell:
        return f"{own}[{features + 1}:, {cols}]"
    return f"np.zeros(({row.stop - row.start}, {column.stop - column.start}), np.{dtype})"


def block_matrix(waves: Sequence[WaveCell], layout_: Layout, dtype: str) -> str:
    """The expression of M: for each row block of s, each gate column block of each cell."""
    rows: List[Optional[object]] = []
    for region in layout_.regions:
        if region.cell >= 0 and None not in rows:
            rows.append(None)  # the ones column comes after the inputs
        rows.append(region)
    lines = []
    for row in rows:
        entries = [
            _entry(waves, layout_, row, cell, column, dtype)
            for cell, column, _, _ in layout_.blocks
        ]
        lines.append("[" + ", ".join(entries) + "]")
    return "np.block([" + ", ".join(lines) + "])"


@dataclass(frozen=True)
class Output:
    """A cell whose results the fused function returns (in order)."""

    cell: int
    sequences: bool  # its output at every step, else its last
    states: bool  # then its final states


def _iteration(waves, layout_: Layout, outputs, steps: int, t: int, loop: bool) -> Iteration:
    """Iteration t: the steps t - delay of the cells that have one."""
    at = "t" if loop else t
    active = [k for k, wave in enumerate(waves) if 0 <= t - wave.delay < steps]

    def shifted(delay: int) -> str:  # the step index of a cell `delay` behind
        return str(t - delay) if not loop else ("t" if not delay else f"t - {delay}")

    copies = []
    for name, backwards in (("x_t", False), ("x_r", True)):
        readers = [k for k in active if waves[k].source is None and waves[k].backwards == backwards]
        if readers and any(region.name == name for region in layout_.regions):
            delay = waves[readers[0]].delay
            index = (
                f"{steps - 1} - {shifted(delay)}"
                if backwards and loop
                else (str(steps - 1 - (t - delay)) if backwards else shifted(delay))
            )
            copies.append((name, f"x[{index}]"))
    gates, updates = [], []
    for group in layout_.groups:
        live = [m for m in group.members if m in active]
        if not live:
            continue
        gates.append((group.template, group.names))
        if len(live) == len(group.members):
            label = ", ".join(waves[m].label for m in live)
            updates.append(Update(group.template, group.names, t == 0, label))
        else:
            for member, names in zip(group.members, group.cell_names):
                if member in live:
                    first = t == waves[member].delay
                    updates.append(Update(group.template, names, first, waves[member].label))
    writes = tuple(
        (f"hs_{waves[o.cell].tag}[{shifted(waves[o.cell].delay)}]", f"h_{waves[o.cell].tag}")
        for o in outputs
        if o.sequences and o.cell in active
    )
    steps_doc = ", ".join(f"{waves[k].label} step {shifted(waves[k].delay)}" for k in active)
    first = t == 0
    return Iteration(
        index=at,
        title=f"step {at}: {steps_doc}" + (", from zero states" if first else ""),
        copies=tuple(copies),
        first=first,
        gates=tuple(gates),
        updates=tuple(updates),
        writes=writes,
    )


def iterations(waves, layout_: Layout, outputs, steps: int, unrolled: bool) -> Tuple[object, ...]:
    """Every iteration; in the loop form the steady ones (every cell active, past step 0)
    become one Loop."""
    depth = max(wave.delay for wave in waves)
    total = steps + depth
    start, stop = max(1, depth), steps  # steady: every cell has a step, none its step 0
    items: List[object] = []
    for t in range(total):
        if not unrolled and start <= t < stop:
            if t == start:
                items.append(Loop(start, stop, _iteration(waves, layout_, outputs, steps, t, True)))
            continue
        items.append(_iteration(waves, layout_, outputs, steps, t, False))
    return tuple(items)


def wavefront(
    waves: Sequence[WaveCell],
    outputs: Sequence[Output],
    steps: int,
    unrolled: bool,
    func: str,
    matrix: str,
    dtype: str,
    fallback: str = "",
) -> Wavefront:
    """The fused loop of `waves` over `steps` steps (unrolled, or a loop)."""
    layout_ = layout(waves)
    results: List[str] = []
    for o in outputs:
        tag = waves[o.cell].tag
        results.append(f"hs_{tag}.transpose(2, 0, 1)" if o.sequences else f"h_{tag}.T.copy()")
        if o.states:
            results.append(f"h_{tag}.T.copy()")
            group = next(g for g in layout_.groups if o.cell in g.members)
            names = group.cell_names[group.members.index(o.cell)]
            if names.c:
                results.append(f"{names.c}.T.copy()")
    layout_doc = layout_.doc
    columns_doc = "; ".join(
        f"{waves[g.members[0]].cell.order}, each " + " | ".join(waves[m].label for m in g.members)
        for g in layout_.groups
    )
    comment = (
        f"M^T, M ({layout_.width}, {layout_.columns}): the rows of [{layout_doc}], columns {columns_doc}: "
        "each cell's own M = [W; b; U] in the rows of its input, the ones and its h, zeros elsewhere"
    )
    return Wavefront(
        func=func,
        labels=tuple(wave.label for wave in waves),
        steps=steps,
        layout=layout_,
        layout_doc=layout_doc,
        columns_doc=columns_doc,
        matrix=matrix,
        first_window=f"s[0:{layout_.ones + 1}]",
        first_matrix=f"{matrix}[:, 0:{layout_.ones + 1}]",
        derived=(
            (matrix, f"np.ascontiguousarray({block_matrix(waves, layout_, dtype)}.T)", comment),
        ),
        halves=any(wave.cell.halved for wave in waves),
        items=iterations(waves, layout_, outputs, steps, unrolled),
        sequences=tuple(
            (f"hs_{waves[o.cell].tag}", waves[o.cell].cell.units) for o in outputs if o.sequences
        ),
        results=tuple(results),
        max_batch=fusion_limit(waves, layout_.width, layout_.columns, len(layout_.groups)),
        delays=tuple(wave.delay for wave in waves),
        fallback=fallback,
    )
