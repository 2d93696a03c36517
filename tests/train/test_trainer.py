"""The Trainer: schedule, data order, early stopping, clipping, checkpoints, metrics log."""

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from wearclip.config.train import TrainConfig
from wearclip.train import GlobalBatch, Trainer, epoch_batches
from wearclip.train.loop import lr_factor, n_batches
from wearclip.train.records import MetricsLog


def test_warmup_then_cosine():
    # 10 warm-up steps out of 110: step k < 10 has factor (k+1)/10; then cosine from 1 to min_ratio.
    assert lr_factor(0, 10, 110, "cosine", 0.0) == pytest.approx(0.1)
    assert lr_factor(9, 10, 110, "cosine", 0.0) == pytest.approx(1.0)
    assert lr_factor(10, 10, 110, "cosine", 0.0) == pytest.approx(1.0)
    assert lr_factor(60, 10, 110, "cosine", 0.0) == pytest.approx(0.5)  # half-way: (1 + cos(pi/2)) / 2
    assert lr_factor(110, 10, 110, "cosine", 0.1) == pytest.approx(0.1)
    assert lr_factor(35, 10, 110, "cosine", 0.0) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.25)))
    assert lr_factor(80, 10, 110, "constant", 0.0) == 1.0


def test_epoch_batches_cover_each_window_once_and_depend_on_seed_and_epoch():
    batches = list(epoch_batches(103, 10, seed=1, epoch=0))
    assert len(batches) == n_batches(103, 10) == 11  # the last batch of 3 is kept
    seen = np.concatenate([b.indices for b in batches])
    assert sorted(seen) == list(range(103))
    assert all((np.diff(b.indices) > 0).all() for b in batches)  # sorted for memmap reads
    again = list(epoch_batches(103, 10, seed=1, epoch=0))
    assert all(np.array_equal(a.indices, b.indices) for a, b in zip(batches, again))
    assert not np.array_equal(batches[0].indices, next(epoch_batches(103, 10, seed=1, epoch=1)).indices)
    assert not np.array_equal(batches[0].indices, next(epoch_batches(103, 10, seed=2, epoch=0)).indices)
    assert len(list(epoch_batches(101, 10, 0, 0))) == 10  # a last batch of 1 has no negatives: dropped


def test_processes_split_the_same_global_batches():
    whole = list(epoch_batches(103, 10, seed=4, epoch=2))
    ranks = [list(epoch_batches(103, 10, seed=4, epoch=2, world=2, rank=r)) for r in (0, 1)]
    assert len(ranks[0]) == len(ranks[1]) == n_batches(103, 10, world=2) == 11
    for single, a, b in zip(whole, *ranks):
        assert np.array_equal(a.indices, b.indices)
        local = np.concatenate([a.local, b.local])
        assert len(a.local) == len(b.local)
        if len(single.indices) % 2 == 0:
            assert np.array_equal(local, single.indices)
            draws = [x.random().rand(3) for x in (single, a, b)]
            torch.testing.assert_close(torch.cat(draws[1:]), draws[0], rtol=0, atol=0)
        else:  # the odd last batch loses one window so both processes get as many
            assert set(local) < set(single.indices) and len(local) == len(single.indices) - 1


class Regression(nn.Module):
    """A least-squares objective over fixed data (the model is a linear layer)."""

    def __init__(self, n=64, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 4, generator=g)
        self.y = self.x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.01 * torch.randn(n, generator=g)
        self.linear = nn.Linear(4, 1)

    def make_batch(self, batch: GlobalBatch, device):
        return torch.as_tensor(batch.local)

    def forward(self, rows):
        return {"loss": ((self.linear(self.x[rows]).squeeze(-1) - self.y[rows]) ** 2).mean()}


class Seen:
    """A callback with only ``on_record``: collects the records."""

    def __init__(self, records: list) -> None:
        self.records = records

    def on_record(self, record: dict) -> None:
        self.records.append(record)


class Events:
    """A callback with every method: logs the calls in order."""

    def __init__(self) -> None:
        self.calls = []

    def on_start(self, total_steps: int, description: str) -> None:
        self.calls.append(("start", total_steps, description))

    def on_record(self, record: dict) -> None:
        self.calls.append(("record", record))

    def on_end(self, result) -> None:
        self.calls.append(("end", result))


def scripted(scores):
    calls = iter(scores)
    return lambda: {"val_macro_f1": next(calls)}


def test_early_stopping_keeps_the_best_epoch_weights(tmp_path):
    torch.manual_seed(0)
    task = Regression()
    seen = []
    trainer = Trainer(task, 64, task.make_batch, TrainConfig(epochs=20, batch_size=16, patience=2, lr=0.05),
                      validate=scripted([0.1, 0.4, 0.3, 0.35, 0.9]), run_dir=tmp_path / "run", callbacks=[Seen(seen)])
    result = trainer.fit()
    assert [r["epoch"] for r in seen if r["kind"] == "epoch"] == [0, 1, 2, 3]  # no improvement in epochs 2, 3: stop
    assert result.best_epoch == 1 and result.best_score == pytest.approx(0.4)
    best = json.loads((tmp_path / "run" / "best" / "state.json").read_text())
    assert best["epoch"] == 1
    from safetensors.torch import load_file

    torch.testing.assert_close(load_file(str(tmp_path / "run" / "best" / "model.safetensors"))["linear.weight"],
                               result.model.linear.weight.detach(), rtol=0, atol=0)
    last = load_file(str(tmp_path / "run" / "last" / "model.safetensors"))["linear.weight"]
    assert not torch.equal(last, result.model.linear.weight.detach())  # training went on after the best epoch
    state = json.loads((tmp_path / "run" / "last" / "state.json").read_text())
    assert state["done"] and state["epoch"] == 4 and state["step"] == 16
    epochs = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["val_score"] for r in epochs if r["kind"] == "epoch"] == [0.1, 0.4, 0.3, 0.35]


