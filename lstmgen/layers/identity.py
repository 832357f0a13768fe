"""Layers that are the identity at inference: dropout, noise, regularization, Identity."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext

# Options these layers only use in training (rate, seed, ... are inference-irrelevant
# for every layer): ActivityRegularization's factors, SpatialDropout2D/3D's data_format
# (which axis holds the channels it drops whole).
TRAINING_ONLY = ("l1", "l2", "data_format")


def build_identity(ctx: LayerContext) -> Built:
    """Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
    ActivityRegularization (adds a loss term in training), Identity."""
    for key in TRAINING_ONLY:
        ctx.option(key)
    return Built(template="identity.py.j2", params={}, outputs=[ctx.input_shape], alias=True)
