"""The models behind the golden files: small, random weights, one per layer family.

Each builder takes a Keras module (`keras` or `tf_keras`) and returns the model; the
Case says which Keras saves it in which format and what inputs to store outputs for.
Layer and model names are explicit, so the files (and the snapshots generated from them)
do not depend on Keras's global name counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence, Tuple

import numpy as np

from keras_models import question_model


@dataclass(frozen=True)
class Case:
    """One golden model and how its files are made."""

    build: Callable
    saves: Sequence[Tuple[str, str]]  # (keras2 | keras3, h5 | keras)
    inputs: str = "normal"  # normal | padded | ids | masked_ids
    steps: int = 5  # for free time axes
    batch: int = 3
    calls: int = 1  # stateful models: consecutive calls, states carried over
    prefixes: bool = False  # store the outputs on every prefix, for step()
    scale: float = 0.5


def is_keras2(K) -> bool:
    return K.__name__.startswith("tf_keras")


def lstm_stack(K):
    """The question's model, smaller: Keras 2 with the hard_sigmoid of Keras 2.0-2.3."""
    extra = {"recurrent_activation": "hard_sigmoid"} if is_keras2(K) else {}
    L = K.layers
    return K.Sequential(
        [
            K.Input((4, 3), name="x"),
            L.LSTM(4, return_sequences=True, name="lstm", **extra),
            L.LSTM(3, name="lstm_1", **extra),
            L.Dense(2, activation="softmax", name="dense"),
        ],
        name="lstm_stack",
    )


def lstm_free_time(K):
    """Two LSTMs over a free time axis: the benchmark's model for --timesteps."""
    L = K.layers
    return K.Sequential(
        [
            K.Input((None, 3), name="x"),
            L.LSTM(8, return_sequences=True, name="lstm"),
            L.LSTM(8, name="lstm_1"),
            L.Dense(2, name="dense"),
        ],
        name="lstm_free_time",
    )


def gru_simple_rnn(K):
    L = K.layers
    return K.Sequential(
        [
            K.Input((4, 3), name="x"),
            L.GRU(4, return_sequences=True, reset_after=False, go_backwards=True, name="gru"),
            L.GRU(3, return_sequences=True, recurrent_activation="hard_sigmoid", name="gru_1"),
            L.SimpleRNN(2, activation="relu", name="rnn"),
        ],
        name="gru_simple_rnn",
    )


def bidirectional_masked(K):
    L = K.layers
    x = K.Input((5, 3), name="x")
    y = L.Masking(name="mask")(x)
    y = L.Bidirectional(L.LSTM(3, return_sequences=True, name="lstm"), name="bi")(y)
    y = L.Bidirectional(L.GRU(2, name="gru"), merge_mode="ave", name="bi_1")(y)
    return K.Model(x, y, name="bidirectional_masked")


def rnn_cells(K):
    L = K.layers
    cells = [L.LSTMCell(3, name="c0"), L.GRUCell(2, name="c1"), L.SimpleRNNCell(2, name="c2")]
    x = K.Input((4, 3), name="x")
    outputs = L.RNN(L.StackedRNNCells(cells), return_sequences=True, return_state=True)(x)
    flat = [outputs[0]] + [
        s for state in outputs[1:] for s in (state if isinstance(state, (list, tuple)) else [state])
    ]
    return K.Model(x, flat, name="rnn_cells")


def conv_lstm(K):
    L = K.layers
    a, b = K.Input((3, 5, 2), name="a"), K.Input((3, 4, 4, 2), name="b")
    y1 = L.ConvLSTM1D(2, 3, padding="same", return_sequences=True, name="conv_lstm1d")(a)
    y2 = L.ConvLSTM2D(2, 2, strides=2, name="conv_lstm2d")(b)
    return K.Model([a, b], [y1, y2], name="conv_lstm")


