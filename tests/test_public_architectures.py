"""Well-known public Keras example architectures, rebuilt with random weights."""

import numpy as np
import pytest

from oracle import check_against_keras, token_ids

pytestmark = pytest.mark.keras


def addition_rnn(K, digits=3, chars=12, hidden=32):
    """The addition RNN: LSTM encoder -> RepeatVector -> LSTM decoder -> Dense per step."""
    return K.Sequential(
        [
            K.Input((digits * 2 + 1, chars)),
            K.layers.LSTM(hidden),
            K.layers.RepeatVector(digits + 1),
            K.layers.LSTM(hidden, return_sequences=True),
            K.layers.TimeDistributed(K.layers.Dense(chars, activation="softmax")),
        ]
    )


def imdb_bidirectional(K, vocabulary=200, length=12):
    """The IMDB classifier: Embedding -> two Bidirectional LSTMs -> Dense."""
    inputs = K.Input((length,), dtype="int32")
    x = K.layers.Embedding(vocabulary, 16)(inputs)
    x = K.layers.Bidirectional(K.layers.LSTM(8, return_sequences=True))(x)
    x = K.layers.Bidirectional(K.layers.LSTM(8))(x)
    return K.Model(inputs, K.layers.Dense(1, activation="sigmoid")(x))


def weather_forecasting(K, past=24, features=7):
    """The weather forecasting example: LSTM over past readings -> Dense."""
    inputs = K.Input((past, features))
    return K.Model(inputs, K.layers.Dense(1)(K.layers.LSTM(32)(inputs)))


def char_seq2seq(K, encoder_tokens=9, decoder_tokens=11, latent=16):
    """The character-level translator: encoder states become the decoder's initial_state."""
    encoder_inputs = K.Input((None, encoder_tokens))
    _, state_h, state_c = K.layers.LSTM(latent, return_state=True)(encoder_inputs)
    decoder_inputs = K.Input((None, decoder_tokens))
    decoder = K.layers.LSTM(latent, return_sequences=True, return_state=True)
    decoded, _, _ = decoder(decoder_inputs, initial_state=[state_h, state_c])
    outputs = K.layers.Dense(decoder_tokens, activation="softmax")(decoded)
    return K.Model([encoder_inputs, decoder_inputs], outputs)


def conv_lstm_classifier(K, steps=40, features=3):
    """Conv1D -> pooling -> LSTM, as in sequence classification examples."""
    return K.Sequential(
        [
            K.Input((steps, features)),
            K.layers.Conv1D(16, 5, activation="relu"),
            K.layers.MaxPooling1D(4),
            K.layers.Dropout(0.25),
            K.layers.LSTM(12),
            K.layers.Dense(4, activation="softmax"),
        ]
    )


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize(
    "builder",
    [addition_rnn, weather_forecasting, char_seq2seq, conv_lstm_classifier],
    ids=lambda b: b.__name__,
)
def test_architecture(any_keras, builder, fmt, tmp_path):
    check_against_keras(builder(any_keras), tmp_path, fmt, scale=0.3)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_imdb_bidirectional(any_keras, fmt, tmp_path):
    check_against_keras(
        imdb_bidirectional(any_keras), tmp_path, fmt, make_inputs=token_ids, scale=0.3
    )


def imdb_lstm_classic(K, vocabulary=30, length=12):
    """The Keras 2 IMDB LSTM example: a Sequential that starts with Embedding, no Input
    layer, so the ids arrive through an input Keras declares float32."""
    if K.__name__ == "tf_keras":
        first = [K.layers.Embedding(vocabulary, 8, input_length=length, mask_zero=True)]
    else:
        first = [K.Input((length,)), K.layers.Embedding(vocabulary, 8, mask_zero=True)]
    return K.Sequential(first + [K.layers.LSTM(6), K.layers.Dense(1, activation="sigmoid")])


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_embedding_behind_a_float_input(any_keras, fmt, tmp_path):
    model = imdb_lstm_classic(any_keras)
    module = check_against_keras(model, tmp_path, fmt, make_inputs=token_ids, scale=0.3)
    assert module.INPUT_DTYPES == ["int32"]
    ids = token_ids(module.INPUT_SHAPES, 3, 1, None)[0]
    # Float ids are truncated to ints, as Keras's Embedding casts them.
    expected = module.predict(ids)
    assert np.array_equal(module.predict(ids.astype(np.float32) + 0.25), expected)
    assert module.self_test()
