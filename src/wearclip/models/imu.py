"""IMU encoders, registered by name. Input contract: (B, 3, T) accelerometer in g at 50 Hz,
normalised per channel by the model; output (B, out_dim)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

_ENCODERS: dict[str, Callable[..., nn.Module]] = {}


def register_imu_encoder(name: str):
    """Class decorator adding an encoder to the registry under ``name``."""

    def add(cls):
        if name in _ENCODERS:
            raise ValueError(f"IMU encoder {name!r} registered twice")
        _ENCODERS[name] = cls
        return cls

    return add


def imu_encoders() -> list[str]:
    """Registered encoder names."""
    return sorted(_ENCODERS)


def build_imu_encoder(name: str, **kwargs) -> nn.Module:
    """Instantiate a registered encoder; it exposes ``out_dim``."""
    if name not in _ENCODERS:
        raise KeyError(f"unknown IMU encoder {name!r}; registered: {', '.join(imu_encoders())}")
    return _ENCODERS[name](**kwargs)


@register_imu_encoder("conv")
class ConvEncoder(nn.Module):
    """The study's convolutional encoder: three Conv1d blocks (32/64/96 channels, kernels 24/16/8),
    ReLU and dropout 0.1 after each, then global max pooling over time. Output dim 96.

    Valid (unpadded) convolutions: a 100-sample window leaves 55 time steps before pooling.
    """

    def __init__(
        self,
        in_channels: int = 3,
        channels: Sequence[int] = (32, 64, 96),
        kernels: Sequence[int] = (24, 16, 8),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if len(channels) != len(kernels):
            raise ValueError("channels and kernels must have the same length")
        layers: list[nn.Module] = []
        width = in_channels
        for out, kernel in zip(channels, kernels):
            layers += [nn.Conv1d(width, out, kernel), nn.ReLU(), nn.Dropout(dropout)]
            width = out
        self.net = nn.Sequential(*layers)
        self.out_dim = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).amax(dim=-1)
