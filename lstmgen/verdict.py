"""How `lstmgen verify` and `--verify` judge a predictor: against Keras, and against the
exact answer, which says whether a difference is float32 rounding or a real one.

The exact answer is the Keras model itself computing in float64 from the same weights: a
twin rebuilt from its config with every float dtype float64 and its weights widened, so
Keras's own code path with float32's rounding taken out. (lstmgen's own --float64
predictor would share any mistake of the float32 one; Keras's twin cannot.) A trained,
saturated model can amplify float32 rounding to 1e-5 and beyond; then Keras is that far
from the exact answer too, and a predictor that is no further from it is as right as
Keras. This module never imports Keras: it uses the model object it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from lstmgen.errors import printable

RULE = (
    "pass: max rel <= {tolerance:g}; pass (rounding): pred~exact <= Keras~exact + {tolerance:g} "
    "(as close to the exact answer as Keras)"
)
LEGEND = (
    "max abs, max rel: predictor vs Keras (max |a - b|, max |a - b| / (1 + |b|))",
    "Keras~exact, pred~exact: max relative distance from the exact answer "
    "(Keras's model in float64, same weights)",
)


@dataclass(frozen=True)
class Row:
    """One output on one input: how far the predictor is from Keras, and how far each of
    them is from the exact answer (None when there is none)."""

    case: str
    output: str
    absolute: float
    relative: float
    keras_exact: Optional[float]
    predictor_exact: Optional[float]


def judge(row: Row, tolerance: float) -> Tuple[bool, str]:
    """(passed, result text): within tolerance of Keras, or no further from the exact
    answer than Keras is, plus the tolerance."""
    if row.relative <= tolerance:
        return True, "pass"
    if row.keras_exact is not None and row.predictor_exact <= row.keras_exact + tolerance:
        return True, "pass (rounding)"
    return False, "FAIL"


def distances(got: np.ndarray, expected: np.ndarray) -> Tuple[float, float]:
    """(max |a - b|, max |a - b| / (1 + |b|)), in float64; equal infinities and NaN
    against NaN agree, NaN against a number is infinitely far."""
    a, b = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.where(same, 0.0, np.abs(a - b))
        relative = np.where(same, 0.0, difference / (1 + np.abs(b)))
    difference, relative = (np.nan_to_num(d, nan=np.inf) for d in (difference, relative))
    return float(difference.max(initial=0.0)), float(relative.max(initial=0.0))


def rows_for(
    case: str,
    names: Sequence[str],
    predicted: Sequence[np.ndarray],
    keras: Sequence[np.ndarray],
    exact: Optional[Sequence[np.ndarray]],
) -> List[Row]:
    """One Row per output."""
    rows = []
    for k, (name, got, expected) in enumerate(zip(names, predicted, keras)):
        absolute, relative = distances(got, expected)
        keras_exact = predictor_exact = None
        if exact is not None:
            keras_exact = distances(expected, exact[k])[1]
            predictor_exact = distances(got, exact[k])[1]
        rows.append(Row(case, name, absolute, relative, keras_exact, predictor_exact))
    return rows


def table(rows: Sequence[Row], tolerance: float, no_exact: str = "") -> Tuple[str, bool]:
    """The report and whether every row passed; `no_exact` says why there is no exact
    answer, when there is none."""
    lines = [
        f"{'input':9s} {'output':24s} {'max abs':>10s} {'max rel':>10s} "
        f"{'Keras~exact':>12s} {'pred~exact':>11s}  result"
    ]
    ok = True
    for row in rows:
        passed, result = judge(row, tolerance)
        ok &= passed
        lines.append(
            f"{row.case:9s} {printable(row.output)[:24]:24s} {row.absolute:10.2e} {row.relative:10.2e} "
            f"{_number(row.keras_exact):>12s} {_number(row.predictor_exact):>11s}  {result}"
        )
    lines.extend(LEGEND)
    lines.append(RULE.format(tolerance=tolerance))
    if no_exact:
        lines.append(f"no exact answer: {printable(no_exact)}")
    return "\n".join(lines) + "\n", ok


def _number(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2e}"


def float64_twin(model: Any) -> Tuple[Optional[Any], str]:
    """The Keras model rebuilt to compute in float64 with the same weights, or (None, why)."""
    try:
        twin = type(model).from_config(_float64(model.get_config()))
        twin.set_weights([_widened(weights) for weights in model.get_weights()])
    except Exception as error:  # noqa: BLE001 - any Keras failure means: no exact answer
        return None, f"Keras cannot rebuild the model in float64 ({type(error).__name__}: {error})"
    narrow = [w for w in twin.weights if "float" in str(w.dtype) and "64" not in str(w.dtype)]
    if narrow:
        return None, f"Keras keeps weight '{narrow[0].name}' in {narrow[0].dtype} in float64"
    return twin, ""


def _widened(array: Any) -> np.ndarray:
    array = np.asarray(array)
    return array.astype(np.float64) if np.issubdtype(array.dtype, np.floating) else array


def _float64(config: Any) -> Any:
    """The config with every float dtype (a name, or a dtype policy's) made float64."""
    if isinstance(config, dict):
        changed = {}
        for key, value in config.items():
            if key == "dtype" and _is_float(value):
                value = "float64"
            elif key == "dtype" and isinstance(value, dict) and _is_float(_policy_name(value)):
                value = {**value, "config": {**value["config"], "name": "float64"}}
            changed[key] = _float64(value)
        return changed
    if isinstance(config, (list, tuple)):
        return type(config)(_float64(item) for item in config)
    return config


def _policy_name(policy: dict) -> Any:
    inner = policy.get("config")
    return inner.get("name") if isinstance(inner, dict) else None


def _is_float(name: Any) -> bool:
    return isinstance(name, str) and name in ("float16", "bfloat16", "float32", "float64")