def test_callbacks_see_start_every_logged_record_and_end(tmp_path):
    torch.manual_seed(0)
    task = Regression()
    events, partial = Events(), []
    config = TrainConfig(epochs=3, batch_size=16, lr=0.05, log_every=3)  # 4 steps per epoch, 12 in all
    result = Trainer(task, 64, task.make_batch, config, validate=scripted([0.1, 0.2, 0.3]), run_dir=tmp_path / "run",
                     callbacks=[events, Seen(partial), object()], description="regression").fit()
    assert events.calls[0] == ("start", 12, "regression")
    assert events.calls[-1] == ("end", result)
    records = [call[1] for call in events.calls[1:-1]]
    assert all(call[0] == "record" for call in events.calls[1:-1]) and records == partial
    assert [(r["kind"], r["step"]) for r in records] == [
        ("step", 3), ("epoch", 4), ("step", 6), ("epoch", 8), ("step", 9), ("step", 12), ("epoch", 12)]
    assert [r["val_score"] for r in records if r["kind"] == "epoch"] == [0.1, 0.2, 0.3]
    logged = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert logged == records


def test_loss_metrics_are_minimised_and_training_converges():
    torch.manual_seed(0)
    task = Regression()
    losses = iter([2.0, 1.0, 1.5, 0.5, 0.7, 0.8, 0.9])
    result = Trainer(task, 64, task.make_batch,
                     TrainConfig(epochs=7, batch_size=16, patience=3, lr=0.3, monitor="val_loss"),
                     validate=lambda: {"val_loss": next(losses)}).fit()
    assert result.best_epoch == 3 and result.best_score == 0.5
    assert result.history[-1]["loss"] < result.history[0]["loss"] / 3


def test_without_validation_the_training_loss_is_monitored():
    task = Regression()
    result = Trainer(task, 64, task.make_batch, TrainConfig(epochs=3, batch_size=16, lr=0.05)).fit()
    assert result.best_epoch == 2 and result.best_score == pytest.approx(result.history[-1]["loss"])


def test_unknown_monitor_names_the_available_metrics():
    task = Regression()
    trainer = Trainer(task, 64, task.make_batch, TrainConfig(epochs=1, batch_size=16, monitor="val_f1"),
                      validate=lambda: {"val_loss": 1.0})
    with pytest.raises(KeyError, match="'val_f1' not among.*val_loss"):
        trainer.fit()


def test_gradient_clipping_bounds_the_norm_and_logs_it():
    task = Regression()
    trainer = Trainer(task, 64, task.make_batch, TrainConfig(batch_size=64, grad_clip=0.01))
    logs = trainer.train_step(next(epoch_batches(64, 64, 0, 0)))
    assert logs["grad_norm"] > 0.01
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in task.parameters()]))
    assert norm <= 0.01 * (1 + 1e-4)


def test_parameter_subset_and_weight_decay_groups():
    task = Regression()
    bias_before = task.linear.bias.detach().clone()
    trainer = Trainer(task, 64, task.make_batch, TrainConfig(batch_size=16, weight_decay=0.1), parameters=[task.linear.weight])
    trainer.train_step(next(epoch_batches(64, 16, 0, 0)))
    assert torch.equal(task.linear.bias, bias_before)
    decay, no_decay = trainer.optimizer.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    with pytest.raises(ValueError, match="nothing to train"):
        Trainer(task, 64, task.make_batch, TrainConfig(), parameters=[])


def test_bf16_autocast_step_on_cpu():
    task = Regression()
    trainer = Trainer(task, 64, task.make_batch, TrainConfig(batch_size=16, precision="bf16"))
    logs = trainer.train_step(next(epoch_batches(64, 16, 0, 0)))
    assert torch.isfinite(logs["loss"])


def test_an_existing_run_is_not_overwritten_and_resume_needs_a_folder(tmp_path):
    task = Regression()
    config = TrainConfig(epochs=1, batch_size=16)
    Trainer(task, 64, task.make_batch, config, run_dir=tmp_path).fit()
    with pytest.raises(FileExistsError, match="already holds a run"):
        Trainer(task, 64, task.make_batch, config, run_dir=tmp_path).fit()
    with pytest.raises(ValueError, match="resume needs a run folder"):
        Trainer(task, 64, task.make_batch, config).fit(resume=True)
    other = config.model_copy(update={"seed": 5})
    with pytest.raises(ValueError, match="seed 0 monitoring 'loss'.*seed 5"):
        Trainer(task, 64, task.make_batch, other, run_dir=tmp_path).fit(resume=True)


def test_metrics_log_truncation_drops_records_after_the_checkpoint(tmp_path):
    log = MetricsLog(tmp_path)
    for step in range(1, 6):
        log.write({"kind": "step", "step": step})
    with log.path.open("a") as f:
        f.write('{"kind": "step", "st')  # a line cut off by a kill
    log.truncate(3)
    assert [json.loads(line)["step"] for line in log.path.read_text().splitlines()] == [1, 2, 3]
