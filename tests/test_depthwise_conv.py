"""DepthwiseConv1D/2D and SeparableConv1D/2D against Keras 3 and tf_keras, in .h5 and
.keras files; their refusals without Keras."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import build_layer, check_against_channels_last_twin, check_against_keras, major

from lstmgen.errors import UnsupportedError

CHANNELS = 3
SPATIAL = {1: (None,), 2: (7, 6)}  # 1-D: a free length (9 steps in the test)

# Each branch combines options; its name says which, so a failing output names its cause.
DEPTHWISE = {
    "valid_m2_relu": {"kernel_size": 3, "depth_multiplier": 2, "activation": "relu"},
    "same_s2_nobias": {"kernel_size": 2, "strides": 2, "padding": "same", "use_bias": False},
    "same_dilated_m3": {
        "kernel_size": 3,
        "dilation_rate": 2,
        "padding": "same",
        "depth_multiplier": 3,
    },
}
SEPARABLE = {
    "same_s2_m2_tanh": {
        "filters": 5,
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
        "depth_multiplier": 2,
        "activation": "tanh",
    },
    "valid_dilated_nobias": {"filters": 4, "kernel_size": 2, "dilation_rate": 2, "use_bias": False},
}


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_option_of_both_ranks(any_keras, fmt, tmp_path):
    K = any_keras
    inputs, outputs = [], []
    for rank, spatial in SPATIAL.items():
        x = K.Input(spatial + (CHANNELS,))
        inputs.append(x)
        for kind, branches in (("DepthwiseConv", DEPTHWISE), ("SeparableConv", SEPARABLE)):
            for name, options in branches.items():
                layer = getattr(K.layers, f"{kind}{rank}D")(
                    name=f"{kind}_{name}_{rank}d", **options
                )
                outputs.append(layer(x))
    if major(K) == 2:  # causal padding: tf_keras's SeparableConv1D only
        causal = K.layers.SeparableConv1D(4, 3, padding="causal", dilation_rate=2, name="causal")
        outputs.append(causal(inputs[0]))
    model = K.Model(inputs, outputs)
    module = check_against_keras(model, tmp_path, fmt, batches=(1, 3), steps=9)
    assert module.OUTPUT_SHAPES[:2] == [(None, None, 6), (None, None, 3)]


@pytest.mark.keras
@pytest.mark.parametrize("rank", [1, 2])
def test_keras3_strides_with_dilation(keras3, rank, tmp_path):
    # Keras 3 allows both at once here (dilated at stride 1, then subsampled); tf_keras not.
    K = keras3
    options = {"kernel_size": 3, "strides": 2, "dilation_rate": 2, "padding": "same"}
    x = K.Input((9,) * rank + (CHANNELS,))
    depthwise = getattr(K.layers, f"DepthwiseConv{rank}D")(depth_multiplier=2, **options)
    separable = getattr(K.layers, f"SeparableConv{rank}D")(4, **options)
    model = K.Model(x, [depthwise(x), separable(x)])
    check_against_keras(model, tmp_path, "keras" if rank == 1 else "h5", batches=(2,))


@pytest.mark.keras
def test_channels_first_in_a_mobilenet_block(any_keras, tmp_path):
    K = any_keras
    cf = {"data_format": "channels_first"}
    model = K.Sequential(
        [
            K.Input((CHANNELS, 8, 7)),
            K.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, **cf),
            K.layers.ReLU(6.0),
            K.layers.Conv2D(4, 1, **cf),
            K.layers.SeparableConv2D(5, 3, strides=2, padding="same", **cf),
            K.layers.Permute((2, 3, 1)),
            K.layers.Reshape((16, 5)),
            K.layers.DepthwiseConv1D(2, activation="elu", **cf),
            K.layers.SeparableConv1D(2, 2, padding="same", depth_multiplier=2, **cf),
        ]
    )
    check_against_keras(model, tmp_path, "keras" if major(K) == 3 else "h5", batches=(2,))


@pytest.mark.keras
def test_keras3_channels_first_separable_conv1d_of_two_steps_against_its_twin(keras3, tmp_path):
    """Keras 3 on TensorFlow computes SeparableConv1D wrong on CPU when its channels_first
    output has 2 steps (errors of order 1); tf_keras and its channels_last twin agree with
    lstmgen, checked here against the twin."""
    K = keras3
    layer = K.layers.SeparableConv1D
    model = K.Sequential([K.Input((4, 3)), layer(2, 2, data_format="channels_first")])
    twin = K.Sequential([K.Input((3, 4)), layer(2, 2)])
    x = np.random.default_rng(6).normal(size=(2, 4, 3)).astype(np.float32)
    check_against_channels_last_twin(model, twin, tmp_path, x, "h5")


def _depthwise(class_name, config, keras_major=3, shape=(None, 6, 5, 2)):
    rank = len(shape) - 2
    multiplier, channels = config.get("depth_multiplier", 1), shape[-1]
    config = {"kernel_size": 2, **config}
    weights = [np.ones((2,) * rank + (channels, multiplier))]
    if class_name.startswith("Separable"):
        weights.append(np.ones((1,) * rank + (channels * multiplier, config["filters"])))
    weights.append(np.zeros(config.get("filters", channels * multiplier)))
    return build_layer(class_name, config, weights, [shape], keras_major)


def test_output_shapes():
    assert _depthwise("DepthwiseConv2D", {"depth_multiplier": 3}).outputs == [(None, 5, 4, 6)]
    separable = {"filters": 7, "strides": 2, "padding": "same"}
    assert _depthwise("SeparableConv2D", separable).outputs == [(None, 3, 3, 7)]
    causal = {"filters": 2, "padding": "causal", "dilation_rate": 2}
    assert _depthwise("SeparableConv1D", causal, 2, (None, 9, 2)).outputs == [(None, 9, 2)]


@pytest.mark.parametrize(
    "class_name, config, keras_major, message",
    [
        ("DepthwiseConv2D", {"strides": 2, "dilation_rate": 2}, 2, "strides > 1 together"),
        ("SeparableConv1D", {"filters": 2, "padding": "causal"}, 3, "padding='causal' is not"),
        ("DepthwiseConv1D", {"padding": "causal"}, 2, "padding='causal' is not"),
        ("DepthwiseConv2D", {"depth_multiplier": 0}, 3, "depth_multiplier=0 must be positive"),
    ],
)
def test_what_keras_refuses_is_refused(class_name, config, keras_major, message):
    shape = (None, 9, 2) if class_name.endswith("1D") else (None, 6, 5, 2)
    with pytest.raises(UnsupportedError, match=rf"layer 'layer' \({class_name}\): .*{message}"):
        _depthwise(class_name, config, keras_major, shape)


def test_tf_keras_groups_are_unused_as_tf_keras_leaves_them():
    # tf_keras's Conv base class saves `groups`; its depthwise and separable layers never use it
    assert _depthwise("DepthwiseConv2D", {"groups": 2}, 2).outputs == [(None, 5, 4, 2)]
    assert _depthwise("SeparableConv2D", {"filters": 3, "groups": 3}, 2).outputs == [
        (None, 5, 4, 3)
    ]
