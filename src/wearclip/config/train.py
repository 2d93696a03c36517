"""Optimisation settings shared by pre-training, adaptation and baselines."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from .compat import AddedOptions


class TrainConfig(AddedOptions):
    """Optimisation settings shared by pre-training, adaptation and baselines."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("text_lr", "max_steps")

    epochs: int = Field(40, ge=1)
    max_steps: int | None = Field(None, ge=1, description="stop after this many optimiser steps (ending that epoch "
                                  "with its validation); None = epochs decide")
    batch_size: int = Field(256, ge=2, description="global batch: split across processes under torchrun")
    lr: float = Field(1e-3, gt=0)
    text_lr: float | None = Field(None, gt=0, description="learning rate of a trainable text encoder; None = lr")
    weight_decay: float = Field(1e-4, ge=0, description="AdamW decay of weight matrices (not biases, norms, scales)")
    schedule: Literal["cosine", "constant"] = "cosine"
    warmup_epochs: float = Field(0.0, ge=0, description="linear warm-up from 0, in epochs (fractions allowed)")
    min_lr_ratio: float = Field(0.0, ge=0, le=1, description="cosine decays to lr * min_lr_ratio at the last epoch")
    grad_clip: float | None = Field(None, gt=0, description="max global gradient norm; None = no clipping")
    patience: int = Field(8, ge=1, description="epochs without improvement before stopping")
    monitor: str = Field("val_macro_f1", description="metric for early stopping and the best checkpoint")
    seed: int = 0
    precision: Literal["auto", "fp32", "bf16"] = Field("auto", description="auto: bf16 autocast on CUDA, fp32 on CPU")
    device: str | None = Field(None, description="None: CUDA when available, else CPU")
    checkpoint_every: int = Field(0, ge=0, description="also checkpoint every N steps mid-epoch; 0 = epoch ends only")
    log_every: int = Field(20, ge=1, description="steps between metric records")
