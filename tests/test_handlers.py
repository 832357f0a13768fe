"""Handlers -> typed params: every number and expression a template prints is decided
by the handler. No Keras: layers are given as configs and weight arrays."""

from __future__ import annotations

from typing import Any, Dict, Sequence

import numpy as np
import pytest

from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.base import Built, LayerContext, WeightTable, run_handler
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec


def built(
    class_name: str,
    config: Dict[str, Any],
    weights: Sequence[np.ndarray],
    shapes: Sequence[tuple],
    options: Options = Options(),
    keras_major: int = 3,
    weight_names: Sequence[str] = (),
) -> Built:
    """Run the registry's handler for one layer, as build_graph does."""
    record = LayerSpec(
        name=config.get("name", "layer"),
        class_name=class_name,
        config=config,
        weights=tuple(np.asarray(w) for w in weights),
        weight_names=tuple(weight_names),
    )
    inputs = [Tensor(var=f"x{k}", shape=shape) for k, shape in enumerate(shapes)]
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record,
        inputs,
        keras_major,
        options,
        WeightTable(names),
        names.claim(record.name),
        handlers=HANDLERS,
    )
    return run_handler(HANDLERS[class_name], ctx)


def ones(*shape):
    return np.ones(shape, np.float32)


def lstm(units, features, options=Options(), **config):
    config = {"name": "lstm", "units": units, **config}
    weights = [ones(features, 4 * units), ones(units, 4 * units), ones(4 * units)]
    return built("LSTM", config, weights, [(None, 5, features)], options)


def test_lstm_gates_are_finished_expressions():
    params = lstm(2, 3, Options(fast=False), recurrent_activation="hard_sigmoid").params
    assert params.template == "recurrent.py.j2"
    (cell,) = params.cells
    assert cell.template == "cell_lstm.j2"
    assert (cell.gates.i, cell.gates.g) == ("hard_sigmoid_keras3(z[:, 0:2])", "np.tanh(z[:, 4:6])")
    assert cell.cell_output("_new") == "np.tanh(c_new)"
    assert (cell.input.kernel, cell.input.bias, cell.input.width) == ("lstm_kernel", "lstm_bias", 8)
    assert cell.input.at(3) == "xw[3]" and cell.input.at("t") == "xw[t]"


def test_fast_lstm_runs_one_product_per_step():
    result = lstm(2, 3)
    (part,) = result.params.fast.parts
    assert part.cell.matrix == "lstm_matrix" and part.cell.order == "i|f|o|c"
    # batch-last: s and a hold one column per batch row, the product is M^T s
    assert (part.window, part.first_window, part.first_matrix) == (
        "s",
        "s[0:4]",
        "lstm_matrix[:, 0:4]",
    )
    assert part.names.view("ifo") == "ifo" and dict(part.views)["ifo"] == "a[0:6]"
    # M^T, C-ordered; M = [W; b; U], columns i|f|o|c from Keras's i|f|c|o, i, f, o halved
    [(name, expression, _)] = result.derived
    assert name == "lstm_matrix"
    assert expression.startswith("np.ascontiguousarray(") and expression.endswith(".T)")
    assert "np.vstack([lstm_kernel, lstm_bias, lstm_recurrent_kernel])" in expression
    assert "np.r_[0:4, 6:8, 4:6]" in expression and "[0.5, 0.5, 0.5, 1.0]" in expression
    assert result.params.fast.first_zero and result.params.fast.result == "h.T.copy()"


def test_masked_fast_lstm_reads_the_halved_constants():
    # A mask keeps the per-gate form (np.where on the states), with its own speed trick.
    config = {"name": "lstm", "units": 2}
    record = LayerSpec("lstm", "LSTM", config, weights=(ones(3, 8), ones(2, 8), ones(8)))
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record, [Tensor("x", (None, 5, 3), mask="m")], 3, Options(), WeightTable(names), "lstm"
    )
    result = run_handler(HANDLERS["LSTM"], ctx)
    (cell,) = result.params.cells
    assert result.params.fast is None
    assert cell.gates.fast and cell.gates.i_columns == "[:, 0:2]"
    assert cell.input.kernel == "lstm_kernel_halved"
    assert cell.recurrent_kernel == "lstm_recurrent_kernel_halved"
    assert [name for name, _, _ in result.derived] == [
        "lstm_gate_scale",
        "lstm_kernel_halved",
        "lstm_recurrent_kernel_halved",
        "lstm_bias_halved",
    ]


