"""Keras 1.2 files, written with h5py in Keras 1's layout; the equivalent tf_keras model
(same weights, rearranged the Keras 2 way) is the oracle."""

import os

import numpy as np
import pytest

import keras1_files as k1
from lstmgen.cli import main
from lstmgen.generate import generate
from oracle import TOLERANCE, generate_module, randomize, relative_error

BUILT = {}  # Keras models are slow to build: each one once per session


def built(key, make):
    if key not in BUILT:
        BUILT[key] = make()
    return BUILT[key]


def compare(model, path, tmp_path, inputs_of, batches=(1, 17)):
    """Generate from the Keras 1 file and compare with the tf_keras model; the max error."""
    module = generate_module(path, tmp_path)
    worst = 0.0
    for batch in batches:
        inputs = inputs_of(batch)
        expected = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        got = module.predict(inputs)
        got = got if isinstance(got, list) else [got]
        for a, b in zip(got, expected):
            worst = max(worst, relative_error(a, np.asarray(b)))
    assert worst <= TOLERANCE, worst
    return module, worst


def normal(*shape, seed=0):
    return lambda batch: [
        np.random.default_rng(seed + batch).normal(size=(batch, *shape)).astype(np.float32)
    ]


# ---- LSTM: every consume_less layout, and the options --------------------------------

LSTM_VARIANTS = {
    # name: (Keras 2 LSTM options, Keras 1 LSTM options, head)
    "last": ({}, {}, "dense"),
    "sequences_backwards": (
        {
            "return_sequences": True,
            "go_backwards": True,
            "unroll": True,
            "dropout": 0.2,
            "recurrent_dropout": 0.3,
        },
        {
            "return_sequences": True,
            "go_backwards": True,
            "unroll": True,
            "dropout_W": 0.2,
            "dropout_U": 0.3,
        },
        "time_distributed",
    ),
    "activations": (
        {"activation": "relu", "recurrent_activation": "sigmoid"},
        {"activation": "relu", "inner_activation": "sigmoid"},
        "dense",
    ),
}


def lstm_model(K, variant):
    options, _, head = LSTM_VARIANTS[variant]
    options = {"recurrent_activation": "hard_sigmoid", **options}  # Keras 1's default
    dense = K.layers.Dense(3, activation="softmax", name="dense_1")
    top = (
        K.layers.TimeDistributed(dense, name="timedistributed_1")
        if head == "time_distributed"
        else dense
    )
    model = K.Sequential([K.Input((6, 4)), K.layers.LSTM(5, name="lstm_1", **options), top])
    randomize(model, seed=1)
    return model


@pytest.mark.keras
@pytest.mark.parametrize("variant", sorted(LSTM_VARIANTS))
@pytest.mark.parametrize("consume_less", ["cpu", "mem", "gpu"])
def test_lstm(keras2, tmp_path, variant, consume_less):
    model = built(("lstm", variant), lambda: lstm_model(keras2, variant))
    _, k1_options, head = LSTM_VARIANTS[variant]
    backend = "theano" if consume_less == "mem" else "tensorflow"  # both naming styles
    lstm = k1.first(
        k1.layer(
            "LSTM", "lstm_1", output_dim=5, input_dim=4, consume_less=consume_less, **k1_options
        ),
        [None, 6, 4],
    )
    dense = k1.layer("Dense", "dense_1", output_dim=3, activation="softmax", input_dim=5)
    top = (
        k1.layer("TimeDistributed", "timedistributed_1", layer=dense)
        if head == "time_distributed"
        else dense
    )
    weights = [
        ("lstm_1", k1.lstm_weights("lstm_1", model.layers[0].get_weights(), consume_less, backend)),
        (
            top["config"]["name"],
            k1.plain_weights("dense_1", model.layers[1].get_weights(), backend),
        ),
    ]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential([lstm, top]), weights, backend)
    module, _ = compare(model, path, tmp_path, normal(6, 4))
    assert "Keras 1.2.2 (Keras 2 semantics" in module.__doc__


