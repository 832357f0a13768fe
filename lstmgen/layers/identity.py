"""Layers that are the identity at inference: dropout, noise, regularization, Identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext

# Options these layers only use in training (rate, seed, ... are inference-irrelevant
# for every layer): ActivityRegularization's factors, SpatialDropout2D/3D's data_format
# (which axis holds the channels it drops whole).
TRAINING_ONLY = ("l1", "l2", "data_format")


@dataclass(frozen=True)
class IdentityParams(Params):
    """identity.py.j2 writes no function: predict() uses the input as the output."""

    template: ClassVar[str] = "identity.py.j2"


def build_identity(ctx: LayerContext) -> Built:
    """Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
    ActivityRegularization (adds a loss term in training), Identity."""
    for key in TRAINING_ONLY:
        ctx.option(key)
    return Built(params=IdentityParams(), outputs=[ctx.input_shape], alias=True)