def test_masked_lstm_keeps_new_states_aside_and_returns_the_sequence():
    config = {"name": "lstm", "units": 2, "return_sequences": True, "zero_output_for_mask": True}
    record = LayerSpec("lstm", "LSTM", config, weights=(ones(3, 8), ones(2, 8), ones(8)))
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record,
        [Tensor("x", (None, 5, 3), mask="m")],
        3,
        Options(),
        WeightTable(names),
        "lstm",
    )
    params = run_handler(HANDLERS["LSTM"], ctx).params
    assert params.new == "_new"
    assert params.sequence_value == "np.where(m, h, 0.0)"
    assert params.result == "hs.transpose(1, 0, 2)"
    assert list(params.step_indices) == [0, 1, 2, 3, 4]


def test_gru_candidate_with_the_reset_gate_before_the_matmul():
    config = {"name": "gru", "units": 2, "reset_after": False}
    weights = [ones(3, 6), ones(2, 6), ones(6)]
    (cell,) = built("GRU", config, weights, [(None, 4, 3)]).params.cells
    assert cell.recurrent_product == "h @ gru_recurrent_kernel[:, :4]"
    assert cell.candidate == "np.tanh(xz[:, 4:6] + (r * h) @ gru_recurrent_kernel[:, 4:])"
    assert cell.update_gate == "sigmoid(xz[:, 0:2] + hu[:, 0:2])"


def test_stacked_cells_number_their_states_and_feed_each_other():
    cells = [
        {"class_name": "SimpleRNNCell", "config": {"units": 3, "activation": "relu"}},
        {"class_name": "GRUCell", "config": {"units": 2}},
    ]
    config = {"name": "rnn", "cell": {"class_name": "StackedRNNCells", "config": {"cells": cells}}}
    weights = [ones(4, 3), ones(3, 3), ones(3), ones(3, 6), ones(2, 6), ones(2, 6)]
    params = built("RNN", config, weights, [(None, 5, 4)]).params
    first, second = params.cells
    assert params.states == ("h1", "h2") and params.output == "h2" and params.stacked
    assert first.update("t") == "relu(xw[t] + h1 @ rnn_cell1_recurrent_kernel)"
    assert (second.input.name, second.input.source, second.input.hoisted) == ("xw2", "h1", False)
    assert second.input.at(7) == "xw2"


def test_dense_conv_and_reshaping_expressions():
    dense = built(
        "Dense", {"units": 3, "activation": "gelu"}, [ones(4, 3), ones(3)], [(None, 4)]
    ).params
    assert (dense.template, dense.result) == ("dense.py.j2", "gelu(y)")
    conv = built(
        "Conv2D",
        {"filters": 4, "kernel_size": [3, 2], "groups": 2, "data_format": "channels_first"},
        [ones(3, 2, 1, 4), ones(4)],
        [(None, 2, 8, 8)],
    ).params
    assert (conv.leading, conv.grouped, conv.group_channels, conv.window.size_text) == (
        3,
        True,
        1,
        "(3, 2)",
    )
    assert conv.layout.to_last == (0, 2, 3, 1) and conv.layout.unit == "cell"
    crop = built("Cropping2D", {"cropping": [[1, 2], [0, 3]]}, [], [(None, 9, 9, 2)]).params
    assert crop.result == "x[:, 1 : x.shape[1] - 2, 0 : x.shape[2] - 3]"


def test_an_integer_counter_is_taken_only_by_a_layer_that_saves_one():
    counter = np.array(10, dtype=np.int64)
    normalization = built(
        "Normalization", {"axis": -1}, [ones(3), ones(3), counter], [(None, 3)]
    ).params
    assert normalization.template == "feature_normalization.py.j2"
    with pytest.raises(UnsupportedError, match="weight 'count' has dtype int64, expected floats"):
        built(
            "Dense",
            {"name": "d", "units": 3},
            [ones(3, 3), counter],
            [(None, 3)],
            weight_names=["kernel", "count"],
        )
