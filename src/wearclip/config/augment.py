"""Which sensor augmentations make a view, and how strong each is."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .compat import AddedOptions

RotationMode = Literal["none", "so3", "yaw"]
"""Random rotation of pre-training windows: none, uniform over SO(3), or about gravity only."""


class Jitter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    sigma: float = Field(0.05, ge=0)


class Scaling(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    sigma: float = Field(0.1, ge=0)


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    max_degrees: float = Field(45.0, ge=0, le=180)


class TimeWarp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    sigma: float = Field(0.2, ge=0)
    knots: int = Field(4, ge=1)


class Permutation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    segments: int = Field(4, ge=2)


class Intensity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: float = Field(0.5, ge=0, le=1)
    max_factor: float = Field(2.0, ge=1)


class AugmentConfig(AddedOptions):
    """Which augmentations make a SimCLR view (or, as ``ObjectiveConfig.pair_augment``, change every
    pre-training window), each applied to a window with probability ``p`` (``null`` disables one).
    Order: time warp, permutation, rotation, scaling, intensity (off unless set), jitter. The default
    rotation is limited to +-45 degrees: a full rotation would erase the gravity direction that tells
    lying from standing for a body-fixed sensor."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("intensity",)

    time_warp: TimeWarp | None = TimeWarp()
    permutation: Permutation | None = Permutation()
    rotation: Rotation | None = Rotation()
    scaling: Scaling | None = Scaling()
    intensity: Intensity | None = None
    jitter: Jitter | None = Jitter()
