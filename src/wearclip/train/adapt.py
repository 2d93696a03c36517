"""Head-only adaptation, the study's first remedy for sensor heterogeneity.

Both encoders stay frozen; only the sensor and text projection heads are trained, contrastively as
in pre-training (CLIP or UniCL), on the target's labelled windows: its whole train split or k
windows per class. Because the IMU encoder is frozen (and run in eval mode), its features are
computed once, so a step costs only the two small heads. Runs in one process.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config.train import TrainConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier, window_features
from ..objectives import contrastive_loss, positive_pairs
from .loop import GlobalBatch, Trainer, TrainResult
from .pretrain import sentence_table

ADAPT_CONFIG = TrainConfig(epochs=150, patience=25, batch_size=64, lr=1e-3)
"""Defaults for adaptation: heads are cheap, and k-shot sets give few steps per epoch."""


class HeadsObjective(nn.Module):
    """The pre-training objective on cached IMU features: only the projection heads run.

    A batch is (window indices, the sentence id drawn for each window, labels). ``clip`` treats
    only the diagonal as positives, ``clip-dedup`` windows with the identical sentence,
    ``unicl`` windows with the same label (:func:`~wearclip.objectives.positive_pairs`).
    """

    def __init__(self, model: WearClip, sensor_features: torch.Tensor, text_features: torch.Tensor,
                 objective: str = "clip-dedup") -> None:
        super().__init__()
        self.model = model
        self.objective = objective
        self.register_buffer("sensor_features", sensor_features, persistent=False)
        self.register_buffer("text_features", text_features, persistent=False)

    def forward(self, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        index, sentence_ids, labels = batch
        sensor = F.normalize(self.model.sensor_head(self.sensor_features[index]), dim=-1)
        unique, inverse = sentence_ids.unique(return_inverse=True)
        text = self.model.encode_text_features(self.text_features[unique])[inverse]
        positives = positive_pairs(self.objective, sentence_ids, labels)
        return {"loss": contrastive_loss(self.model.scale() * sensor @ text.T, positives)}


def adapt_heads(
    model: WearClip,
    train: Windows,
    val: Windows,
    class_sentences: Sequence[Sequence[str]],
    config: TrainConfig | None = None,
    objective: str = "clip-dedup",
    on_epoch: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Train a copy of ``model``'s two projection heads; early stopping on validation zero-shot macro-F1.

    ``class_sentences[c]`` lists the sentences of ``train.classes[c]`` (one drawn per window per
    step); ``val`` shares those classes. The IMU encoder, its input normalisation and the logit
    scale stay as pre-trained, and ``model`` itself is not modified.
    """
    config = config or ADAPT_CONFIG
    if len(class_sentences) != len(train.classes):
        raise ValueError(f"{len(class_sentences)} sentence lists for {len(train.classes)} classes")
    if len(train) < 2:
        raise ValueError(f"adaptation needs at least 2 labelled windows, got {len(train)}")
    model = copy.deepcopy(model).cpu()
    model.requires_grad_(False)
    heads = [*model.sensor_head.parameters(), *model.text_head.parameters()]
    for parameter in heads:
        parameter.requires_grad_(True)
    unique, table, counts = sentence_table(class_sentences)
    text_features = model.text_features(unique)
    task = HeadsObjective(model, window_features(model, train.x), text_features, objective)
    val_features = window_features(model, val.x)
    labels = torch.as_tensor(train.labels, dtype=torch.long)

    def make_batch(batch: GlobalBatch, device: torch.device):
        y = labels[batch.indices]
        pick = (batch.random(local=False).rand() * counts[y]).long()
        return torch.as_tensor(batch.indices, device=device), table[y, pick].to(device), y.to(device)

    def validate() -> dict[str, float]:
        predictions = ZeroShotClassifier(model, class_sentences).predict_features(val_features)
        return {"val_macro_f1": evaluate_predictions(val.labels, predictions, val.classes).macro_f1}

    config = config.model_copy(update={"batch_size": int(np.clip(len(train), 2, config.batch_size)),
                                       "monitor": "val_macro_f1", "device": "cpu"})
    trainer = Trainer(task, len(train), make_batch, config, validate=validate, model=model,
                      parameters=heads, on_epoch=on_epoch)
    return trainer.fit()
