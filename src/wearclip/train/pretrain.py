"""Contrastive pre-training of WearClip on (window, activity sentence) pairs, with a frozen (cached) or
fine-tuned text encoder: CLIP, UniCL or SLIP (either one plus SimCLR), on the shared
:class:`~wearclip.train.loop.Trainer`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..config.augment import AugmentConfig, RotationMode
from ..config.objective import ObjectiveConfig
from ..config.train import TrainConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..objectives import language_loss, nt_xent_loss
from .augment import augment, random_orientation
from .distributed import gather_with_grad
from .loop import GlobalBatch, Trainer, TrainResult, to_device


@dataclass
class PretrainBatch:
    """One step's input: this process's windows (raw, in g) and, for the whole global batch, each
    window's sentence id and label; ``views`` are two augmentations of ``x`` (SLIP only)."""

    x: torch.Tensor
    sentence_ids: torch.Tensor
    labels: torch.Tensor
    views: tuple[torch.Tensor, torch.Tensor] | None = None


class ContrastiveObjective(nn.Module):
    """CLIP / UniCL (+ SimCLR) on a WearClip model. ``text`` is one row of frozen text features per
    unique sentence, looked up so that a step runs no text-encoder forward pass; for a model that
    fine-tunes its text encoder it is the unique sentences themselves, and a step encodes only the
    batch's distinct sentences (with gradient).

    Sensor embeddings (and SimCLR projections) are gathered across processes with gradient; each
    process embeds the global batch's few unique sentences itself, so no text is communicated.
    """

    fine_tunes_text = True  # a model with a trainable text encoder trains it (heads-only adaptation does not)

    def __init__(self, model: WearClip, text: torch.Tensor | Sequence[str], config: ObjectiveConfig | None = None) -> None:
        super().__init__()
        self.model = model
        self.config = config or ObjectiveConfig()
        if self.config.simclr_weight > 0 and model.simclr_head is None:
            raise ValueError("SLIP needs a SimCLR head: build the model with simclr_dim > 0")
        self.trains_text = model.text_encoder is not None and self.fine_tunes_text
        if self.trains_text == isinstance(text, torch.Tensor):
            raise TypeError("pass the unique sentences for a model with a trainable text encoder, "
                            "their frozen text features otherwise")
        width = model.text_encoder.dim if self.trains_text else text.shape[1]
        if width != model.config.text_dim:
            raise ValueError(f"text features are {width}-d, the model's text head expects "
                             f"{model.config.text_dim}; set model.text_dim to the text encoder's width")
        if self.trains_text:
            self.sentences = list(text)
        else:
            self.register_buffer("text_features", text.float(), persistent=False)

    def sensor_embeddings(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised embeddings of the batch's ``x`` (raw windows here)."""
        return self.model.encode_sensor(x)

    def text_embeddings(self, sentence_ids: torch.Tensor) -> torch.Tensor:
        """Normalised embedding of each row's sentence, each distinct sentence encoded once."""
        unique, inverse = sentence_ids.unique(return_inverse=True)
        if self.trains_text:
            features = self.model.text_encoder.encode_trainable([self.sentences[i] for i in unique.tolist()])
        else:
            features = self.text_features[unique]
        return self.model.encode_text_features(features)[inverse]

    def forward(self, batch: PretrainBatch) -> dict[str, torch.Tensor]:
        model = self.model
        sensor = gather_with_grad(self.sensor_embeddings(batch.x))
        text = self.text_embeddings(batch.sentence_ids)
        scale = model.scale()
        logits = scale * sensor.float() @ text.float().T
        language = language_loss(self.config.name, logits, batch.sentence_ids, batch.labels)
        out = {"loss": language, "temperature": 1 / scale.detach()}
        if self.config.simclr_weight > 0:
            z1, z2 = (gather_with_grad(model.encode_views(v)) for v in batch.views)
            simclr = nt_xent_loss(z1, z2, self.config.simclr_temperature)
            out |= {"loss": language + self.config.simclr_weight * simclr,
                    f"{self.config.name.split('-')[0]}_loss": language.detach(), "simclr_loss": simclr.detach()}
        return out


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


class PretrainBatches:
    """Builds :class:`PretrainBatch` es from rows of ``x`` (windows, or their cached IMU features):
    draws one sentence per row of the global batch (uniformly among its class's sentences), loads
    this process's rows, and for SLIP makes two augmented views, all from the batch's generator;
    ``rotation`` turns every window to a random orientation first and ``pair_augment`` augments it
    (raw windows only, see :mod:`wearclip.train.augment`)."""

    def __init__(self, x, labels: np.ndarray, table: torch.Tensor, counts: torch.Tensor,
                 augment_config: AugmentConfig | None = None, rotation: RotationMode = "none",
                 pair_augment: AugmentConfig | None = None) -> None:
        self.x = x
        self.labels = torch.from_numpy(np.array(labels, dtype=np.int32))  # 4 bytes a window; long per batch
        self.table, self.counts = table, counts
        self.augment_config = augment_config
        self.rotation = rotation
        self.pair_augment = pair_augment

    def __call__(self, batch: GlobalBatch, device: torch.device) -> PretrainBatch:
        labels = self.labels[batch.indices].long()
        pick = (batch.random(local=False).rand() * self.counts[labels]).long()
        sentence_ids = self.table[labels, pick]
        x = random_orientation(to_device(self.x[batch.local], device), batch.random(), self.rotation)
        if self.pair_augment is not None:
            x = augment(x, batch.random(), self.pair_augment)
        views = None
        if self.augment_config is not None:
            rng = batch.random()
            views = (augment(x, rng, self.augment_config), augment(x, rng, self.augment_config))
        return PretrainBatch(x, sentence_ids.to(device), labels.to(device), views)


def _as_groups(val: Windows | Mapping[str, Windows]) -> dict[str, Windows]:
    return dict(val) if isinstance(val, Mapping) else {"val": val}


def fit_pretraining(
    model: WearClip,
    train: Windows,
    val: Windows | Mapping[str, Windows],
    config: TrainConfig | None = None,
    *,
    class_sentences: Sequence[Sequence[str]],
    eval_sentences: Sequence[Sequence[str]] | None = None,
    objective: ObjectiveConfig | None = None,
    callbacks: Sequence[object] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Pre-train ``model`` contrastively; early stopping on ``config.monitor`` (zero-shot macro-F1 or loss).

    ``class_sentences[c]`` lists the sentences describing ``train.classes[c]``; each step draws one
    of them per window. ``val`` is one window set or several by name (one per dataset, each with its
    own classes, a subset of the training phrases): ``val_macro_f1`` is the mean zero-shot macro-F1
    over them, each among its own classes with ``eval_sentences`` (default: the mean embedding of
    ``class_sentences``), and ``val_loss`` the mean objective. The text encoder runs once per unique
    sentence (cached), so a step costs only the sensor tower and the text projection head; a model
    with ``text_trainable`` fine-tunes its text encoder at ``config.text_lr``. ``callbacks``: see
    :class:`~wearclip.train.loop.Trainer`.
    """
    config = config or TrainConfig()
    objective = objective or ObjectiveConfig()
    if len(class_sentences) != len(train.classes) or any(len(g) == 0 for g in class_sentences):
        raise ValueError("class_sentences needs one non-empty list of sentences per training class")
    eval_sentences = eval_sentences or class_sentences
    phrase_index = {phrase: i for i, phrase in enumerate(train.classes)}
    groups = _as_groups(val)
    for name, windows in groups.items():
        missing = [c for c in windows.classes if c not in phrase_index]
        if missing:
            raise ValueError(f"validation set {name!r} has classes without training sentences: {missing}")

    model.fit_normalization(train.x)
    unique, table, counts = sentence_table(class_sentences)
    text = unique if model.text_encoder is not None else model.frozen_text_encoder().encode(unique)
    task = ContrastiveObjective(model, text, objective)
    augment_config = objective.augment if objective.simclr_weight > 0 else None
    make_batch = PretrainBatches(train.x, train.labels, table, counts, augment_config, objective.rotation,
                                 objective.pair_augment)
    def validate() -> dict[str, float]:
        scores, losses = {}, []
        for name, windows in groups.items():
            to_union = np.array([phrase_index[c] for c in windows.classes])
            sentences = [eval_sentences[i] for i in to_union]
            predictions = ZeroShotClassifier(model, sentences).predict(windows.x)
            labels = windows.labels
            scores[name] = evaluate_predictions(labels, predictions, windows.classes).macro_f1
            losses.append(validation_loss(task, windows, to_union[labels], table, counts,
                                          augment_config, config, next(model.parameters()).device))
        metrics = {"val_macro_f1": float(np.mean(list(scores.values()))), "val_loss": float(np.mean(losses))}
        if len(groups) > 1:
            metrics |= {f"val_macro_f1/{name}": score for name, score in scores.items()}
        return metrics

    trainer = Trainer(task, len(train), make_batch, config, validate=validate, model=model,
                      run_dir=run_dir, callbacks=callbacks, description="pre-training")
    return trainer.fit(resume=resume)


@torch.no_grad()
def validation_loss(task: ContrastiveObjective, windows: Windows, labels: np.ndarray, table: torch.Tensor,
                    counts: torch.Tensor, augment_config: AugmentConfig | None, config: TrainConfig,
                    device: torch.device) -> float:
    """The objective on ``windows`` in fixed batches with fixed draws (mean over batches)."""
    make_batch = PretrainBatches(windows.x, labels, table, counts, augment_config)
    losses = []
    for i, start in enumerate(range(0, len(windows), config.batch_size)):
        indices = np.arange(start, min(start + config.batch_size, len(windows)))
        if len(indices) >= 2:
            losses.append(task(make_batch(GlobalBatch.whole(indices, config.seed + i), device))["loss"].item())
    return float(np.mean(losses)) if losses else float("nan")
