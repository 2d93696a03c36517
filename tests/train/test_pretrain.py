"""Pre-training: sentence draws, cached text features, objectives on the model, pooled datasets,
and `wearclip pretrain` end to end on real data."""

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from wearclip.cli import app
from wearclip.config.augment import AugmentConfig
from wearclip.config.model import WearClipConfig
from wearclip.config.objective import ObjectiveConfig
from wearclip.data.windows import Windows, pool
from wearclip.models import WearClip
from wearclip.objectives import contrastive_loss
from wearclip.train import ContrastiveObjective, GlobalBatch
from wearclip.train.pretrain import PretrainBatch, PretrainBatches, sentence_table


def windows_of(labels, classes, length=100, seed=0):
    n = len(labels)
    x = np.random.default_rng(seed).normal(size=(n, 3, length)).astype(np.float32)
    return Windows(x, np.asarray(labels, dtype=np.int32), np.array(["1"] * n), np.array(["r"] * n), np.zeros(n), classes)


def test_each_window_draws_its_own_sentence_uniformly():
    sentences = [["a0", "a1", "a2"], ["b0"]]
    unique, table, counts = sentence_table(sentences)
    windows = windows_of([0] * 60 + [1] * 4, ["a", "b"])
    make = PretrainBatches(windows.x, windows.labels, table, counts)
    drawn = []
    for step in range(50):
        batch = make(GlobalBatch.whole(np.arange(64), seed=step), torch.device("cpu"))
        names = [unique[i] for i in batch.sentence_ids]
        assert set(names[60:]) == {"b0"} and set(names[:60]) <= {"a0", "a1", "a2"}
        assert len(set(names[:60])) == 3  # windows of one class draw independently within a step
        drawn += names[:60]
    shares = np.array([drawn.count(s) for s in ("a0", "a1", "a2")]) / len(drawn)
    np.testing.assert_allclose(shares, 1 / 3, atol=0.03)


@pytest.mark.parametrize("name", ["clip", "clip-dedup", "unicl"])
def test_objective_is_the_loss_of_the_models_embeddings(name):
    torch.manual_seed(0)
    model = WearClip(WearClipConfig(imu_kwargs={"dropout": 0.0}))
    features = torch.randn(4, 384)
    objective = ContrastiveObjective(model, features, ObjectiveConfig(name=name))
    batch = PretrainBatch(torch.randn(6, 3, 100), torch.tensor([0, 1, 1, 2, 3, 0]), torch.tensor([0, 0, 0, 1, 1, 0]))
    out = objective(batch)
    logits = model.scale() * model.encode_sensor(batch.x) @ model.encode_text_features(features[batch.sentence_ids]).T
    key = {"clip": torch.arange(6), "clip-dedup": batch.sentence_ids, "unicl": batch.labels}[name]
    expected = contrastive_loss(logits, key[:, None] == key[None, :])
    torch.testing.assert_close(out["loss"], expected)
    torch.testing.assert_close(out["temperature"], 1 / model.scale().detach())
    assert out["loss"].requires_grad


def test_slip_needs_a_simclr_head_and_reports_both_terms():
    with pytest.raises(ValueError, match="simclr_dim"):
        ContrastiveObjective(WearClip(), torch.randn(2, 384), ObjectiveConfig(simclr_weight=1.0))
    with pytest.raises(ValueError, match="384"):
        ContrastiveObjective(WearClip(), torch.randn(2, 512))
    torch.manual_seed(0)
    objective = ContrastiveObjective(WearClip(WearClipConfig(simclr_dim=8)), torch.randn(2, 384),
                                     ObjectiveConfig(simclr_weight=0.5))
    x = torch.randn(4, 3, 100)
    out = objective(PretrainBatch(x, torch.tensor([0, 1, 0, 1]), torch.tensor([0, 1, 0, 1]), (x + 0.1, x - 0.1)))
    torch.testing.assert_close(out["loss"], out["clip_loss"] + 0.5 * out["simclr_loss"])


def test_pooled_datasets_share_a_label_per_activity_phrase():
    a = windows_of([0, 1, 1], ["walking", "sitting"])
    b = windows_of([1, 0, 2], ["jogging", "walking", "falling sideways"])
    classes = list(dict.fromkeys(a.classes + b.classes))
    pooled = pool({"a": a, "b": b}, classes)
    assert pooled.classes == ["walking", "sitting", "jogging", "falling sideways"]
    assert [pooled.classes[i] for i in pooled.labels] == ["walking", "sitting", "sitting", "walking", "jogging",
                                                          "falling sideways"]
    assert np.array_equal(pooled.x, np.concatenate([a.x, b.x]))


