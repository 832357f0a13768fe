"""Conv1DTranspose/2DTranspose/3DTranspose against Keras 3 and tf_keras, in .h5 and .keras
files; their refusals and Keras 2's Conv3DTranspose without dilation, without Keras."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import build_layer, check_against_channels_last_twin, check_against_keras, major

from lstmgen.cost import node_cost
from lstmgen.errors import UnsupportedError
from lstmgen.ir import Tensor

CHANNELS = 3
SPATIAL = {1: (None,), 2: (5, 4), 3: (3, 4, 3)}  # 1-D: a free length (7 steps in the test)

# Each branch combines options; its name says which, so a failing output names its cause.
BRANCHES = {
    "valid_s2_relu": {"kernel_size": 3, "strides": 2, "activation": "relu"},
    "same_s2_op1_nobias": {"kernel_size": 3, "strides": 2, "output_padding": 1, "use_bias": False},
    "same_dilated": {"kernel_size": 3, "padding": "same", "dilation_rate": 2},
    "valid_k2_s3_op2": {"kernel_size": 2, "strides": 3, "output_padding": 2},
    "same_k4_s3_op1_tanh": {
        "kernel_size": 4,
        "strides": 3,
        "padding": "same",
        "output_padding": 1,
        "activation": "tanh",
    },
    "valid_k_s_per_axis": {"kernel_size": (2, 3, 1), "strides": (1, 2, 3)},
}


def _per_axis(value, rank):
    return tuple(value[:rank]) if isinstance(value, tuple) else value


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_option_of_every_rank(any_keras, fmt, tmp_path):
    K = any_keras
    inputs, outputs = [], []
    for rank, spatial in SPATIAL.items():
        x = K.Input(spatial + (CHANNELS,))
        inputs.append(x)
        for name, options in BRANCHES.items():
            options = {key: _per_axis(value, rank) for key, value in options.items()}
            if name == "same_s2_op1_nobias":
                options["padding"] = "same"
            layer = getattr(K.layers, f"Conv{rank}DTranspose")(4, name=f"{name}_{rank}d", **options)
            outputs.append(layer(x))
    model = K.Model(inputs, outputs)
    module = check_against_keras(model, tmp_path, fmt, batches=(1, 3))
    assert module.OUTPUT_SHAPES[0] == (None, None, 4)  # the free length stays free


@pytest.mark.keras
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_channels_first_in_an_autoencoder(any_keras, rank, tmp_path):
    K = any_keras
    cf = {"data_format": "channels_first"}
    conv, transposed = getattr(K.layers, f"Conv{rank}D"), getattr(K.layers, f"Conv{rank}DTranspose")
    model = K.Sequential(
        [
            K.Input((CHANNELS,) + (6,) * rank),
            conv(4, 3, strides=2, padding="same", activation="relu", **cf),
            transposed(5, 3, strides=2, padding="same", output_padding=1, **cf),
            transposed(2, 2, dilation_rate=2, activation="sigmoid", **cf),
        ]
    )
    module = check_against_keras(model, tmp_path, "keras" if rank == 2 else "h5", batches=(2,))
    size = 7 if rank == 3 and major(K) == 2 else 8  # tf_keras's Conv3DTranspose: no dilation
    assert module.OUTPUT_SHAPES == [(None, 2) + (size,) * rank]


@pytest.mark.keras
def test_keras3_channels_first_conv3d_transpose_against_its_channels_last_twin(keras3, tmp_path):
    """Keras 3 on TensorFlow computes this one wrong on CPU (stride 1, padding same,
    channels_first: errors of order 1); tf_keras and its channels_last twin agree with
    lstmgen, checked here against the twin."""
    K = keras3
    options = {"padding": "same", "dilation_rate": 2}
    model = K.Sequential(
        [
            K.Input((3, 5, 6, 4)),
            K.layers.Conv3DTranspose(4, 3, data_format="channels_first", **options),
        ]
    )
    twin = K.Sequential([K.Input((5, 6, 4, 3)), K.layers.Conv3DTranspose(4, 3, **options)])
    x = np.random.default_rng(5).normal(size=(2, 3, 5, 6, 4)).astype(np.float32)
    check_against_channels_last_twin(model, twin, tmp_path, x)


def _transposed(config, keras_major=3, shape=(None, 5, 4, 3), filters=2):
    rank = len(shape) - 2
    config = {"filters": filters, "kernel_size": 2, **config}
    kernel = np.ones((config["kernel_size"],) * rank + (filters, shape[-1]), np.float32)
    return build_layer(
        f"Conv{rank}DTranspose", config, [kernel, np.zeros(filters)], [shape], keras_major
    )


def test_output_sizes_follow_keras():
    assert _transposed({"strides": 2}).outputs == [(None, 10, 8, 2)]
    assert _transposed({"strides": 3}).outputs == [(None, 15, 12, 2)]  # max(kernel, stride)
    assert _transposed({"strides": 2, "output_padding": 1}).outputs == [(None, 11, 9, 2)]
    same = {"padding": "same", "strides": 3, "output_padding": 1, "kernel_size": 3}
    assert _transposed(same).outputs == [(None, 14, 11, 2)]
    assert _transposed({"strides": 2}, shape=(None, None, 3)).outputs == [(None, None, 2)]


def test_keras2_conv3d_transpose_ignores_dilation_as_tf_keras_does():
    shape = (None, 3, 3, 3, 1)
    dilated = {"dilation_rate": 2}
    assert _transposed(dilated, 2, shape).outputs == [(None, 4, 4, 4, 2)]
    assert _transposed(dilated, 3, shape).outputs == [(None, 5, 5, 5, 2)]


@pytest.mark.parametrize(
    "config, keras_major, message",
    [
        ({"padding": "same", "output_padding": 0}, 3, r"even kernel span \(2\)"),
        ({"strides": 2, "output_padding": 2}, 3, "output_padding=2 must be 2 integer"),
        ({"padding": "causal"}, 2, "option padding='causal' is not supported"),
        ({"groups": 2}, 3, "option groups=2 is not supported"),
        ({"strides": 2, "dilation_rate": 2}, 2, "strides > 1 together with dilation_rate > 1"),
    ],
)
def test_what_keras_refuses_is_refused(config, keras_major, message):
    with pytest.raises(UnsupportedError, match=r"layer 'layer' \(Conv2DTranspose\): .*" + message):
        _transposed(config, keras_major)


def test_tf_keras_groups_are_ignored_as_tf_keras_ignores_them():
    assert _transposed({"groups": 2}, 2).outputs == [(None, 6, 5, 2)]


def test_its_columns_count_in_the_cost_budget():
    # Every input cell's products with every kernel cell: 2 x 40 x 40 cells x 961 x 500.
    built = _transposed({"kernel_size": 31}, shape=(2, 40, 40, 1), filters=500)
    node = built.node(
        "up",
        "Conv2DTranspose",
        "up",
        [Tensor("x", (2, 40, 40, 1))],
        [Tensor("y", built.outputs[0])],
    )
    assert node_cost(node).largest_bytes == 4 * 2 * 40 * 40 * 31 * 31 * 500
