"""The fast form of a recurrent cell: one matrix M = [W; b; U] per cell, so that a step's
every product is one `s M` with s = [x_t | 1 | h], and the gate columns of M reordered so
that the columns a sigmoid reads sit together (and are halved: one tanh serves them).

The fast form keeps its arrays batch-last (one column per batch row), so it multiplies
M^T s^T: the constant it derives at import is M^T, C-ordered. Each gate block is then a
block of whole rows, contiguous, and NumPy's element-wise calls run over it in one sweep
(over a block of columns they pay per row: bench/layouts.py times both layouts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from lstmgen.layers.base import LayerContext


@dataclass(frozen=True)
class Column:
    """A block of M's columns: its name in the step ("i", "zr", "hh", ...) and span."""

    name: str
    start: int
    stop: int


@dataclass(frozen=True)
class FastCell:
    """How a cell runs in the fast form: its template, M and M's column blocks."""

    template: str  # fast_lstm.j2, fast_gru.j2, fast_simple_rnn.j2 (macros setup, step)
    kind: str  # "lstm", "gru", "gru_before" (reset_after=False), "simple_rnn"
    units: int
    features: int  # rows of x (the cell's input) in M
    matrix: str  # the constant M^T (M's rows x | 1 | h are its columns)
    columns: Tuple[Column, ...]  # M's column blocks, in order
    width: int  # M's columns
    halved: int  # the leading columns halved at import (sigmoid via tanh), 0: none
    order: str  # M's gate blocks, for comments: "i|f|o|c"
    derived: Tuple[Tuple[str, str, str], ...]  # import-time constants: M^T (and U_h^T)
    activation: str = "tanh"  # simple_rnn: "tanh", "relu" or "linear"
    candidate_kernel: Optional[str] = None  # gru_before: U_h^T, for U_h^T (r * h)

    @property
    def rows(self) -> int:
        """M's rows: x, the ones column (bias), h."""
        return self.features + 1 + self.units

    def column(self, name: str) -> Column:
        """The column block `name`."""
        return next(column for column in self.columns if column.name == name)


def _scale(dtype: str, factors: Tuple[float, ...], units: int) -> str:
    return f"np.repeat(np.{dtype}([{', '.join(str(f) for f in factors)}]), {units})"


def _bias_row(bias: Optional[str], dtype: str, width: int) -> str:
    return bias if bias else f"np.zeros({width}, np.{dtype})"


def _transposed(matrix: str) -> str:
    """M^T, C-ordered: BLAS multiplies a Fortran-ordered matrix slower (up to 1.7x at batch 16
    with AVX-512 kernels), and a slice of one is copied at every call."""
    return f"np.ascontiguousarray(({matrix}).T)"


def _blocks(names: str, units: int) -> Tuple[Column, ...]:
    return tuple(Column(name, k * units, (k + 1) * units) for k, name in enumerate(names))


def lstm_fast(
    ctx: LayerContext, kernel: str, recurrent: str, bias: Optional[str], units: int
) -> FastCell:
    """An LSTM cell with tanh and sigmoid: M's columns i|f|o|c, i, f and o halved."""
    dtype = "float64" if ctx.options.float64 else "float32"
    features, u = ctx.input_shapes[0][2], units
    name = ctx.derived_name("matrix")
    expression = _transposed(
        f"np.vstack([{kernel}, {_bias_row(bias, dtype, 4 * u)}, {recurrent}])"
        f"[:, np.r_[0:{2 * u}, {3 * u}:{4 * u}, {2 * u}:{3 * u}]]"
        f" * {_scale(dtype, (0.5, 0.5, 0.5, 1.0), u)}"
    )
    comment = (
        f"M^T, M = [W; b; U] ({features + 1 + u}, {4 * u}): rows x | 1 | h; columns i|f|o|c "
        f"(Keras packs i|f|c|o), i, f, o halved (exact in {dtype})"
    )
    return FastCell(
        template="fast_lstm.j2",
        kind="lstm",
        units=u,
        features=features,
        matrix=name,
        columns=_blocks("ifog", u) + (Column("ifo", 0, 3 * u),),
        width=4 * u,
        halved=3 * u,
        order="i|f|o|c",
        derived=((name, expression, comment),),
    )


