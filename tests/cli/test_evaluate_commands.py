"""The evaluation commands on real data: predict over the Capture-24 sample, zeroshot on seglearn-watch,
and a small resumable experiment over seglearn-watch and a generic dataset."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from typer.testing import CliRunner

from tests.support.shared import shared_dataset
from wearclip.cli import app
from wearclip.models import WearClip

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Window and text caches in a temporary folder; one thread (small models on a shared machine)."""
    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@pytest.mark.slow
def test_predict_timeline_over_the_capture24_sample(untrained_checkpoint, tmp_path):
    sample = shared_dataset("capture24-format") / "sample.csv.gz"
    activities = ["sleeping", "walking", "sitting at a desk"]
    invoke("predict", untrained_checkpoint, sample, "--activities", ", ".join(activities), "--out", tmp_path / "out")
    predictions = pd.read_csv(tmp_path / "out" / "predictions.csv")
    # 75 min without gaps, 2 s windows every 1 s: one window per second, but the last second
    times = pd.to_datetime(pd.read_csv(sample, usecols=["time"])["time"])
    seconds = (times.iloc[-1] - times.iloc[0]).total_seconds()
    assert abs(len(predictions) - (seconds - 1)) <= 1
    assert set(predictions["activity"]) <= set(activities)
    np.testing.assert_allclose(predictions[[f"p:{a}" for a in activities]].sum(axis=1), 1, atol=1e-4)
    assert (np.diff(predictions["start_s"]) > 0).all()
    assert (tmp_path / "out" / "timeline.png").stat().st_size > 10_000


@pytest.mark.parametrize("content, message", [
    ("time,x,y\n0,1,2\n", "missing column(s) ['z']"),
    ("t,x,y,z\n0,1,2,3\n", "no time or timestamp column"),
    ("timestamp,x,y,z\n0,1,2,3\n0.02,1,oops,3\n", "line 3, field 'y': expected a number, found 'oops'"),
    ("timestamp,x,y,z\n0,1,2,3\n-1,1,2,3\n", "line 3: timestamp -1 goes backwards"),
])
def test_predict_bad_recordings_name_file_and_line(untrained_checkpoint, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = runner.invoke(app, ["predict", str(untrained_checkpoint), str(path), "--activities", "walking, sitting"])
    assert result.exit_code == 2
    assert "bad.csv" in result.stderr and message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "runs" / "predict" / "bad" / "predictions.csv").exists()


def test_zeroshot_on_seglearn_test_subjects(untrained_checkpoint, tmp_path):
    root = shared_dataset("seglearn-watch")
    chosen = ["shoulder abduction", "pendulum shoulder exercise"]
    invoke("zeroshot", untrained_checkpoint, "--dataset", "seglearn-watch", "--root", root, "--subjects", "test",
           "--activities", ", ".join(chosen), "--out", tmp_path / "z")
    metrics = json.loads((tmp_path / "z" / "metrics.json").read_text())
    assert metrics["classes"] == chosen
    assert metrics["n"] == sum(map(sum, metrics["confusion"])) > 100
    assert 0 <= metrics["macro_f1"] <= 1 and (tmp_path / "z" / "confusion.png").is_file()
    bad = runner.invoke(app, ["zeroshot", str(untrained_checkpoint), "--dataset", "seglearn-watch", "--root", str(root),
                              "--activities", "swimming"])
    assert bad.exit_code == 2 and "swimming" in bad.stderr


def write_generic(folder, subjects=5, seconds=20):
    """A generic-format dataset (dataset.yaml + one CSV per subject) of three synthetic activities."""
    folder.mkdir()
    activities = {"walk": "walking", "sit": "sitting", "bike": "riding a bicycle"}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(
        {"name": "toy", "sampling_rate": 50, "units": "g", "activities": activities}))
    rng = np.random.default_rng(0)
    t = np.arange(seconds * 50) / 50
    for s in range(subjects):
        rows = []
        for c, label in enumerate(activities):
            xyz = 0.05 * rng.standard_normal((len(t), 3))
            xyz[:, c] += np.sin(2 * np.pi * (1 + c) * t)
            rows.append(pd.DataFrame({"subject": f"p{s}", "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2] + 1,
                                      "label": label, "recording": f"p{s}-{label}"}))
        pd.concat(rows).to_csv(folder / f"p{s}.csv", index=False)
    return folder


