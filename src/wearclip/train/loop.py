"""The epoch loop shared by every trainer: shuffled batches, AdamW, early stopping on a validation score."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field
from torch import nn

from ..runtime import seed_everything


class TrainConfig(BaseModel):
    """Optimisation settings shared by pre-training and baselines."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(40, ge=1)
    batch_size: int = Field(256, ge=2)
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    patience: int = Field(8, ge=1)
    seed: int = 0


@dataclass
class TrainResult:
    """The best model (by validation score), when it was reached, and the per-epoch history."""

    model: nn.Module
    best_epoch: int
    best_score: float
    history: list[dict] = field(default_factory=list)


def batch_indices(n: int, batch_size: int, generator: torch.Generator) -> Iterator[np.ndarray]:
    """Shuffled index batches covering ``n`` items once; the last short batch is dropped if tiny."""
    order = torch.randperm(n, generator=generator).numpy()
    for i in range(0, n, batch_size):
        batch = np.sort(order[i : i + batch_size])  # sorted reads are faster on memmaps
        if len(batch) >= 2:
            yield batch


def fit(
    model: nn.Module,
    n_train: int,
    step: Callable[[np.ndarray, torch.Generator], torch.Tensor],
    validate: Callable[[], float],
    config: TrainConfig,
    parameters=None,
    on_epoch: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Run epochs of ``step`` (returns the batch loss) until validation stops improving.

    ``validate`` returns a score where higher is better; the best weights are kept and restored.
    """
    generator = seed_everything(config.seed)
    params = [p for p in (parameters if parameters is not None else model.parameters()) if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    best_score, best_epoch, best_state, history = -float("inf"), -1, None, []
    for epoch in range(config.epochs):
        model.train()
        losses = []
        for batch in batch_indices(n_train, config.batch_size, generator):
            loss = step(batch, generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        score = validate()
        record = {"epoch": epoch, "loss": float(np.mean(losses)), "val_score": score}
        history.append(record)
        if on_epoch:
            on_epoch(record)
        if score > best_score:
            best_score, best_epoch, best_state = score, epoch, copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= config.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model=model, best_epoch=best_epoch, best_score=best_score, history=history)