def convolutions(K):
    L = K.layers
    a, b, c = (
        K.Input((8, 3), name="a"),
        K.Input((6, 6, 2), name="b"),
        K.Input((4, 4, 4, 1), name="c"),
    )
    y1 = L.Conv1D(4, 3, padding="causal", dilation_rate=2, name="conv1d")(a)
    y1 = L.MaxPooling1D(2, name="pool1d")(y1)
    y1 = L.AveragePooling1D(2, padding="same", name="avg1d")(y1)
    y1 = L.GlobalMaxPooling1D(name="gmax1d")(y1)
    y2 = L.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv2d")(b)
    y2 = L.MaxPooling2D(2, name="pool2d")(y2)
    y2 = L.GlobalAveragePooling2D(name="gavg2d")(y2)
    y3 = L.Conv3D(2, 2, name="conv3d")(c)
    y3 = L.AveragePooling3D(2, padding="same", name="avg3d")(y3)
    return K.Model([a, b, c], [y1, y2, y3], name="convolutions")


def transposed_depthwise_einsum(K):
    """Transposed, depthwise and separable convolutions of each rank, and EinsumDense."""
    L = K.layers
    a, b, c, d = (
        K.Input((7, 3), name="a"),
        K.Input((5, 4, 2), name="b"),
        K.Input((3, 3, 3, 1), name="c"),
        K.Input((4, 6), name="d"),
    )
    y1 = L.Conv1DTranspose(
        3, 3, strides=2, padding="same", output_padding=1, name="conv1d_transpose"
    )(a)
    y1 = L.SeparableConv1D(4, 2, depth_multiplier=2, name="separable_conv1d")(y1)
    y1 = L.DepthwiseConv1D(3, padding="same", activation="relu", name="depthwise_conv1d")(y1)
    y2 = L.Conv2DTranspose(3, 3, strides=2, activation="relu", name="conv2d_transpose")(b)
    y2 = L.DepthwiseConv2D(
        3, strides=2, padding="same", depth_multiplier=2, name="depthwise_conv2d"
    )(y2)
    y2 = L.SeparableConv2D(4, 2, activation="tanh", name="separable_conv2d")(y2)
    y3 = L.Conv3DTranspose(2, 2, strides=(1, 2, 1), name="conv3d_transpose")(c)
    y4 = L.EinsumDense("abc,cde->abde", (4, 2, 5), bias_axes="de", name="heads")(d)
    y4 = L.EinsumDense("abcd,cde->abe", (4, 3), bias_axes="e", name="merge_heads")(y4)
    y4 = L.EinsumDense("...b,bc->...c", (2,), activation="gelu", name="ellipsis")(y4)
    return K.Model([a, b, c, d], [y1, y2, y3, y4], name="transposed_depthwise_einsum")


def embedding_masked(K):
    L = K.layers
    return K.Sequential(
        [
            K.Input((6,), dtype="int32", name="ids"),
            L.Embedding(12, 4, mask_zero=True, name="embedding"),
            L.LSTM(3, return_sequences=True, name="lstm"),
            L.GlobalAveragePooling1D(name="pool"),
            L.Dense(2, name="dense"),
        ],
        name="embedding_masked",
    )


def attention(K):
    L = K.layers
    q, v = K.Input((4, 3), name="q"), K.Input((5, 3), name="v")
    a = L.Attention(use_scale=True, name="attention")([q, v])
    b = L.AdditiveAttention(name="additive")([q, v, v])
    c = L.Dot(axes=2, normalize=True, name="dot")([q, v])
    return K.Model([q, v], [a, b, c], name="attention")


def multi_head_attention(K):
    L = K.layers
    q, v = K.Input((4, 3), name="q"), K.Input((5, 2), name="v")
    y = L.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, name="mha")(q, v)
    y = L.LayerNormalization(name="norm")(L.Add(name="add")([q, L.Dense(3, name="proj")(y)]))
    return K.Model([q, v], y, name="multi_head_attention")