def gru_fast(
    ctx: LayerContext,
    kernel: str,
    recurrent: str,
    bias: Optional[str],
    units: int,
    reset_after: bool,
) -> FastCell:
    """A GRU cell with tanh and sigmoid: M's columns z|r|x_h (and h_h with reset_after),
    z and r halved. x_h = x W_h + b_h and h_h = h U_h + b'_h stay apart, as the reset gate
    multiplies h_h alone."""
    dtype = "float64" if ctx.options.float64 else "float32"
    features, u = ctx.input_shapes[0][2], units
    zero_x, zero_h = f"np.zeros(({features}, {u}), np.{dtype})", f"np.zeros(({u}, {u}), np.{dtype})"
    name = ctx.derived_name("matrix")
    derived = []
    if reset_after:
        if bias:  # rows input | recurrent: the z and r columns take both
            bias_row = (
                f"[{bias}[0:1, 0:{2 * u}] + {bias}[1:2, 0:{2 * u}], "
                f"{bias}[0:1, {2 * u}:], {bias}[1:2, {2 * u}:]]"
            )
        else:
            bias_row = f"[np.zeros((1, {4 * u}), np.{dtype})]"
        rows = (
            f"[{kernel}[:, 0:{2 * u}], {kernel}[:, {2 * u}:], {zero_x}], {bias_row}, "
            f"[{recurrent}[:, 0:{2 * u}], {zero_h}, {recurrent}[:, {2 * u}:]]"
        )
        names, width, order = "zrxh", 4 * u, "z|r|x_h|h_h"
        factors: Tuple[float, ...] = (0.5, 0.5, 1.0, 1.0)
        comment_h = "x_h = x W_h + b_h, h_h = h U_h + b'_h"
        candidate = None
    else:
        bias_row = f"[{bias}[None]]" if bias else f"[np.zeros((1, {3 * u}), np.{dtype})]"
        rows = f"[{kernel}], {bias_row}, [{recurrent}[:, 0:{2 * u}], {zero_h}]"
        names, width, order = "zrx", 3 * u, "z|r|x_h"
        factors = (0.5, 0.5, 1.0)
        comment_h = "x_h = x W_h + b_h"
        candidate = ctx.derived_name("candidate_kernel")
        derived.append(
            (candidate, _transposed(f"{recurrent}[:, {2 * u}:]"), "U_h^T, for U_h^T (r * h)")
        )
    expression = _transposed(f"np.block([{rows}]) * {_scale(dtype, factors, u)}")
    comment = (
        f"M^T, M = [W; b; U] ({features + 1 + u}, {width}): rows x | 1 | h; columns {order} "
        f"({comment_h}), z and r halved (exact in {dtype})"
    )
    derived.insert(0, (name, expression, comment))
    columns = tuple(
        Column(label, k * u, (k + 1) * u)
        for k, label in enumerate(("z", "r", "xh", "hh")[: len(names)])
    )
    return FastCell(
        template="fast_gru.j2",
        kind="gru" if reset_after else "gru_before",
        units=u,
        features=features,
        matrix=name,
        columns=columns + (Column("zr", 0, 2 * u),),
        width=width,
        halved=2 * u,
        order=order,
        derived=tuple(derived),
        candidate_kernel=candidate,
    )


def simple_rnn_fast(
    ctx: LayerContext,
    kernel: str,
    recurrent: str,
    bias: Optional[str],
    units: int,
    activation: str,
) -> FastCell:
    """A SimpleRNN cell whose activation has an in-place form (tanh, relu, linear)."""
    dtype = "float64" if ctx.options.float64 else "float32"
    features = ctx.input_shapes[0][2]
    name = ctx.derived_name("matrix")
    expression = _transposed(f"np.vstack([{kernel}, {_bias_row(bias, dtype, units)}, {recurrent}])")
    comment = f"M^T, M = [W; b; U] ({features + 1 + units}, {units}): rows x | 1 | h"
    return FastCell(
        template="fast_simple_rnn.j2",
        kind="simple_rnn",
        units=units,
        features=features,
        matrix=name,
        columns=(Column("z", 0, units),),
        width=units,
        halved=0,
        order="h",
        derived=((name, expression, comment),),
        activation=activation,
    )


# SimpleRNN activations with an in-place NumPy form: Keras name -> the fast form's name.
SIMPLE_RNN_FAST = {"tanh": "tanh", "relu": "relu", "linear": "linear"}
