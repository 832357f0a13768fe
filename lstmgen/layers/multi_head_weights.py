"""MultiHeadAttention's (and GroupQueryAttention's) saved weights, found by name: a file
lists its projections in different orders (.h5: query, key, value, output; .keras: its
groups by name)."""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np

from lstmgen.layers.base import LayerContext

# The projections, as the saved weight names call them: `<layer>/query/kernel` in .h5,
# `_query_dense/vars/0` (tf_keras) or `query_dense/vars/0` (Keras 3) in .keras.
_PARTS = {
    "query": "query",
    "_query_dense": "query",
    "query_dense": "query",
    "key": "key",
    "_key_dense": "key",
    "key_dense": "key",
    "value": "value",
    "_value_dense": "value",
    "value_dense": "value",
    "attention_output": "output",
    "_output_dense": "output",
    "output_dense": "output",
    "gate": "gate",  # GroupQueryAttention's use_gate
    "_gate_dense": "gate",
}


def projection_weights(
    ctx: LayerContext, use_bias: bool, parts: Tuple[str, ...] = ("query", "key", "value", "output")
) -> Dict[str, List[np.ndarray]]:
    """The saved arrays of each projection in `parts` (kernel, then bias), found by weight
    name: .h5 lists them query, key, value, output; a .keras file orders its groups by name."""
    per_part = 2 if use_bias else 1
    arrays = ctx.weights(len(parts) * per_part)
    names = ctx.record.weight_names
    if len(names) != len(arrays):
        raise ctx.fail("the file does not name this layer's weights")
    found: Dict[str, List[np.ndarray]] = {part: [] for part in parts}
    for name, array in zip(names, arrays):
        part = next((_PARTS[p] for p in reversed(name.split("/")) if p in _PARTS), None)
        if part not in found:
            raise ctx.fail(f"weight '{name}' belongs to no projection lstmgen knows")
        found[part].append(array)
    for part, items in found.items():
        if len(items) != per_part:
            raise ctx.fail(
                f"expected {per_part} weight arrays for the {part} projection, found {len(items)}"
            )
    return found
