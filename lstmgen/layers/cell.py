"""What every recurrent cell shares: its place among stacked cells, its input projection
x W + b, the parameters its template (cell_*.j2) reads, and its weight constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from lstmgen.activations import ActivationCall
from lstmgen.ir import Params, Weight
from lstmgen.layers.base import LayerContext
from lstmgen.layers.fast_cell import FastCell

TANH = ActivationCall("tanh", "np.tanh", frozenset())
SIGMOID = ActivationCall("sigmoid", "sigmoid", frozenset({"sigmoid"}))


@dataclass(frozen=True)
class CellPlace:
    """Where a cell runs in its layer: cell `number` (from 1) of `count` stacked cells
    (StackedRNNCells runs them in order at every step, each one's h feeding the next)."""

    number: int = 1
    count: int = 1

    def state(self, name: str) -> str:
        """A state's variable: h and c for a single cell, h1, c1, h2, ... in a stack."""
        return name if self.count == 1 else f"{name}{self.number}"


@dataclass(frozen=True)
class CellInput:
    """A cell's x W + b. The first cell's is computed for all steps before the recurrence
    (`xw`, indexed by step); a stacked cell's, at each step from the previous cell's new
    output (`xw2`, ...)."""

    kernel: str
    bias: Optional[str]
    width: int  # columns: gates * units
    hoisted: bool
    name: str  # "xw", or "xw2", "xw3", ... for stacked cells
    source: Optional[str]  # a stacked cell's input: the previous cell's output state
    previous: int  # the previous cell's number (stacked cells)

    def at(self, t: object) -> str:
        """x W + b at step `t` (a step number, or the loop variable's name; None in a
        one-step function, whose x W + b is of that step alone)."""
        return f"{self.name}[{t}]" if self.hoisted and t is not None else self.name


def cell_input(place: CellPlace, kernel: str, bias: Optional[str], width: int) -> CellInput:
    """The input projection of the cell at `place`."""
    first = place.number == 1
    return CellInput(
        kernel=kernel,
        bias=bias,
        width=width,
        hoisted=first,
        name="xw" if first else f"xw{place.number}",
        source=None if first else CellPlace(place.number - 1, place.count).state("h"),
        previous=place.number - 1,
    )


@dataclass(frozen=True)
class CellParams(Params):
    """What the recurrent template reads of every cell; each cell kind adds its own.
    `template` is a macro file defining doc(p) and step(p, t, new)."""

    title: str  # e.g. "LSTMCell, 8 units": names the cell in a stack's docstring
    units: int
    states: Tuple[str, ...]  # state variables, Keras's order: (h, c) or (h,)
    number: int
    input: CellInput
    recurrent_kernel: str

    @property
    def h(self) -> str:
        """The output state."""
        return self.states[0]


@dataclass(frozen=True)
class Cell:
    """One recurrent cell: its template's parameters, weights and import-time constants."""

    params: CellParams
    weights: List[Weight] = field(default_factory=list)
    derived: List = field(default_factory=list)  # import-time constants (speed tricks)
    fast: Optional[FastCell] = None  # how it runs in the fast form, if it can


def cell_activations(ctx: LayerContext, cudnn: bool) -> Tuple[ActivationCall, ActivationCall]:
    """(activation, recurrent_activation); cuDNN layers fix tanh and sigmoid."""
    if cudnn:
        ctx.use_helpers("sigmoid")
        return TANH, SIGMOID
    activation = ctx.activation("activation", "tanh")
    return activation, ctx.activation("recurrent_activation", "sigmoid")


def doc_name(call: ActivationCall) -> str:
    """How a cell's docstring names an activation: its function, or identity."""
    return call.func or "identity"


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


def gate_columns(units: int, gates: str) -> Tuple[str, ...]:
    """Each gate's columns of the packed W, U and b: ("0:8", "8:16", ...)."""
    return tuple(f"{k * units}:{(k + 1) * units}" for k in range(len(gates)))
