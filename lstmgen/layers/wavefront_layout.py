"""Where everything sits in a wavefront (lstmgen.layers.wavefront): the columns of the row
s, the block matrix M built from the cells' own matrices, and each group's views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence, Tuple

from lstmgen.layers.fast_recurrence import StepNames, step_names
from lstmgen.layers.wavefront import WaveCell, WaveGroup, groups_of


@dataclass(frozen=True)
class Region:
    """A block of s's columns: an input, the ones column, or a cell's h."""

    name: str  # its variable: x_t, x_r, h_<tag>
    start: int
    stop: int
    cell: int  # the cell whose h it is (-1: an input)

    @property
    def view(self) -> str:
        """Its columns of s."""
        return f"s[{self.start}:{self.stop}]"


@dataclass(frozen=True)
class Layout:
    """s's columns and M's column blocks."""

    regions: Tuple[Region, ...]
    width: int  # s's columns: M's rows
    ones: int  # the ones column (the bias row of M)
    columns: int  # M's columns
    groups: Tuple[WaveGroup, ...]
    blocks: Tuple[Tuple[int, object, int, int], ...]  # (cell, its Column, start, stop) of M

    @property
    def doc(self) -> str:
        """s's columns, for comments: "x_t | 1 | h_lstm | h_lstm_1"."""
        inputs = [region.name for region in self.regions if region.cell < 0]
        states = [region.name for region in self.regions if region.cell >= 0]
        return " | ".join(inputs + ["1"] + states)


def s_regions(waves: Sequence[WaveCell], groups: Sequence[Sequence[int]]):
    """s = [x_t | x_r | 1 | h of each group's cells]: x_t for cells that read the input
    forwards, x_r for those that read it from its end."""
    features = next(wave.cell.features for wave in waves if wave.source is None)
    regions, position = [], 0
    for name, backwards in (("x_t", False), ("x_r", True)):
        if any(wave.source is None and wave.backwards == backwards for wave in waves):
            regions.append(Region(name, position, position + features, -1))
            position += features
    ones = position
    position += 1
    for members in groups:
        for member in members:
            units = waves[member].cell.units
            regions.append(Region(f"h_{waves[member].tag}", position, position + units, member))
            position += units
    return regions, ones, position


def layout(waves: Sequence[WaveCell]) -> Layout:
    """The layout of a wavefront of `waves`."""
    cells = [wave.cell for wave in waves]
    groups_list = groups_of(cells)
    regions, ones, width = s_regions(waves, groups_list)
    several = len(groups_list) > 1
    groups, blocks, position = [], [], 0
    for number, members in enumerate(groups_list, start=1):
        suffix = f"_{number}" if several else ""
        start = position
        spans = {}
        kind = cells[members[0]]
        for column in kind.columns:
            if column.stop - column.start != kind.units:  # a span of gates ("ifo", "zr")
                continue
            spans[column.name] = (position, position + sum(cells[m].units for m in members))
            for member in members:
                own = cells[member].column(column.name)
                blocks.append((member, own, position, position + cells[member].units))
                position += cells[member].units
        for column in kind.columns:  # spans: from their first gate to their last
            if column.name not in spans:
                inside = [
                    c.name
                    for c in kind.columns
                    if c.name in spans and column.start <= c.start < column.stop
                ]
                spans[column.name] = (spans[inside[0]][0], spans[inside[-1]][1])
        groups.append(_group(waves, members, regions, suffix, start, position, spans, several))
    return Layout(tuple(regions), width, ones, position, tuple(groups), tuple(blocks))


def _group(waves, members, regions, suffix, start, stop, spans, several) -> WaveGroup:
    """A group's names: its views of a, its h (its cells' h side by side), its c."""
    cells = [waves[m].cell for m in members]
    kind = cells[0]
    h_regions = [next(r for r in regions if r.cell == m) for m in members]
    block = f"a{suffix}" if several else "a"
    views: List[Tuple[str, str]] = []
    if several:
        views.append((block, f"a[{start}:{stop}]"))
    gates = []
    for name, (first, last) in spans.items():
        views.append((name + suffix, f"a[{first}:{last}]"))
        gates.append((name, name + suffix))
    h_group = f"h{suffix}"
    views.append((h_group, f"s[{h_regions[0].start}:{h_regions[-1].stop}]"))
    names = step_names(kind, suffix, block, gates, h_group)
    units = sum(cell.units for cell in cells)
    single = [column.name for column in kind.columns if column.stop - column.start == kind.units]
    cell_names: List[StepNames] = []
    offset = 0
    for cell, region in zip(cells, h_regions):
        own = tuple(
            (name, f"a[{spans[name][0] + offset}:{spans[name][0] + offset + cell.units}]")
            for name in single
        )
        cell_names.append(
            StepNames(
                kind=cell.kind,
                block=dict(own)["z"] if kind.kind == "simple_rnn" else block,
                gates=own,
                h=region.name,
                c=f"c{suffix}[{offset}:{offset + cell.units}]" if kind.kind == "lstm" else None,
                scratch=f"tmp{suffix}[{offset}:{offset + cell.units}]",
                scratch2=f"tmp{suffix}_u",
                candidate_kernel=cell.candidate_kernel,
                activation=cell.activation,
            )
        )
        offset += cell.units
    return WaveGroup(
        template=kind.template,
        names=names,
        views=tuple(views),
        members=tuple(members),
        cell_names=tuple(cell_names),
        units=units,
        lstm=kind.kind == "lstm",
        second_scratch=kind.candidate_kernel is not None,
    )