def merges(K):
    L = K.layers
    a, b = K.Input((3, 4), name="a"), K.Input((3, 4), name="b")
    parts = [
        cls(name=cls.__name__.lower())([a, b])
        for cls in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum)
    ]
    joined = L.Concatenate(axis=1, name="concat")(parts)
    return K.Model([a, b], [joined, L.Concatenate(name="concat_1")([a, b])], name="merges")


def normalizations(K):
    L = K.layers
    norm = L.Normalization(axis=-1, name="normalization")
    norm.adapt(np.random.default_rng(5).normal(2.0, 3.0, (32, 4, 3)).astype(np.float32))
    return K.Sequential(
        [
            K.Input((4, 3), name="x"),
            L.Rescaling(0.5, offset=-1.0, name="rescaling"),
            norm,
            L.BatchNormalization(name="batch_norm"),
            L.LayerNormalization(axis=[1, 2], name="layer_norm"),
            L.UnitNormalization(name="unit_norm"),
            L.Dense(2, name="dense"),
        ],
        name="normalizations",
    )


def activations(K):
    L = K.layers
    slope = {"alpha": 0.05} if is_keras2(K) else {"negative_slope": 0.05}
    layers = [
        K.Input((5,), name="x"),
        L.Dense(6, activation="gelu", name="dense"),
        L.Activation("softsign", name="softsign"),
        L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2, name="relu"),
        L.LeakyReLU(name="leaky", **slope),
        L.ELU(alpha=0.7, name="elu"),
        L.PReLU(name="prelu"),
        L.Dense(4, activation="hard_sigmoid", name="dense_1"),
    ]
    if is_keras2(K):
        layers.append(L.ThresholdedReLU(theta=0.3, name="thresholded"))
    layers.append(L.Softmax(name="softmax"))
    return K.Sequential(layers, name="activations")


def reshaping(K):
    L = K.layers
    a, b = K.Input((4, 3), name="a"), K.Input((4, 5, 2), name="b")
    y1 = L.ZeroPadding1D((1, 2), name="pad1d")(a)
    y1 = L.Cropping1D((2, 1), name="crop1d")(y1)
    y1 = L.UpSampling1D(2, name="up1d")(y1)
    y1 = L.Permute((2, 1), name="permute")(y1)
    y1 = L.Reshape((4, 6), name="reshape")(y1)
    y2 = L.ZeroPadding2D(1, name="pad2d")(b)
    y2 = L.Cropping2D(((1, 0), (2, 1)), name="crop2d")(y2)
    y2 = L.UpSampling2D((1, 2), name="up2d")(y2)
    y2 = L.Flatten(name="flatten")(y2)
    y2 = L.RepeatVector(2, name="repeat")(L.Dense(3, name="dense")(y2))
    return K.Model([a, b], [y1, y2], name="reshaping")


def time_distributed(K):
    L = K.layers
    x = K.Input((3, 5, 5, 2), name="frames")
    y = L.TimeDistributed(L.Conv2D(2, 3, name="conv"), name="td_conv")(x)
    y = L.TimeDistributed(L.Flatten(name="flat"), name="td_flat")(y)
    y = L.LSTM(3, return_sequences=True, name="lstm")(y)
    y = L.TimeDistributed(L.Dense(2, activation="tanh", name="dense"), name="td_dense")(y)
    return K.Model(x, y, name="time_distributed")


def inference_noops(K):
    L = K.layers
    return K.Sequential(
        [
            K.Input((4, 3), name="x"),
            L.GaussianNoise(0.5, name="noise"),
            L.SpatialDropout1D(0.5, name="spatial"),
            L.LSTM(3, return_sequences=True, dropout=0.5, recurrent_dropout=0.5, name="lstm"),
            L.Dropout(0.5, name="dropout"),
            L.ActivityRegularization(l1=0.01, name="reg"),
            L.Identity(name="identity"),
            L.Dense(2, name="dense"),
        ],
        name="inference_noops",
    )