@pytest.mark.slow
def test_experiment_runs_resumes_and_refuses_other_settings(tmp_path):
    seglearn = shared_dataset("seglearn-watch")
    toy = write_generic(tmp_path / "toy")
    base = ["experiment", "table1", "--datasets", "seglearn-watch,generic", "--seeds", "1",
            "--root", f"seglearn-watch={seglearn}", "--root", f"generic={toy}", "--out", tmp_path / "run",
            "--checkpoints", tmp_path / "ckpt", "--rows", "chance,nls-target,nls-source"]
    invoke(*base, "--epochs", "1")
    run = tmp_path / "run"
    table = pd.read_csv(run / "table.csv")
    assert list(table["row"]) == ["chance", "nls-target", "nls-source"]
    assert table[["seglearn-watch:mean", "generic:mean"]].notna().all().all()
    report = (run / "report.md").read_text()
    assert "| setup | seglearn-watch | generic |" in report
    assert "--rows nls-source" in report and "--targets generic" in report  # every cell's command
    cells = sorted((run / "cells").rglob("seed0.json"))
    assert len(cells) == 6
    # resume: nothing to do; a deleted cell alone is recomputed (its pre-trained model comes from the cache)
    assert "6 cells done, 0 to compute" in invoke(*base, "--epochs", "1").output
    (run / "cells" / "nls-source" / "generic" / "seed0.json").unlink()
    assert "5 cells done, 1 to compute" in invoke(*base, "--epochs", "1").output
    assert "pre-training" not in invoke(*base, "--epochs", "1").output
    other = runner.invoke(app, [str(a) for a in base] + ["--epochs", "2"])
    assert other.exit_code == 2 and "other settings" in other.stderr


def test_adapt_trains_heads_on_k_shots_and_saves_a_checkpoint(untrained_checkpoint, tmp_path):
    root = shared_dataset("seglearn-watch")
    out = tmp_path / "adapted"
    invoke("adapt", untrained_checkpoint, "--dataset", "seglearn-watch", "--root", root, "--shots", "5", "--epochs", "15",
           "--out", out)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["train_windows"] == 5 * 7 and metrics["capped"] == {}
    # an untrained model is near chance; heads adapted on 35 windows must do better on unseen subjects
    assert metrics["after"]["macro_f1"] > metrics["before"]["macro_f1"] + 0.1, metrics
    adapted, original = WearClip.from_pretrained(out / "checkpoint"), WearClip.from_pretrained(untrained_checkpoint)
    assert torch.equal(adapted.imu.net[0].weight, original.imu.net[0].weight)
    assert not torch.equal(adapted.sensor_head.net[0].weight, original.sensor_head.net[0].weight)
    # the heads now speak the adaptation's sentences (--mode, default base), which auto recognition uses
    assert original.config.sentence_mode is None and adapted.config.sentence_mode == "base"


def test_evaluate_prints_mean_and_std_over_seeds(tmp_path):
    root = shared_dataset("seglearn-watch")
    result = invoke("evaluate", "--method", "chance", "--datasets", "seglearn-watch", "--target", "seglearn-watch",
                    "--seeds", "2", "--root", f"seglearn-watch={root}")
    assert "seed 1: macro-F1" in result.output and "over 2 seed(s)" in result.output
    bad = runner.invoke(app, ["evaluate", "--datasets", "seglearn-watch", "--target", "uci-hapt"])
    assert bad.exit_code == 2 and "is not among --datasets" in bad.stderr


@pytest.mark.slow
def test_evaluate_pretrains_and_scores_enhanced_cpc(tmp_path):
    toy = write_generic(tmp_path / "toy")
    result = runner.invoke(app, ["evaluate", "--method", "enhanced-cpc", "--datasets", "generic",
                                 "--target", "generic", "--pretrain-on", "target", "--seeds", "1",
                                 "--epochs", "1", "--steps", "5", "--root", f"generic={toy}",
                                 "--checkpoints", str(tmp_path / "ckpt")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "pre-training enhanced-cpc on generic" in result.output and "over 1 seed(s)" in result.output
    [folder] = (tmp_path / "ckpt").iterdir()
    assert folder.name.startswith("enhanced-cpc-") and json.loads((folder / "recipe.json").read_text())["kind"] == "enhanced-cpc"


def test_table1_lists_enhanced_cpc_after_cpc():
    result = runner.invoke(app, ["experiment", "table1", "--datasets", "seglearn-watch", "--list-rows"])
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.splitlines() if line.startswith(("cpc ", "enhanced-cpc "))]
    assert rows == ["cpc", "enhanced-cpc"]
