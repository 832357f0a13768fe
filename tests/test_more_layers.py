"""ELU, PReLU, ThresholdedReLU, the SpatialDropout2D/3D / ActivityRegularization / Identity
no-ops, Rescaling, Normalization and UnitNormalization, against both Keras versions."""

import numpy as np
import pytest

from oracle import check_against_keras, generate_module, relative_error, save

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]


def is_keras2(K):
    return K.__name__.startswith("tf_keras")


def randomize_dense(model, seed=0, scale=0.5):
    """Random weights for Dense/Conv layers only: Normalization's statistics come from
    adapt() or its config (a random variance could be negative, `count` is an int)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ in ("Dense", "Conv2D", "LSTM", "PReLU"):
            for weight in layer.weights:
                weight.assign(rng.normal(0.0, scale, tuple(weight.shape)).astype(np.float32))


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.5])
def test_elu(any_keras, fmt, alpha, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((5,)), K.layers.Dense(8), K.layers.ELU(alpha=alpha)])
    module = check_against_keras(model, tmp_path, fmt, scale=2.0)
    assert "(ELU, alpha=" in open(module.__file__).read()


def test_elu_default(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((3, 5)), K.layers.Dense(8), K.layers.ELU()])
    check_against_keras(model, tmp_path, "h5", scale=2.0)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("theta", [1.0, 0.3, 0.0])
def test_thresholded_relu_keras2(keras2, fmt, theta, tmp_path):
    # Keras 3 has no ThresholdedReLU (ReLU(threshold=...) replaces it).
    K = keras2
    model = K.Sequential([K.Input((5,)), K.layers.Dense(8), K.layers.ThresholdedReLU(theta=theta)])
    check_against_keras(model, tmp_path, fmt, scale=2.0)


def test_thresholded_relu_default(keras2, tmp_path):
    K = keras2
    model = K.Sequential([K.Input((4, 5)), K.layers.Dense(8), K.layers.ThresholdedReLU()])
    check_against_keras(model, tmp_path, "h5", scale=2.0)


SEQUENCE_SHARED = [None, [1], [2], [1, 2]]
IMAGE_SHARED = [None, [1, 2], [3], [1], [1, 2, 3]]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shared_axes", SEQUENCE_SHARED, ids=str)
def test_prelu_on_sequences(any_keras, fmt, shared_axes, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((6, 4)), K.layers.Dense(4), K.layers.PReLU(shared_axes=shared_axes)]
    )
    prelu = model.layers[-1]
    expected = [6, 4]
    for axis in shared_axes or []:
        expected[axis - 1] = 1
    assert tuple(prelu.weights[0].shape) == tuple(expected)
    check_against_keras(model, tmp_path, fmt, scale=1.5)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shared_axes", IMAGE_SHARED, ids=str)
def test_prelu_on_images(any_keras, fmt, shared_axes, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((5, 4, 3)),
            K.layers.Conv2D(3, 2, padding="same"),
            K.layers.PReLU(shared_axes=shared_axes),
        ]
    )
    check_against_keras(model, tmp_path, fmt, scale=1.5)


def test_prelu_on_dense_and_free_time_axis(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((None, 4)),
            K.layers.PReLU(shared_axes=[1]),  # a free time axis must be shared
            K.layers.LSTM(3),
            K.layers.Dense(5),
            K.layers.PReLU(),
        ]
    )
    check_against_keras(model, tmp_path, "h5", scale=1.5)


# ---------------------------------------------------------------- no-ops


@pytest.mark.parametrize("fmt", FORMATS)
def test_more_inference_noops(any_keras, fmt, tmp_path):
    K = any_keras
    image = K.Input((5, 4, 3))
    x = K.layers.SpatialDropout2D(0.4)(image)
    x = K.layers.Conv2D(2, 3)(x)
    x = K.layers.ActivityRegularization(l1=0.01, l2=0.02)(x)
    x = K.layers.Identity()(x)
    volume = K.Input((3, 4, 4, 2))
    y = K.layers.SpatialDropout3D(0.3, data_format="channels_last")(volume)
    y = K.layers.Identity()(y)
    model = K.Model([image, volume], [x, y])
    module = check_against_keras(model, tmp_path, fmt)
    source = open(module.__file__).read()
    for cls in ("SpatialDropout2D", "SpatialDropout3D", "ActivityRegularization", "Identity"):
        assert f"({cls}): identity at inference" in source


# ---------------------------------------------------------------- Rescaling


RESCALING = [
    {"scale": 1.0 / 255},
    {"scale": 1.0 / 127.5, "offset": -1.0},
    {"scale": -2.0, "offset": 3},
    {"scale": [0.5, 2.0, -1.5], "offset": [0.1, -0.2, 0.3]},
    {"scale": 0.25, "offset": [1.0, 2.0, 3.0]},
    {"scale": [[0.5, 2.0, -1.5]] * 4, "offset": 0.5},
    {"scale": "numpy", "offset": -0.5},
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("options", RESCALING, ids=lambda o: "-".join(map(str, o.items()))[:40])
def test_rescaling(any_keras, fmt, options, tmp_path):
    K = any_keras
    options = dict(options)
    if options["scale"] == "numpy":
        options["scale"] = np.array([0.5, 2.0, -1.5], np.float32)
    model = K.Sequential([K.Input((2, 4, 3)), K.layers.Rescaling(**options), K.layers.Dense(2)])
    check_against_keras(model, tmp_path, fmt, scale=1.0)


# ---------------------------------------------------------------- Normalization


def adapt_data(shape, seed=5):
    rng = np.random.default_rng(seed)
    # Per-feature means and spreads of different sizes, one feature nearly constant.
    data = rng.normal(3.0, 2.0, (64,) + shape) * rng.uniform(0.1, 4.0, shape[-1:])
    data[..., 0] = 1.5 + 1e-9 * data[..., 0]  # variance below epsilon**2: the floor acts
    return data.astype(np.float32)


NORMALIZATION_AXES = [-1, (1, 2), 2, 1, None]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("axis", NORMALIZATION_AXES, ids=str)
def test_normalization_adapted(any_keras, fmt, invert, axis, tmp_path):
    K = any_keras
    layer = K.layers.Normalization(axis=axis, invert=invert)
    layer.adapt(adapt_data((5, 3)))
    model = K.Sequential([K.Input((5, 3)), layer, K.layers.Dense(4)])
    randomize_dense(model)
    check_against_keras(model, tmp_path, fmt, randomize_weights=False)


NORMALIZATION_CONFIGS = [
    {"mean": 2.0, "variance": 4.0},
    {"mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 1e-16]},
    {"axis": (1, 2), "mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 9.0]},
    {
        "axis": (1, 2),
        "mean": [[0.5 * k + j for j in range(3)] for k in range(5)],
        "variance": [[1.0 + k + j for j in range(3)] for k in range(5)],
    },
    {"axis": None, "mean": 3.0, "variance": 2.0},
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("config", NORMALIZATION_CONFIGS, ids=lambda c: str(sorted(c))[:30])
def test_normalization_from_config(any_keras, fmt, invert, config, tmp_path, request):
    K = any_keras
    layer = K.layers.Normalization(invert=invert, **config)
    model = K.Sequential([K.Input((5, 3)), layer, K.layers.Dense(4)])
    randomize_dense(model)
    check_against_keras(model, tmp_path, fmt, randomize_weights=False)


# ---------------------------------------------------------------- UnitNormalization


def tiny_inputs(shapes, batch, seed, steps):
    """Values near 1e-8: sum(x**2) falls below tf_keras's 1e-12 floor, not Keras 3's."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1e-8, (batch,) + tuple(steps if n is None else n for n in shapes[0][1:]))
    x[0] = 0.0  # an all-zero sample gives zeros in both
    return [x.astype(np.float32)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("axis", [-1, [1, 2], 1, [-2, -1]], ids=str)
def test_unit_normalization(any_keras, fmt, axis, tmp_path):
    K = any_keras
    model = K.Sequential(
        [K.Input((4, 5)), K.layers.Dense(3), K.layers.UnitNormalization(axis=axis)]
    )
    check_against_keras(model, tmp_path, fmt)


@pytest.mark.parametrize("axis", [-1, [1, 2]], ids=str)
def test_unit_normalization_epsilon_follows_the_version(any_keras, axis, tmp_path):
    K = any_keras
    model = K.Sequential([K.Input((4, 5)), K.layers.UnitNormalization(axis=axis)])
    module = check_against_keras(model, tmp_path, "keras", make_inputs=tiny_inputs)
    x = tiny_inputs(module.INPUT_SHAPES, 3, 1, 4)[0]
    norms = np.sqrt(np.sum(np.square(module.predict(x)[1:], dtype=np.float64), axis=-1))
    # tf_keras's floor keeps such tiny vectors far below norm 1; Keras 3 scales them up.
    if is_keras2(K) and axis == -1:
        assert np.all(norms < 0.5)
    elif not is_keras2(K):
        assert np.allclose(norms if axis == -1 else np.sqrt(np.sum(norms**2, axis=-1)), 1.0)


# ---------------------------------------------------------------- streaming


def test_step_through_the_new_per_timestep_layers(any_keras, tmp_path):
    K = any_keras
    norm = K.layers.Normalization(axis=-1)
    norm.adapt(adapt_data((6, 4)))
    model = K.Sequential(
        [
            K.Input((None, 4)),
            K.layers.Rescaling([0.5, 2.0, -1.0, 1.5], offset=0.25),
            norm,
            K.layers.PReLU(shared_axes=[1]),
            K.layers.ELU(alpha=0.7),
            K.layers.UnitNormalization(),
            K.layers.SpatialDropout1D(0.2),
            K.layers.ActivityRegularization(l2=0.1),
            K.layers.LSTM(5, return_sequences=True),
            K.layers.Identity(),
            K.layers.Dense(3),
            K.layers.PReLU(shared_axes=[1]),
        ]
    )
    randomize_dense(model, seed=2)
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    assert hasattr(module, "step")
    x = np.random.default_rng(0).normal(size=(3, 6, 4)).astype(np.float32)
    expected = np.asarray(model(x))
    state = module.initial_state(x.shape[0])
    for t in range(x.shape[1]):
        y, state = module.step(x[:, t], state)
        assert relative_error(y, expected[:, t]) <= 1e-5, t
    assert relative_error(module.predict(x), expected) <= 1e-5


def test_time_dependent_layers_turn_step_off(any_keras, tmp_path):
    K = any_keras
    model = K.Sequential(
        [
            K.Input((6, 4)),
            K.layers.PReLU(),  # one slope per timestep
            K.layers.LSTM(5),
        ]
    )
    module = check_against_keras(model, tmp_path, "h5")
    assert not hasattr(module, "step")