@pytest.mark.keras
def test_lstm_without_explicit_input_shape_uses_input_dim_and_length(keras2, tmp_path):
    """Keras 1 first layers often carried only input_dim / input_length."""
    model = built(("lstm", "last"), lambda: lstm_model(keras2, "last"))
    lstm = k1.layer("LSTM", "lstm_1", output_dim=5, input_dim=4, input_length=6)
    dense = k1.layer("Dense", "dense_1", output_dim=3, activation="softmax", input_dim=5)
    weights = [
        ("lstm_1", k1.lstm_weights("lstm_1", model.layers[0].get_weights(), "cpu")),
        ("dense_1", k1.plain_weights("dense_1", model.layers[1].get_weights())),
    ]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential([lstm, dense]), weights)
    module, _ = compare(model, path, tmp_path, normal(6, 4))
    assert module.INPUT_SHAPES == [(None, 6, 4)]


@pytest.mark.keras
def test_stateful_lstm_keeps_states_between_calls(keras2, tmp_path):
    K = keras2
    model = K.Sequential(
        [
            K.Input(batch_shape=(2, 4, 2)),  # the embedded self-test runs batch 2
            K.layers.LSTM(4, stateful=True, recurrent_activation="hard_sigmoid", name="lstm_1"),
        ]
    )
    randomize(model, seed=5)
    lstm = k1.first(
        k1.layer(
            "LSTM",
            "lstm_1",
            output_dim=4,
            consume_less="mem",
            stateful=True,
            batch_input_shape=[2, 4, 2],
        ),
        [2, 4, 2],
    )
    weights = [("lstm_1", k1.lstm_weights("lstm_1", model.layers[0].get_weights(), "mem"))]
    module = generate_module(
        k1.write_h5(tmp_path / "k1.h5", k1.sequential([lstm]), weights), tmp_path
    )
    rng = np.random.default_rng(0)
    for _ in range(2):  # the second call continues from the first call's states
        x = rng.normal(size=(2, 4, 2)).astype(np.float32)
        assert relative_error(module.predict(x), model.predict(x, verbose=0)) <= TOLERANCE


# ---- GRU and SimpleRNN -------------------------------------------------------------


def gru_model(K):
    model = K.Sequential(
        [
            K.Input((5, 3)),
            K.layers.GRU(
                4,
                return_sequences=True,
                reset_after=False,
                recurrent_activation="hard_sigmoid",
                name="gru_1",
            ),
            K.layers.SimpleRNN(3, activation="relu", name="simplernn_1"),
            K.layers.Dense(2, name="dense_1"),
        ]
    )
    randomize(model, seed=2)
    return model


@pytest.mark.keras
@pytest.mark.parametrize("consume_less", ["cpu", "mem", "gpu"])
def test_gru_and_simple_rnn(keras2, tmp_path, consume_less):
    model = built("gru", lambda: gru_model(keras2))
    gru, rnn, dense = (layer.get_weights() for layer in model.layers)
    layers = [
        k1.first(
            k1.layer(
                "GRU",
                "gru_1",
                output_dim=4,
                input_dim=3,
                return_sequences=True,
                consume_less=consume_less,
            ),
            [None, 5, 3],
        ),
        k1.layer(
            "SimpleRNN",
            "simplernn_1",
            output_dim=3,
            input_dim=4,
            activation="relu",
            consume_less=consume_less,
        ),
        k1.layer("Dense", "dense_1", output_dim=2, input_dim=3),
    ]
    weights = [
        ("gru_1", k1.gru_weights("gru_1", gru, consume_less)),
        ("simplernn_1", k1.plain_weights("simplernn_1", rnn, parts="WUb")),
        ("dense_1", k1.plain_weights("dense_1", dense)),
    ]
    compare(
        model,
        k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights),
        tmp_path,
        normal(5, 3),
    )


# ---- Embedding, masks, Dropout, RepeatVector ---------------------------------------


def embedding_model(K):
    model = K.Sequential(
        [
            K.Input((7,), dtype="int32"),
            K.layers.Embedding(20, 6, mask_zero=True, name="embedding_1"),
            K.layers.LSTM(
                5, return_sequences=True, recurrent_activation="hard_sigmoid", name="lstm_1"
            ),
            K.layers.Dropout(0.5, name="dropout_1"),
            K.layers.TimeDistributed(K.layers.Dense(4, name="dense_1"), name="timedistributed_1"),
            K.layers.Activation("softmax", name="activation_1"),
        ]
    )
    randomize(model, seed=3)
    return model


