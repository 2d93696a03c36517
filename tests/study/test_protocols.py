"""Protocol data rules: class restriction, dataset unions, k-shot draws, unseen groups, pre-training data."""

import numpy as np
import pytest

from tests.support.synthetic import synthetic_windows
from wearclip.data import datasets
from wearclip.data.windows import pool
from wearclip.metrics import evaluate_predictions, format_mean_std, mean_std, random_guesses
from wearclip.study.protocols import (
    DataSettings,
    EvalSettings,
    LabelledBudget,
    ProtocolRunner,
    Setup,
    class_set,
    draw_shots,
    loader_options,
    restrict,
    unseen_groups,
)

A = ["walking", "sitting", "standing"]
B = ["jogging", "walking", "lying down", "cycling"]


def test_restrict_keeps_only_the_classes_in_the_new_order():
    w = synthetic_windows(A, subjects=3, per_class=4)
    part = restrict(w, ["standing", "walking"])
    assert part.classes == ["standing", "walking"]
    assert len(part) == 2 * 3 * 4
    np.testing.assert_array_equal(np.bincount(part.labels), [12, 12])
    # the relabelled windows are the original ones of that class
    np.testing.assert_array_equal(part.x[part.labels == 0], w.x[w.labels == 2])
    with pytest.raises(KeyError, match="swimming"):
        restrict(w, ["swimming"])


def test_union_merges_equal_phrases_and_keeps_subjects_apart():
    a, b = synthetic_windows(A, subjects=2, per_class=3), synthetic_windows(B, subjects=2, per_class=3, seed=1)
    u = pool({"a": a, "b": b})
    assert u.classes == ["walking", "sitting", "standing", "jogging", "lying down", "cycling"]
    assert len(u) == len(a) + len(b)
    assert set(u.subjects) == {"a/s0", "a/s1", "b/s0", "b/s1"}
    # b's 'walking' windows (label 1 in b) became class 0, like a's
    np.testing.assert_array_equal(u.x[len(a):][u.labels[len(a):] == 0], b.x[b.labels == 1])
    assert u.class_counts()["walking"] == a.class_counts()["walking"] + b.class_counts()["walking"]


def test_draw_shots_is_seeded_and_caps_small_classes():
    w = synthetic_windows(A, subjects=2, per_class=4)  # 8 windows per class
    w = w.subset(np.flatnonzero((w.labels != 2) | (np.arange(len(w)) % 4 == 0)))  # 'standing' keeps 2
    part, capped = draw_shots(w, 5, seed=3)
    assert np.bincount(part.labels).tolist() == [5, 5, 2]
    assert capped == {"standing": 2}
    again, _ = draw_shots(w, 5, seed=3)
    other, _ = draw_shots(w, 5, seed=4)
    np.testing.assert_array_equal(part.x, again.x)
    assert not np.array_equal(part.x, other.x)


@pytest.mark.parametrize("name", [n for n in datasets.names() if n != "generic"])
def test_unseen_groups_partition_every_registered_dataset(name):
    groups = unseen_groups(name)
    flat = [c for g in groups for c in g]
    assert 3 <= len(groups) <= 4
    assert sorted(flat) == sorted(datasets.get(name).classes)  # every class exactly once
    assert len(flat) == len(set(flat)) and min(len(g) for g in groups) >= 2


def test_unseen_groups_unknown_dataset_is_a_clear_error():
    with pytest.raises(KeyError, match="no unseen-activity groups for 'generic'"):
        unseen_groups("generic")


def test_setup_sources():
    run = ["a", "b", "c"]
    assert Setup(method="nls", pretrain_on="target").sources("b", run) == ("b",)
    assert Setup(method="nls", pretrain_on="others").sources("b", run) == ("a", "c")
    assert Setup(method="nls", pretrain_on="all").sources("b", run) == ("b", "a", "c")
    assert Setup(method="nls", pretrain_on=("c",)).sources("b", run) == ("c",)


def test_pretraining_data_follows_the_subject_rules():
    runner = ProtocolRunner(EvalSettings(), ["a", "b"], windows={"a": synthetic_windows(A), "b": synthetic_windows(B)})
    split_a, split_b = runner.subjects("a"), runner.subjects("b")
    train, val = runner.pretraining_data(["a", "b"], target="a", exclude=["walking"])
    # the target gives only its train subjects; another dataset its train and test subjects
    assert set(train["a"].subjects) == set(split_a.train)
    assert set(train["b"].subjects) == set(split_b.train) | set(split_b.test)
    assert set(val["a"].subjects) == set(split_a.val) and set(val["b"].subjects) == set(split_b.val)
    # the excluded phrase is gone from every source
    assert "walking" not in train["a"].classes and "walking" not in train["b"].classes
    assert train["b"].classes == ["jogging", "lying down", "cycling"]
    assert not set(train["a"].subjects) & set(split_a.test)


