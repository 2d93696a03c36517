"""WearClip: an IMU encoder and a text encoder (frozen, or fine-tuned) projected into one embedding space."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config.model import AUTO, WearClipConfig
from ..data.band import lowpass
from ..data.gravity import to_frame
from ..data.windows import channel_stats
from ..text.encoders import TextEncoder, default_text_encoder
from .heads import ProjectionHead
from .imu import build_imu_encoder
from .inference import batched, check_windows
from .normalise import Normalised
from .saving import Saveable


@dataclass
class Classification:
    """Zero-shot recognition of N windows: the predicted activity of each and its (N, C) cosine
    similarities to the C activities' prototypes."""

    activities: list[str]
    labels: np.ndarray
    scores: np.ndarray


class WearClip(Saveable, Normalised):
    """Sensor tower (normalisation, IMU encoder, projection head), text projection head, logit scale,
    and (when ``simclr_dim`` > 0) the separate SimCLR projection head SLIP trains beside CLIP.

    By default the text encoder is frozen and shared (see :func:`default_text_encoder`), so the model
    stores only its projection head; ``encode_text_features`` takes pooled text embeddings, which
    lets training look them up from a cache instead of running the text encoder each step. With
    ``text_trainable`` the model owns a trainable copy (``text_encoder``), fine-tuned in pre-training
    and saved with the other weights.
    """

    config_class = WearClipConfig
    statistics = ("sensor_mean", "sensor_std")  # the buffer names of every checkpoint written so far

    def __init__(self, config: WearClipConfig | None = None) -> None:
        super().__init__()
        self.config = config or WearClipConfig()
        c = self.config
        self.imu = build_imu_encoder(c.imu_encoder, **c.imu_kwargs)
        if c.window.size < self.imu.min_length:
            raise ValueError(f"IMU encoder {c.imu_encoder!r} needs windows of at least {self.imu.min_length} "
                             f"samples; the window config gives {c.window.size}")
        self.sensor_head = ProjectionHead(self.imu.out_dim, c.embed_dim, c.head_hidden, c.head_depth, c.head_dropout)
        self.text_head = ProjectionHead(c.text_dim, c.embed_dim, c.text_head_hidden or c.head_hidden,
                                        c.text_head_depth or c.head_depth, c.head_dropout)
        self.simclr_head = (
            ProjectionHead(self.imu.out_dim, c.simclr_dim, c.head_hidden, c.head_depth, c.head_dropout)
            if c.simclr_dim else None
        )
        self.text_encoder = TextEncoder(c.text_encoder, c.text_pooling, trainable=True) if c.text_trainable else None
        self.logit_scale = nn.Parameter(torch.tensor(float(c.logit_scale_init)))

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Raw (B, 3, T) windows in g in the configured band (:mod:`wearclip.data.band`) and frame
        (:mod:`wearclip.data.gravity`): what the encoder sees before normalisation."""
        c = self.config
        if c.lowpass_hz is not None:
            x = lowpass(x, c.lowpass_hz, c.window.rate)
        return to_frame(x, c.frame)

    def sensor_features(self, x: torch.Tensor) -> torch.Tensor:
        """IMU encoder output for raw (B, 3, T) windows in g, before projection: preprocessed, then normalised."""
        return self.imu(self.normalise(self.preprocess(x)))

    def fit_normalization(self, x) -> None:
        """Statistics of (N, 3, T) training windows after :meth:`preprocess` (what :meth:`sensor_features`
        normalises), read in chunks."""
        self.set_normalization(*channel_stats(x, transform=lambda block: self.preprocess(torch.from_numpy(block)).numpy()))

    def encode_sensor(self, x: torch.Tensor) -> torch.Tensor:
        """L2-normalised embeddings of raw (B, 3, T) windows in g."""
        return F.normalize(self.sensor_head(self.sensor_features(x)), dim=-1)

    def encode_views(self, x: torch.Tensor) -> torch.Tensor:
        """SimCLR projections of raw (B, 3, T) windows (not normalised: the NT-Xent loss does that)."""
        if self.simclr_head is None:
            raise RuntimeError("this model has no SimCLR head; build it with simclr_dim > 0")
        return self.simclr_head(self.sensor_features(x))

    def encode_text_features(self, features: torch.Tensor) -> torch.Tensor:
        """L2-normalised embeddings of pooled text-encoder outputs (U, text_dim)."""
        return F.normalize(self.text_head(features), dim=-1)

    def frozen_text_encoder(self) -> TextEncoder:
        """The shared frozen text encoder this model was trained against (embeddings cached per sentence)."""
        return default_text_encoder(self.config.text_encoder, self.config.text_pooling)

    def text_features(self, sentences: Sequence[str]) -> torch.Tensor:
        """Pooled text-encoder outputs (U, text_dim) on CPU, without gradient: from the model's own
        fine-tuned text encoder, else from the shared frozen one (cached per sentence)."""
        encoder = self.text_encoder if self.text_encoder is not None else self.frozen_text_encoder()
        return encoder.encode(list(sentences))

    def embed_text(self, sentences: Sequence[str]) -> torch.Tensor:
        """L2-normalised embeddings of sentences, as a tensor on the model's device (differentiable
        through the text head)."""
        return self.encode_text_features(self.text_features(sentences).to(self.logit_scale.device))

    @torch.no_grad()
    def encode_text(self, sentences: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings (N, embed_dim) of sentences."""
        self.eval()
        return self.embed_text(list(sentences)).float().cpu().numpy()

    def encode_windows(self, x, batch_size: int = 1024) -> np.ndarray:
        """L2-normalised embeddings (N, embed_dim) of (N, 3, T) windows in g (an array, a memmap or
        :class:`~wearclip.data.windows.Windows`), computed in batches so a memmap stays on disk."""
        x = getattr(x, "x", x)
        check_windows(x, self.config.window.size)
        return batched(self.encode_sensor, x, self.config.embed_dim, batch_size, self).numpy()

    @torch.no_grad()
    def class_prototypes(self, class_sentences: Sequence[Sequence[str] | str]) -> torch.Tensor:
        """One normalised prototype per class (C, embed_dim): the mean of the embeddings of its
        sentences (one sentence: the one-template classifier; several: an ensemble)."""
        if len(class_sentences) == 0:
            raise ValueError("zero-shot classification needs at least one class")
        groups = [[s] if isinstance(s, str) else list(s) for s in class_sentences]
        if any(len(g) == 0 for g in groups):
            raise ValueError("every class needs at least one sentence")
        flat = self.embed_text([s for g in groups for s in g]).float().cpu()
        sizes = [len(g) for g in groups]
        return F.normalize(torch.stack([part.mean(0) for part in flat.split(sizes)]), dim=-1)

    def classify(self, x, activities: Sequence[str], mode: str = AUTO, dataset: str | None = None,
                 batch_size: int = 1024) -> Classification:
        """Recognise free-text ``activities`` in (N, 3, T) windows zero-shot: each window gets the
        activity whose sentences (under sentence ``mode``, see :func:`wearclip.text.class_sentences`;
        ``auto``: the mode the model was pre-trained with) are most similar. ``dataset`` names a
        shipped vocabulary to draw knowledge from."""
        from ..text import class_sentences

        activities = list(activities)
        prototypes = self.class_prototypes(class_sentences(activities, self.config.recognition_mode(mode), dataset))
        scores = self.encode_windows(x, batch_size) @ prototypes.numpy().T
        return Classification(activities=activities, labels=np.array(activities, dtype=object)[scores.argmax(1)],
                              scores=scores)

    def scale(self) -> torch.Tensor:
        """The logit scale exp(s), with s clamped at ``logit_scale_max``."""
        return self.logit_scale.clamp(max=self.config.logit_scale_max).exp()

    def similarity(self, sensor: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Scaled cosine similarities between normalised sensor and text embeddings."""
        return self.scale() * sensor @ text.T
