"""GRU (reset_after True and False) and CuDNNGRU: gates z (update), r (reset), h."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

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
from lstmgen.layers.fast_cell import gru_fast
from lstmgen.layers.recurrence import build_recurrent

GATES = "zrh"  # update, reset, candidate


@dataclass(frozen=True)
class GruCellParams(CellParams):
    """cell_gru.j2: h U (all three gates, or z and r only), then the gates."""

    template: ClassVar[str] = "cell_gru.j2"
    reset_after: bool
    recurrent_product: str  # hu, e.g. "h @ U + b_h" or "h @ U[:, :16]"
    recurrent_width: int  # its columns
    update_gate: str  # finished expressions of z, r and the candidate g
    reset_gate: str
    candidate: str
    activation_doc: str
    recurrent_doc: str


def build_gru(ctx: LayerContext) -> Built:
    """A GRU layer; reset_after decides where the reset gate applies and the bias shape."""
    return build_recurrent(ctx, [gru_cell(ctx, gru_reset_after(ctx), cudnn=False)], "GRU")


def gru_reset_after(ctx: LayerContext) -> bool:
    """Where the reset gate applies. Keras before 2.1.3 had no option (False); later files
    spell it out."""
    if ctx.record.config.get("reset_after") is None:
        default = ctx.keras_major == 3
        ctx.version_semantics(f"GRU without reset_after in its config: reset_after={default}")
    return bool(ctx.option("reset_after", ctx.keras_major == 3))


def build_cudnn_gru(ctx: LayerContext) -> Built:
    """Keras 2's CuDNNGRU: a reset_after GRU with tanh and sigmoid fixed; the reader gave
    its weights the plain layout."""
    return build_recurrent(ctx, [gru_cell(ctx, True, cudnn=True)], "CuDNNGRU")


def gru_cell(
    ctx: LayerContext, reset_after: bool, cudnn: bool, place: CellPlace = CellPlace()
) -> Cell:
    """Weights and gate layout of a GRU cell."""
    units = ctx.int_option("units")
    activation, recurrent = cell_activations(ctx, cudnn)
    use_bias, arrays, weights = gated_kernels(ctx, units, GATES, cudnn)
    input_bias = recurrent_bias = None
    if use_bias and reset_after:  # CuDNNGRU too: the reader gave its biases these rows
        bias = ctx.weight(
            arrays[2], "bias", (2, 3 * units), "b: rows input | recurrent, gates z|r|h"
        )
        input_bias, recurrent_bias = f"{bias.var}[0]", f"{bias.var}[1]"
        weights.append(bias)
    elif use_bias:
        bias = ctx.weight(arrays[2], "bias", (3 * units,), "b: (3*units,), gates z|r|h")
        input_bias = bias.var
        weights.append(bias)
    h, kernel, recurrent_kernel = place.state("h"), weights[0].var, weights[1].var
    fast = None
    if ctx.options.fast and activation.func == "np.tanh" and recurrent.func == "sigmoid":
        bias_var = weights[2].var if use_bias else None
        fast = gru_fast(ctx, kernel, recurrent_kernel, bias_var, units, reset_after)
    z, r, g = (f"[:, {span}]" for span in gate_columns(units, GATES))
    if reset_after:
        product = f"{h} @ {recurrent_kernel}" + (f" + {recurrent_bias}" if recurrent_bias else "")
        candidate = activation.apply(f"xz{g} + r * hu{g}")
    else:  # h U_h only once the reset gate is known
        product = f"{h} @ {recurrent_kernel}[:, :{2 * units}]"
        candidate = activation.apply(f"xz{g} + (r * {h}) @ {recurrent_kernel}[:, {2 * units}:]")
    return Cell(
        params=GruCellParams(
            title=f"GRUCell, {units} units, reset_after={reset_after}",
            units=units,
            states=(h,),
            number=place.number,
            input=cell_input(place, kernel, input_bias, 3 * units),
            recurrent_kernel=recurrent_kernel,
            reset_after=reset_after,
            recurrent_product=product,
            recurrent_width=(3 if reset_after else 2) * units,
            update_gate=recurrent.apply(f"xz{z} + hu{z}"),
            reset_gate=recurrent.apply(f"xz{r} + hu{r}"),
            candidate=candidate,
            activation_doc=doc_name(activation),
            recurrent_doc=doc_name(recurrent),
        ),
        weights=weights,
        fast=fast,
    )
