"""The video bridge: sensor windows <-> videos through X-CLIP's shared video-text space.

A WearClip model pre-trained against a frozen X-CLIP text tower (``text_encoder`` = an X-CLIP id or
folder, projected EOS pooling) maps sensor windows and X-CLIP *text* embeddings into one space through its
two heads. X-CLIP embeds videos into the space of its text tower, so its video embeddings go through the
same text head as the sentences did (scaled like the text features it was trained on), and cosine
similarity then compares a window with a video (the study's Sec. 7.3). Videos are embedded from frames
sampled uniformly over their length (decoded with PyAV) or loaded from a precomputed embeddings file
(``.npz`` with ``names`` and ``embeddings``).

The X-CLIP video embedding is its prompt-free ``get_video_features`` (frames -> vision tower ->
projection -> multi-frame integration transformer); X-CLIP's video-conditioned text prompts are not
used, because the sensor side was trained against unconditioned text embeddings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..errors import DataFormatError
from ..io import atomic_path
from ..models.wearclip import WearClip
from ..text.templates import base_sentence
from .index import Backend, EmbeddingIndex

XCLIP_DEFAULT = "microsoft/xclip-base-patch32"
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg")


def frame_indices(total: int, count: int) -> np.ndarray:
    """``count`` frame indices spread uniformly over ``total`` frames: the centre of each equal segment."""
    if total < 1:
        raise ValueError("a video needs at least one frame")
    return np.minimum(((np.arange(count) + 0.5) * total / count).astype(np.int64), total - 1)


def read_frames(path: str | Path, count: int) -> np.ndarray:
    """``count`` RGB frames (count, height, width, 3) uint8 sampled uniformly over a video file."""
    try:
        import av
    except ImportError:
        raise ImportError("decoding videos needs PyAV: pip install 'wearclip[video]'") from None

    path = Path(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataFormatError(f"{path}: no video stream")
            stream = container.streams.video[0]
            total = stream.frames or sum(1 for _ in container.decode(stream))
            wanted = frame_indices(total, count)
            container.seek(0)
            picked: dict[int, np.ndarray] = {}
            for i, frame in enumerate(container.decode(stream)):
                if i in wanted:
                    picked[i] = frame.to_ndarray(format="rgb24")
                if i >= wanted[-1]:
                    break
    except av.error.FFmpegError as error:
        raise DataFormatError(f"{path}: cannot decode video ({error})") from None
    if not picked:
        raise DataFormatError(f"{path}: no decodable frames")
    last = max(picked)  # a container may announce more frames than it holds
    return np.stack([picked.get(i, picked[last]) for i in np.minimum(wanted, last)])


def video_files(paths: Iterable[str | Path]) -> list[Path]:
    """Video files named directly, or found (sorted) inside folders by their suffix."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such video file or folder")
    if not files:
        raise FileNotFoundError(f"no video files ({', '.join(VIDEO_SUFFIXES)}) in {', '.join(map(str, paths))}")
    return files