def test_training_steps_run_no_text_encoder(monkeypatch):
    from wearclip.config.train import TrainConfig
    from wearclip.text.encoders import TextEncoder
    from wearclip.train import fit_pretraining

    windows = windows_of([0, 1] * 40, ["walking", "sitting"])
    sentences = [["a person walking", "someone walks"], ["a person sitting", "someone sits"]]
    model = WearClip()
    model.embed_text([s for group in sentences for s in group])  # fill the cache
    monkeypatch.setattr(TextEncoder, "_embed", lambda *a, **k: pytest.fail("text encoder ran during training"))
    result = fit_pretraining(model, windows, windows, TrainConfig(epochs=2, batch_size=16), class_sentences=sentences)
    assert len(result.history) == 2


def run_cli(*args):
    result = CliRunner().invoke(app, ["pretrain", *args])
    return result.exit_code, result.output


def test_pretrain_command_end_to_end(tmp_path):
    """`wearclip pretrain nls-base` on the embedded UCI HAPT (6 training subjects, 1 epoch)."""
    out = tmp_path / "run"
    settings = ["--set", "train.epochs=1", "--set", f"data.cache_dir={tmp_path / 'windows'}",
                "--set", "data.split_fractions=[0.2, 0.2, 0.6]", "--set", "train.log_every=5"]
    code, output = run_cli("nls-base", *settings, "--out", str(out))
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_epoch"] == 0 and set(summary["test_macro_f1"]) == {"uci-hapt"}
    assert len(summary["splits"]["uci-hapt"]["train"]) == 6
    model = WearClip.from_pretrained(out / "best")
    assert model.config.pretrained_on == ["uci-hapt"] and model.config.vocabulary_version.startswith("uci-hapt@")
    assert model.config.text_dim == 384 and not torch.equal(model.sensor_std, torch.ones(3))
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert records[-1]["kind"] == "epoch" and {"val_macro_f1", "val_loss", "loss", "lr"} <= set(records[-1])
    assert any(r["kind"] == "step" and "temperature" in r for r in records)

    code, output = run_cli("nls-base", *settings, "--out", str(out))
    assert code == 2 and "already holds a run" in output
    code, output = run_cli("nls-base", *settings, "--set", "train.lr=0.01", "--out", str(out), "--resume")
    assert code == 2 and "differing keys: train.lr" in output
    code, output = run_cli("nls-base", *settings, "--out", str(out), "--resume")  # finished: nothing to do
    assert code == 0, output
    assert json.loads((out / "summary.json").read_text())["test_macro_f1"] == summary["test_macro_f1"]


@pytest.mark.slow
def test_pooled_unicl_pretraining_on_two_real_datasets(tmp_path):
    """UCI HAPT + MobiFall (real files): one label per shared phrase, validation per dataset."""
    from tests.support.shared import shared_dataset

    root = shared_dataset("mobifall-v2")
    out = tmp_path / "run"
    code, output = run_cli("unicl", "--set", "train.epochs=1", "--set", f"data.cache_dir={tmp_path / 'windows'}",
                           "--set", "data.split_fractions=[0.3, 0.2, 0.5]",
                           "--set", f"data.datasets=[{{name: uci-hapt}}, {{name: mobifall, root: '{root}'}}]",
                           "--out", str(out))
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["test_macro_f1"]) == {"uci-hapt", "mobifall"}
    epoch = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()][-1]
    assert {"val_macro_f1/uci-hapt", "val_macro_f1/mobifall"} <= set(epoch)
    assert epoch["val_macro_f1"] == pytest.approx((epoch["val_macro_f1/uci-hapt"] + epoch["val_macro_f1/mobifall"]) / 2)
    model = WearClip.from_pretrained(out / "best")
    assert model.config.pretrained_on == ["uci-hapt", "mobifall"]


def test_pair_augmentation_changes_each_window_reproducibly_and_leaves_the_sentence_draw_alone():
    sentences = [["a0", "a1", "a2"], ["b0"]]
    _, table, counts = sentence_table(sentences)
    windows = windows_of([0] * 12 + [1] * 4, ["a", "b"])
    plain = PretrainBatches(windows.x, windows.labels, table, counts)
    scaled = AugmentConfig(time_warp=None, permutation=None, rotation=None, jitter=None, scaling={"p": 1.0, "sigma": 0.1})
    augmented = PretrainBatches(windows.x, windows.labels, table, counts, pair_augment=scaled)
    batch = lambda make: make(GlobalBatch.whole(np.arange(16), seed=7), torch.device("cpu"))  # noqa: E731
    before, after, again = batch(plain), batch(augmented), batch(augmented)
    assert torch.equal(after.x, again.x)  # the step's seed fixes the augmentation
    assert torch.equal(after.sentence_ids, before.sentence_ids)  # drawn before the windows are touched
    ratio = after.x / before.x  # scaling: one factor per channel of each window, all differing from 1
    torch.testing.assert_close(ratio, ratio[..., :1].expand_as(ratio))
    assert (ratio[..., 0] - 1).abs().min() > 0
    assert "pair_augment" not in ObjectiveConfig().model_dump()
