"""SimpleRNN: h = activation(x W + h U + b)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstmgen.activations import ActivationCall
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.cell import Cell, CellParams, CellPlace, cell_input, doc_name
from lstmgen.layers.fast_cell import SIMPLE_RNN_FAST, simple_rnn_fast
from lstmgen.layers.recurrence import build_recurrent


@dataclass(frozen=True)
class SimpleRnnCellParams(CellParams):
    """cell_simple_rnn.j2: one update of h."""

    template: ClassVar[str] = "cell_simple_rnn.j2"
    activation: ActivationCall
    activation_doc: str

    def update(self, t: object) -> str:
        """The new h at step `t` (a step number, or the loop variable's name)."""
        return self.activation.apply(f"{self.input.at(t)} + {self.h} @ {self.recurrent_kernel}")


def build_simple_rnn(ctx: LayerContext) -> Built:
    """A SimpleRNN layer, any activation."""
    return build_recurrent(ctx, [simple_rnn_cell(ctx)], "SimpleRNN")


def simple_rnn_cell(ctx: LayerContext, place: CellPlace = CellPlace()) -> Cell:
    """Weights of a SimpleRNN cell."""
    units = ctx.int_option("units")
    activation = ctx.activation("activation", "tanh")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(3 if use_bias else 2)
    n_in = ctx.input_shapes[0][2]
    weights = [
        ctx.weight(arrays[0], "kernel", (n_in, units), "W: (features, units)"),
        ctx.weight(arrays[1], "recurrent_kernel", (units, units), "U: (units, units)"),
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[2], "bias", (units,), "b: (units,)"))
    fast = None
    if ctx.options.fast and activation.keras_name in SIMPLE_RNN_FAST:
        bias = weights[2].var if use_bias else None
        fast = simple_rnn_fast(
            ctx, weights[0].var, weights[1].var, bias, units, SIMPLE_RNN_FAST[activation.keras_name]
        )
    return Cell(
        params=SimpleRnnCellParams(
            title=f"SimpleRNNCell, {units} units",
            units=units,
            states=(place.state("h"),),
            number=place.number,
            input=cell_input(place, weights[0].var, weights[2].var if use_bias else None, units),
            recurrent_kernel=weights[1].var,
            activation=activation,
            activation_doc=doc_name(activation),
        ),
        weights=weights,
        fast=fast,
    )
