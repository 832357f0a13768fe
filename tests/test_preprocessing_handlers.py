"""The preprocessing handlers without Keras: what they refuse (one line naming the layer
and the option), where they find a vocabulary, and int64 tokens in float32 weights."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgen.build import HANDLERS, RESERVED
from lstmgen.errors import UnsupportedError
from lstmgen.identifiers import NameTable
from lstmgen.ir import Tensor
from lstmgen.layers.base import LayerContext, WeightTable, run_handler
from lstmgen.layers.vocabulary import int_constant
from lstmgen.options import Options
from lstmgen.reader.model_file import LayerSpec


def context(class_name, config, shape, major=3, weights=(), assets=None):
    record = LayerSpec(
        name="p",
        class_name=class_name,
        config=config,
        weights=tuple(weights),
        assets=assets or {},
    )
    table = WeightTable(NameTable(RESERVED))
    return LayerContext(record, [Tensor("x", shape)], major, Options(), table, "p")


def build(class_name, config, shape, major=3, **kwargs):
    ctx = context(class_name, config, shape, major, **kwargs)
    return run_handler(HANDLERS[class_name], ctx)


@pytest.mark.parametrize(
    "class_name, config, shape, major, message",
    [
        ("CategoryEncoding", {"num_tokens": 4, "sparse": True}, (None, 3), 3, "sparse=True"),
        ("CategoryEncoding", {"num_tokens": 4}, (None,), 3, "counts the whole batch"),
        ("CategoryEncoding", {"num_tokens": 4}, (None, 2, 3), 3, "shape it declares"),
        ("CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"}, (None, 3), 2, "rank 2"),
        ("CategoryEncoding", {"num_tokens": 4, "output_mode": "tf_idf"}, (None, 3), 3, "tf_idf"),
        ("Discretization", {"bin_boundaries": [1.0, 0.0]}, (None, 3), 3, "must be sorted"),
        ("Discretization", {"num_bins": 4}, (None, 3), 3, "no bin boundaries"),
        ("Discretization", {"bin_boundaries": [0.0], "dtype": "int8"}, (None, 3), 2, "int8"),
        ("IntegerLookup", {"vocabulary": "/etc/vocab.txt"}, (None, 3), 3, "outside the model"),
        ("IntegerLookup", {"vocabulary": [1], "oov_method": "farmhash"}, (None, 3), 3, "oov_m"),
        ("IntegerLookup", {"vocabulary": [1, 2, 1]}, (None, 3), 3, "repeats a token"),
        ("IntegerLookup", {"vocabulary": [1, 0], "mask_token": 0}, (None, 3), 3, "mask token"),
        (
            "IntegerLookup",
            {"vocabulary": [1], "invert": True, "output_mode": "count"},
            (None, 3),
            3,
            "invert",
        ),
        (
            "IntegerLookup",
            {"vocabulary": [1, 2], "output_mode": "count", "vocabulary_size": 5},
            (None, 3),
            3,
            "vocabulary_size",
        ),
        ("IntegerLookup", {"vocabulary": [1, 2, 3], "max_tokens": 3}, (None, 3), 3, "max_tokens"),
        ("IntegerLookup", {"vocabulary": None}, (None, 3), 3, "holds no vocabulary"),
        ("IntegerLookup", {"vocabulary": [1, 2**70]}, (None, 3), 3, "list of integers"),
        ("IntegerLookup", {"vocabulary": [1], "oov_token": 2**64}, (None, 3), 3, "int64"),
        ("IntegerLookup", {"vocabulary": [1], "max_tokens": 2**40}, (None, 3), 3, "max_tokens"),
    ],
)
def test_refusals_name_the_layer_and_option(class_name, config, shape, major, message):
    with pytest.raises(UnsupportedError, match=rf"layer 'p' \({class_name}\): .*{message}"):
        build(class_name, config, shape, major)


def test_an_adapted_vocabulary_comes_from_the_assets():
    assets = {"vocabulary.txt": b"0\n-1\n-1\n9\n5\n12\n7"}  # mask, 2 OOV tokens, 4 tokens
    config = {"vocabulary": None, "mask_token": 0, "num_oov_indices": 2}
    built = build("IntegerLookup", config, (None, 3), assets=assets)
    assert built.params.token_start == 3 and built.params.last == 3
    (tokens,) = built.weights
    np.testing.assert_array_equal(tokens.array, [9, 5, 12, 7])
    for text, message in [(b"9\nx", "one integer per line"), (b"\xff", "one integer per line")]:
        with pytest.raises(UnsupportedError, match=message):
            build("IntegerLookup", config, (None, 3), assets={"vocabulary.txt": text})
    with pytest.raises(UnsupportedError, match="beyond int64"):
        build("IntegerLookup", config, (None, 3), assets={"vocabulary.txt": b"5\n%d" % 2**70})


def test_tf_keras_bins_from_the_adapted_summary():
    """tf_keras keeps adapt()'s summary (values, weights) and derives the boundaries: the
    values at cumulative weight 1/4, 2/4, 3/4, interpolated (9 values, each weight 1/9)."""
    summary = np.array([np.linspace(-2, 2, 9), np.ones(9)], np.float32)
    built = build("Discretization", {"num_bins": 4}, (None, 3), major=2, weights=[summary])
    # (in float32, as tf_keras: test_preprocessing_layers compares them exactly)
    np.testing.assert_allclose(built.weights[0].array, [-1.375, -0.25, 0.875], atol=1e-6)


@pytest.mark.parametrize(
    "values", [[1, -5, 1 << 24], [2**40 + 3, -(2**30) - 1], [2**63 - 1, -(2**63)]]
)
def test_int64_tokens_survive_the_float32_weights(values):
    ctx = context("IntegerLookup", {}, (None, 3))
    weights, expression = int_constant(ctx, np.array(values), "tokens", "tokens")
    namespace = {"np": np, **{w.var: w.array.astype(np.float32) for w in weights}}
    assert all(w.array.dtype == np.float32 for w in weights)
    np.testing.assert_array_equal(eval(expression, namespace), values)


def test_assets_are_read_within_their_cap(tmp_path, monkeypatch):
    """A .keras zip's assets/ are read with the reading's other caps: all of them together
    within MAX_ASSET_BYTES, each within its declared size and compression ratio."""
    import hostile as H
    import lstmgen.reader.limits
    from lstmgen.errors import LstmgenError
    from lstmgen.reader import read_model

    members = H.members_of(H.SEED_KERAS)
    members["assets/layers/lstm/vocabulary.txt"] = b"1\n2\n3"
    members["assets/layers/dense/notes.txt"] = b"x" * 1000
    path = H.write_zip(tmp_path / "assets.keras", members)
    model = read_model(path)
    assets = {layer.keras_path: dict(layer.assets) for layer in model.layers}
    assert assets["layers/lstm"] == {"vocabulary.txt": b"1\n2\n3"}
    assert assets["layers/dense"] == {"notes.txt": b"x" * 1000}
    monkeypatch.setattr(lstmgen.reader.limits, "MAX_ASSET_BYTES", 1000)
    with pytest.raises(LstmgenError, match="assets of the .keras zip exceed the 1000 bytes"):
        read_model(path)


def test_augmentation_takes_what_keras_takes():
    """Keras 3's image layers take rank-3 (one image) or rank-4 inputs and fail on others;
    a masked input is refused in both versions (Keras drops the mask)."""
    built = build("RandomFlip", {"mode": "horizontal"}, (None, 5, 4))
    assert built.outputs == [(None, 5, 4)]
    with pytest.raises(UnsupportedError, match=r"\(RandomZoom\): expects a rank-3 or 4 input"):
        build("RandomZoom", {"height_factor": 0.2}, (None, 2, 5, 4, 3))
    masked = LayerSpec(name="p", class_name="RandomFlip", config={}, weights=())
    table = WeightTable(NameTable(RESERVED))
    for major in (2, 3):
        inputs = [Tensor("x", (None, 5, 4, 3), mask="x_mask")]
        ctx = LayerContext(masked, inputs, major, Options(), table, "p")
        with pytest.raises(UnsupportedError, match=r"\(RandomFlip\): a masked input"):
            run_handler(HANDLERS["RandomFlip"], ctx)


def test_a_lookup_without_oov_indices_gives_the_self_test_exact_tokens():
    """The self-test vector is float32: it draws the tokens float32 holds exactly."""
    config = {"vocabulary": [2**40 + 3, 2**40, 7], "num_oov_indices": 0}
    assert build("IntegerLookup", config, (None, 3)).sample_ids == (2**40, 7)
    config = {"vocabulary": [2**40 + 3, -(2**30) - 1], "num_oov_indices": 0}
    with pytest.raises(UnsupportedError, match=r"\(IntegerLookup\): num_oov_indices=0 and no"):
        build("IntegerLookup", config, (None, 3))
