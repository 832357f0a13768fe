"""Pseudo-random model inputs: the embedded self-test's and `lstmgen verify`'s."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np

from lstmgen.errors import LstmgenError


def common_batch(shapes: Sequence[Sequence[Optional[int]]], batch: int) -> int:
    """The batch size every input gets: the one an input fixes (a stateful model, a
    fixed batch_shape), which the others must share; else `batch`."""
    fixed = sorted({shape[0] for shape in shapes if shape[0] is not None})
    if len(fixed) > 1:
        raise LstmgenError(f"the model's inputs fix different batch sizes {fixed}")
    return fixed[0] if fixed else batch


def sample_shape(shape: Sequence[Optional[int]], batch: int, free_steps: int) -> Tuple[int, ...]:
    """A concrete shape: a fixed batch axis (stateful models) is kept, free axes filled."""
    first = batch if shape[0] is None else shape[0]
    return (first,) + tuple(free_steps if n is None else n for n in shape[1:])


def sample_inputs(
    shapes: Sequence[Sequence[Optional[int]]],
    dtypes: Sequence[str],
    seed: int,
    batch: int,
    free_steps: int,
    id_dtype=np.float32,
    id_pools: Sequence[Sequence[int]] = (),
) -> List[np.ndarray]:
    """Standard normal floats; for integer inputs (token ids) 0s and 1s, valid almost
    anywhere, or ids drawn from the input's pool where it has one (`id_pools`)."""
    rng = np.random.default_rng(seed)
    batch = common_batch(shapes, batch)
    arrays = []
    for k, (shape, dtype) in enumerate(zip(shapes, dtypes)):
        full = sample_shape(shape, batch, free_steps)
        pool = id_pools[k] if k < len(id_pools) else ()
        if dtype.startswith(("int", "uint")) and pool:
            arrays.append(rng.choice(np.asarray(pool), full).astype(id_dtype))
        elif dtype.startswith(("int", "uint")):
            arrays.append(rng.integers(0, 2, full).astype(id_dtype))
        else:
            arrays.append(rng.standard_normal(full).astype(np.float32))
    return arrays
