"""The WearClip model config: its architecture (encoders, heads, logit scale) and its provenance (the
window it was trained on, the datasets, the vocabulary version), which the run fills in."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .compat import AddedOptions
from .encoders import encoder_options
from .window import WindowConfig

DEFAULT_TEXT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
AUTO = "auto"
"""Recognition mode: the sentence mode the model was pre-trained with (see WearClipConfig.recognition_mode)."""


class Provenance(BaseModel):
    """How a model was trained, as the run that trained it records it (never chosen by hand): the
    window it was trained on (its input length), the datasets, the vocabulary version and the sentence
    mode its classes were described with (what ``auto`` recognition uses)."""

    model_config = ConfigDict(extra="forbid")

    window: WindowConfig = Field(default_factory=WindowConfig)
    vocabulary_version: str | None = None
    pretrained_on: list[str] = Field(default_factory=list)
    sentence_mode: str | None = None


class WearClipConfig(AddedOptions):
    """Everything needed to rebuild a WearClip model; saved beside its weights as ``config.json``.

    The architecture fields come first; ``window``, ``vocabulary_version`` and ``pretrained_on`` are
    the :class:`Provenance` fields, kept at the top level (as every saved ``config.json`` and cache key
    has them) and set through :meth:`with_provenance`. ``imu_kwargs`` are the encoder's options,
    validated against its options model (:mod:`wearclip.config.encoders`) and stored as given, so a
    config dumps (and hashes) as before.
    """

    model_config = ConfigDict(extra="forbid")
    added_options = ("text_trainable", "frame", "lowpass_hz", "sentence_mode")

    imu_encoder: str = "conv"
    imu_kwargs: dict = Field(default_factory=dict, description="options of imu_encoder (see wearclip.config.encoders)")
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
    lowpass_hz: float | None = Field(
        None, gt=0, description="remove the band above this frequency from every input before the frame, so that devices "
                                "sampled at different rates share one band; None: keep the full band (see "
                                "wearclip.data.band)")
    logit_scale_init: float = math.log(1 / 0.07)
    logit_scale_max: float = math.log(100)
    window: WindowConfig = Field(default_factory=WindowConfig)
    vocabulary_version: str | None = None
    pretrained_on: list[str] = Field(default_factory=list)
    sentence_mode: str | None = Field(None, description="the sentence mode pre-training described its classes with; "
                                                        "None for models that did not record it")

    @field_validator("imu_kwargs")
    @classmethod
    def _known_options(cls, options: dict, info: ValidationInfo) -> dict:
        encoder_options(info.data.get("imu_encoder", "conv"), options)
        return options

    @model_validator(mode="after")
    def _band_below_nyquist(self) -> WearClipConfig:
        if self.lowpass_hz is not None and self.lowpass_hz >= self.window.rate / 2:
            raise ValueError(f"lowpass_hz {self.lowpass_hz} must be below the Nyquist rate of the window, "
                             f"{self.window.rate / 2} Hz")
        return self

    @property
    def provenance(self) -> Provenance:
        return Provenance(**{name: getattr(self, name) for name in Provenance.model_fields})

    def recognition_mode(self, recognition: str = AUTO) -> str:
        """The sentence mode to recognise with: ``auto`` is the mode the model learned its classes in
        (a model trained on template or movement sentences is asked with them), ``base`` where none
        was recorded; any other mode is returned as given."""
        return (self.sentence_mode or "base") if recognition == AUTO else recognition

    def with_provenance(self, **fields) -> WearClipConfig:
        """A copy with :class:`Provenance` fields set (validated; other names are an error)."""
        provenance = Provenance.model_validate(self.provenance.model_dump() | fields)
        return self.model_copy(update=dict(provenance))
