"""Finding things by name: models (a shipped name, a checkpoint folder or a Hugging Face id), IMU
encoders, run presets and datasets. ``wearclip.load`` and ``wearclip.list_*`` are these functions."""

from __future__ import annotations

from pathlib import Path

import torch

from .imu import imu_encoders
from .saving import shipped_models
from .wearclip import WearClip


def list_models() -> list[str]:
    """Names of the models shipped inside the package (loadable offline by name)."""
    return shipped_models()


def load(name_or_dir: str | Path, device: str | torch.device = "cpu") -> WearClip:
    """A WearClip model in eval mode: a shipped name (see :func:`list_models`), a checkpoint folder
    (``config.json`` + ``model.safetensors``, e.g. ``runs/demo/checkpoint``) or a Hugging Face id."""
    return WearClip.from_pretrained(name_or_dir, map_location=device)


def list_encoders() -> list[str]:
    """Registered IMU encoder architectures (``model.imu_encoder``)."""
    return imu_encoders()


def list_presets() -> list[str]:
    """Shipped pre-training presets (``wearclip pretrain PRESET``)."""
    from ..config.presets import presets

    return presets()


def list_datasets() -> list[str]:
    """Registered dataset loaders (official layouts and the generic folder format)."""
    from ..data.datasets import names

    return names()
