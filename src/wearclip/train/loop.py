"""The Trainer every training job shares: any objective module, AdamW with warm-up and cosine decay,
gradient clipping, bf16 autocast on CUDA, early stopping on a validation metric, atomic best/last
checkpoints, exact resume, and DDP under ``torchrun``.

An *objective* is an ``nn.Module`` whose ``forward(batch)`` returns a dict with a scalar ``"loss"``
(other scalars, e.g. ``"temperature"``, are logged). ``make_batch(GlobalBatch, device)`` builds its
input. ``validate()`` returns metrics (names starting ``val_``); early stopping minimises a monitored
metric whose name ends in ``loss`` and maximises any other.

Data order and per-step randomness are pure functions of ``(seed, epoch, step)``; the global batch
(``batch_size`` windows) is the same whatever the number of processes, each process taking a
contiguous share. So a run resumes exactly from a mid-epoch checkpoint, and a run on N processes
optimises the same objective as a run on one.
"""

from __future__ import annotations

import copy
import inspect
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..config.train import TrainConfig
from ..models.saving import WEIGHTS_NAME, read_weights
from ..runtime import seed_everything
from . import distributed
from .augment import RowRandom
from .checkpoint import (
    OBJECTIVE_WEIGHTS,
    TrainState,
    load_state,
    load_trainer,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from .records import MetricsLog


@dataclass
class TrainResult:
    """The best model (by the monitored metric), when it was reached, and the per-epoch history."""

    model: nn.Module
    best_epoch: int
    best_score: float
    history: list[dict] = field(default_factory=list)
    run_dir: Path | None = None


def derived_generator(seed: int, *keys: int) -> torch.Generator:
    """A torch generator whose stream depends only on ``seed`` and ``keys`` (e.g. epoch, step)."""
    state = np.random.SeedSequence([seed % 2**63, *keys]).generate_state(2, np.uint32)
    return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))


@dataclass(frozen=True)
class GlobalBatch:
    """One step's windows: ``indices`` of the global batch (sorted; the same on every process),
    ``rows`` this process's contiguous share, and a ``generator`` seeded by (seed, epoch, step)
    for the step's random draws (sentence choice, augmentation)."""

    indices: np.ndarray
    rows: slice
    generator: torch.Generator

    @property
    def local(self) -> np.ndarray:
        """Window indices this process loads."""
        return self.indices[self.rows]

    def random(self, local: bool = True) -> RowRandom:
        """Per-row draws for this process's rows (``local``) or for every row of the global batch."""
        return RowRandom(self.generator, len(self.indices), self.rows if local else slice(None))

    @classmethod
    def whole(cls, indices: np.ndarray, seed: int = 0) -> GlobalBatch:
        """A batch run by one process (validation, inference, tests)."""
        return cls(np.asarray(indices), slice(None), torch.Generator().manual_seed(seed))


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int, world: int = 1, rank: int = 0) -> Iterator[GlobalBatch]:
    """The epoch's global batches: a permutation of ``range(n)`` fixed by (seed, epoch), cut into
    ``batch_size`` pieces. The last piece is trimmed to a multiple of ``world`` and dropped below 2
    windows (a contrastive batch needs negatives). Indices are sorted for fast memmap reads."""
    order = torch.randperm(n, generator=derived_generator(seed, epoch)).numpy()
    for step, start in enumerate(range(0, n, batch_size)):
        chunk = order[start : start + batch_size]
        chunk = np.sort(chunk[: len(chunk) - len(chunk) % world])
        if len(chunk) < max(2, world):
            continue
        share = len(chunk) // world
        yield GlobalBatch(chunk, slice(rank * share, (rank + 1) * share), derived_generator(seed, epoch, step, 1))


def n_batches(n: int, batch_size: int, world: int = 1) -> int:
    """How many steps :func:`epoch_batches` yields per epoch."""
    full, rest = divmod(n, batch_size)
    return full + (rest - rest % world >= max(2, world))


