"""Head-only adaptation, the study's first remedy for sensor heterogeneity.

Both encoders stay frozen; only the sensor and text projection heads are trained, contrastively as
in pre-training (CLIP or UniCL), on the target's labelled windows: its whole train split or k
windows per class. Because the IMU encoder is frozen (and run in eval mode), its features are
computed once, so a step costs only the two small heads. Runs in one process.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config.objective import ObjectiveConfig
from ..config.train import TrainConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier, window_features
from .loop import Trainer, TrainResult
from .pretrain import ContrastiveObjective, PretrainBatches, sentence_table

ADAPT_CONFIG = TrainConfig(epochs=150, patience=25, batch_size=64, lr=1e-3)
"""Defaults for adaptation: heads are cheap, and k-shot sets give few steps per epoch."""


class HeadsObjective(ContrastiveObjective):
    """The pre-training objective (CLIP or UniCL) on cached IMU features, the batch's ``x``: only the
    projection heads run, and the text features stay fixed even for a model that fine-tuned its text
    encoder in pre-training."""

    fine_tunes_text = False

    def sensor_embeddings(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.model.sensor_head(features), dim=-1)


def fit_heads(
    model: WearClip,
    train: Windows,
    val: Windows,
    config: TrainConfig | None = None,
    *,
    class_sentences: Sequence[Sequence[str]],
    objective: ObjectiveConfig | None = None,
    callbacks: Sequence[object] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Train a copy of ``model``'s two projection heads; early stopping on validation zero-shot macro-F1.

    ``class_sentences[c]`` lists the sentences of ``train.classes[c]`` (one drawn per window per
    step); ``val`` shares those classes. ``objective`` names the loss (its SimCLR term, which needs
    the IMU encoder, does not apply). The IMU encoder, its input normalisation and the logit scale
    stay as pre-trained, and ``model`` itself is not modified.
    """
    config = config or ADAPT_CONFIG
    objective = ObjectiveConfig(name=(objective or ObjectiveConfig()).name)
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
    task = HeadsObjective(model, model.text_features(unique), objective)
    make_batch = PretrainBatches(window_features(model, train.x).numpy(), train.labels, table, counts)
    val_features = window_features(model, val.x)

    def validate() -> dict[str, float]:
        predictions = ZeroShotClassifier(model, class_sentences).predict_features(val_features)
        return {"val_macro_f1": evaluate_predictions(val.labels, predictions, val.classes).macro_f1}

    config = config.model_copy(update={"batch_size": int(np.clip(len(train), 2, config.batch_size)),
                                       "monitor": "val_macro_f1", "device": "cpu"})
    trainer = Trainer(task, len(train), make_batch, config, validate=validate, model=model, parameters=heads,
                      run_dir=run_dir, callbacks=callbacks, description="head adaptation")
    return trainer.fit(resume=resume)
