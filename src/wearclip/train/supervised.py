"""The supervised baseline: the same IMU encoder with a linear classifier, trained end-to-end."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config.train import TrainConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.imu import build_imu_encoder
from ..models.inference import batched
from ..models.normalise import Normalised
from .loop import GlobalBatch, Trainer, TrainResult, to_device


class SupervisedClassifier(Normalised):
    """Per-channel normalisation, an IMU encoder and a linear layer over ``n_classes``."""

    def __init__(self, n_classes: int, encoder: str = "conv", **encoder_kwargs) -> None:
        super().__init__()
        self.encoder = build_imu_encoder(encoder, **encoder_kwargs)
        self.classifier = nn.Linear(self.encoder.out_dim, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.encoder(self.normalise(x)))

    def logits(self, x, batch_size: int = 1024) -> torch.Tensor:
        """(N, n_classes) float32 scores on CPU, in batches (works on memmaps)."""
        return batched(self, x, self.classifier.out_features, batch_size, self)

    def predict(self, x, batch_size: int = 1024) -> np.ndarray:
        """Class index per window."""
        return self.logits(x, batch_size).argmax(1).numpy()


class CrossEntropyObjective(nn.Module):
    """Cross-entropy of a classifier on labelled windows."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        x, y = batch
        return {"loss": F.cross_entropy(self.model(x).float(), y)}


def fit_supervised(
    model: SupervisedClassifier,
    train: Windows,
    val: Windows,
    config: TrainConfig | None = None,
    *,
    callbacks: Sequence[object] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Cross-entropy training of ``model`` (normalised with ``train``'s statistics) on ``train``'s
    labels; early stopping on ``config.monitor`` (validation macro-F1 or loss)."""
    config = config or TrainConfig()
    model.fit_normalization(train.x)
    labels = torch.as_tensor(train.labels, dtype=torch.long)
    val_labels = val.labels  # read once: a view computes its columns when asked

    def make_batch(batch: GlobalBatch, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        return to_device(train.x[batch.local], device), labels[batch.local].to(device)

    def validate() -> dict[str, float]:
        logits = model.logits(val.x)
        loss = F.cross_entropy(logits, torch.as_tensor(val_labels, dtype=torch.long)).item()
        f1 = evaluate_predictions(val_labels, logits.argmax(1).numpy(), val.classes).macro_f1
        return {"val_macro_f1": f1, "val_loss": loss}

    trainer = Trainer(CrossEntropyObjective(model), len(train), make_batch, config, validate=validate,
                      model=model, run_dir=run_dir, callbacks=callbacks, description="supervised training")
    return trainer.fit(resume=resume)
