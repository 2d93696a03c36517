"""The supervised baseline: the same IMU encoder with a linear classifier, trained end-to-end."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..eval.metrics import evaluate_predictions
from ..models.imu import build_imu_encoder
from ..preprocess import Windows, channel_stats
from .loop import TrainConfig, TrainResult, fit


class SupervisedClassifier(nn.Module):
    """Per-channel normalisation, an IMU encoder and a linear layer over ``n_classes``."""

    def __init__(self, n_classes: int, encoder: str = "conv", **encoder_kwargs) -> None:
        super().__init__()
        self.encoder = build_imu_encoder(encoder, **encoder_kwargs)
        self.classifier = nn.Linear(self.encoder.out_dim, n_classes)
        self.register_buffer("mean", torch.zeros(3))
        self.register_buffer("std", torch.ones(3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.encoder((x - self.mean[None, :, None]) / self.std[None, :, None]))

    @torch.no_grad()
    def predict(self, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Class index per window."""
        self.eval()
        return np.concatenate(
            [self(torch.as_tensor(np.asarray(x[i : i + batch_size]))).argmax(1).numpy() for i in range(0, len(x), batch_size)]
        )


def train_supervised(
    train: Windows,
    val: Windows,
    config: TrainConfig | None = None,
    encoder: str = "conv",
    on_epoch: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Cross-entropy training; early stopping on validation macro-F1."""
    config = config or TrainConfig()
    torch.manual_seed(config.seed)
    model = SupervisedClassifier(len(train.classes), encoder)
    mean, std = channel_stats(train.x)
    model.mean.copy_(torch.from_numpy(mean))
    model.std.copy_(torch.from_numpy(std))
    labels = torch.as_tensor(train.labels, dtype=torch.long)

    def step(batch: np.ndarray, generator: torch.Generator) -> torch.Tensor:
        return F.cross_entropy(model(torch.from_numpy(np.asarray(train.x[batch]))), labels[batch])

    def validate() -> float:
        return evaluate_predictions(val.labels, model.predict(val.x), val.classes).macro_f1

    return fit(model, len(train), step, validate, config, on_epoch=on_epoch)
