"""HDF5 attributes come back as str, bytes or arrays of either: make them text."""

from __future__ import annotations

from typing import Any, List

import numpy as np


def as_text(value: Any) -> str:
    """One attribute value as a Python str (old Keras wrote bytes)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    return str(value)


def as_text_list(value: Any) -> List[str]:
    """An attribute holding a list of names (layer_names, weight_names)."""
    if value is None:
        return []
    return [as_text(item) for item in np.asarray(value).reshape(-1)]