def test_chance_is_measured_and_low():
    w = synthetic_windows(B, subjects=5)
    scores = [evaluate_predictions(w.labels, random_guesses(len(w), 4, seed), w.classes).macro_f1 for seed in range(3)]
    assert all(0.15 < s < 0.35 for s in scores)  # 4 balanced classes: about 0.25
    assert format_mean_std([0.934, 0.926, 0.942]) == f"93.4 ± {100 * np.std([0.934, 0.926, 0.942]):.1f}"
    assert format_mean_std([0.5]) == "50.0"
    assert mean_std([1.0, 0.0]) == (0.5, 0.5)


def test_a_preset_sets_model_objective_and_mode():
    runner = ProtocolRunner(EvalSettings(), ["a"])
    config, objective, mode = runner.recipe_of(Setup(method="nls", preset="slip"))
    assert (mode, objective.name, objective.simclr_weight, config.simclr_dim) == (
        "random-template+body-parts", "clip-dedup", 1.0, 128)
    config, objective, mode = runner.recipe_of(Setup(method="nls", objective="unicl", mode="random-template"))
    assert (mode, objective.name, objective.simclr_weight, config.simclr_dim) == ("random-template", "unicl", 0.0, 0)


# -- source corpus, loader options, class sets (issue 14, items 1 and 8) ------------------------------
def test_the_source_corpus_is_what_source_rows_pre_train_on():
    run = ["a", "b", "c"]
    assert Setup(method="nls").sources("b", run) == ("a", "c")  # no source named: leave-one-dataset-out
    assert Setup(method="nls").sources("b", run, ("capture24",)) == ("capture24",)
    assert Setup(method="nls", pretrain_on="target").sources("b", run, ("capture24",)) == ("b",)
    windows = {n: synthetic_windows(A) for n in ("a", "b", "c")}
    lodo = ProtocolRunner(EvalSettings(), ["a", "b"], windows=windows)
    named = ProtocolRunner(EvalSettings(source=("c",)), ["a", "b"], windows=windows)
    assert lodo.sources(Setup(method="nls"), "a") == ("b",)
    assert named.sources(Setup(method="nls"), "a") == ("c",)
    assert "leave-one-dataset-out" in EvalSettings().source_label() and named.settings.source_label() == "c"


def test_loader_options_reach_the_loader():
    assert loader_options(["capture24.label_scheme=Walmsley2020", "capture24.x=1"]) == {
        "capture24": {"label_scheme": "Walmsley2020", "x": "1"}}
    with pytest.raises(ValueError, match="DATASET.OPTION=VALUE"):
        loader_options(["label_scheme=Walmsley2020"])
    runner = ProtocolRunner(EvalSettings(data=DataSettings(options={"mhealth": {"label_scheme": "x"}})), ["mhealth"])
    with pytest.raises(TypeError, match="has no option label_scheme"):  # the loader itself refused it
        runner.windows("mhealth")


def test_settings_without_new_options_dump_as_before():
    # run.json identities and cache keys hash these dumps: switched-off options must not appear
    dump = EvalSettings().model_dump()
    assert "source" not in dump and "options" not in dump["data"] and "class_set" not in dump["data"]
    assert EvalSettings(source=("capture24",)).model_dump()["source"] == ("capture24",)


def test_study_class_sets_follow_tab2(tmp_path):
    from tests.support import formats
    from wearclip.data.datasets import mhealth, mobiact, myogym, pamap2

    assert class_set("official", "pamap2") is None
    assert len(class_set("study", "pamap2")) == 12 and len(class_set("study", "mobiact")) == 11
    assert set(class_set("study", "pamap2")) <= set(pamap2.ACTIVITIES.values())
    assert set(class_set("study", "mobiact")) <= set(mobiact.ACTIVITIES.values())
    assert not set(class_set("study", "mobiact")) & set(mobiact.FALLS.values())
    # MHEALTH and Myogym: no null class in the official set, so the study's is the same
    assert class_set("study", "mhealth") is None and class_set("study", "myogym") is None
    assert not any("null" in c.lower() for c in [*mhealth.ACTIVITIES.values(), *myogym.ACTIVITIES.values()])
    with pytest.raises(KeyError, match="unknown class set 'paper'"):
        class_set("paper", "pamap2")
    root = formats.pamap2(tmp_path / "pamap2")
    official = ProtocolRunner(EvalSettings(data=DataSettings(roots={"pamap2": str(root)})), ["pamap2"])
    study = ProtocolRunner(EvalSettings(data=DataSettings(roots={"pamap2": str(root)}, class_set="study")), ["pamap2"])
    assert set(study.windows("pamap2").classes) == set(class_set("study", "pamap2")) & set(official.windows("pamap2").classes)
    assert set(official.windows("pamap2").classes) - set(study.windows("pamap2").classes)  # the fixture has optional ones


# -- objectives, encoders and recognition (items 2, 3 and 7) -------------------------------------------
def test_cache_keys_keep_clip_dedup_and_separate_plain_clip():
    from wearclip.config.objective import ObjectiveConfig

    key = ProtocolRunner._objective_recipe
    before = {"name": "clip", "simclr_weight": 0.0, "simclr_temperature": 0.1,
              "augment": ObjectiveConfig().augment.model_dump()}  # what a cached recipe of clip held before
    assert key(ObjectiveConfig(name="clip-dedup")) == before
    assert key(ObjectiveConfig(name="clip")) != before
    assert key(ObjectiveConfig(name="unicl"))["name"] == "unicl"