def padded_ids(batch):
    ids = np.random.default_rng(batch).integers(1, 20, size=(batch, 7))
    ids[:, 5:] = 0  # padding at the end, masked
    ids[0, 3:] = 0
    return [ids.astype(np.int32)]


@pytest.mark.keras
def test_embedding_mask_zero_lstm_time_distributed(keras2, tmp_path):
    model = built("embedding", lambda: embedding_model(keras2))
    layers = [
        k1.first(
            k1.layer(
                "Embedding",
                "embedding_1",
                input_dim=20,
                output_dim=6,
                input_length=7,
                mask_zero=True,
            ),
            [None, 7],
            "int32",
        ),
        k1.layer(
            "LSTM", "lstm_1", output_dim=5, input_dim=6, return_sequences=True, consume_less="gpu"
        ),
        k1.layer("Dropout", "dropout_1", p=0.5),
        k1.layer(
            "TimeDistributed",
            "timedistributed_1",
            layer=k1.layer("Dense", "dense_1", output_dim=4, input_dim=5),
        ),
        k1.layer("Activation", "activation_1", activation="softmax"),
    ]
    w = [layer.get_weights() for layer in model.layers]
    weights = [
        ("embedding_1", k1.plain_weights("embedding_1", w[0], parts="W")),
        ("lstm_1", k1.lstm_weights("lstm_1", w[1], "gpu")),
        ("dropout_1", []),
        ("timedistributed_1", k1.plain_weights("dense_1", w[3])),
        ("activation_1", []),
    ]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights)
    module, _ = compare(model, path, tmp_path, padded_ids)
    assert module.INPUT_SHAPES == [(None, 7)]


def masking_model(K):
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.Masking(0.0, name="masking_1"),
            K.layers.LSTM(4, recurrent_activation="hard_sigmoid", name="lstm_1"),
            K.layers.RepeatVector(3, name="repeatvector_1"),
            K.layers.GRU(
                2,
                return_sequences=True,
                reset_after=False,
                recurrent_activation="hard_sigmoid",
                name="gru_1",
            ),
        ]
    )
    randomize(model, seed=4)
    return model


def zero_padded(batch):
    x = np.random.default_rng(batch).normal(size=(batch, 6, 3)).astype(np.float32)
    x[:, 4:] = 0.0
    x[0, 2:] = 0.0
    return [x]


@pytest.mark.keras
def test_masking_lstm_repeat_vector_gru(keras2, tmp_path):
    model = built("masking", lambda: masking_model(keras2))
    layers = [
        k1.first(k1.layer("Masking", "masking_1", mask_value=0.0), [None, 6, 3]),
        k1.layer("LSTM", "lstm_1", output_dim=4, input_dim=3, consume_less="cpu"),
        k1.layer("RepeatVector", "repeatvector_1", n=3),
        k1.layer(
            "GRU", "gru_1", output_dim=2, input_dim=4, return_sequences=True, consume_less="mem"
        ),
    ]
    weights = [
        ("masking_1", []),
        ("lstm_1", k1.lstm_weights("lstm_1", model.layers[1].get_weights(), "cpu")),
        ("repeatvector_1", []),
        ("gru_1", k1.gru_weights("gru_1", model.layers[3].get_weights(), "mem")),
    ]
    compare(
        model,
        k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights),
        tmp_path,
        zero_padded,
    )


# ---- Bidirectional -----------------------------------------------------------------


def bidirectional_model(K, merge_mode):
    model = K.Sequential(
        [
            K.Input((5, 3)),
            K.layers.Bidirectional(
                K.layers.LSTM(
                    4, return_sequences=True, recurrent_activation="hard_sigmoid", name="lstm_1"
                ),
                merge_mode=merge_mode,
                name="bidirectional_1",
            ),
            K.layers.Bidirectional(
                K.layers.GRU(
                    3, reset_after=False, recurrent_activation="hard_sigmoid", name="gru_1"
                ),
                merge_mode=merge_mode,
                name="bidirectional_2",
            ),
        ]
    )
    randomize(model, seed=6)
    return model


