"""``train.max_steps``: the Trainer stops after that many optimiser steps; off, configs dump as before."""

from types import SimpleNamespace

import torch

from tests.train.test_trainer import Regression
from wearclip.config.train import TrainConfig
from wearclip.train import Trainer


def test_max_steps_stops_mid_epoch_and_validates_that_epoch():
    torch.manual_seed(0)
    task = Regression()
    scores = iter([0.2, 0.3])
    config = TrainConfig(epochs=5, batch_size=16, lr=0.05, max_steps=6, log_every=1)  # 4 steps an epoch
    records = []
    trainer = Trainer(task, 64, task.make_batch, config, validate=lambda: {"val_macro_f1": next(scores)},
                      callbacks=[SimpleNamespace(on_record=records.append)])
    result = trainer.fit()
    assert [r["step"] for r in records if r["kind"] == "step"] == [1, 2, 3, 4, 5, 6]
    assert [(r["epoch"], r["step"]) for r in result.history] == [(0, 4), (1, 6)]
    assert result.best_epoch == 1
    assert trainer.scheduler.last_epoch == 6


def test_max_steps_off_leaves_the_dump_unchanged():
    assert "max_steps" not in TrainConfig().model_dump() and "max_steps" not in TrainConfig().model_dump_json()
    assert TrainConfig(max_steps=10).model_dump()["max_steps"] == 10