def test_the_encoder_reaches_nls_pre_training():
    runner = ProtocolRunner(EvalSettings(), ["a"])
    assert runner.recipe_of(Setup(method="nls"))[0].imu_encoder == "conv"
    assert runner.recipe_of(Setup(method="nls", encoder="resnet1d"))[0].imu_encoder == "resnet1d"
    assert runner.recipe_of(Setup(method="nls", encoder="deepconvlstm", preset="unicl"))[0].imu_encoder == "deepconvlstm"
    config, objective, _ = runner.recipe_of(Setup(method="nls", objective="clip"))
    assert objective.name == "clip" and not objective.simclr_weight


@pytest.mark.slow
def test_recognition_modes():
    from wearclip.config.model import WearClipConfig
    from wearclip.models.wearclip import WearClip
    from wearclip.models.zeroshot import ZeroShotClassifier, window_features
    from wearclip.text import class_sentences

    classes = ["walking", "sitting", "lying down"]
    windows = synthetic_windows(classes)
    runner = ProtocolRunner(EvalSettings(), ["uci-hapt"], windows={"uci-hapt": windows})
    import torch

    torch.manual_seed(0)
    model = WearClip(WearClipConfig())
    setup = Setup(method="nls", mode="random-template+body-parts")
    matching, _ = runner.recognition(setup.model_copy(update={"recognition": "matching"}), model, classes, "uci-hapt", 0)
    assert matching == class_sentences(classes, "random-template+body-parts", "uci-hapt")
    assert all("body parts" in s for group in matching for s in group)
    mean_all, _ = runner.recognition(setup.model_copy(update={"recognition": "mean-all"}), model, classes, "uci-hapt", 0)
    assert [len(g) for g in mean_all] == [33] * 3 and not any("body parts" in s for g in mean_all for s in g)
    # best template: the argmax of validation macro-F1 over the 33 templates, on validation subjects only
    val = runner.split("uci-hapt")["val"]
    best, chosen = runner.recognition(setup.model_copy(update={"recognition": "best-template"}), model, classes,
                                      "uci-hapt", 0, val)
    features = window_features(model, val.x)
    scores = [evaluate_predictions(val.labels, ZeroShotClassifier(model, class_sentences(classes, f"template:{k}"))
                                   .predict_features(features), classes).macro_f1 for k in range(33)]
    assert chosen["template"] == int(np.argmax(scores)) and chosen["template_val_macro_f1"] == max(scores)
    assert best == class_sentences(classes, f"template:{chosen['template']}")


# -- one rule for every method trained on labelled windows (item 6) ------------------------------------
def test_the_labelled_budget_is_the_same_steps_for_any_n():
    from wearclip.config.train import TrainConfig
    from wearclip.train.loop import n_batches

    budget = LabelledBudget(steps=300, patience_steps=100, batch_size=64)
    for n in (24, 64, 65, 1000):
        config = budget.apply(TrainConfig(batch_size=256), n)
        assert config.batch_size == min(64, n)
        per_epoch = n_batches(n, config.batch_size)
        assert config.epochs * per_epoch >= 300 > (config.epochs - 1) * per_epoch
        assert config.patience * per_epoch >= 100


def test_k_shot_validation_comes_from_validation_subjects():
    runner = ProtocolRunner(EvalSettings(), ["a"], windows={"a": synthetic_windows(B)})
    train, val, capped = runner.labelled(Setup(method="supervised", shots=2), "a", seed=0)
    split = runner.subjects("a")
    assert set(val.subjects) <= set(split.val) and set(train.subjects) <= set(split.train)
    assert np.bincount(val.labels).max() <= 2 and np.bincount(train.labels).tolist() == [2] * 4
    full_train, full_val, _ = runner.labelled(Setup(method="supervised"), "a", seed=0)
    assert len(full_val) == len(runner.split("a")["val"])


@pytest.mark.slow
def test_supervised_and_adaptation_take_the_same_optimiser_steps(tmp_path):
    from wearclip.config.train import TrainConfig

    settings = EvalSettings(labelled=LabelledBudget(steps=12, patience_steps=1000, batch_size=8),
                            pretrain=TrainConfig(epochs=1), checkpoints=str(tmp_path))
    windows = {"uci-hapt": synthetic_windows(A), "mobifall": synthetic_windows(B)}
    runner = ProtocolRunner(settings, ["uci-hapt", "mobifall"], windows=windows)
    last = {}
    for setup in (Setup(method="supervised", shots=5), Setup(method="nls", adapt=True, shots=5)):
        details = runner.run(setup, "uci-hapt", seed=0)["details"]
        last[setup.method] = details["curve"][-1][0]
    assert last == {"supervised": 12, "nls": 12}
