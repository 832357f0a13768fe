"""LSTM and CuDNNLSTM: Keras packs the four gates as i (input), f (forget), c, o (output)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Dict, List, Optional, Tuple

from lstmgen.activations import ActivationCall
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.cell import (
    Cell,
    CellParams,
    CellPlace,
    cell_activations,
    cell_input,
    doc_name,
    gate_columns,
    gated_kernels,
)
from lstmgen.layers.fast_cell import lstm_fast
from lstmgen.layers.recurrence import build_recurrent

GATES = "ifco"  # input, forget, cell candidate, output


@dataclass(frozen=True)
class LstmGates:
    """The gates of one LSTM step from z = x W + h U + b (blocks i|f|c|o on its last axis),
    as lstm_gates.j2 writes them for LSTM cells and ConvLSTMs alike."""

    fast: bool  # one tanh for all four gates: W, U, b have their i, f, o columns halved
    i: str  # each gate as a finished expression, e.g. "sigmoid(z[:, 0:8])"
    f: str
    g: str
    o: str
    i_columns: str  # the fast form's column selections, e.g. "[:, 0:8]"
    f_columns: str
    c_columns: str
    o_columns: str
    activation: ActivationCall
    activation_doc: str  # the docstring's names of the activations
    recurrent_doc: str

    def cell_output(self, c: str) -> str:
        """activation(c), which the output gate scales into h."""
        return self.activation.apply(c)


def lstm_gates(
    units: int,
    activation: ActivationCall,
    recurrent: ActivationCall,
    fast: bool,
    leading: str = ":",
) -> LstmGates:
    """The gates of an LSTM with `units` units (ConvLSTM: filters) whose z has `leading`
    before its gate axis (":" for (batch, 4*units), "..." for feature maps)."""
    columns = [f"[{leading}, {span}]" for span in gate_columns(units, GATES)]
    return LstmGates(
        fast=fast,
        i=recurrent.apply(f"z{columns[0]}"),
        f=recurrent.apply(f"z{columns[1]}"),
        g=activation.apply(f"z{columns[2]}"),
        o=recurrent.apply(f"z{columns[3]}"),
        i_columns=columns[0],
        f_columns=columns[1],
        c_columns=columns[2],
        o_columns=columns[3],
        activation=activation,
        activation_doc=doc_name(activation),
        recurrent_doc=doc_name(recurrent),
    )


@dataclass(frozen=True)
class LstmCellParams(CellParams):
    """cell_lstm.j2: the state c besides h, and the gates."""

    template: ClassVar[str] = "cell_lstm.j2"
    c: str
    gates: LstmGates

    def cell_output(self, new: str) -> str:
        """activation(c) of the new cell state (`new`: the suffix of the new states)."""
        return self.gates.cell_output(self.c + new)


def build_lstm(ctx: LayerContext) -> Built:
    """An LSTM layer (Keras 2 and 3 semantics, any activations)."""
    # Keras 2.0-2.3 defaulted to hard_sigmoid; every saved config spells it out.
    return build_recurrent(ctx, [lstm_cell(ctx, cudnn=False)], "LSTM")


def build_cudnn_lstm(ctx: LayerContext) -> Built:
    """Keras 2's CuDNNLSTM: tanh and sigmoid fixed, a bias; the reader gave the weights
    the plain layout."""
    return build_recurrent(ctx, [lstm_cell(ctx, cudnn=True)], "CuDNNLSTM")


def lstm_cell(ctx: LayerContext, cudnn: bool, place: CellPlace = CellPlace()) -> Cell:
    """Weights and gate layout of an LSTM cell."""
    units = ctx.int_option("units")
    activation, recurrent = cell_activations(ctx, cudnn)
    use_bias, arrays, weights = gated_kernels(ctx, units, GATES, cudnn)
    input_bias = None
    if use_bias:
        # The reader gives cuDNN's input and recurrent biases summed, as Keras loads them.
        comment = "b: (4*units,), gates i|f|c|o" + (", cuDNN's two biases summed" if cudnn else "")
        weights.append(ctx.weight(arrays[2], "bias", (4 * units,), comment))
        input_bias = weights[2].var
    names = {"kernel": weights[0].var, "recurrent_kernel": weights[1].var, "bias": input_bias}
    fast = ctx.options.fast and activation.func == "np.tanh" and recurrent.func == "sigmoid"
    # The fast form of the layer (fast_cell), or, where the layer cannot take it (a mask),
    # the halved constants of the per-gate form.
    fast_cell = lstm_fast(ctx, weights[0].var, weights[1].var, input_bias, units) if fast else None
    derived = halved_gates(ctx, names, units, "input_bias") if fast else []
    return Cell(
        params=LstmCellParams(
            title=f"LSTMCell, {units} units",
            units=units,
            states=(place.state("h"), place.state("c")),
            number=place.number,
            input=cell_input(place, names["kernel"], names["bias"], 4 * units),
            recurrent_kernel=names["recurrent_kernel"],
            c=place.state("c"),
            gates=lstm_gates(units, activation, recurrent, fast),
        ),
        weights=weights,
        derived=derived,
        fast=fast_cell,
    )


def halved_gates(
    ctx: LayerContext, names: Dict[str, Optional[str]], units: int, bias_label: str = "bias"
) -> List[Tuple[str, str, str]]:
    """The fast form: sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, so one tanh serves all four
    gates when the i, f, o columns of W, U and b are halved at import. Halving is exact
    in float32, so the results are those of the plain form, bit for bit. Also serves
    ConvLSTM, whose kernels have the same i|f|c|o blocks along their last axis.

    Returns the import-time constants; `names` (kernel, recurrent_kernel, bias: their
    constants, or None) then names the halved ones. `bias_label` names the bias in the
    constants' comments."""
    scale = ctx.derived_name("gate_scale")
    dtype = "float64" if ctx.options.float64 else "float32"
    derived = [
        (
            scale,
            f"np.repeat(np.{dtype}([0.5, 0.5, 1.0, 0.5]), {units})",
            f"halves the i, f, o columns: exact in {dtype}",
        ),
    ]
    for key, label in (
        ("kernel", "kernel"),
        ("recurrent_kernel", "recurrent_kernel"),
        ("bias", bias_label),
    ):
        if names[key]:
            name = ctx.derived_name(f"{key}_halved")
            derived.append((name, f"{names[key]} * {scale}", f"{label} with i, f, o halved"))
            names[key] = name
    return derived