def nested(K):
    L = K.layers
    x = K.Input((4, 3), name="x")
    encoder = K.Model(
        x,
        L.Bidirectional(L.GRU(2, return_sequences=True, name="gru"), name="bi")(x),
        name="encoder",
    )
    inner = K.Sequential(
        [K.Input((4, 3), name="inner_x"), encoder, L.LSTM(3, name="lstm")], name="inner"
    )
    a, b = K.Input((4, 3), name="a"), K.Input((4, 3), name="b")
    return K.Model([a, b], [L.Dense(2, name="dense")(inner(a)), inner(b)], name="nested")


def stateful(K):
    L = K.layers
    shape = (
        {"batch_shape": (2, None, 3)} if not is_keras2(K) else {"batch_size": 2, "shape": (None, 3)}
    )
    x = K.Input(name="x", **shape)
    y = L.LSTM(4, stateful=True, return_sequences=True, name="lstm")(x)
    y = L.GRU(3, stateful=True, name="gru")(y)
    return K.Model(x, L.Dense(2, name="dense")(y), name="stateful")


def encoder_decoder(K):
    """Several inputs and outputs; states handed from an encoder to a decoder."""
    L = K.layers
    a, b = K.Input((5, 3), name="source"), K.Input((4, 2), name="target")
    encoded, h, c = L.LSTM(4, return_state=True, name="encoder")(a)
    decoded = L.LSTM(4, return_sequences=True, name="decoder")(b, initial_state=[h, c])
    return K.Model([a, b], [L.Dense(3, name="head")(decoded), encoded], name="encoder_decoder")


def streaming(K):
    """step() over a mask, Dense between recurrent layers, every recurrent kind."""
    L = K.layers
    return K.Sequential(
        [
            K.Input((None, 3), name="x"),
            L.Masking(name="mask"),
            L.GRU(4, return_sequences=True, name="gru"),
            L.Dense(3, activation="tanh", name="dense"),
            L.SimpleRNN(3, return_sequences=True, name="rnn"),
            L.LSTM(2, name="lstm"),
        ],
        name="streaming",
    )


def preprocessing(K):
    """Ids counted, one-hot encoded and looked up (in a vocabulary, into an LSTM)."""
    L = K.layers
    ids, one = K.Input((4,), dtype="int64", name="ids"), K.Input((1,), dtype="int64", name="one")
    counts = L.CategoryEncoding(12, "count", name="count")(ids)
    hot = L.CategoryEncoding(12, "one_hot", name="one_hot")(one)
    vocabulary = [2, 3, 5, 7, 11]
    seen = L.IntegerLookup(vocabulary=vocabulary, output_mode="multi_hot", name="seen")(ids)
    looked = L.IntegerLookup(vocabulary=vocabulary, num_oov_indices=2, name="lookup")(ids)
    y = L.Embedding(8, 3, name="embedding")(looked)
    y = L.LSTM(3, name="lstm")(y)
    return K.Model([ids, one], [counts, hot, seen, y], name="preprocessing")


def augmentation(K):
    """Augmentation (the input at inference; RandomCrop resizes in tf_keras), bins counted,
    activation layer objects as activations and (Keras 3) activation operations."""
    L = K.layers
    slope = {"alpha": 0.1} if is_keras2(K) else {"negative_slope": 0.1}
    images, values = K.Input((6, 5, 3), name="images"), K.Input((4,), name="values")
    a = L.RandomFlip(name="flip")(images)
    a = L.RandomRotation(0.2, name="rotation")(a)
    a = L.RandomZoom(0.1, name="zoom")(a)
    a = L.RandomContrast(0.3, name="contrast")(a)
    a = L.RandomCrop(4, 4, name="crop")(a)
    a = L.Conv2D(2, 3, activation=L.LeakyReLU(**slope), name="conv")(a)
    a = L.GlobalAveragePooling2D(name="pool")(a)
    b = L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5], name="bins")(values)
    b = L.CategoryEncoding(4, "multi_hot", name="hot")(b)
    y = L.Concatenate(name="concat")([a, b])
    y = L.Dense(3, activation=L.ELU(0.5), name="dense")(y)
    if not is_keras2(K):
        y = K.ops.log_softmax(K.ops.gelu(y, approximate=False))
    return K.Model([images, values], y, name="augmentation")


