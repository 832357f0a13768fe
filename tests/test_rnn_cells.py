"""RNN(cell) with LSTMCell, GRUCell, SimpleRNNCell and StackedRNNCells, against both Keras."""

import numpy as np
import pytest

from lstmgen.options import Options
from oracle import (
    assert_refused,
    check_against_keras,
    edit_config,
    flatten,
    generate_module,
    padded,
    randomize,
    relative_error,
    save,
)

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]
CELLS = ["LSTMCell", "GRUCell", "SimpleRNNCell"]


def cell(K, kind, units, **options):
    return getattr(K.layers, kind)(units, **options)


def stacked(K, kinds_and_units, **options):
    return K.layers.StackedRNNCells(
        [cell(K, kind, units, **options) for kind, units in kinds_and_units]
    )


MIXED = [("LSTMCell", 4), ("GRUCell", 3), ("SimpleRNNCell", 5), ("LSTMCell", 2)]


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"return_sequences": True},
        {"go_backwards": True, "return_sequences": True},
        {"go_backwards": True, "return_state": True},
        {"return_sequences": True, "return_state": True},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "default",
)
def test_single_cell_options(any_keras, kind, options, tmp_path):
    K = any_keras
    fmt = FORMATS[(CELLS.index(kind) + len(options)) % 2]  # both formats, alternating
    x = K.Input((5, 3))
    y = K.layers.RNN(cell(K, kind, 4), **options)(x)
    model = K.Model(x, y)
    loop = Options(unroll=False) if len(options) % 2 else Options()
    check_against_keras(model, tmp_path, fmt, options=loop, scale=0.4)


@pytest.mark.parametrize(
    "kind, cell_options",
    [
        ("LSTMCell", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
        ("LSTMCell", {"use_bias": False, "unit_forget_bias": False}),
        ("GRUCell", {"reset_after": False, "recurrent_activation": "hard_sigmoid"}),
        ("GRUCell", {"reset_after": True, "use_bias": False, "activation": "softsign"}),
        ("GRUCell", {"reset_after": False, "use_bias": False}),
        ("SimpleRNNCell", {"activation": "elu", "use_bias": False}),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
    ),
)
def test_cell_options(any_keras, kind, cell_options, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((6, 3)), K.layers.RNN(cell(K, kind, 4, **cell_options), return_sequences=True)]
    )
    check_against_keras(model, tmp_path, "h5", scale=0.4)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("sequences", [True, False])
def test_stacked_cells_mixed_kinds_and_sizes_with_all_states(any_keras, sequences, fmt, tmp_path):
    K = any_keras
    x = K.Input((6, 3))
    outputs = K.layers.RNN(stacked(K, MIXED), return_sequences=sequences, return_state=True)(x)
    model = K.Model(x, flatten(outputs))
    module = check_against_keras(model, tmp_path, fmt, options=Options(unroll=sequences), scale=0.4)
    # The output, then every cell's states in order: h, c | h | h | h, c.
    assert [shape[-1] for shape in module.OUTPUT_SHAPES] == [2, 4, 4, 3, 5, 2, 2]


@pytest.mark.parametrize("fmt", FORMATS)
def test_stacked_cells_go_backwards_and_options(any_keras, fmt, tmp_path):
    K = any_keras
    cells = K.layers.StackedRNNCells(
        [
            K.layers.GRUCell(3, reset_after=False, use_bias=False),
            K.layers.LSTMCell(4, activation="softsign"),
            K.layers.GRUCell(2, recurrent_activation="hard_sigmoid"),
        ]
    )
    model = K.Sequential(
        [
            K.Input((5, 2)),
            K.layers.RNN(cells, go_backwards=True, return_sequences=True),
            K.layers.Dense(2),
        ]
    )
    check_against_keras(model, tmp_path, fmt, scale=0.4)


@pytest.mark.parametrize("zero_output", [False, True])
@pytest.mark.parametrize("kind", ["stacked", *CELLS])
def test_masking(any_keras, kind, zero_output, tmp_path):
    K = any_keras
    the_cell = stacked(K, MIXED) if kind == "stacked" else cell(K, kind, 4)
    options = {"zero_output_for_mask": True} if zero_output else {}
    model = K.Sequential(
        [
            K.Input((7, 3)),
            K.layers.Masking(0.0),
            K.layers.RNN(the_cell, return_sequences=True, **options),
            K.layers.RNN(cell(K, "GRUCell", 3)),
        ]
    )
    check_against_keras(model, tmp_path, "keras", batches=(1, 9), make_inputs=padded, scale=0.4)


