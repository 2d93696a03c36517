"""Self-supervised baselines of the study, each followed by an MLP classifier on frozen features.

* ``autoencoder``: the study's conv encoder (:class:`~wearclip.models.imu.ConvEncoder`, before its
  pooling) and a mirrored transposed-conv decoder, trained to reconstruct the normalised window (MSE).
* ``simclr``: the same conv encoder with an MLP projection head, NT-Xent between two augmented views
  (:mod:`wearclip.train.augment`: jitter, scaling, rotation, time warp, permutation).
* ``cpc``: contrastive predictive coding as in Haresamudram et al. (2021, "Contrastive predictive
  coding for human activity recognition"): three same-padded conv blocks (32/64/128 channels,
  kernel 3, reflect padding, no bias, ReLU, dropout 0.2) encode every time step, a 2-layer GRU
  (256 units, dropout 0.2) summarises the past into a context c_t at a random step t, and one linear
  map per future step k = 1..K predicts z_{t+k}; InfoNCE picks the true z_{t+k} among the batch's.
  The classifier reads the GRU output at the last step.
* ``enhanced-cpc``: Enhanced CPC (Haresamudram et al., PerCom 2023, "Investigating enhancements to
  contrastive predictive coding for human activity recognition"), CPC with its three enhancements: an
  encoder with one strided conv (32 channels, kernel 4, stride 2) and 1x1 convs to 64/128/256, a causal
  conv aggregator (residual layers with kernels 2, 3, ...) in place of the GRU, and predictions of
  z_{t+1..t+K} from every step t, each against negatives drawn from other steps of the same window.
  The classifier reads the aggregator output max-pooled over time. docs/evaluation.md lists the
  choices where the published description is silent.

The classifier (:class:`FeatureClassifier`, trained by :func:`fit_classifier`) is the MLP of that
CPC work (256-128-classes with batch norm, ReLU and dropout 0.2) over the frozen encoder, trained
with cross-entropy on features computed once, with early stopping on validation macro-F1. Every
input is raw (B, 3, T) windows in g, normalised per channel with the training statistics stored
in the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config.augment import AugmentConfig
from ..config.train import TrainConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.heads import ProjectionHead
from ..models.imu import build_imu_encoder
from ..models.inference import batched
from ..models.normalise import Normalised
from ..models.saving import Saveable
from ..objectives import nt_xent_loss
from .augment import augment
from .loop import GlobalBatch, Trainer, TrainResult, to_device

SSL_METHODS = ("autoencoder", "simclr", "cpc", "enhanced-cpc")


class SSLModel(Saveable, Normalised):
    """Base of the self-supervised models: each defines ``loss(x, batch)`` for training and
    ``features(x)`` (``out_dim`` wide) of raw windows, normalised with the training statistics it stores."""

    out_dim: int

    def features_of(self, x, batch_size: int = 1024) -> torch.Tensor:
        """Frozen features of (N, 3, T) windows, in eval mode and batches (works on memmaps)."""
        return batched(self.features, x, self.out_dim, batch_size, self)


class ConvAutoencoder(SSLModel):
    """Conv encoder (the study's, 96 channels) and a transposed-conv decoder mirroring it."""

    def __init__(self, channels=(32, 64, 96), kernels=(24, 16, 8), dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = build_imu_encoder("conv", channels=channels, kernels=kernels, dropout=dropout)
        widths = [3, *channels]
        layers: list[nn.Module] = []
        for i in range(len(channels), 0, -1):
            layers.append(nn.ConvTranspose1d(widths[i], widths[i - 1], kernels[i - 1]))
            if i > 1:
                layers.append(nn.ReLU())
        self.decoder = nn.Sequential(*layers)
        self.out_dim = self.encoder.out_dim

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(self.normalise(x))

    def loss(self, x: torch.Tensor, batch: GlobalBatch) -> torch.Tensor:
        target = self.normalise(x)
        return F.mse_loss(self.decoder(self.encoder.net(target)), target)


class SimCLR(SSLModel):
    """Conv encoder and projection head; NT-Xent between two augmented views of each window."""

    def __init__(self, projection_dim: int = 128, temperature: float = 0.1,
                 augmentations: AugmentConfig | None = None) -> None:
        super().__init__()
        self.encoder = build_imu_encoder("conv")
        self.head = ProjectionHead(self.encoder.out_dim, projection_dim, 256, 2)
        self.temperature = temperature
        self.augmentations = augmentations or AugmentConfig()
        self.out_dim = self.encoder.out_dim

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(self.normalise(x))

    def loss(self, x: torch.Tensor, batch: GlobalBatch) -> torch.Tensor:
        rng = batch.random()
        views = [self.head(self.features(augment(x, rng, self.augmentations))) for _ in range(2)]
        return nt_xent_loss(*views, temperature=self.temperature)


def step_encoder(channels: Sequence[int], kernels: Sequence[int], strides: Sequence[int], dropout: float,
                 same: bool) -> nn.Sequential:
    """Conv blocks (conv without bias, ReLU, dropout) that encode a window into a sequence of steps;
    ``same`` pads each conv (reflect) to keep the length, else it is unpadded."""
    layers: list[nn.Module] = []
    width = 3
    for out, kernel, stride in zip(channels, kernels, strides, strict=True):
        padding = kernel // 2 if same else 0
        layers += [nn.Conv1d(width, out, kernel, stride=stride, padding=padding, padding_mode="reflect", bias=False),
                   nn.ReLU(), nn.Dropout(dropout)]
        width = out
    return nn.Sequential(*layers)


class PredictiveCoding(SSLModel):
    """What CPC and Enhanced CPC share: an ``encoder`` of raw windows into steps z, a causal ``context``
    network over z, and one linear map per future step k = 1..``steps`` from c_t to a prediction of z_{t+k}."""

    name: ClassVar[str]

    def __init__(self, encoder: nn.Sequential, context: nn.Module, width: int, hidden: int, steps: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.context = context
        self.predictors = nn.ModuleList(nn.Linear(hidden, width) for _ in range(steps))
        self.steps = steps
        self.out_dim = hidden

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T', width) per-step encodings z."""
        return self.encoder(self.normalise(x)).transpose(1, 2)

    def encode_for_prediction(self, x: torch.Tensor) -> torch.Tensor:
        """z of windows long enough to predict ``steps`` ahead from at least one step."""
        z = self.encode(x)
        if z.shape[1] <= self.steps:
            raise ValueError(f"{self.name} predicts {self.steps} steps ahead; windows of {x.shape[-1]} samples "
                             f"(encoded into {z.shape[1]} steps, {self.steps + 1} needed) are too short")
        return z


class CPC(PredictiveCoding):
    """Contrastive predictive coding (conv encoder per step, GRU context, K linear step predictors)."""

    name = "CPC"

    def __init__(self, steps: int = 12, kernel: int = 3, channels=(32, 64, 128), hidden: int = 256,
                 dropout: float = 0.2) -> None:
        encoder = step_encoder(channels, [kernel] * len(channels), [1] * len(channels), dropout, same=True)
        context = nn.GRU(channels[-1], hidden, num_layers=2, batch_first=True, dropout=dropout)
        super().__init__(encoder, context, channels[-1], hidden, steps)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        output, _ = self.context(self.encode(x))
        return output[:, -1]

    def loss(self, x: torch.Tensor, batch: GlobalBatch) -> torch.Tensor:
        z = self.encode_for_prediction(x)
        t = int(torch.randint(z.shape[1] - self.steps, (1,), generator=batch.generator))
        context, _ = self.context(z[:, : t + 1])
        c_t = context[:, -1]
        targets = torch.arange(len(x), device=x.device)
        losses = [F.cross_entropy(self.predictors[k](c_t) @ z[:, t + 1 + k].T, targets) for k in range(self.steps)]
        return torch.stack(losses).mean()


class CausalConvAggregator(nn.Module):
    """Enhanced CPC's context network: residual causal conv layers with kernels 2, 3, 4, ... over (B, T, C);
    c_t sees z_1..z_t only (left replication padding, each step normalised over its own channels)."""

    def __init__(self, width: int, layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Sequential(nn.ReplicationPad1d((kernel - 1, 0)), nn.Conv1d(width, width, kernel))
            for kernel in range(2, layers + 2)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(width) for _ in range(layers))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        for conv, norm in zip(self.layers, self.norms, strict=True):
            z = (z + F.relu(norm(conv(z.transpose(1, 2)).transpose(1, 2)))) * math.sqrt(0.5)
        return z


def other_steps(windows: int, length: int, count: int, generator: torch.Generator) -> torch.Tensor:
    """(windows, length, count) step indices: for each step s of each window, ``count`` draws uniform over
    the window's other steps (never s), the negatives of the prediction whose positive is z_s."""
    draws = torch.randint(length - 1, (windows, length, count), generator=generator)
    return draws + (draws >= torch.arange(length)[None, :, None]).long()


class EnhancedCPC(PredictiveCoding):
    """Enhanced CPC (Haresamudram et al., PerCom 2023): a strided conv encoder, a causal conv aggregator
    instead of the GRU, predictions from every step t, and negatives drawn from the same window."""

    name = "Enhanced CPC"

    def __init__(self, steps: int = 12, negatives: int = 10, layers: int = 5, channels=(32, 64, 128, 256),
                 dropout: float = 0.2) -> None:
        kernels, strides = [4] + [1] * (len(channels) - 1), [2] + [1] * (len(channels) - 1)
        encoder = step_encoder(channels, kernels, strides, dropout, same=False)
        super().__init__(encoder, CausalConvAggregator(channels[-1], layers), channels[-1], channels[-1], steps)
        self.negatives = negatives

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.context(self.encode(x)).amax(1)

    def loss(self, x: torch.Tensor, batch: GlobalBatch) -> torch.Tensor:
        z = self.encode_for_prediction(x)
        context = self.context(z)
        n, length, _ = z.shape
        draws = other_steps(n, length, self.negatives, batch.generator).to(x.device)
        candidates = torch.cat([z[:, :, None], z[torch.arange(n, device=x.device)[:, None, None], draws]], dim=2)
        # predictions aligned with their target step s = t + k (zeros where t would be < 0), (B, T, D, K)
        predictions = torch.stack([F.pad(self.predictors[k - 1](context[:, :-k]), (0, 0, k, 0))
                                   for k in range(1, self.steps + 1)], dim=-1)
        scores = (candidates @ predictions).transpose(2, 3)  # (B, T, K, 1 + negatives), one matmul for all k
        valid = torch.arange(length, device=x.device)[:, None] >= torch.arange(1, self.steps + 1, device=x.device)
        logits = scores[:, valid]
        return F.cross_entropy(logits.flatten(0, 1), torch.zeros(logits.shape[:2].numel(), dtype=torch.long,
                                                                 device=x.device))


def build_ssl(method: Literal["autoencoder", "simclr", "cpc", "enhanced-cpc"], **kwargs) -> SSLModel:
    """A fresh self-supervised model by name (``kwargs`` go to its constructor)."""
    builders = {"autoencoder": ConvAutoencoder, "simclr": SimCLR, "cpc": CPC, "enhanced-cpc": EnhancedCPC}
    if method not in builders:
        raise KeyError(f"unknown self-supervised method {method!r}; choose one of {', '.join(SSL_METHODS)}")
    return builders[method](**kwargs)


class SSLObjective(nn.Module):
    """A self-supervised model's ``loss`` for the Trainer; its random draws come from the batch."""

    def __init__(self, model: SSLModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: tuple[torch.Tensor, GlobalBatch]) -> dict[str, torch.Tensor]:
        return {"loss": self.model.loss(*batch)}


def window_batches(windows: Windows) -> Callable[[GlobalBatch, torch.device], tuple[torch.Tensor, GlobalBatch]]:
    """``make_batch`` for the Trainer: the batch's raw windows, with the batch for its random draws."""

    def make_batch(batch: GlobalBatch, device: torch.device) -> tuple[torch.Tensor, GlobalBatch]:
        return to_device(windows.x[batch.local], device), batch

    return make_batch


def fit_ssl(
    model: SSLModel,
    train: Windows,
    val: Windows,
    config: TrainConfig | None = None,
    *,
    callbacks: Sequence[object] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Self-supervised pre-training of ``model`` (see :func:`build_ssl`) on unlabelled windows,
    normalised with ``train``'s statistics; early stopping on the validation loss."""
    config = (config or TrainConfig()).model_copy(update={"monitor": "val_loss"})
    model.fit_normalization(train.x)
    task = SSLObjective(model)
    val_batch = window_batches(val)

    def validate() -> dict[str, float]:
        """The objective on the validation windows in fixed batches with fixed draws."""
        losses = [
            task(val_batch(GlobalBatch.whole(np.arange(start, min(start + config.batch_size, len(val))), config.seed + i),
                           model.mean.device))["loss"].item()
            for i, start in enumerate(range(0, len(val) - 1, config.batch_size))
        ]
        return {"val_loss": float(np.mean(losses))}

    trainer = Trainer(task, len(train), window_batches(train), config, validate=validate, model=model,
                      run_dir=run_dir, callbacks=callbacks, description="self-supervised pre-training")
    return trainer.fit(resume=resume)


class MLPClassifier(nn.Module):
    """The classifier of the CPC work: d -> 256 -> 128 -> classes, batch norm, ReLU, dropout 0.2."""

    def __init__(self, in_dim: int, n_classes: int, dropout: float = 0.2) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, n_classes),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)


class FeatureCrossEntropy(nn.Module):
    """Cross-entropy of the MLP on cached features; a batch is (window indices, labels)."""

    def __init__(self, classifier: MLPClassifier, features: torch.Tensor) -> None:
        super().__init__()
        self.classifier = classifier
        self.register_buffer("features", features, persistent=False)

    def forward(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        index, labels = batch
        return {"loss": F.cross_entropy(self.classifier(self.features[index]), labels)}


class FeatureClassifier(nn.Module):
    """A frozen self-supervised ``encoder`` and the MLP trained on its features: predicts raw windows."""

    def __init__(self, encoder: SSLModel, n_classes: int) -> None:
        super().__init__()
        self.encoder = encoder.requires_grad_(False)
        self.head = MLPClassifier(encoder.out_dim, n_classes)
        self.n_classes = n_classes

    def predict_features(self, features: torch.Tensor) -> np.ndarray:
        """Class index per row of precomputed encoder features (in memory: one pass, on the MLP's device)."""
        return batched(self.head, features, self.n_classes, max(1, len(features)), self.head).argmax(1).numpy()

    def predict(self, x, batch_size: int = 1024) -> np.ndarray:
        """Class index per raw (N, 3, T) window: frozen encoder features, then the MLP."""
        return self.predict_features(self.encoder.features_of(x, batch_size))


def fit_classifier(
    model: FeatureClassifier,
    train: Windows,
    val: Windows,
    config: TrainConfig | None = None,
    *,
    callbacks: Sequence[object] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Train ``model``'s MLP on its frozen encoder's features of ``train``; early stopping on
    validation macro-F1. The result's model is ``model``, ready to ``predict`` raw windows."""
    config = (config or TrainConfig()).model_copy(update={"monitor": "val_macro_f1", "device": "cpu"})
    config = config.model_copy(update={"batch_size": int(np.clip(len(train), 2, config.batch_size))})
    train_features, val_features = model.encoder.features_of(train.x), model.encoder.features_of(val.x)
    labels = torch.as_tensor(train.labels, dtype=torch.long)

    def make_batch(batch: GlobalBatch, device: torch.device):
        index = torch.as_tensor(batch.indices)
        return index.to(device), labels[index].to(device)

    def validate() -> dict[str, float]:
        predictions = model.predict_features(val_features)
        return {"val_macro_f1": evaluate_predictions(val.labels, predictions, val.classes).macro_f1}

    trainer = Trainer(FeatureCrossEntropy(model.head, train_features), len(train), make_batch, config,
                      validate=validate, model=model, parameters=model.head.parameters(), run_dir=run_dir,
                      callbacks=callbacks, description="classifier on features")
    return trainer.fit(resume=resume)