@pytest.mark.keras
@pytest.mark.parametrize(
    "merge_mode,consume_less", [("concat", "cpu"), ("sum", "gpu"), ("mul", "mem"), ("ave", "cpu")]
)
def test_bidirectional(keras2, tmp_path, merge_mode, consume_less):
    model = built(("bidirectional", merge_mode), lambda: bidirectional_model(keras2, merge_mode))
    width = 8 if merge_mode == "concat" else 4
    lstm = k1.layer(
        "LSTM",
        "lstm_1",
        output_dim=4,
        input_dim=3,
        return_sequences=True,
        consume_less=consume_less,
    )
    gru = k1.layer("GRU", "gru_1", output_dim=3, input_dim=width, consume_less=consume_less)
    layers = [
        k1.first(
            k1.layer("Bidirectional", "bidirectional_1", layer=lstm, merge_mode=merge_mode),
            [None, 5, 3],
        ),
        k1.layer("Bidirectional", "bidirectional_2", layer=gru, merge_mode=merge_mode),
    ]
    lstm_w, gru_w = (layer.get_weights() for layer in model.layers)
    weights = [  # Keras 1.2 named the halves forward_<layer> and backward_<layer>
        (
            "bidirectional_1",
            k1.lstm_weights("forward_lstm_1", lstm_w[:3], consume_less)
            + k1.lstm_weights("backward_lstm_1", lstm_w[3:], consume_less),
        ),
        (
            "bidirectional_2",
            k1.gru_weights("forward_gru_1", gru_w[:3], consume_less)
            + k1.gru_weights("backward_gru_1", gru_w[3:], consume_less),
        ),
    ]
    compare(
        model,
        k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights),
        tmp_path,
        normal(5, 3),
    )


# ---- Convolution1D and pooling -----------------------------------------------------


def conv_model(K):
    model = K.Sequential(
        [
            K.Input((12, 3)),
            K.layers.Conv1D(4, 3, padding="same", activation="relu", name="convolution1d_1"),
            K.layers.MaxPooling1D(2, name="maxpooling1d_1"),
            K.layers.Conv1D(5, 2, strides=2, name="convolution1d_2"),
            K.layers.AveragePooling1D(2, strides=1, name="averagepooling1d_1"),
            K.layers.Flatten(name="flatten_1"),
            K.layers.Dense(2, name="dense_1"),
        ]
    )
    randomize(model, seed=7)
    return model


@pytest.mark.keras
@pytest.mark.parametrize(
    "layout,backend", [("1.2", "tensorflow"), ("1.2", "theano"), ("1.1", "tensorflow")]
)
def test_convolution1d_pooling_flatten(keras2, tmp_path, layout, backend):
    model = built("conv", lambda: conv_model(keras2))
    layers = [
        k1.first(
            k1.layer(
                "Convolution1D",
                "convolution1d_1",
                nb_filter=4,
                filter_length=3,
                border_mode="same",
                activation="relu",
                input_dim=3,
            ),
            [None, 12, 3],
        ),
        k1.layer("MaxPooling1D", "maxpooling1d_1", pool_length=2),
        k1.layer(
            "Convolution1D",
            "convolution1d_2",
            nb_filter=5,
            filter_length=2,
            subsample_length=2,
            input_dim=4,
        ),
        k1.layer("AveragePooling1D", "averagepooling1d_1", pool_length=2, stride=1),
        k1.layer("Flatten", "flatten_1"),
        k1.layer("Dense", "dense_1", output_dim=2, input_dim=5),
    ]
    w = [layer.get_weights() for layer in model.layers]
    weights = [
        ("convolution1d_1", k1.conv1d_weights("convolution1d_1", w[0], layout, backend)),
        ("maxpooling1d_1", []),
        ("convolution1d_2", k1.conv1d_weights("convolution1d_2", w[2], layout, backend)),
        ("averagepooling1d_1", []),
        ("flatten_1", []),
        ("dense_1", k1.plain_weights("dense_1", w[5], backend)),
    ]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights, backend)
    compare(model, path, tmp_path, normal(12, 3))


# ---- TimeDistributedDense, BatchNormalization, advanced activations, global pooling --


