"""Every recurrent layer kind in one functional graph with many outputs, output by output."""

import pytest

from lstmgen.options import Options

from oracle import check_against_keras, flatten, padded, random_inputs

pytestmark = pytest.mark.keras


def all_recurrent_model(K):
    L = K.layers
    sequence = K.Input((7, 4), name="sequence")
    masked = L.Masking(0.0, name="masking")(sequence)
    outputs = [
        L.LSTM(5, return_sequences=True, name="lstm")(masked),
        L.GRU(4, reset_after=True, name="gru_reset_after")(masked),
        L.GRU(4, reset_after=False, return_sequences=True, name="gru_reset_before")(masked),
        L.SimpleRNN(3, activation="relu", name="simple_rnn")(masked),
    ]
    for mode in ("concat", "sum", "mul", "ave", None):
        wrapped = L.Bidirectional(
            L.LSTM(3, return_sequences=mode in ("concat", None)),
            merge_mode=mode,
            name=f"bidirectional_{mode}".lower(),
        )(masked)
        outputs += flatten(wrapped)
    for cell in (L.LSTMCell(3), L.GRUCell(3, reset_after=False), L.SimpleRNNCell(3)):
        outputs.append(L.RNN(cell, name=f"rnn_{type(cell).__name__}".lower())(masked))
    cells = L.StackedRNNCells([L.LSTMCell(4), L.GRUCell(3), L.SimpleRNNCell(2)])
    outputs += flatten(
        L.RNN(cells, return_state=True, return_sequences=True, name="stacked")(masked)
    )
    frames1d, frames2d, frames3d = (
        K.Input((4, 6, 2), name="frames1d"),
        K.Input((3, 5, 5, 2), name="frames2d"),
        K.Input((3, 4, 4, 3, 1), name="frames3d"),
    )
    chained = L.ConvLSTM1D(3, 3, padding="same", return_sequences=True, name="conv_lstm1d_a")(
        frames1d
    )
    outputs.append(L.ConvLSTM1D(2, 2, name="conv_lstm1d_b")(chained))
    outputs.append(L.ConvLSTM2D(2, (3, 3), strides=(2, 2), name="conv_lstm2d")(frames2d))
    outputs.append(L.ConvLSTM3D(2, 2, padding="same", name="conv_lstm3d")(frames3d))
    return K.Model([sequence, frames1d, frames2d, frames3d], outputs)


def padded_sequence(shapes, batch, seed, steps):
    """The masked sequence padded with zero steps; the frame inputs random."""
    return padded(shapes[:1], batch, seed, steps) + random_inputs(shapes[1:], batch, seed, steps)


@pytest.mark.slow
@pytest.mark.parametrize(
    "fmt, options",
    [("h5", Options()), ("keras", Options()), ("keras", Options(float64=True))],
    ids=["h5", "keras", "keras-float64"],
)
def test_every_recurrent_kind_in_one_graph(any_keras, fmt, options, tmp_path):
    model = all_recurrent_model(any_keras)
    module = check_against_keras(
        model,
        tmp_path,
        fmt,
        batches=(1, 5),
        make_inputs=padded_sequence,
        scale=0.4,
        options=options,
    )
    if options.float64:  # every template computes in float64, none falls back to float32
        outputs = module.predict(padded_sequence(module.INPUT_SHAPES, 2, 0, 7))
        assert [str(output.dtype) for output in outputs] == ["float64"] * len(outputs)
    assert len(module.OUTPUT_NAMES) == len(model.outputs) == 21
