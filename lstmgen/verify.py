"""`lstmgen verify MODEL PREDICTOR.py`: run Keras and the predictor side by side."""

from __future__ import annotations

from types import ModuleType
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from lstmgen import verdict
from lstmgen.errors import LstmgenError, PathError
from lstmgen.ir import ModelGraph
from lstmgen.keras_loader import (
    check_before_keras,
    check_model,
    first_line,
    keras_load,
    load_keras_model,
)
from lstmgen.keras_run import (
    exact_outputs,
    keras_outputs,
    keras_reference,
    random_inputs,
    reset_states,
)
from lstmgen.loading import load_predictor, private_copy, read_npy
from lstmgen.predictor_fit import check_fits, check_given, source_note

# Loading the model into Keras lives in lstmgen.keras_loader and running it in
# lstmgen.keras_run; the commands and tests reach both through this module.
__all__ = [
    "check_before_keras",
    "check_model",
    "exact_outputs",
    "keras_load",
    "keras_outputs",
    "keras_reference",
    "load_keras_model",
    "load_predictor",
    "random_inputs",
    "reset_states",
    "verify",
    "verify_loaded",
]


def compare(
    model,
    predictor,
    inputs: Sequence[np.ndarray],
    case: str = "",
    exact=None,
    predictor_path: str = "the predictor",
    model_path: str = "the model",
) -> List[verdict.Row]:
    """One verdict.Row per output: the predictor against Keras, both from fresh states,
    and each of them against `exact` (the exact answer's outputs) when given. A side
    that fails is named in one line (Keras's own messages run to many)."""
    reset_states(model, predictor)
    try:
        expected = keras_outputs(model, inputs, predictor.INPUT_DTYPES)
    except Exception as error:  # noqa: BLE001 - Keras raises many kinds
        raise LstmgenError(
            f"{model_path}: Keras fails on the {case} input ({first_line(error)})"
        ) from None
    try:
        got = predictor.predict(list(inputs))
    except Exception as error:  # noqa: BLE001 - a broken predictor: one line, no traceback
        raise PathError(
            f"{predictor_path}: predict() fails on the {case} input ({first_line(error)})"
        ) from None
    got = got if isinstance(got, list) else [got]
    if len(got) != len(expected):
        raise LstmgenError(f"the predictor gives {len(got)} outputs, Keras gives {len(expected)}")
    return verdict.rows_for(case, predictor.OUTPUT_NAMES, got, expected, exact)


def verify(
    model_path: str,
    predictor_path: str,
    tolerance: float,
    npy_inputs: Optional[Sequence[str]] = None,
    batch: int = 4,
    steps: int = 7,
) -> Tuple[str, bool]:
    """The report and whether every output passes (lstmgen.verdict.judge: within
    `tolerance` of Keras, or as close to the exact answer as Keras is)."""
    # Every file is checked before Keras is imported: a wrong path fails in a moment.
    # So is the predictor against the model (Keras would fail on another model's inputs).
    given = [(p, read_npy(p)) for p in npy_inputs] if npy_inputs else None
    predictor = load_predictor(predictor_path)
    with private_copy(model_path) as checked:
        graph = check_model(checked.model, model_path)
        check_fits(predictor, graph, predictor_path, model_path)
        if given is not None:
            check_given(given, predictor)
        model = keras_load(checked, model_path)
    return verify_loaded(model, model_path, predictor, tolerance, given, batch, steps, source=graph)


def verify_loaded(
    model,
    model_path: str,
    predictor_path: Union[str, ModuleType],
    tolerance: float,
    given: Optional[List[Tuple[str, np.ndarray]]] = None,
    batch: int = 4,
    steps: int = 7,
    source: Optional[ModelGraph] = None,
) -> Tuple[str, bool]:
    """verify() with the Keras model already loaded; also compares on the module's own
    self-test input, and with the exact answer (lstmgen.verdict) when Keras gives one.
    Given lstmgen's graph of the model (`source`), a predictor of another model is
    refused first, and one generated from another file is said so first. The predictor is
    its path, or the module loaded from it."""
    if isinstance(predictor_path, ModuleType):
        predictor, predictor_path = predictor_path, str(predictor_path.__file__)
    else:
        predictor = load_predictor(predictor_path)
    note = ""
    if source is not None:
        check_fits(predictor, source, predictor_path, model_path)
        note = source_note(predictor, source.sha256, predictor_path, model_path)
    if given is not None:
        check_given(given, predictor)
    cases = [
        (f"random {seed + 1}", random_inputs(predictor, batch, steps, seed)) for seed in (0, 1)
    ]
    if hasattr(predictor, "_self_test_arrays"):  # modules from lstmgen 0.1 lack it
        cases.append(("self-test", predictor._self_test_arrays()[: len(predictor.INPUT_NAMES)]))
    if given is not None:
        cases.append(("given", [array for _, array in given]))
    twin, no_exact = verdict.float64_twin(model)
    rows: List[verdict.Row] = []
    for label, inputs in cases:
        exact = None
        if twin is not None:
            exact, no_exact = exact_outputs(twin, inputs, predictor.INPUT_DTYPES)
            twin = twin if exact is not None else None
        rows.extend(compare(model, predictor, inputs, label, exact, predictor_path, model_path))
    text, ok = verdict.table(rows, tolerance, no_exact)
    return note + text, ok
