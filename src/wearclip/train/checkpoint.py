"""Checkpoint folders of the trainer, written atomically: the model as a saved-model folder
(:mod:`wearclip.models.saving`), the whole objective's weights as safetensors, the optimiser,
scheduler and random-number states as a ``torch.save`` file read back with ``weights_only=True``,
counters and history as JSON."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..io import atomic_directory
from ..models.saving import write_model, write_weights

OBJECTIVE_WEIGHTS = "objective.safetensors"
TRAINER_STATE = "trainer.pt"
STATE_JSON = "state.json"


@dataclass
class TrainState:
    """Where a run stands, as ``state.json`` of a resumable checkpoint records it: the next epoch and
    batch, steps done, the epoch's loss so far, the best score and epoch, the epoch records, whether
    training has finished, and what the run must match to be resumed (monitor, seed)."""

    monitor: str
    seed: int
    best_score: float
    world_size: int = 1
    epoch: int = 0
    batch: int = 0
    step: int = 0
    loss_sum: float = 0.0
    best_epoch: int = -1
    history: list[dict] = field(default_factory=list)
    done: bool = False

    def as_json(self) -> dict:
        """The fields in the order checkpoints have always written them."""
        order = ("epoch", "batch", "step", "loss_sum", "best_score", "best_epoch", "history", "done", "monitor",
                 "world_size", "seed")
        return {name: getattr(self, name) for name in order}


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


def load_state(folder: Path) -> TrainState:
    """The counters of a resumable checkpoint folder."""
    path = folder / STATE_JSON
    try:
        return TrainState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, TypeError) as error:
        raise ValueError(f"{path}: not a readable trainer state ({error})") from None


def load_trainer(folder: Path) -> dict:
    """Optimiser, scheduler and random states of a resumable checkpoint (tensors and plain data only)."""
    return torch.load(folder / TRAINER_STATE, map_location="cpu", weights_only=True)
