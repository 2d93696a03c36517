"""Zero-shot recognition: classify windows by their most similar activity description."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .inference import batched
from .wearclip import WearClip


def window_features(model: WearClip, x: np.ndarray, batch_size: int = 1024) -> torch.Tensor:
    """IMU-encoder features (before the projection head) of (N, 3, T) windows, in eval mode.

    With the encoder frozen these never change, so head-only training computes them once.
    """
    return batched(model.sensor_features, x, model.imu.out_dim, batch_size, model)


class ZeroShotClassifier:
    """One prototype per class (see :meth:`WearClip.class_prototypes`): a window's class is the most
    similar prototype."""

    def __init__(self, model: WearClip, class_sentences: Sequence[Sequence[str] | str]) -> None:
        self.model = model
        self.prototypes = model.class_prototypes(class_sentences)

    def scores(self, x: np.ndarray, batch_size: int = 1024) -> torch.Tensor:
        """(N, C) cosine similarities of windows to class prototypes, a batch at a time (no (N, D)
        embeddings are held)."""
        return batched(self._scores, x, len(self.prototypes), batch_size, self.model)

    def predict(self, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Class index per window, a batch at a time (no (N, C) scores are held)."""
        best = batched(lambda b: self._scores(b).argmax(1, keepdim=True), x, 1, batch_size, self.model)
        return best[:, 0].long().numpy()

    def _scores(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.encode_sensor(x).float() @ self.prototypes.T.to(x.device)

    def predict_features(self, features: torch.Tensor) -> np.ndarray:
        """Class index per window from precomputed :func:`window_features` (in memory: one pass)."""
        sensor = batched(lambda f: F.normalize(self.model.sensor_head(f), dim=-1), features, self.model.config.embed_dim,
                         max(1, len(features)), self.model)
        return (sensor @ self.prototypes.T).argmax(1).numpy()
