"""Running the Keras model for `verify`: inputs of the predictor's shapes, Keras's
outputs from fresh states, and its float64 twin's (the exact answer)."""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

from lstmgen.sample_inputs import sample_inputs


def random_inputs(predictor, batch: int, steps: int, seed: int) -> List[np.ndarray]:
    """Inputs of the predictor's shapes: normal floats, or small token ids."""
    return sample_inputs(
        predictor.INPUT_SHAPES, predictor.INPUT_DTYPES, seed, batch, steps, id_dtype=np.int32
    )


def reset_states(model, predictor=None) -> None:
    """Start stateful models over, so that Keras and the predictor see the same history."""
    pending = [model]
    while pending:
        layer = pending.pop()
        pending.extend(getattr(layer, "layers", []) or [])
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
            layer.reset_states()
    if predictor is not None and hasattr(predictor, "reset_states"):
        predictor.reset_states()


def keras_outputs(model, inputs: Sequence[np.ndarray], dtypes: Sequence[str]) -> List[np.ndarray]:
    """The Keras model's outputs, as a list; integer inputs (token ids) passed as int32."""
    inputs = [
        x.astype(np.int32) if d.startswith(("int", "uint")) else x for x, d in zip(inputs, dtypes)
    ]
    outputs = model(inputs[0] if len(inputs) == 1 else inputs, training=False)
    return [np.asarray(y) for y in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def keras_reference(model, dtypes: Sequence[str]):
    """The self-test reference for `lstmgen --verify`: Keras's outputs for given inputs."""

    def reference(inputs):
        reset_states(model)
        return keras_outputs(model, inputs, dtypes)

    return reference


def exact_outputs(twin, inputs: Sequence[np.ndarray], dtypes: Sequence[str]):
    """(outputs, "") of Keras's float64 twin from fresh states, or (None, why not)."""
    reset_states(twin)
    wide = [x.astype(np.float64) if x.dtype.kind == "f" else x for x in map(np.asarray, inputs)]
    try:
        outputs = keras_outputs(twin, wide, dtypes)
    except Exception as error:  # noqa: BLE001 - any Keras failure means: no exact answer
        return None, f"Keras's float64 model fails ({type(error).__name__}: {error})"[:300]
    narrow = [y.dtype for y in outputs if y.dtype != np.float64]
    if narrow:
        return None, f"Keras's float64 model returns {narrow[0]}"
    return outputs, ""
