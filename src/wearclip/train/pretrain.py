"""Contrastive pre-training of WearClip on (window, activity sentence) pairs with a frozen text encoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from ..eval.metrics import evaluate_predictions
from ..eval.zeroshot import ZeroShotClassifier
from ..losses import clip_loss
from ..models.wearclip import WearClip
from ..preprocess import Windows, channel_stats
from ..text.encoders import default_text_encoder
from .loop import TrainConfig, TrainResult, fit


def sentence_table(class_sentences: Sequence[Sequence[str]]) -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """Unique sentences, a (C, K) table of their ids per class (padded), and the count per class."""
    unique = list(dict.fromkeys(s for group in class_sentences for s in group))
    index = {s: i for i, s in enumerate(unique)}
    width = max(len(g) for g in class_sentences)
    table = torch.zeros(len(class_sentences), width, dtype=torch.long)
    counts = torch.tensor([len(g) for g in class_sentences])
    for c, group in enumerate(class_sentences):
        table[c, : len(group)] = torch.tensor([index[s] for s in group])
    return unique, table, counts


def pretrain(
    model: WearClip,
    train: Windows,
    val: Windows,
    class_sentences: Sequence[Sequence[str]],
    config: TrainConfig | None = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Pre-train ``model`` contrastively; early stopping on validation zero-shot macro-F1.

    ``class_sentences[c]`` lists the sentences describing class ``c``; each step draws one of them
    per window. The text encoder runs once per unique sentence (its outputs are cached), so a step
    costs only the sensor tower and the text projection head.
    """
    config = config or TrainConfig()
    if any(len(g) == 0 for g in class_sentences):
        raise ValueError("every class needs at least one sentence")
    model.set_normalization(*channel_stats(train.x))
    unique, table, counts = sentence_table(class_sentences)
    features = default_text_encoder(model.config.text_encoder).encode(unique)
    labels = torch.as_tensor(train.labels, dtype=torch.long)

    def step(batch: np.ndarray, generator: torch.Generator) -> torch.Tensor:
        y = labels[batch]
        pick = (torch.rand(len(y), generator=generator) * counts[y]).long()
        sentence_ids = table[y, pick]
        ids, inverse = sentence_ids.unique(return_inverse=True)
        text = model.encode_text_features(features[ids])[inverse]
        sensor = model.encode_sensor(torch.from_numpy(np.asarray(train.x[batch])))
        return clip_loss(model.scale() * sensor @ text.T, sentence_ids)

    def validate() -> float:
        predictions = ZeroShotClassifier(model, class_sentences).predict(val.x)
        return evaluate_predictions(val.labels, predictions, val.classes).macro_f1

    return fit(model, len(train), step, validate, config, on_epoch=on_epoch)
