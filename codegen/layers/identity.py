"""Layers that are the identity at inference: dropout and noise layers."""

from __future__ import annotations

from codegen.layers.base import Built, LayerContext


def build_identity(ctx: LayerContext) -> Built:
    """Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout."""
    return Built(template="identity.py.j2", params={}, outputs=[ctx.input_shape], alias=True)
