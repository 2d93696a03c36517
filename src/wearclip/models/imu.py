"""IMU encoders, registered by name.

Input contract of every encoder: (B, 3, T) float32 accelerometer windows at 50 Hz, already
normalised per channel (``WearClip`` applies the training statistics before calling the encoder),
with T >= ``min_length``. Output: (B, ``out_dim``) features, before any projection head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ..config.encoders import (
    ENCODER_OPTIONS,
    ConvOptions,
    DeepConvLSTMOptions,
    EncoderOptions,
    ResNet1DOptions,
    encoder_options,
)
from ..errors import UnknownNameError

_ENCODERS: dict[str, Callable[..., nn.Module]] = {}


def register_imu_encoder(name: str, options: type[EncoderOptions] | None = None):
    """Class decorator adding an encoder to the registry under ``name``, with the pydantic model of
    its keyword arguments (``options``: validated, defaults filled in; without one they pass as given)."""

    def add(cls):
        if name in _ENCODERS:
            raise ValueError(f"IMU encoder {name!r} registered twice")
        _ENCODERS[name] = cls
        if options is not None:
            ENCODER_OPTIONS[name] = options
        return cls

    return add


def imu_encoders() -> list[str]:
    """Registered encoder names."""
    return sorted(_ENCODERS)


def build_imu_encoder(name: str, **options) -> nn.Module:
    """Instantiate a registered encoder with its validated options (defaults from its options model in
    :mod:`wearclip.config.encoders`); it exposes ``out_dim`` and ``min_length``."""
    if name not in _ENCODERS:
        raise UnknownNameError(f"unknown IMU encoder {name!r}; registered: {', '.join(imu_encoders())}")
    return _ENCODERS[name](**encoder_options(name, options))


@register_imu_encoder("conv", ConvOptions)
class ConvEncoder(nn.Module):
    """The study's convolutional encoder: three Conv1d blocks (32/64/96 channels, kernels 24/16/8),
    ReLU and dropout 0.1 after each, then global max pooling over time. Output dim 96.

    Valid (unpadded) convolutions: a 100-sample window leaves 55 time steps before pooling, and a
    window needs at least ``sum(kernels) - len(kernels) + 1`` samples (46 by default).
    """

    def __init__(self, *, in_channels: int, channels: Sequence[int], kernels: Sequence[int], dropout: float) -> None:
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
        self.min_length = sum(kernels) - len(kernels) + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).amax(dim=-1)


class ResidualBlock(nn.Module):
    """Three same-padded Conv1d + BatchNorm layers (ReLU between) with an identity or 1x1 shortcut."""

    def __init__(self, in_channels: int, out_channels: int, kernels: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_channels
        for i, kernel in enumerate(kernels):
            layers += [nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0),  # "same" length, even kernels too
                       nn.Conv1d(width, out_channels, kernel, bias=False), nn.BatchNorm1d(out_channels)]
            if i < len(kernels) - 1:
                layers.append(nn.ReLU())
            width = out_channels
        self.body = nn.Sequential(*layers)
        self.shortcut = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Sequential(nn.Conv1d(in_channels, out_channels, 1, bias=False), nn.BatchNorm1d(out_channels))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


@register_imu_encoder("resnet1d", ResNet1DOptions)
class ResNet1D(nn.Module):
    """The 1-D ResNet of Wang et al. (2017), "Time series classification from deep neural networks
    from scratch": residual blocks of three convolutions (kernels 8/5/3, same padding, BatchNorm,
    ReLU) with 64/128/128 channels, then global average pooling. Output dim = last block's channels
    (128). Any window length works (``min_length`` 1).
    """

    def __init__(self, *, in_channels: int, channels: Sequence[int], kernels: Sequence[int]) -> None:
        super().__init__()
        blocks, width = [], in_channels
        for out in channels:
            blocks.append(ResidualBlock(width, out, kernels))
            width = out
        self.blocks = nn.Sequential(*blocks)
        self.out_dim = width
        self.min_length = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(x).mean(dim=-1)


@register_imu_encoder("deepconvlstm", DeepConvLSTMOptions)
class DeepConvLSTM(nn.Module):
    """DeepConvLSTM (Ordóñez & Roggen, 2016): four valid convolutions over time (64 filters, kernel
    5, ReLU), dropout, then a 2-layer LSTM (128 units) whose last hidden state is the output
    (dim 128). A window needs at least ``4 * (kernel - 1) + 1`` samples (17 by default).
    """

    def __init__(self, *, in_channels: int, filters: int, kernel: int, conv_layers: int, hidden: int,
                 lstm_layers: int, dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_channels
        for _ in range(conv_layers):
            layers += [nn.Conv1d(width, filters, kernel), nn.ReLU()]
            width = filters
        self.conv = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(filters, hidden, num_layers=lstm_layers, batch_first=True,
                            dropout=dropout if lstm_layers > 1 else 0.0)
        self.out_dim = hidden
        self.min_length = conv_layers * (kernel - 1) + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.dropout(self.conv(x)).transpose(1, 2)  # (B, T', filters)
        output, _ = self.lstm(features)
        return output[:, -1]
