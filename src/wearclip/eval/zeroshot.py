"""Zero-shot recognition: classify windows by their most similar activity description."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..models.wearclip import WearClip


@torch.no_grad()
def embed_windows(model: WearClip, x: np.ndarray, batch_size: int = 1024) -> torch.Tensor:
    """Normalised sensor embeddings of (N, 3, T) windows, in batches (works on memmaps)."""
    model.eval()
    device = model.logit_scale.device
    out = [
        model.encode_sensor(torch.as_tensor(np.asarray(x[i : i + batch_size]), device=device)).cpu()
        for i in range(0, len(x), batch_size)
    ]
    return torch.cat(out) if out else torch.empty(0, model.config.embed_dim)


@torch.no_grad()
def window_features(model: WearClip, x: np.ndarray, batch_size: int = 1024) -> torch.Tensor:
    """IMU-encoder features (before the projection head) of (N, 3, T) windows, in eval mode.

    With the encoder frozen these never change, so head-only training computes them once.
    """
    model.eval()
    device = model.logit_scale.device
    out = [
        model.sensor_features(torch.as_tensor(np.asarray(x[i : i + batch_size]), device=device)).cpu()
        for i in range(0, len(x), batch_size)
    ]
    return torch.cat(out) if out else torch.empty(0, model.imu.out_dim)


class ZeroShotClassifier:
    """One prototype per class: the normalised mean of the embeddings of the class's sentences
    (a single sentence per class gives the one-template classifier; several give an ensemble)."""

    def __init__(self, model: WearClip, class_sentences: Sequence[Sequence[str] | str]) -> None:
        if len(class_sentences) == 0:
            raise ValueError("zero-shot classification needs at least one class")
        self.model = model
        groups = [[s] if isinstance(s, str) else list(s) for s in class_sentences]
        if any(len(g) == 0 for g in groups):
            raise ValueError("every class needs at least one sentence")
        with torch.no_grad():
            flat = model.encode_text([s for g in groups for s in g]).cpu()
        prototypes, i = [], 0
        for g in groups:
            prototypes.append(flat[i : i + len(g)].mean(0))
            i += len(g)
        self.prototypes = F.normalize(torch.stack(prototypes), dim=-1)

    def scores(self, x: np.ndarray) -> torch.Tensor:
        """(N, C) cosine similarities of windows to class prototypes."""
        return embed_windows(self.model, x) @ self.prototypes.T

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class index per window."""
        return self.scores(x).argmax(1).numpy()

    @torch.no_grad()
    def predict_features(self, features: torch.Tensor) -> np.ndarray:
        """Class index per window from precomputed :func:`window_features`."""
        self.model.eval()
        sensor = F.normalize(self.model.sensor_head(features.to(self.model.logit_scale.device)), dim=-1).cpu()
        return (sensor @ self.prototypes.T).argmax(1).numpy()