def positive_variances(model, seed):
    """randomize() draws normal values: BatchNormalization's moving variance made positive."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights(
                [gamma, beta, mean, rng.uniform(0.2, 2.0, variance.shape).astype(np.float32)]
            )


def normalized_model(K):
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.Dense(4, activation="tanh", name="timedistributeddense_1"),
            K.layers.BatchNormalization(epsilon=1e-3, name="batchnormalization_1"),
            K.layers.LeakyReLU(0.2, name="leakyrelu_1"),
            K.layers.ZeroPadding1D((1, 2), name="zeropadding1d_1"),
            K.layers.ELU(0.5, name="elu_1"),
            K.layers.GlobalAveragePooling1D(name="globalaveragepooling1d_1"),
        ]
    )
    randomize(model, seed=10)
    positive_variances(model, seed=10)
    return model


@pytest.mark.keras
@pytest.mark.parametrize(
    "version,padding",
    [("1.2.2", [1, 2]), ("1.2.2", {"left_pad": 1, "right_pad": 2}), ("1.1.1", [1, 2])],
)
def test_time_distributed_dense_batch_normalization_activations(keras2, tmp_path, version, padding):
    model = built("normalized", lambda: normalized_model(keras2))
    backend = "theano" if version == "1.1.1" else "tensorflow"
    layers = [
        k1.first(
            k1.layer(
                "TimeDistributedDense",
                "timedistributeddense_1",
                output_dim=4,
                activation="tanh",
                input_dim=3,
                input_length=6,
            ),
            [None, 6, 3],
        ),
        k1.layer("BatchNormalization", "batchnormalization_1", epsilon=1e-3, mode=0, axis=-1),
        k1.layer("LeakyReLU", "leakyrelu_1", alpha=0.2),
        k1.layer("ZeroPadding1D", "zeropadding1d_1", padding=padding),
        k1.layer("ELU", "elu_1", alpha=0.5),
        k1.layer("GlobalAveragePooling1D", "globalaveragepooling1d_1"),
    ]
    w = [layer.get_weights() for layer in model.layers]
    weights = [
        ("timedistributeddense_1", k1.plain_weights("timedistributeddense_1", w[0], backend)),
        (
            "batchnormalization_1",
            k1.plain_weights("batchnormalization_1", w[1], backend, k1.BATCH_NORMALIZATION),
        ),
    ] + [(entry["config"]["name"], []) for entry in layers[2:]]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights, backend, version)
    _, worst = compare(model, path, tmp_path, normal(6, 3))
    print(f"max error {worst:.2e}")


def time_axis_model(K):
    model = K.Sequential(
        [
            K.Input((6, 3)),
            K.layers.ZeroPadding1D(2, name="zeropadding1d_1"),
            K.layers.BatchNormalization(axis=1, epsilon=0.01, name="batchnormalization_1"),
            K.layers.Dense(5, use_bias=False, name="timedistributeddense_1"),
            K.layers.GlobalMaxPooling1D(name="globalmaxpooling1d_1"),
            K.layers.Dense(2, name="dense_1"),
        ]
    )
    randomize(model, seed=11)
    positive_variances(model, seed=11)
    return model


@pytest.mark.keras
def test_batch_normalization_over_steps_and_global_max_pooling(keras2, tmp_path):
    model = built("time_axis", lambda: time_axis_model(keras2))
    layers = [
        k1.first(k1.layer("ZeroPadding1D", "zeropadding1d_1", padding=2), [None, 6, 3]),
        k1.layer("BatchNormalization", "batchnormalization_1", epsilon=0.01, axis=1),
        k1.layer(
            "TimeDistributedDense", "timedistributeddense_1", output_dim=5, bias=False, input_dim=3
        ),
        k1.layer("GlobalMaxPooling1D", "globalmaxpooling1d_1"),
        k1.layer("Dense", "dense_1", output_dim=2, input_dim=5),
    ]
    w = [layer.get_weights() for layer in model.layers]
    weights = [
        ("zeropadding1d_1", []),
        (
            "batchnormalization_1",
            k1.plain_weights("batchnormalization_1", w[1], parts=k1.BATCH_NORMALIZATION),
        ),
        ("timedistributeddense_1", k1.plain_weights("timedistributeddense_1", w[2])),
        ("globalmaxpooling1d_1", []),
        ("dense_1", k1.plain_weights("dense_1", w[4])),
    ]
    path = k1.write_h5(tmp_path / "k1.h5", k1.sequential(layers), weights)
    _, worst = compare(model, path, tmp_path, normal(6, 3))
    print(f"max error {worst:.2e}")


# ---- functional Model with Merge ---------------------------------------------------

MERGES = {
    "sum": "Add",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "concat": "Concatenate",
}


def merge_model(K):
    a, b = K.Input((5, 3), name="input_1"), K.Input((5, 2), name="input_2")
    lstm = K.layers.LSTM(4, recurrent_activation="hard_sigmoid", name="lstm_1")(a)
    gru = K.layers.GRU(4, reset_after=False, recurrent_activation="hard_sigmoid", name="gru_1")(b)
    outputs = [
        getattr(K.layers, cls)(name=f"merge_{mode}")([lstm, gru]) for mode, cls in MERGES.items()
    ]
    model = K.Model([a, b], outputs)
    randomize(model, seed=8)
    return model


@pytest.mark.keras
def test_functional_model_with_every_merge_mode(keras2, tmp_path):
    model = built("merge", lambda: merge_model(keras2))
    layers = [
        (k1.input_layer("input_1", [None, 5, 3]), []),
        (k1.input_layer("input_2", [None, 5, 2]), []),
        (k1.layer("LSTM", "lstm_1", output_dim=4, input_dim=3, consume_less="cpu"), ["input_1"]),
        (k1.layer("GRU", "gru_1", output_dim=4, input_dim=2, consume_less="gpu"), ["input_2"]),
    ] + [(k1.layer("Merge", f"merge_{mode}", mode=mode), ["lstm_1", "gru_1"]) for mode in MERGES]
    config = k1.functional(
        "model_1", layers, ["input_1", "input_2"], [f"merge_{m}" for m in MERGES]
    )
    weights = [
        ("input_1", []),
        ("input_2", []),
        ("lstm_1", k1.lstm_weights("lstm_1", model.get_layer("lstm_1").get_weights(), "cpu")),
        ("gru_1", k1.gru_weights("gru_1", model.get_layer("gru_1").get_weights(), "gpu")),
    ] + [(f"merge_{m}", []) for m in MERGES]
    inputs = lambda batch: normal(5, 3)(batch) + normal(5, 2, seed=9)(batch)
    module, _ = compare(model, k1.write_h5(tmp_path / "k1.h5", config, weights), tmp_path, inputs)
    assert module.INPUT_NAMES == ["input_1", "input_2"] and len(module.OUTPUT_NAMES) == 5


# ---- refusals, detection, inspect --------------------------------------------------


def small_file(tmp_path, lstm_options=None, extra=(), version="1.2.2"):
    """A Keras 1 LSTM -> Dense file with zero weights, for the error cases."""
    lstm = k1.first(
        k1.layer("LSTM", "lstm_1", output_dim=2, input_dim=3, **(lstm_options or {})), [None, 4, 3]
    )
    zeros = [np.zeros((3, 8)), np.zeros((2, 8)), np.full(8, 0.1)]
    weights = [
        (
            "lstm_1",
            k1.lstm_weights("lstm_1", zeros, (lstm_options or {}).get("consume_less", "cpu")),
        )
    ]
    weights += [(entry["config"]["name"], []) for entry in extra]
    config = k1.sequential([lstm, *extra])
    return k1.write_h5(tmp_path / "small.h5", config, weights, version=version)


def refused(capsys, path, *fragments):
    capsys.readouterr()
    assert main([str(path), "-o", os.path.join(os.path.dirname(str(path)), "p.py")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lstmgen: error: {path}: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unknown_consume_less_is_refused(capsys, tmp_path):
    path = small_file(tmp_path, {"consume_less": "fast"})
    refused(capsys, path, "layer 'lstm_1' (LSTM)", "consume_less='fast'")


def test_merge_with_a_python_function_is_refused(capsys, tmp_path):
    merge = k1.layer("Merge", "merge_1", mode="gASVbGFtYmRh", mode_type="lambda")
    refused(
        capsys,
        small_file(tmp_path, extra=[merge]),
        "layer 'merge_1' (Merge)",
        "mode=a Python function",
    )


def test_merge_with_dot_mode_is_refused(capsys, tmp_path):
    merge = k1.layer("Merge", "merge_1", mode="cos")
    refused(capsys, small_file(tmp_path, extra=[merge]), "layer 'merge_1' (Merge)", "mode='cos'")


def test_keras1_class_without_a_translation_is_refused(capsys, tmp_path):
    maxout = k1.layer("MaxoutDense", "maxoutdense_1", output_dim=2, nb_feature=4)
    refused(
        capsys,
        small_file(tmp_path, extra=[maxout]),
        "layer 'maxoutdense_1' (MaxoutDense)",
        "Keras 1 layer class is not supported",
    )


@pytest.mark.parametrize(
    ("entry", "version", "fragments"),
    [
        (
            k1.layer("BatchNormalization", "bn", mode=1),
            "1.2.2",
            ("layer 'bn' (BatchNormalization)", "mode=1"),
        ),
        (
            k1.layer("BatchNormalization", "bn", mode=2),
            "1.2.2",
            ("layer 'bn' (BatchNormalization)", "mode=2"),
        ),
        (
            k1.layer("BatchNormalization", "bn"),
            "1.0.8",
            ("layer 'bn' (BatchNormalization)", "saved by Keras 1.0"),
        ),
        (
            k1.layer("Highway", "highway_1", activation="tanh"),
            "1.2.2",
            ("layer 'highway_1' (Highway)", "Highway"),
        ),
        (
            k1.layer("ZeroPadding1D", "zp", padding={"top_pad": 1}),
            "1.2.2",
            ("layer 'zp' (ZeroPadding1D)", "padding="),
        ),
    ],
)
def test_keras1_options_that_compute_differently_are_refused(
    capsys, tmp_path, entry, version, fragments
):
    refused(capsys, small_file(tmp_path, extra=[entry], version=version), *fragments)


def test_file_without_version_is_recognised_as_keras1(tmp_path):
    path = small_file(tmp_path, version=None)
    with pytest.warns(UserWarning, match="assuming Keras 1"):
        source = generate(path)
    assert "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)" in source  # Keras 2's, in the header


def test_inspect_shows_the_keras1_version(capsys, tmp_path):
    capsys.readouterr()
    assert main(["inspect", small_file(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "saved by Keras 1.2.2" in out and "Keras 1 names and weights translated" in out
    assert "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)" in out
    assert "Translatable: yes" in out


def test_per_gate_arrays_of_different_shapes_are_refused(capsys, tmp_path):
    lstm = k1.first(k1.layer("LSTM", "lstm_1", output_dim=2, input_dim=3), [None, 4, 3])
    weights = k1.lstm_weights("lstm_1", [np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)], "cpu")
    weights[3] = (weights[3][0], np.zeros((5, 2)))  # W_c with 5 input rows, the others 3
    path = k1.write_h5(tmp_path / "bad.h5", k1.sequential([lstm]), [("lstm_1", weights)])
    refused(capsys, path, "layer 'lstm_1' (LSTM)", "Keras 1 weight arrays do not fit together")


def test_legacy_sequential_merge_of_branches_is_refused(capsys, tmp_path):
    branch = k1.sequential(
        [k1.first(k1.layer("Dense", "dense_1", output_dim=2, input_dim=3), [None, 3])]
    )
    merge = k1.layer("Merge", "merge_1", mode="concat", layers=[branch, branch])
    dense = k1.layer("Dense", "dense_2", output_dim=1, input_dim=4)
    path = k1.write_h5(
        tmp_path / "branches.h5", k1.sequential([merge, dense]), [("merge_1", []), ("dense_2", [])]
    )
    refused(capsys, path, "layer 'merge_1' (Merge)", "rebuild the model with the functional API")


@pytest.mark.parametrize(
    ("lstm_options", "extra", "fragment"),
    [
        ({"consume_less": ["cpu"]}, (), "consume_less=['cpu']"),
        (
            {},
            ({"class_name": "Merge", "config": {"name": "m", "mode": {"x": 1}}},),
            "mode={'x': 1}",
        ),
        (
            {},
            ({"class_name": "Bidirectional", "config": {"name": "b", "layer": "LSTM"}},),
            "layer 'b'",
        ),
        (
            {},
            (
                {
                    "class_name": "TimeDistributed",
                    "config": {"name": "t", "layer": {"class_name": "Dense", "config": []}},
                },
            ),
            "layer 't'",
        ),
    ],
)
def test_hostile_keras1_configs_give_one_clean_line(
    capsys, tmp_path, monkeypatch, lstm_options, extra, fragment
):
    import lstmgen.cli

    def no_catch_all(*_args):
        raise AssertionError("reached the catch-all handler")

    monkeypatch.setattr(lstmgen.cli.traceback, "print_exc", no_catch_all)
    monkeypatch.setenv("LSTMGEN_DEBUG", "1")
    refused(capsys, small_file(tmp_path, lstm_options, extra), fragment)


def test_verify_explains_that_keras1_files_cannot_be_loaded(capsys, tmp_path):
    path = small_file(tmp_path)
    predictor = str(tmp_path / "predictor.py")
    assert main([path, "-o", predictor]) == 0
    capsys.readouterr()
    assert main(["verify", path, predictor]) != 0
    assert "no Keras that installs today loads Keras 1 files" in capsys.readouterr().err


def test_nested_model_in_a_keras1_model_is_refused(capsys, tmp_path):
    config = k1.functional(
        "model_1", [(k1.input_layer("input_1", [None, 3]), [])], ["input_1"], ["sequential_1"]
    )
    inner = k1.sequential(
        [k1.first(k1.layer("Dense", "dense_1", output_dim=2, input_dim=3), [None, 3])]
    )
    config["config"]["layers"].append(
        {**inner, "name": "sequential_1", "inbound_nodes": [[["input_1", 0, 0]]]}
    )
    path = k1.write_h5(tmp_path / "nested.h5", config, [("input_1", []), ("sequential_1", [])])
    refused(
        capsys,
        path,
        "layer 'sequential_1' (Sequential)",
        "models nested in a Keras 1 model are not supported yet",
    )


THEANO_CONV = {"nb_filter": 2, "input_dim": 3, "activation": "linear", "border_mode": "same"}


@pytest.mark.parametrize(
    ("entry", "fragments"),
    [
        (
            k1.layer("Convolution1D", "c", filter_length=2, subsample_length=1, **THEANO_CONV),
            ("layer 'c' (Conv1D)", "border_mode='same'", "Theano", "filter_length=2"),
        ),
        (
            k1.layer("Convolution1D", "c", filter_length=3, subsample_length=2, **THEANO_CONV),
            ("layer 'c' (Conv1D)", "border_mode='same'", "subsample_length=2"),
        ),
        (
            k1.layer(
                "AtrousConvolution1D",
                "a",
                filter_length=4,
                subsample_length=1,
                atrous_rate=2,
                **THEANO_CONV,
            ),
            ("layer 'a' (Conv1D)", "border_mode='same'", "filter_length=4"),
        ),
        (
            k1.layer("MaxPooling1D", "p", pool_length=2, stride=1, border_mode="same"),
            ("layer 'p' (MaxPooling1D)", "border_mode='same'", "pool_length=2"),
        ),
        (
            k1.layer("AveragePooling1D", "p", pool_length=3, stride=None, border_mode="same"),
            ("layer 'p' (AveragePooling1D)", "border_mode='same'", "stride=3"),
        ),
        (
            k1.layer(
                "TimeDistributed",
                "t",
                layer=k1.layer("MaxPooling1D", "p", pool_length=2, border_mode="same"),
            ),
            ("layer 'p' (MaxPooling1D)", "border_mode='same'"),
        ),
    ],
)
def test_theano_same_padding_that_differs_from_tensorflow_is_refused(
    capsys, tmp_path, entry, fragments
):
    """Theano's 'same' (pad k // 2 both sides, then crop) equals TensorFlow's only for an
    odd window with stride 1."""
    config = k1.sequential([k1.first(entry, [None, 8, 3])])
    path = k1.write_h5(tmp_path / "theano.h5", config, [(entry["config"]["name"], [])], "theano")
    refused(capsys, path, *fragments)


def test_theano_same_padding_with_an_odd_window_and_stride_1_is_read(tmp_path):
    entry = k1.layer("MaxPooling1D", "p", pool_length=3, stride=1, border_mode="same")
    config = k1.sequential([k1.first(entry, [None, 8, 3])])
    path = k1.write_h5(tmp_path / "theano.h5", config, [("p", [])], "theano")
    module = generate_module(path, tmp_path)
    x = np.random.default_rng(0).normal(size=(2, 8, 3)).astype(np.float32)
    padded = np.pad(x, ((0, 0), (1, 1), (0, 0)), constant_values=-np.inf)
    expected = np.max([padded[:, k : k + 8] for k in range(3)], axis=0)
    np.testing.assert_allclose(module.predict(x), expected)
