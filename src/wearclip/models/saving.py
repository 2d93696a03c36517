"""Model folders in the Hugging Face layout: ``config.json`` (the pydantic config that rebuilds the
model) beside ``model.safetensors`` (its state dict), written atomically so a crash never leaves half
a checkpoint. Every saved model and the trainer's checkpoints go through here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import torch
from pydantic import BaseModel, ValidationError
from safetensors.torch import load_file, save_file
from torch import nn

from ..errors import CheckpointError, MissingFileError, validation_message
from ..io import atomic_directory

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
PRETRAINED = Path(__file__).parent / "pretrained"
"""Models shipped inside the package, one folder each, loadable offline by their folder's name."""


def shipped_models() -> list[str]:
    """Names of the models shipped inside the package."""
    return sorted(p.name for p in PRETRAINED.iterdir() if (p / CONFIG_NAME).is_file()) if PRETRAINED.is_dir() else []


def write_weights(module: nn.Module, path: Path) -> None:
    """A module's state dict as safetensors (copied: safetensors refuses shared storage)."""
    state = {k: v.detach().cpu().clone().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(path), metadata={"format": "pt", "library": "wearclip"})


def read_weights(module: nn.Module, path: Path, device: str | torch.device | None = None) -> None:
    """Load safetensors weights into ``module`` (on ``device``, default the module's), every key required."""
    if device is None:
        device = next((t.device for t in module.state_dict().values()), torch.device("cpu"))
    module.load_state_dict(load_file(str(path), device=str(device)))


def write_model(module: nn.Module, folder: Path) -> None:
    """Weights, plus ``config.json`` when the module carries a pydantic ``config``, into an existing folder."""
    write_weights(module, folder / WEIGHTS_NAME)
    config = getattr(module, "config", None)
    if isinstance(config, BaseModel):
        (folder / CONFIG_NAME).write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")


def checkpoint_folder(name_or_path: str | Path) -> Path:
    """A checkpoint folder: the path itself, else a shipped model's name, else a Hugging Face repo id
    downloaded (where reachable)."""
    path = Path(name_or_path)
    if path.is_dir():
        return path
    if str(name_or_path) in shipped_models():
        return PRETRAINED / str(name_or_path)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(name_or_path)))
    except Exception as error:
        raise MissingFileError(
            f"{name_or_path}: not a checkpoint folder, and not downloadable ({error.__class__.__name__})"
        ) from None


class Saveable:
    """Mixin of ``nn.Module`` models saved as folders. ``save_pretrained`` writes the folder;
    ``load_weights`` reads its weights into a built model; ``from_pretrained`` (for models whose
    ``config_class`` rebuilds them) does both."""

    config_class: ClassVar[type[BaseModel] | None] = None

    def save_pretrained(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write ``config.json`` (when the model has a config) and ``model.safetensors`` atomically (see
        :func:`wearclip.io.atomic_directory` for when an existing folder is replaced)."""
        directory = Path(directory)
        with atomic_directory(directory, "checkpoint", overwrite) as tmp:
            write_model(self, tmp)
        return directory

    def load_weights(self, directory: str | Path, map_location: str | torch.device | None = None):
        """Read a folder's ``model.safetensors`` into this model (every key required); returns it in eval mode."""
        path = Path(directory) / WEIGHTS_NAME
        if not path.is_file():
            raise CheckpointError(f"{path}: missing; a saved {type(self).__name__} has {WEIGHTS_NAME}")
        if map_location is None:
            map_location = next((t.device for t in self.state_dict().values()), torch.device("cpu"))
        try:
            state = load_file(str(path), device=str(map_location))
        except Exception as error:  # safetensors raises its own error type for truncated or corrupt files
            raise CheckpointError(f"{path}: not readable safetensors ({str(error).splitlines()[0]})") from None
        own = self.state_dict()
        missing, unexpected = sorted(own.keys() - state.keys()), sorted(state.keys() - own.keys())
        shapes = sorted(k for k, v in own.items() if k in state and state[k].shape != v.shape)
        if missing or unexpected or shapes:
            first = (missing or unexpected or shapes)[0]
            raise CheckpointError(f"{path}: weights do not match the model ({len(missing)} missing, "
                                  f"{len(unexpected)} unexpected, {len(shapes)} of another shape, e.g. {first!r})")
        self.load_state_dict(state)
        return self.eval()

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, map_location: str | torch.device = "cpu"):
        """Rebuild the model from a folder's ``config.json`` and load its weights (or a Hugging Face
        repo id, where the hub is reachable)."""
        if cls.config_class is None:
            raise TypeError(f"{cls.__name__} has no config_class: build it, then load_weights(folder)")
        path = checkpoint_folder(name_or_path)
        for name in (CONFIG_NAME, WEIGHTS_NAME):
            if not (path / name).is_file():
                raise CheckpointError(f"{path / name}: missing; a {cls.__name__} checkpoint has "
                                      f"{CONFIG_NAME} and {WEIGHTS_NAME}")
        try:
            config = cls.config_class.model_validate(json.loads((path / CONFIG_NAME).read_text(encoding="utf-8")))
        except ValueError as error:  # JSON syntax (json.JSONDecodeError) or schema (pydantic.ValidationError)
            detail = validation_message(error) if isinstance(error, ValidationError) else str(error)
            raise CheckpointError(f"{path / CONFIG_NAME}: not a {cls.config_class.__name__} config ({detail})") from None
        try:
            model = cls(config)
        except (KeyError, ValueError, TypeError) as error:  # unknown encoder, its options, a too-short window
            raise CheckpointError(f"{path / CONFIG_NAME}: {error.args[0] if error.args else error}") from None
        return model.load_weights(path, map_location)
