"""Keras is the oracle: build, randomize, save, generate, import, compare."""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import warnings
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from lstmgen.build import build_graph
from lstmgen.emitter import generate_source
from lstmgen.reader import read_model_here
from lstmgen.options import Options
from lstmgen.errors import LstmgenWarning

# Helpers several test files share live in their own modules; `name as name` re-exports
# them from here, the one module the test files import helpers from.
from cli_helpers import (
    ROOT as ROOT,
    SEED as SEED,
    assert_refused as assert_refused,
    edit_config as edit_config,
    edit_weight as edit_weight,
    fresh_venv as fresh_venv,
    pip_install as pip_install,
    run as run,
    run_cli as run_cli,
    stream as stream,
    without_pythonpath as without_pythonpath,
)
from keras_models import (
    COMMON as COMMON,
    PAIRS as PAIRS,
    major as major,
    question_model as question_model,
    stateful_model as stateful_model,
    token_ids as token_ids,
)

TOLERANCE = 1e-5
_counter = itertools.count()


def randomize(model, seed: int = 0, scale: float = 0.5) -> None:
    """Give every weight a non-trivial random value (fresh biases are zero and hide bugs)."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape = tuple(weight.shape)
        weight.assign(rng.normal(0.0, scale, shape).astype(np.float32))


def save(model, folder, fmt: str) -> str:
    """Save as `.h5` or `.keras` under `folder`; return the path."""
    path = os.path.join(str(folder), f"model_{next(_counter)}.{fmt}")
    model.save(path)
    return path


def load_module(path: str):
    """Import a generated file as a fresh module."""
    name = f"lstmgen_generated_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def generate_module(model_path: str, folder, options: Options = Options()):
    """Generate a predictor next to the model and import it."""
    out = os.path.join(str(folder), f"predictor_{next(_counter)}.py")
    with warnings.catch_warnings():
        # A model Keras just wrote must not make lstmgen warn (e.g. about unknown options).
        warnings.simplefilter("error", LstmgenWarning)
        # Read in this process, not in lstmgen's reading child: a fork of a process that
        # holds TensorFlow costs about 0.1 s. The Keras-free tier reads through the child.
        graph = build_graph(read_model_here(model_path), options)
        source = generate_source(graph, "predictor").source
    with open(out, "w") as handle:
        handle.write(source)
    return load_module(out)


def relative_error(got, expected) -> float:
    """max |a - b| / (1 + |b|); equal infinities and NaN against NaN count as agreement."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(same, 0.0, np.abs(got - expected) / (1.0 + np.abs(expected)))
    return float(np.max(np.nan_to_num(error, nan=np.inf), initial=0.0))


def keras_outputs(model, inputs, use_predict: bool = False):
    """Keras's answer as a list of arrays."""
    if use_predict:
        result = model.predict(inputs, verbose=0)
    else:
        result = model(inputs, training=False)
    results = result if isinstance(result, (list, tuple)) else [result]
    return [np.asarray(r) for r in results]


def random_inputs(shapes: Sequence[Sequence[Optional[int]]], batch: int, seed: int, steps: int = 7):
    """Random float32 inputs for the given Keras input shapes."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(0.0, 1.0, (batch,) + tuple(steps if n is None else n for n in shape[1:])).astype(
            np.float32
        )
        for shape in shapes
    ]


def padded(shapes, batch, seed, steps, pre=False):
    """Random sequences with 0-vectors padding a random number of steps, per row."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        x = rng.normal(size=(batch,) + tuple(steps if n is None else n for n in shape[1:]))
        arrays.append(zero_padding(x, rng, pre).astype(np.float32))
    return arrays


def zero_padding(x, rng, pre=False):
    """Zero a random number of steps per row: at the end, or with `pre` at the start."""
    length = x.shape[1]
    for row in range(x.shape[0]):
        keep = rng.integers(0, length + 1)
        if pre:
            x[row, : length - keep] = 0
        else:
            x[row, keep:] = 0
    return x


def flatten(tensors):
    """Keras's nested outputs ([output, [h, c], h, ...] of stacked cells) as a flat list."""
    if isinstance(tensors, (list, tuple)):
        return [leaf for item in tensors for leaf in flatten(item)]
    return [tensors]