@dataclass
class VideoEmbeddings:
    """Normalised X-CLIP video embeddings (v, d) float32 with a name per video and the model that made them."""

    names: list[str]
    embeddings: np.ndarray
    model: str

    def __post_init__(self) -> None:
        if self.embeddings.ndim != 2 or len(self.names) != len(self.embeddings):
            raise ValueError(f"{len(self.names)} names for embeddings of shape {self.embeddings.shape}")

    def save(self, path: str | Path) -> Path:
        """Write an ``.npz`` (names, embeddings, model) atomically."""
        path = Path(path)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, names=np.asarray(self.names, dtype=str), embeddings=self.embeddings.astype(np.float32),
                     model=np.asarray(self.model))
        return path

    @classmethod
    def load(cls, path: str | Path) -> VideoEmbeddings:
        """Read an ``.npz`` with ``names`` (v,) strings and ``embeddings`` (v, d); ``model`` is optional."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                missing = {"names", "embeddings"} - set(data.files)
                if missing:
                    raise DataFormatError(f"{path}: missing arrays {sorted(missing)} (expected names (v,), embeddings (v, d))")
                names, embeddings = data["names"], data["embeddings"]
                model = str(data["model"]) if "model" in data.files else "unknown"
        except (OSError, ValueError) as error:
            if isinstance(error, DataFormatError):
                raise
            raise DataFormatError(f"{path}: not a video embeddings .npz ({error})") from None
        if names.ndim != 1 or embeddings.ndim != 2 or len(names) != len(embeddings):
            raise DataFormatError(f"{path}: names {names.shape} and embeddings {embeddings.shape} do not match "
                                  "(expected names (v,), embeddings (v, d))")
        if not np.isfinite(embeddings).all():
            raise DataFormatError(f"{path}: embeddings contain NaN or infinite values")
        unit = F.normalize(torch.as_tensor(embeddings, dtype=torch.float32), dim=1).numpy()
        return cls([str(n) for n in names], unit, model)


class VideoEncoder:
    """X-CLIP's video tower and frame preprocessing, loaded by Hugging Face id or local folder."""

    def __init__(self, name_or_path: str = XCLIP_DEFAULT, device: str | torch.device = "cpu") -> None:
        from transformers import AutoImageProcessor, XCLIPModel

        self.name = str(name_or_path)
        self.device = torch.device(device)
        try:
            self.model = XCLIPModel.from_pretrained(self.name).to(self.device).eval()
            self.processor = AutoImageProcessor.from_pretrained(self.name)
        except OSError as error:
            raise OSError(f"X-CLIP model {self.name!r} is not available here: pass a local folder, or run once "
                          f"with internet so Hugging Face caches it ({error.__class__.__name__})") from None
        self.model.requires_grad_(False)

    @property
    def num_frames(self) -> int:
        """Frames per video the model was trained with (8 for xclip-base-patch32)."""
        return int(self.model.config.vision_config.num_frames)

    @property
    def dim(self) -> int:
        return int(self.model.config.projection_dim)

    @torch.no_grad()
    def encode_frames(self, videos: Sequence[np.ndarray]) -> torch.Tensor:
        """Normalised embeddings (b, dim) of videos given as (frames, height, width, 3) uint8 arrays."""
        pixels = self.processor([list(v) for v in videos], return_tensors="pt")["pixel_values"]
        features = self.model.get_video_features(pixel_values=pixels.to(self.device)).pooler_output
        return F.normalize(features.float(), dim=-1).cpu()

    def encode(self, paths: Sequence[str | Path], batch_size: int = 8) -> VideoEmbeddings:
        """Embed video files, ``batch_size`` at a time."""
        parts = [
            self.encode_frames([read_frames(p, self.num_frames) for p in paths[i : i + batch_size]])
            for i in range(0, len(paths), batch_size)
        ]
        return VideoEmbeddings([str(p) for p in paths], torch.cat(parts).numpy(), self.name)


def reference_sentences(index: EmbeddingIndex) -> list[str]:
    """Sentences whose text-encoder features set the scale of video features: the index's classes in the
    study's base template (any activity sentences would do; their feature norms barely differ)."""
    return [base_sentence(c) for c in index.info.classes] or [base_sentence("an everyday activity")]


def video_space(model: WearClip, videos: VideoEmbeddings, reference: Sequence[str]) -> torch.Tensor:
    """Videos in the model's sensor-text space: X-CLIP video embeddings through the text head.

    X-CLIP's towers share directions, not norms, and the text head was trained on unnormalised text
    features; so each (unit) video embedding is scaled to the mean norm of the text features of the
    ``reference`` sentences before the head."""
    if videos.embeddings.shape[1] != model.config.text_dim:
        raise ValueError(f"video embeddings have dimension {videos.embeddings.shape[1]} but the model's text head "
                         f"takes {model.config.text_dim}: pre-train against the X-CLIP text tower whose video "
                         f"tower made them (text_encoder={model.config.text_encoder!r})")
    norm = model.text_features(list(reference)).norm(dim=1).mean()
    with torch.no_grad():
        return model.encode_text_features(torch.as_tensor(videos.embeddings) * norm).cpu()


def sensor_to_video(index: EmbeddingIndex, model: WearClip, videos: VideoEmbeddings, window_ids: Sequence[int],
                    k: int = 5) -> pd.DataFrame:
    """The ``k`` videos closest to each of the given indexed windows."""
    ids = np.asarray(window_ids, dtype=np.int64)
    if ((ids < 0) | (ids >= len(index))).any():
        raise IndexError(f"window ids must lie in [0, {len(index)}) for {index.path}")
    targets = video_space(model, videos, reference_sentences(index))
    top = (torch.from_numpy(index.vectors(ids)) @ targets.T).topk(min(k, len(videos.names)), dim=1)
    per = top.indices.shape[1]
    windows = index.manifest.iloc[np.repeat(ids, per)].reset_index(drop=True)
    windows.insert(0, "similarity", top.values.numpy().ravel())
    windows.insert(0, "video", np.asarray(videos.names, dtype=object)[top.indices.numpy().ravel()])
    windows.insert(0, "rank", np.tile(np.arange(1, per + 1), len(ids)))
    windows.insert(0, "id", np.repeat(ids, per))
    return windows


def video_to_sensor(index: EmbeddingIndex, model: WearClip, videos: VideoEmbeddings, k: int = 5,
                    backend: Backend = "exact") -> pd.DataFrame:
    """The ``k`` indexed windows closest to each video."""
    targets = video_space(model, videos, reference_sentences(index))
    return index.hits(*index.search(targets, k, backend), queries=videos.names)
