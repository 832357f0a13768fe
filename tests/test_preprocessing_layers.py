"""CategoryEncoding, Discretization and IntegerLookup against Keras 3 and tf_keras, in .h5
and .keras files: ids, bins and counts are compared exactly (np.array_equal)."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen.errors import LstmgenError
from lstmgen.generate import generate
from oracle import generate_module, major, same_as_keras, save

pytestmark = pytest.mark.keras

FORMATS = ["h5", "keras"]
VOCABULARY = [12, 5, 7, 30, 2**40 + 3, -9]  # 2**40 + 3: beyond what float32 holds exactly
# ids to look up: the vocabulary, the mask token 0, and unknown ones
POOL = np.array(VOCABULARY + [0, 1, 99, -3, 2**40 + 4])


def ids(rng, low, high, *shape):
    return rng.integers(low, high, shape).astype(np.int32)


def encodings_and_bins(K, rng):
    """CategoryEncoding and Discretization with every option, on ids and on values."""
    single, several, values = (
        K.Input((1,), dtype="int32"),
        K.Input((6,), dtype="int32"),
        K.Input((6,)),
    )
    E, D = K.layers.CategoryEncoding, K.layers.Discretization
    bounds = [-0.5, 0.0, 0.0, 0.75]  # a repeated boundary: its bin stays empty
    adapted = D(num_bins=5, epsilon=0.05, name="adapted")
    adapted.adapt(rng.normal(size=(200, 6)).astype(np.float32))
    outputs = [
        E(5, "one_hot", name="one_hot")(single),
        E(5, "multi_hot", name="multi_hot")(several),
        E(5, "count", name="count")(several),
        E(5, "binary", name="binary")(single),  # Keras's old name of multi_hot
        D(bin_boundaries=bounds, name="bins")(values),
        adapted(values),
        D(bin_boundaries=bounds, output_mode="multi_hot")(values),
        D(bin_boundaries=bounds, output_mode="count")(values),
    ]
    inputs = [single, several, values]
    if major(K) == 3:
        outputs.append(E(5, "one_hot")(several))  # a new axis; tf_keras fails on it
        images = K.Input((3, 4))  # counted along axis 1, as Keras 3 declares it
        inputs.append(images)
        outputs.append(D(bin_boundaries=bounds, output_mode="count")(images))
        outputs.append(D(bin_boundaries=[0.0], output_mode="one_hot")(images))
    return K.Model(inputs, outputs), bounds


@pytest.mark.parametrize("fmt", FORMATS)
def test_category_encoding_and_discretization(any_keras, fmt, tmp_path):
    K = any_keras
    rng = np.random.default_rng(1)
    model, bounds = encodings_and_bins(K, rng)
    path = save(model, tmp_path, fmt)
    module = generate_module(path, tmp_path)
    high = 5 if major(K) == 2 else 7  # Keras 3: zeros for ids >= num_tokens; tf_keras fails
    x = rng.normal(size=(9, 6)).astype(np.float32)
    x[0, :4] = bounds  # on a boundary: the bin above it
    given = [ids(rng, 0, high, 9, 1), ids(rng, 0, high, 9, 6), x]
    given += [rng.normal(size=(9, 3, 4)).astype(np.float32)] if major(K) == 3 else []
    same_as_keras(model, module, given)
    got = dict(zip(module.OUTPUT_NAMES, module.predict(given)))
    # int bins as Keras gives them: int32 in Keras 3, the layer's int64 in tf_keras
    assert got["bins"].dtype == np.dtype("int32" if major(K) == 3 else "int64")
    # float ids are truncated, as Keras casts them
    floats = [given[0] + 0.7, given[1] + 0.3, x] + given[3:]
    assert np.array_equal(module.predict(floats)[2], got["count"])
    negative = [given[0], given[1] - 1] + given[2:]  # an id -1
    with pytest.raises(ValueError, match="multi_hot: ids must"):
        module.predict(negative)
    with pytest.raises(Exception):  # Keras fails on it too
        model(negative, training=False)
    if major(K) == 2:  # tf_keras also fails on ids >= num_tokens
        beyond = [given[0], np.maximum(given[1], 5)] + given[2:]
        with pytest.raises(ValueError, match=r"multi_hot: ids must be in \[0, 5\)"):
            module.predict(beyond)
        with pytest.raises(Exception, match="must be in the range 0 <= values < num_tokens"):
            model(beyond, training=False)
    if major(K) == 2 and fmt == "keras":
        # tf_keras's .keras loader does not derive the adapted boundaries: all in bin 0
        loaded = K.models.load_model(path)
        assert not np.any(loaded(given)[5]) and np.any(got["adapted"])


def lookups(K):
    """IntegerLookup in every mode and with every option: on rows of tokens, on single
    tokens (one_hot), and without OOV indices (tokens of the vocabulary only)."""
    L, V = K.layers.IntegerLookup, VOCABULARY
    tokens, single, known = (K.Input(s, dtype="int64") for s in [(4,), (1,), (3,)])
    layers = [
        L(vocabulary=V),
        L(vocabulary=V, num_oov_indices=3),
        L(vocabulary=V, mask_token=0, num_oov_indices=2),
        L(vocabulary=[-1] + V, oov_token=-1),  # a vocabulary that lists its OOV token
        L(vocabulary=V, output_mode="multi_hot", mask_token=0),
        L(vocabulary=V, output_mode="count", num_oov_indices=2),
        L(vocabulary=V, output_mode="tf_idf", idf_weights=[0.5, 1, 2, 3, 4, 5]),
        L(vocabulary=V, output_mode="multi_hot", max_tokens=10, pad_to_max_tokens=True),
        L(vocabulary=[1, 2, 3, 4], invert=True),
        L(vocabulary=[1, 2, 3, 4], invert=True, mask_token=0, oov_token=-7),
    ]
    outputs = [layer(tokens) for layer in layers]
    outputs.append(L(vocabulary=V, output_mode="one_hot")(single))
    outputs.append(L(vocabulary=V, num_oov_indices=0, name="known")(known))
    return K.Model([tokens, single, known], outputs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_integer_lookup(any_keras, fmt, tmp_path):
    rng = np.random.default_rng(2)
    model = lookups(any_keras)
    module = generate_module(save(model, tmp_path, fmt), tmp_path)
    known = np.array(VOCABULARY)[rng.integers(0, len(VOCABULARY), (17, 3))]
    x = [rng.choice(POOL, (17, 4)), rng.choice(POOL, (17, 1)), known]
    same_as_keras(model, module, x)
    # encodings: float32, as Keras declares them (Keras 3 computes int64 of equal values)
    assert module.predict(x)[4].dtype == np.float32
    assert np.asarray(model(x)[4]).dtype == (np.int64 if major(any_keras) == 3 else np.float32)
    # without OOV indices an unknown token fails, as in Keras; the self-test avoids them
    assert module.self_test()[0]
    with pytest.raises(ValueError, match=r"known: .* not in the vocabulary: \[99\]"):
        module.predict(x[:2] + [np.array([[12, 99, 5]] * 17)])


def test_adapted_vocabulary_in_keras_files(any_keras, tmp_path):
    """adapt()'s vocabulary lives in the .keras zip's assets; a Keras 3 .h5 file has none
    (Keras cannot run the layer from it either) and tf_keras cannot write one."""
    K = any_keras
    data = np.array([[5, 5, 7, 9, 12], [12, 3, 3, 9, -1]])
    ids = K.Input((4,), dtype="int64")
    layers = [K.layers.IntegerLookup(num_oov_indices=2, mask_token=0)]
    layers.append(K.layers.IntegerLookup(output_mode="tf_idf"))
    for layer in layers:
        layer.adapt(data)
    model = K.Model(ids, [layer(ids) for layer in layers])
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    same_as_keras(model, module, [np.random.default_rng(3).choice(POOL, (9, 4))])
    if major(K) == 3:
        path = save(model, tmp_path, "h5")
        with pytest.raises(LstmgenError, match="IntegerLookup.*holds no vocabulary"):
            generate(path)
        with pytest.raises(Exception, match="Table not initialized"):
            K.models.load_model(path)(np.zeros((1, 4), np.int64))
    else:
        with pytest.raises(Exception, match="not supported in h5"):
            save(model, tmp_path, "h5")


def test_lookup_then_embedding_streams(keras3, tmp_path):
    """Ids -> IntegerLookup -> Embedding -> LSTM: step() runs the lookup per timestep."""
    K = keras3
    model = K.Sequential(
        [
            K.Input((None,), dtype="int64"),
            K.layers.IntegerLookup(vocabulary=VOCABULARY, mask_token=0),
            K.layers.Embedding(len(VOCABULARY) + 2, 3),
            K.layers.LSTM(4),
        ]
    )
    module = generate_module(save(model, tmp_path, "keras"), tmp_path)
    x = np.random.default_rng(4).choice(POOL, (5, 6))
    expected = np.asarray(model(x))
    np.testing.assert_allclose(module.predict(x), expected, atol=1e-5)
    state = module.initial_state(5)
    for t in range(6):
        y, state = module.step(x[:, t], state)
    np.testing.assert_allclose(y, expected, atol=1e-5)