@pytest.mark.parametrize("fmt", FORMATS)
def test_initial_states_from_other_tensors(any_keras, fmt, tmp_path):
    K = any_keras
    encoder_in, decoder_in = K.Input((5, 3)), K.Input((4, 2))
    encoded = K.layers.RNN(stacked(K, [("LSTMCell", 4), ("GRUCell", 3)]), return_state=True)(
        encoder_in
    )
    states = flatten(encoded[1:])
    decoded = K.layers.RNN(stacked(K, [("LSTMCell", 4), ("GRUCell", 3)]), return_sequences=True)(
        K.layers.Masking()(decoder_in), initial_state=[states[:2], states[2]]
    )  # per cell
    single = K.layers.RNN(cell(K, "LSTMCell", 4), return_sequences=True)(
        decoder_in, initial_state=list(states[:2])
    )
    model = K.Model([encoder_in, decoder_in], [decoded, single])
    check_against_keras(model, tmp_path, fmt, make_inputs=padded, scale=0.4)


# Not in alphabetical order, and more than ten cells of one class: in .keras files the
# cells' weight groups are named lstm_cell, gru_cell, lstm_cell_1, ..., lstm_cell_10.
MANY = [("LSTMCell", 2), ("GRUCell", 3)] + [("LSTMCell", 2 + k % 3) for k in range(11)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_around_cells(any_keras, merge_mode, fmt, tmp_path):
    K = any_keras
    x = K.Input((5, 3))
    y = K.layers.Bidirectional(
        K.layers.RNN(stacked(K, [("LSTMCell", 2), ("GRUCell", 3)]), return_sequences=True),
        merge_mode=merge_mode,
    )(K.layers.Masking()(x))
    model = K.Model(x, y)
    check_against_keras(model, tmp_path, fmt, make_inputs=padded, scale=0.4)


def test_many_cells_of_one_class_keep_their_order(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((4, 3)), K.layers.RNN(stacked(K, MANY), return_sequences=True)])
    check_against_keras(model, tmp_path, "keras", scale=0.4)


@pytest.mark.parametrize("fmt", FORMATS)
def test_stateful_rnn_cells_keep_state_between_calls(any_keras, fmt, tmp_path):
    K = any_keras
    shape = (
        {"batch_shape": (2, None, 3)}
        if K.__name__ == "keras"
        else {"batch_size": 2, "shape": (None, 3)}
    )
    x = K.Input(**shape)
    y = K.layers.RNN(
        stacked(K, [("LSTMCell", 4), ("GRUCell", 3)]), stateful=True, return_sequences=True
    )(x)
    y = K.layers.RNN(cell(K, "SimpleRNNCell", 2), stateful=True)(y)
    model = K.Model(x, y)
    randomize(model, seed=4, scale=0.4)
    module = generate_module(save(model, tmp_path, fmt), tmp_path)
    rng = np.random.default_rng(1)
    for steps in (4, 1, 3):
        piece = rng.normal(size=(2, steps, 3)).astype(np.float32)
        assert relative_error(module.predict(piece), np.asarray(model(piece))) <= 1e-5


def test_streaming_step_matches_predict(keras3, tmp_path):
    K = keras3
    model = K.Sequential(
        [
            K.Input((None, 3)),
            K.layers.RNN(stacked(K, MIXED), return_sequences=True),
            K.layers.Dense(2),
        ]
    )
    randomize(model, seed=2, scale=0.4)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    x = np.random.default_rng(0).normal(size=(3, 6, 3)).astype(np.float32)
    whole = module.predict(x)
    state = module.initial_state(3)
    for t in range(6):
        y, state = module.step(x[:, t], state)
        assert relative_error(y, whole[:, t]) <= 1e-5


def test_unsupported_cells_are_refused_in_one_line(capsys, keras2, tmp_path):
    K = keras2
    model = K.Sequential(
        [K.Input((5, 3)), K.layers.RNN(stacked(K, [("LSTMCell", 2), ("GRUCell", 2)]), name="rnn")]
    )
    path = save(model, tmp_path, "h5")

    def peephole(config):
        config["config"]["layers"][-1]["config"]["cell"]["config"]["cells"][1][
            "class_name"
        ] = "PeepholeLSTMCell"

    def weightless(config):
        config["config"]["layers"][-1]["config"]["cell"]["config"]["cells"][0]["config"][
            "use_bias"
        ] = False

    edited = edit_config(path, tmp_path / "peephole.h5", peephole)
    assert_refused(
        capsys, tmp_path, edited, "layer 'rnn'", "PeepholeLSTMCell", "supported: GRUCell"
    )
    edited = edit_config(path, tmp_path / "weights.h5", weightless)
    assert_refused(capsys, tmp_path, edited, "layer 'rnn/cells/1'", "weight")
