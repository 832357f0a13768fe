"""RNN(cell): Keras's generic recurrent layer around LSTMCell, GRUCell, SimpleRNNCell,
or StackedRNNCells of them. The cells compute what the LSTM, GRU and SimpleRNN layers
compute, so they share those layers' cell builders and templates."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from lstmgen.ir import Tensor
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.gru import gru_cell, gru_reset_after
from lstmgen.layers.lstm import lstm_cell
from lstmgen.layers.cell import Cell, CellPlace
from lstmgen.layers.recurrence import build_recurrent
from lstmgen.layers.simple_rnn import simple_rnn_cell

CELL_BUILDERS: Dict[str, Callable[[LayerContext, CellPlace], Cell]] = {
    "LSTMCell": lambda ctx, place: lstm_cell(ctx, False, place),
    "GRUCell": lambda ctx, place: gru_cell(ctx, gru_reset_after(ctx), False, place),
    "SimpleRNNCell": simple_rnn_cell,
}


def build_rnn(ctx: LayerContext) -> Built:
    """RNN(cell) with every sequence option the layer forms have."""
    cell = ctx.option("cell")
    if not isinstance(cell, dict) or not isinstance(cell.get("config"), dict):
        raise ctx.fail("option 'cell' is not a cell config")
    stacked = cell.get("class_name") == "StackedRNNCells"
    configs = cell["config"].get("cells") if stacked else [cell]
    if not isinstance(configs, list) or not configs:
        raise ctx.fail("StackedRNNCells has no cells")
    cells = _build_cells(ctx, configs, stacked)
    kinds = ", ".join(str(config.get("class_name")) for config in configs)
    kind = f"RNN(StackedRNNCells: {kinds})" if stacked else f"RNN({kinds})"
    return build_recurrent(ctx, cells, kind)


def _build_cells(ctx: LayerContext, configs: List[Any], stacked: bool) -> List[Cell]:
    """Each cell from its config and its share of the layer's weights, in order."""
    check_rank(ctx, ctx.input_shapes[0], (3,))
    batch, steps, features = ctx.input_shapes[0]
    weights = ctx.record.weights
    cells: List[Cell] = []
    for k, config in enumerate(configs):
        if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
            raise ctx.fail(f"cell {k} is not a cell config")
        class_name = str(config.get("class_name"))
        builder = CELL_BUILDERS.get(class_name)
        if builder is None:
            supported = ", ".join(sorted(CELL_BUILDERS))
            raise ctx.fail(f"cell class {class_name} is not supported (supported: {supported})")
        count = 3 if config["config"].get("use_bias", True) else 2
        units = cells[-1].params.units if cells else features
        source = Tensor(var="x", shape=(batch, steps, units))
        sub = ctx.sublayer(
            f"cells/{k}" if stacked else "cell",
            config,
            weights[:count],
            [source],
            f"cell{k + 1}" if stacked else None,
        )
        cells.append(builder(sub, CellPlace(k + 1, len(configs))))
        ctx.absorb(sub)
        weights = weights[count:]
    if weights:
        raise ctx.fail(f"{len(weights)} weight arrays in the file belong to no cell")
    return cells
