"""GRU, SimpleRNN, return_state, initial_state and the cuDNN layers, against both Keras."""

import pytest

from lstmgen.options import Options
from oracle import PAIRS, check_against_keras

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]
LOOP = [Options(), Options(unroll=False)]


def rnn(K, kind, **kwargs):
    return getattr(K.layers, kind)(**kwargs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["GRU", "SimpleRNN", "LSTM"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"return_sequences": True},
        {"go_backwards": True, "return_sequences": True},
        {"go_backwards": True},
        {"use_bias": False, "return_sequences": True},
        {"activation": "relu", "return_sequences": True},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "default",
)
def test_options(any_keras, kind, options, fmt, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((5, 3)), rnn(K, kind, units=4, **options)])
    check_against_keras(model, tmp_path, fmt, options=LOOP[len(options) % 2], scale=0.4)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("fmt", FORMATS)
def test_gru_reset_after(any_keras, reset_after, use_bias, fmt, tmp_path):
    K = any_keras
    layer = K.layers.GRU(
        4,
        reset_after=reset_after,
        use_bias=use_bias,
        recurrent_activation="hard_sigmoid",
        return_sequences=True,
    )
    model = K.Sequential([K.Input((6, 3)), layer, K.layers.GRU(3, reset_after=reset_after)])
    check_against_keras(model, tmp_path, fmt)


@pytest.mark.parametrize(
    "activation,recurrent,fmt",
    [(a, r, "h5" if k % 2 else "keras") for k, (a, r) in enumerate(PAIRS)],
)
@pytest.mark.parametrize("kind", ["GRU", "SimpleRNN"])
def test_activations(any_keras, kind, activation, recurrent, fmt, tmp_path):
    """Every built-in activation (and, for GRU, recurrent_activation), both formats."""
    K = any_keras
    extra = {"recurrent_activation": recurrent} if kind == "GRU" else {}
    model = K.Sequential(
        [
            K.Input((5, 2)),
            rnn(K, kind, units=3, activation=activation, return_sequences=True, **extra),
        ]
    )
    # Unbounded activations (exponential, relu) explode with large weights: keep them moderate.
    check_against_keras(model, tmp_path, fmt, batches=(1, 3), seed=len(activation), scale=0.25)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("sequences", [True, False])
def test_return_state_and_initial_state(any_keras, kind, sequences, fmt, tmp_path):
    K = any_keras
    encoder_in, decoder_in = K.Input((5, 3)), K.Input((4, 2))
    encoded = rnn(K, kind, units=4, return_state=True, name="encoder")(encoder_in)
    states = encoded[1:]
    decoded = rnn(K, kind, units=4, return_sequences=sequences, return_state=True)(
        decoder_in, initial_state=states
    )
    outputs = [encoded[0], *decoded, K.layers.Dense(2)(decoded[0])]
    model = K.Model([encoder_in, decoder_in], outputs)
    module = check_against_keras(model, tmp_path, fmt, options=LOOP[sequences])
    assert len(module.OUTPUT_NAMES) == len(outputs)