def fuzz_seed(K):
    """The files tests/test_fuzz.py mutates: the names are the ones it renames."""
    L = K.layers
    if is_keras2(K):
        layers = [
            K.Input((5, 3), name="x"),
            L.LSTM(3, return_sequences=True, name="lstm"),
            L.GRU(2, name="gru"),
            L.Dense(2, name="dense"),
        ]
        return K.Sequential(layers, name="k2")
    x = K.Input((5, 3), name="x")
    y = L.Bidirectional(L.LSTM(2, return_sequences=True, name="lstm"), name="bi")(
        L.Masking(name="mask")(x)
    )
    y = L.Dense(2, activation="softmax", name="dense")(L.Conv1D(2, 2, name="conv")(y))
    return K.Model(x, y, name="k3")


def hostile_base(K):
    """The model tests/test_hostile_files.py renames and rewires: its Dense kernel is
    (3, 2), 24 bytes, the size of the secret those tests try to smuggle in."""
    L = K.layers
    return K.Sequential(
        [
            K.Input((4, 3), name="seq"),
            L.LSTM(3, return_sequences=True, name="first"),
            L.Dense(2, name="second"),
            L.LSTM(2, name="third"),
        ],
        name="hostile_base",
    )


def question(K):
    """The model of the question that started lstmgen, as Keras 3 saves it."""
    return question_model(K)


BOTH = [("keras2", "h5"), ("keras3", "keras")]
CROSSED = [("keras2", "keras"), ("keras3", "h5")]
ALL = BOTH + CROSSED

CASES = {
    "lstm_stack": Case(lstm_stack, ALL),
    "lstm_free_time": Case(lstm_free_time, BOTH, steps=7),
    "gru_simple_rnn": Case(gru_simple_rnn, ALL),
    "bidirectional_masked": Case(bidirectional_masked, BOTH, inputs="padded"),
    "rnn_cells": Case(rnn_cells, BOTH),
    "conv_lstm": Case(conv_lstm, BOTH, scale=0.3),
    "convolutions": Case(convolutions, CROSSED),
    "transposed_depthwise_einsum": Case(transposed_depthwise_einsum, CROSSED),
    "embedding_masked": Case(embedding_masked, BOTH, inputs="masked_ids"),
    "attention": Case(attention, CROSSED),
    "multi_head_attention": Case(multi_head_attention, BOTH),
    "merges": Case(merges, CROSSED),
    "normalizations": Case(normalizations, BOTH),
    "activations": Case(activations, BOTH, scale=1.0),
    "reshaping": Case(reshaping, CROSSED),
    "time_distributed": Case(time_distributed, BOTH, scale=0.3),
    "inference_noops": Case(inference_noops, CROSSED),
    "nested": Case(nested, BOTH),
    "stateful": Case(stateful, BOTH, batch=2, calls=3),
    "encoder_decoder": Case(encoder_decoder, CROSSED),
    "fuzz_seed": Case(fuzz_seed, BOTH),
    "hostile_base": Case(hostile_base, BOTH),
    "question": Case(question, [("keras3", "keras")]),
    "streaming": Case(streaming, BOTH, inputs="padded", steps=4, prefixes=True),
    "preprocessing": Case(preprocessing, BOTH, inputs="ids"),
    "augmentation": Case(augmentation, CROSSED),
}
