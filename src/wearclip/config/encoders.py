"""Typed options of the IMU encoders (``model.imu_kwargs``), one validated model per encoder: the
single place their defaults live. An unknown option is an error naming it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EncoderOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_channels: int = Field(3, ge=1)


class ConvOptions(EncoderOptions):
    """The study's convolutional encoder: valid Conv1d blocks, ReLU and dropout after each."""

    channels: tuple[int, ...] = Field((32, 64, 96), min_length=1)
    kernels: tuple[int, ...] = Field((24, 16, 8), min_length=1)
    dropout: float = Field(0.1, ge=0, lt=1)


class ResNet1DOptions(EncoderOptions):
    """Residual blocks of three same-padded convolutions (Wang et al., 2017)."""

    channels: tuple[int, ...] = Field((64, 128, 128), min_length=1)
    kernels: tuple[int, ...] = Field((8, 5, 3), min_length=1)


class DeepConvLSTMOptions(EncoderOptions):
    """Valid convolutions over time, then an LSTM (Ordóñez & Roggen, 2016)."""

    filters: int = Field(64, ge=1)
    kernel: int = Field(5, ge=1)
    conv_layers: int = Field(4, ge=1)
    hidden: int = Field(128, ge=1)
    lstm_layers: int = Field(2, ge=1)
    dropout: float = Field(0.5, ge=0, lt=1)


ENCODER_OPTIONS: dict[str, type[EncoderOptions]] = {
    "conv": ConvOptions,
    "resnet1d": ResNet1DOptions,
    "deepconvlstm": DeepConvLSTMOptions,
}
"""Options model per encoder name; an encoder registered later may add its own."""


def encoder_options(encoder: str, options: dict) -> dict:
    """The complete, validated keyword arguments of ``encoder`` given ``options`` (an encoder without
    an options model gets ``options`` unchanged); a ValueError names each bad option."""
    schema = ENCODER_OPTIONS.get(encoder)
    if schema is None:
        return dict(options)
    try:
        return dict(schema.model_validate(options))
    except ValidationError as error:
        problems = [f"{'.'.join(str(p) for p in problem['loc']) or '(options)'}: "
                    f"{'unknown option' if problem['type'] == 'extra_forbidden' else problem['msg']}"
                    for problem in error.errors()]
        raise ValueError(f"{encoder} encoder options: {'; '.join(problems)} "
                         f"(accepted: {', '.join(schema.model_fields)})") from None