def check_against_keras(
    model,
    folder,
    fmt: str = "h5",
    batches: Iterable[int] = (1, 17),
    options: Options = Options(),
    use_predict: bool = False,
    seed: int = 0,
    randomize_weights: bool = True,
    steps: int = 7,
    scale: float = 0.5,
    make_inputs: Optional[Callable] = None,
):
    """Save `model`, generate its predictor and compare with Keras; return the module."""
    if randomize_weights:
        randomize(model, seed, scale)
    path = save(model, folder, fmt)
    module = generate_module(path, folder, options)
    for batch in batches:
        make = make_inputs or random_inputs
        inputs = make(module.INPUT_SHAPES, batch, seed + batch, steps)
        expected = keras_outputs(model, inputs[0] if len(inputs) == 1 else inputs, use_predict)
        got = module.predict(inputs)
        got = got if isinstance(got, list) else [got]
        assert len(got) == len(expected), f"{len(got)} outputs, Keras gives {len(expected)}"
        for k, (a, b) in enumerate(zip(got, expected)):
            error = relative_error(a, b)
            name = module.OUTPUT_NAMES[k]
            assert (
                error <= TOLERANCE
            ), f"output {k} ({name}), batch {batch}: relative error {error:.3g}"
    return module


def same_as_keras(model, module, inputs) -> None:
    """The predictor gives exactly Keras's values (np.array_equal: ids, counts, copies)."""
    expected = keras_outputs(model, inputs[0] if len(inputs) == 1 else inputs)
    got = module.predict(inputs)
    got = got if isinstance(got, list) else [got]
    assert len(got) == len(expected)
    for name, a, b in zip(module.OUTPUT_NAMES, got, expected):
        assert a.shape == b.shape, (name, a.shape, b.shape)
        assert np.array_equal(a, b), f"output {name}: {a.ravel()[:8]} != {b.ravel()[:8]}"


def build_layer(
    class_name: str,
    config: dict,
    weights: Sequence[np.ndarray],
    shapes: Sequence[tuple],
    keras_major: int = 3,
):
    """Run the registry's handler for one layer given as a config and weight arrays, as
    build_graph does (no Keras): its `Built`, or the UnsupportedError it raises."""
    from lstmgen.build import HANDLERS, RESERVED
    from lstmgen.identifiers import NameTable
    from lstmgen.ir import Tensor
    from lstmgen.layers.base import LayerContext, WeightTable, run_handler
    from lstmgen.reader.model_file import LayerSpec

    record = LayerSpec(
        name=config.get("name", "layer"),
        class_name=class_name,
        config=config,
        weights=tuple(np.asarray(w, np.float32) for w in weights),
    )
    inputs = [Tensor(var=f"x{k}", shape=tuple(shape)) for k, shape in enumerate(shapes)]
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record, inputs, keras_major, Options(), WeightTable(names), names.claim(record.name)
    )
    return run_handler(HANDLERS[class_name], ctx)


def check_against_channels_last_twin(model, twin, folder, x, fmt: str = "keras", seed: int = 0):
    """For a channels_first layer that Keras itself computes wrongly: random weights, and
    the predictor checked against `twin`, the same layer in channels_last with them."""
    randomize(model, seed)
    twin.set_weights(model.get_weights())
    module = generate_module(save(model, folder, fmt), folder)
    expected = np.moveaxis(np.asarray(twin(np.moveaxis(x, 1, -1))), -1, 1)
    error = relative_error(module.predict(x), expected)
    assert error <= TOLERANCE, f"relative error {error:.3g} against the channels_last twin"


def handler_result(class_name, config, weights, shapes, keras_major=3, masked=()):
    """Run the registry's handler for one layer given as a config and weight arrays (no
    Keras), as the builder does; `masked`: the indexes of inputs that carry a mask."""
    from lstmgen.build import HANDLERS, RESERVED
    from lstmgen.identifiers import NameTable
    from lstmgen.ir import Tensor
    from lstmgen.layers.base import LayerContext, WeightTable, run_handler
    from lstmgen.reader.model_file import LayerSpec

    record = LayerSpec(
        name=config.get("name", "layer"),
        class_name=class_name,
        config=config,
        weights=tuple(np.asarray(w, np.float32) for w in weights),
    )
    inputs = [
        Tensor(var=f"x{k}", shape=shape, mask=f"m{k}" if k in masked else None)
        for k, shape in enumerate(shapes)
    ]
    names = NameTable(RESERVED)
    ctx = LayerContext(
        record,
        inputs,
        keras_major,
        Options(),
        WeightTable(names),
        names.claim(record.name),
        handlers=HANDLERS,
    )
    return run_handler(HANDLERS[class_name], ctx)
