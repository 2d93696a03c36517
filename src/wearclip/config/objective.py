"""The pre-training objective: CLIP, CLIP over distinct sentences or UniCL, optionally plus SimCLR (SLIP)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from .augment import AugmentConfig, RotationMode
from .compat import AddedOptions


class ObjectiveConfig(AddedOptions):
    """The pre-training objective.

    ``clip``: the study's plain CLIP, one positive per row and column (the diagonal). ``clip-dedup``:
    positives are pairs with the identical sentence (so identical texts are never each other's
    negatives); it is what ``clip`` meant before plain CLIP existed, and the default, so configs that
    name no objective keep their behaviour. ``unicl``: positives are pairs with the same activity
    label; across datasets, one activity phrase is one label. ``simclr_weight`` > 0 adds SimCLR on two
    augmented views of each window through the model's own SimCLR head (SLIP). ``rotation`` rotates
    every window at random in every step (``so3``: uniformly over all orientations; ``yaw``: about its
    own gravity estimate), so that the encoder does not learn how the device was held; ``pair_augment``
    applies sensor augmentations (:mod:`wearclip.train.augment`) to every window as well.
    """

    model_config = ConfigDict(extra="forbid")
    added_options = ("rotation", "pair_augment")

    name: Literal["clip", "clip-dedup", "unicl"] = "clip-dedup"
    simclr_weight: float = Field(0.0, ge=0, description="lambda of SLIP; 0 = no SimCLR term")
    simclr_temperature: float = Field(0.1, gt=0)
    augment: AugmentConfig = Field(default_factory=AugmentConfig)
    rotation: RotationMode = Field("none", description="random rotation of every window per step: none, so3, yaw")
    pair_augment: AugmentConfig | None = Field(
        None, description="augmentations of every window before it meets its sentence (after the rotation), so that "
                          "the encoder does not learn one device's gain, noise or a subject's cadence; None: none")
