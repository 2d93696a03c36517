"""WearClip: an IMU encoder and a text encoder (frozen, or fine-tuned) projected into one embedding space."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from pydantic import ConfigDict, Field
from safetensors.torch import load_file, save_file
from torch import nn

from ..compat import AddedOptions
from ..io import atomic_directory
from ..preprocess import WindowConfig
from ..text.encoders import DEFAULT_TEXT_ENCODER, TextEncoder, default_text_encoder
from .heads import ProjectionHead
from .imu import build_imu_encoder

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


class WearClipConfig(AddedOptions):
    """Everything needed to rebuild a WearClip model; saved beside its weights."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("text_trainable",)

    imu_encoder: str = "conv"
    imu_kwargs: dict = Field(default_factory=dict)
    text_encoder: str = DEFAULT_TEXT_ENCODER
    text_pooling: str = Field("auto", description="auto: projected EOS for CLIP/X-CLIP, mean otherwise")
    text_dim: int = Field(384, gt=0)
    embed_dim: int = Field(128, gt=0)
    head_hidden: int = Field(256, gt=0)
    head_depth: int = Field(2, ge=1)
    head_dropout: float = Field(0.0, ge=0, lt=1)
    text_head_hidden: int | None = Field(None, gt=0, description="text head width; None = head_hidden")
    text_head_depth: int | None = Field(None, ge=1, description="text head depth; None = head_depth")
    simclr_dim: int = Field(0, ge=0, description="output width of SLIP's SimCLR head; 0 = no SimCLR head")
    text_trainable: bool = Field(False, description="fine-tune the text encoder with the model (its weights are then "
                                                    "part of the checkpoint); false: frozen, shared and cached")
    logit_scale_init: float = math.log(1 / 0.07)
    logit_scale_max: float = math.log(100)
    window: WindowConfig = Field(default_factory=WindowConfig)
    vocabulary_version: str | None = None
    pretrained_on: list[str] = Field(default_factory=list)


class WearClip(nn.Module):
    """Sensor tower (normalisation, IMU encoder, projection head), text projection head, logit scale,
    and (when ``simclr_dim`` > 0) the separate SimCLR projection head SLIP trains beside CLIP.

    By default the text encoder is frozen and shared (see :func:`default_text_encoder`), so the model
    stores only its projection head; ``encode_text_features`` takes pooled text embeddings, which
    lets training look them up from a cache instead of running the text encoder each step. With
    ``text_trainable`` the model owns a trainable copy (``text_encoder``), fine-tuned in pre-training
    and saved with the other weights.
    """

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
        self.register_buffer("sensor_mean", torch.zeros(3))
        self.register_buffer("sensor_std", torch.ones(3))

    def set_normalization(self, mean, std) -> None:
        """Per-channel statistics (from the training windows) applied to every input."""
        self.sensor_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.sensor_std.copy_(torch.as_tensor(std, dtype=torch.float32))

    def sensor_features(self, x: torch.Tensor) -> torch.Tensor:
        """IMU encoder output for raw (B, 3, T) windows in g, before projection."""
        x = (x - self.sensor_mean[None, :, None]) / self.sensor_std[None, :, None]
        return self.imu(x)

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

    def encode_text(self, sentences: Sequence[str]) -> torch.Tensor:
        """L2-normalised embeddings of sentences."""
        return self.encode_text_features(self.text_features(sentences).to(self.logit_scale.device))

    def scale(self) -> torch.Tensor:
        """The logit scale exp(s), with s clamped at ``logit_scale_max``."""
        return self.logit_scale.clamp(max=self.config.logit_scale_max).exp()

    def similarity(self, sensor: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Scaled cosine similarities between normalised sensor and text embeddings."""
        return self.scale() * sensor @ text.T

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``config.json`` and ``model.safetensors`` atomically into ``directory``."""
        directory = Path(directory)
        with atomic_directory(directory) as tmp:
            (tmp / CONFIG_NAME).write_text(self.config.model_dump_json(indent=2) + "\n", encoding="utf-8")
            state = {k: v.detach().cpu().contiguous() for k, v in self.state_dict().items()}
            save_file(state, str(tmp / WEIGHTS_NAME), metadata={"format": "pt", "library": "wearclip"})
        return directory

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, map_location: str | torch.device = "cpu") -> WearClip:
        """Load a checkpoint folder (or a Hugging Face repo id, where the hub is reachable)."""
        path = Path(name_or_path)
        if not path.is_dir():
            try:
                from huggingface_hub import snapshot_download

                path = Path(snapshot_download(str(name_or_path)))
            except Exception as error:
                raise FileNotFoundError(
                    f"{name_or_path}: not a checkpoint folder, and not downloadable ({error.__class__.__name__})"
                ) from None
        for name in (CONFIG_NAME, WEIGHTS_NAME):
            if not (path / name).is_file():
                raise FileNotFoundError(f"{path / name}: missing; a WearClip checkpoint has {CONFIG_NAME} and {WEIGHTS_NAME}")
        config = WearClipConfig.model_validate(json.loads((path / CONFIG_NAME).read_text(encoding="utf-8")))
        model = cls(config)
        model.load_state_dict(load_file(str(path / WEIGHTS_NAME), device=str(map_location)))
        return model.eval()
