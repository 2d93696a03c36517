"""Checkpoint folders of the trainer, written atomically: weights as safetensors, the optimiser,
scheduler and random-number states as a ``torch.save`` file read back with ``weights_only=True``,
counters and history as JSON."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import torch
from pydantic import BaseModel
from safetensors.torch import load_file, save_file
from torch import nn

from ..io import atomic_directory

MODEL_WEIGHTS = "model.safetensors"
MODEL_CONFIG = "config.json"
OBJECTIVE_WEIGHTS = "objective.safetensors"
TRAINER_STATE = "trainer.pt"
STATE_JSON = "state.json"


def write_weights(module: nn.Module, path: Path) -> None:
    """A module's state dict as safetensors (copied: safetensors refuses shared storage)."""
    state = {k: v.detach().cpu().clone().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(path), metadata={"format": "pt", "library": "wearclip"})


def write_model(module: nn.Module, folder: Path) -> None:
    """Weights plus ``config.json`` when the module carries a pydantic ``config`` (as WearClip does),
    so the folder loads with ``WearClip.from_pretrained``."""
    write_weights(module, folder / MODEL_WEIGHTS)
    config = getattr(module, "config", None)
    if isinstance(config, BaseModel):
        (folder / MODEL_CONFIG).write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")


def read_weights(module: nn.Module, path: Path) -> None:
    """Load safetensors weights into ``module`` (on its device), every key required."""
    device = next((t.device for t in module.state_dict().values()), torch.device("cpu"))
    module.load_state_dict(load_file(str(path), device=str(device)))


def rng_state() -> dict:
    """This process's random-number states: torch (CPU and CUDA), NumPy's global, Python's."""
    _, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
        "python": [version, list(internal), gauss_next],
    }


def set_rng_state(state: dict) -> None:
    """Restore what :func:`rng_state` captured."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))


def save_checkpoint(folder: Path, model: nn.Module, objective: nn.Module | None, trainer: dict | None,
                    state: dict) -> None:
    """Write a checkpoint folder atomically: the exported model, and for a resumable checkpoint the
    whole objective's weights and the trainer state."""
    with atomic_directory(folder, "trainer-checkpoint") as tmp:
        write_model(model, tmp)
        if objective is not None:
            write_weights(objective, tmp / OBJECTIVE_WEIGHTS)
        if trainer is not None:
            torch.save(trainer, tmp / TRAINER_STATE)
        (tmp / STATE_JSON).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def load_state(folder: Path) -> dict:
    """The JSON counters of a checkpoint folder."""
    path = folder / STATE_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable trainer state ({error})") from None


def load_trainer(folder: Path) -> dict:
    """Optimiser, scheduler and random states of a resumable checkpoint (tensors and plain data only)."""
    return torch.load(folder / TRAINER_STATE, map_location="cpu", weights_only=True)
