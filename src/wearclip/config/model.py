"""The WearClip architecture: encoders, heads, logit scale, the window it expects."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import ConfigDict, Field

from .compat import AddedOptions
from .window import WindowConfig

DEFAULT_TEXT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"



class WearClipConfig(AddedOptions):
    """Everything needed to rebuild a WearClip model; saved beside its weights."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("text_trainable", "frame")

    imu_encoder: str = "conv"
    imu_kwargs: dict = Field(default_factory=dict)
    text_encoder: str = DEFAULT_TEXT_ENCODER
    text_pooling: str = Field("auto", description="auto: projected EOS for CLIP/X-CLIP, mean otherwise")
    text_dim: int = Field(384, gt=0)
    embed_dim: int = Field(128, gt=0)
    head_hidden: int = Field(256, gt=0)
    head_depth: int = Field(2, ge=1)
    head_dropout: float = Field(0.0, ge=0, lt=1)
    text_head_hidden: int | None = Field(None, gt=0, description="text head width; None = head_hidden")
    text_head_depth: int | None = Field(None, ge=1, description="text head depth; None = head_depth")
    simclr_dim: int = Field(0, ge=0, description="output width of SLIP's SimCLR head; 0 = no SimCLR head")
    text_trainable: bool = Field(False, description="fine-tune the text encoder with the model (its weights are then "
                                                    "part of the checkpoint); false: frozen, shared and cached")
    frame: Literal["sensor", "gravity", "invariant"] = Field(
        "sensor", description="axes the sensor tower sees: the device's own, gravity-aligned (gravity = +z), or "
                              "orientation-free channels (norm, vertical, horizontal); see wearclip.data.gravity")
    logit_scale_init: float = math.log(1 / 0.07)
    logit_scale_max: float = math.log(100)
    window: WindowConfig = Field(default_factory=WindowConfig)
    vocabulary_version: str | None = None
    pretrained_on: list[str] = Field(default_factory=list)
