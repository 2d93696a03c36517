"""Progress: plain lines when the output is not a terminal, nothing when quiet, and the Trainer callback."""

import pytest

from wearclip import progress


@pytest.fixture(autouse=True)
def loud():
    progress.configure(quiet=False)
    yield
    progress.configure(quiet=False)


def test_plain_lines_say_what_how_far_and_how_long(capsys, monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)  # a line at every update
    assert list(progress.track(range(3), "indexing demo")) == [0, 1, 2]
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("indexing demo: 1/3 (") and "left" in lines[0]
    assert lines[-1].startswith("indexing demo: 3/3 (")


def test_short_work_prints_no_plain_line(capsys):
    with progress.Bar("windowing x", total=2) as bar:
        bar.advance()
        bar.advance()
    assert capsys.readouterr().err == ""


def test_quiet_prints_nothing(capsys):
    progress.configure(quiet=True)
    with progress.Bar("windowing x") as bar:
        bar.advance(info="1 h")
        bar.log("a line")
    assert list(progress.track([1, 2], "cells")) == [1, 2]
    assert capsys.readouterr() == ("", "")


def test_training_progress_follows_the_trainer_contract(capsys, monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)
    callback = progress.TrainingProgress()
    callback.on_start(4, "pre-training")
    callback.on_record({"kind": "step", "epoch": 0, "step": 2, "loss": 1.5})
    callback.on_record({"kind": "epoch", "epoch": 0, "step": 4, "loss": 1.25, "val_score": 0.5})
    callback.on_record({"kind": "epoch", "epoch": 1, "step": 4, "loss": 1.0})  # not validated
    callback.on_end(None)
    err = capsys.readouterr().err
    assert "pre-training: 2/4" in err and "loss 1.500" in err
    assert "pre-training: epoch 0, loss 1.2500  val 0.5000" in err
    assert err.splitlines()[-1].startswith("pre-training: 4/4")
