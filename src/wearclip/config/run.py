"""The pre-training run configuration: a validated tree whose unknown keys are errors naming their path."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .model import Provenance, WearClipConfig
from .objective import ObjectiveConfig
from .train import TrainConfig
from .window import WindowConfig

SENTENCE_MODES = (
    "base",
    "random-template",
    "paraphrase",
    "base+body-parts",
    "random-template+body-parts",
    "random-template+movement",
    "ensemble",
    "ensemble+movement",
    "base+placement",
    "random-template+placement",
    "ensemble+placement",
)


class DatasetRef(BaseModel):
    """One dataset: its registered name, the folder of its official layout (``null``: the embedded
    copy, where one exists), sensor placement and loader options (e.g. Capture-24's label_scheme)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    root: str | None = None
    placement: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class DataConfig(BaseModel):
    """Which windows to train on. Several datasets are pooled: each is split by subject on its own,
    and one activity phrase is one class across datasets."""

    model_config = ConfigDict(extra="forbid")

    datasets: list[DatasetRef] = Field(default_factory=lambda: [DatasetRef(name="uci-hapt")], min_length=1)
    window: WindowConfig = Field(default_factory=WindowConfig)
    split_seed: int = 0
    split_fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    store: bool = Field(True, description="memory-mapped window cache (WindowStore); false: window in memory")
    cache_dir: str | None = Field(None, description="WindowStore folder; null: $WEARCLIP_CACHE/windows")


class TextConfig(BaseModel):
    """Sentences for training (``mode``, drawn per window per step) and for zero-shot validation
    and test (``eval_mode``), from ``wearclip.text.class_sentences``."""

    model_config = ConfigDict(extra="forbid")

    mode: str = "base"
    eval_mode: str = "base"
    vocabulary: str | None = Field(None, description="a vocabulary YAML of your own, consulted first")
    limit: int | None = Field(None, ge=1, description="at most this many training sentences per class")

    @field_validator("mode", "eval_mode")
    @classmethod
    def known_mode(cls, mode: str) -> str:
        if mode not in SENTENCE_MODES and not re.fullmatch(r"template:\d+", mode):
            raise ValueError(f"unknown sentence mode {mode!r}; choose one of {', '.join(SENTENCE_MODES)} or template:K")
        return mode


class PretrainConfig(BaseModel):
    """Everything one pre-training run needs; ``wearclip pretrain CONFIG`` runs it."""

    model_config = ConfigDict(extra="forbid")

    name: str = "pretrain"
    description: str = ""
    out: str | None = Field(None, description="run folder; null: runs/<name>")
    data: DataConfig = Field(default_factory=DataConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    model: WearClipConfig = Field(
        default_factory=WearClipConfig,
        description="the architecture; text_dim and the provenance (window, pretrained_on, vocabulary_version) "
                    "are filled in by the run",
    )
    objective: ObjectiveConfig = Field(default_factory=ObjectiveConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)

    @model_validator(mode="after")
    def _provenance_is_the_runs(self) -> PretrainConfig:
        """Refuse provenance set by hand: the run writes it from ``data`` and ``text``."""
        unset = Provenance()
        for name in Provenance.model_fields:
            value = getattr(self.model, name)
            if value != getattr(unset, name) and not (name == "window" and value == self.data.window):
                source = "data.window" if name == "window" else "the datasets and vocabulary"
                raise ValueError(f"model.{name} is filled in by the run (from {source}); remove it")
        return self


