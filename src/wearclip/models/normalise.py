"""Per-channel input normalisation, the one every model applies to raw (B, 3, T) windows in g.

The statistics come from the training windows (:func:`~wearclip.data.windows.channel_stats`) and are
buffers, so they travel with the weights and a saved model normalises exactly as it did in training.
"""

from __future__ import annotations

import torch
from torch import nn

from ..data.windows import channel_stats


class Normalised(nn.Module):
    """Base of models that standardise their input per channel. ``statistics`` names the two buffers
    (WearClip keeps ``sensor_mean`` / ``sensor_std``, the keys of its existing checkpoints)."""

    statistics: tuple[str, str] = ("mean", "std")

    def __init__(self, channels: int = 3) -> None:
        super().__init__()
        mean, std = self.statistics
        self.register_buffer(mean, torch.zeros(channels))
        self.register_buffer(std, torch.ones(channels))

    def set_normalization(self, mean, std) -> None:
        """Per-channel statistics (from the training windows) applied to every input."""
        for name, value in zip(self.statistics, (mean, std)):
            getattr(self, name).copy_(torch.as_tensor(value, dtype=torch.float32))

    def fit_normalization(self, x) -> None:
        """Set the statistics from (N, 3, T) training windows (an array or a memmap, read in chunks)."""
        self.set_normalization(*channel_stats(x))

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        """(x - mean) / std per channel of (B, C, T) windows."""
        mean, std = (getattr(self, name)[None, :, None] for name in self.statistics)
        return (x - mean) / std