def to_device(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """A NumPy array as a tensor on ``device``: pinned memory and a non-blocking copy on CUDA."""
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if device.type == "cuda":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


def lr_factor(step: int, warmup: int, total: int, schedule: str, min_ratio: float) -> float:
    """Multiplier of the base learning rate at ``step``: linear warm-up, then cosine (or constant)."""
    if step < warmup:
        return (step + 1) / warmup
    if schedule == "constant":
        return 1.0
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def param_groups(named: Sequence[tuple[str, nn.Parameter]], config: TrainConfig) -> list[dict]:
    """AdamW groups: weight matrices decay, biases, norms and scales do not (always these two groups
    first, at ``config.lr``, the rate that is logged); a trainable text encoder's parameters (names
    containing ``text_encoder.``) form two more groups at ``config.text_lr``."""
    rates = [config.lr] + ([config.text_lr] if config.text_lr is not None else [])
    groups = [{"params": [], "lr": lr, "weight_decay": decay} for lr in rates for decay in (config.weight_decay, 0.0)]
    for name, p in named:
        text = config.text_lr is not None and "text_encoder." in name
        groups[2 * text + (p.ndim < 2)]["params"].append(p)
    return groups


def minimise(metric: str) -> bool:
    """Loss-like metrics (names ending in ``loss``) improve downwards; scores upwards."""
    return metric.endswith("loss")


class Trainer:
    """Train ``objective`` over ``n_train`` windows; ``model`` (default: the objective) is what
    checkpoints export and ``fit`` returns with its best weights. ``parameters`` restricts training
    to a subset (e.g. heads only). With ``run_dir``, writes ``metrics.jsonl``, ``best/`` and
    ``last/``; ``fit(resume=True)`` continues from ``last/``.

    ``callbacks`` are objects told about progress on rank 0, through whichever of these methods they
    have: ``on_start(total_steps, description)`` once before training (``epochs`` times the steps per
    epoch; ``description`` names the recipe), ``on_record(record)`` for every record written to the
    log (``"kind"`` ``"step"`` every ``log_every`` steps, ``"epoch"`` with the validation score),
    ``on_end(result)`` after training."""

    def __init__(
        self,
        objective: nn.Module,
        n_train: int,
        make_batch: Callable[[GlobalBatch, torch.device], Any],
        config: TrainConfig,
        *,
        validate: Callable[[], dict[str, float]] | None = None,
        model: nn.Module | None = None,
        parameters=None,
        run_dir: str | Path | None = None,
        callbacks: Sequence[object] = (),
        description: str = "training",
    ) -> None:
        self.config = config
        self.device = distributed.setup(config.device)
        self.world, self.rank = distributed.world_size(), distributed.rank()
        if config.batch_size < 2 * self.world:
            raise ValueError(f"batch_size {config.batch_size} is too small for {self.world} processes")
        self.objective = objective.to(self.device)
        self.model = model if model is not None else objective
        self.n_train = n_train
        self.make_batch = make_batch
        self.validate = validate
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.callbacks, self.description = tuple(callbacks), description
        self.steps_per_epoch = n_batches(n_train, config.batch_size, self.world)
        if self.steps_per_epoch == 0:
            raise ValueError(f"{n_train} training windows make no batch of at least 2")
        self.monitor = config.monitor if validate is not None else "loss"

        named = objective.named_parameters() if parameters is None else (("", p) for p in parameters)
        named = [(name, p) for name, p in named if p.requires_grad]
        if not named:
            raise ValueError("nothing to train: no parameter requires a gradient")
        self.params = [p for _, p in named]
        self.optimizer = torch.optim.AdamW(param_groups(named, config), lr=config.lr)
        total = min(config.epochs * self.steps_per_epoch, config.max_steps or math.inf)
        warmup = round(config.warmup_epochs * self.steps_per_epoch)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: lr_factor(step, warmup, total, config.schedule, config.min_lr_ratio)
        )
        self.wrapped = objective
        if self.world > 1:
            if self.device.type == "cuda":
                self.objective = self.wrapped = nn.SyncBatchNorm.convert_sync_batchnorm(objective)
            ddp = nn.parallel.DistributedDataParallel
            # Buffers (normalisation, cached text features) are equal on every process: no per-step sync.
            no_sync = "forward_sync_buffers" if "forward_sync_buffers" in inspect.signature(ddp).parameters \
                else "broadcast_buffers"
            self.wrapped = ddp(self.objective, device_ids=[self.device.index] if self.device.type == "cuda" else None,
                               **{no_sync: False})
        bf16 = config.precision == "bf16" or (config.precision == "auto" and self.device.type == "cuda")
        self.autocast = (lambda: torch.autocast(self.device.type, dtype=torch.bfloat16)) if bf16 else nullcontext
        self._log: MetricsLog | None = None
        self._sums: dict[str, torch.Tensor] = {}  # step outputs summed since the last step record
        self._resumed_at = 0
        self._best_in_memory: dict | None = None

    # -- one step -------------------------------------------------------------------------------
    def train_step(self, batch: GlobalBatch) -> dict[str, torch.Tensor]:
        """Forward, backward, clip, optimiser and scheduler step on one global batch; the
        objective's outputs (detached) plus ``lr`` and, when clipping, ``grad_norm``."""
        inputs = self.make_batch(batch, self.device)
        with self.autocast():
            out = self.wrapped(inputs)
        self.optimizer.zero_grad(set_to_none=True)
        out["loss"].backward()
        logs = {k: v.detach() for k, v in out.items()}
        if self.config.grad_clip is not None:
            logs["grad_norm"] = torch.nn.utils.clip_grad_norm_(self.params, self.config.grad_clip)
        logs["lr"] = torch.tensor(self.optimizer.param_groups[0]["lr"])
        self.optimizer.step()
        self.scheduler.step()
        return logs

    # -- the loop -------------------------------------------------------------------------------
    def fit(self, resume: bool = False) -> TrainResult:
        """Train until ``epochs`` or early stopping; returns the model with its best weights."""
        self._log = MetricsLog(self.run_dir) if self.run_dir is not None and distributed.is_main() else None
        state = self._start(resume)
        self._notify("on_start", self.config.epochs * self.steps_per_epoch, self.description)
        try:
            while not state.done and state.epoch < self.config.epochs:
                self._run_epoch(state)
        finally:
            if self._log is not None:
                self._log.close()
        result = self._result(state)
        self._notify("on_end", result)
        return result

    def _start(self, resume: bool) -> TrainState:
        """A fresh state, or the one ``last/`` holds (weights, optimiser and random states restored)."""
        worst = math.inf if minimise(self.monitor) else -math.inf
        state = TrainState(monitor=self.monitor, seed=self.config.seed, best_score=worst, world_size=self.world)
        seed_everything(self.config.seed + self.rank)
        if resume:
            if self.run_dir is None:
                raise ValueError("resume needs a run folder")
            if (self.run_dir / "last" / OBJECTIVE_WEIGHTS).is_file():
                state = self._restore(self.run_dir / "last")
        elif self.run_dir is not None and (self.run_dir / "last").exists():
            raise FileExistsError(f"{self.run_dir} already holds a run; resume it or choose another folder")
        if self._log is not None:
            self._log.truncate(state.step)  # records written after the checkpoint (or by a run that never made one)
        self._sums, self._resumed_at, self._best_in_memory = {}, state.step, None
        return state

    def _run_epoch(self, state: TrainState) -> None:
        """The rest of epoch ``state.epoch`` (from batch ``state.batch``), then its validation."""
        started = time.perf_counter()
        self.objective.train()
        epoch_loss = torch.tensor(state.loss_sum, dtype=torch.float64, device=self.device)
        batches = epoch_batches(self.n_train, self.config.batch_size, self.config.seed, state.epoch, self.world,
                                self.rank)
        for index, batch in enumerate(batches):
            if index < state.batch:
                continue
            logs = self.train_step(batch)
            state.batch, state.step = index + 1, state.step + 1
            epoch_loss += logs["loss"].double()
            self._after_step(state, logs, epoch_loss)
            if state.step == self.config.max_steps:
                break
        self._end_epoch(state, epoch_loss.item() / max(1, state.batch), started)

    def _after_step(self, state: TrainState, logs: dict[str, torch.Tensor], epoch_loss: torch.Tensor) -> None:
        """Mid-epoch checkpoint and step record, when due."""
        for key, value in logs.items():
            self._sums[key] = self._sums.get(key, 0) + value.float()
        every = self.config.checkpoint_every
        if self.run_dir is not None and every and state.batch < self.steps_per_epoch and state.step % every == 0:
            state.loss_sum = epoch_loss.item()
            self._save_last(state)
        if state.step % self.config.log_every == 0:
            count = min(self.config.log_every, state.step - self._resumed_at)
            record = {"kind": "step", "epoch": state.epoch, "step": state.step, "batch": state.batch,
                      "steps_per_epoch": self.steps_per_epoch}
            record |= {k: v.item() / count for k, v in self._sums.items()}
            record["lr"] = logs["lr"].item()
            self._sums = {}
            self._emit(record)

    def _end_epoch(self, state: TrainState, loss: float, started: float) -> None:
        """Validate, keep the best weights, record the epoch, decide whether to stop, checkpoint."""
        epoch = state.epoch
        metrics = self._validate()
        metrics.setdefault("loss", loss)
        score = metrics.get(self.monitor)
        if score is None:
            raise KeyError(f"monitored metric {self.monitor!r} not among {sorted(metrics)}")
        better = (score < state.best_score) if minimise(self.monitor) else (score > state.best_score)
        if state.best_epoch < 0 or better:
            state.best_score, state.best_epoch = score, epoch
            if self.run_dir is None:
                self._best_in_memory = copy.deepcopy(self.model.state_dict())
            elif distributed.is_main():
                save_checkpoint(self.run_dir / "best", self.model, None, None,
                                {"epoch": epoch, "step": state.step, "monitor": self.monitor, "score": score})
        record = {"kind": "epoch", "epoch": epoch, "step": state.step, "loss": loss,
                  "lr": self.optimizer.param_groups[0]["lr"]} | metrics
        record |= {"val_score": score, "best": state.best_epoch == epoch, "seconds": time.perf_counter() - started}
        state.history.append(record)
        state.epoch, state.batch, state.loss_sum = epoch + 1, 0, 0.0
        state.done = (epoch + 1 >= self.config.epochs or epoch - state.best_epoch >= self.config.patience
                      or state.step == self.config.max_steps)
        if self.run_dir is not None:
            self._save_last(state)
        self._emit(record)

    # -- helpers --------------------------------------------------------------------------------
    def _notify(self, event: str, *args) -> None:
        """Call ``event`` on every callback that has it, on rank 0."""
        if distributed.is_main():
            for callback in self.callbacks:
                method = getattr(callback, event, None)
                if method is not None:
                    method(*args)

    def _emit(self, record: dict) -> None:
        if self._log is not None:
            self._log.write(record)
        self._notify("on_record", record)

    @torch.no_grad()
    def _validate(self) -> dict[str, float]:
        """Validation on rank 0 alone (gathers become no-ops), in float32, its metrics broadcast to all."""
        metrics: dict[str, float] = {}
        if self.validate is not None and distributed.is_main():
            self.objective.eval()
            with distributed.local_only():
                metrics = {k: float(v) for k, v in self.validate().items()}
            self.objective.train()
        return distributed.broadcast_object(metrics)

    def _save_last(self, state: TrainState) -> None:
        rngs = distributed.all_gather_object(rng_state())
        if distributed.is_main():
            trainer = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(), "rng": rngs}
            save_checkpoint(self.run_dir / "last", self.model, self.objective, trainer, state.as_json())

    def _restore(self, folder: Path) -> TrainState:
        state = load_state(folder)
        if state.seed != self.config.seed or state.monitor != self.monitor:
            raise ValueError(f"{folder}: checkpoint of seed {state.seed} monitoring {state.monitor!r}, "
                             f"but this run has seed {self.config.seed} monitoring {self.monitor!r}")
        read_weights(self.objective, folder / OBJECTIVE_WEIGHTS)
        trainer = load_trainer(folder)
        self.optimizer.load_state_dict(trainer["optimizer"])
        self.scheduler.load_state_dict(trainer["scheduler"])
        if len(trainer["rng"]) == self.world:
            set_rng_state(trainer["rng"][self.rank])
        else:  # another process count: dropout streams restart, everything else is unaffected
            seed_everything(self.config.seed + 1000 * state.step + self.rank)
        state.world_size = self.world
        return state

    def _result(self, state: TrainState) -> TrainResult:
        if self._best_in_memory is not None:
            self.model.load_state_dict(self._best_in_memory)
        elif self.run_dir is not None and (self.run_dir / "best" / WEIGHTS_NAME).is_file():
            read_weights(self.model, self.run_dir / "best" / WEIGHTS_NAME)
        self.model.eval()
        return TrainResult(model=self.model, best_epoch=state.best_epoch, best_score=state.best_score,
                           history=state.history, run_dir=self.run_dir)
