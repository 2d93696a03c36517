"""Protocol data rules: class restriction, dataset unions, k-shot draws, unseen groups, pre-training data."""

import numpy as np
import pytest

from tests.support.synthetic import synthetic_windows
from wearclip.data import datasets
from wearclip.data.windows import pool
from wearclip.metrics import evaluate_predictions, format_mean_std, mean_std, random_guesses
from wearclip.study.protocols import EvalSettings, ProtocolRunner, Setup, draw_shots, restrict, unseen_groups

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
    assert (mode, objective.name, objective.simclr_weight, config.simclr_dim) == ("random-template+body-parts", "clip", 1.0, 128)
    config, objective, mode = runner.recipe_of(Setup(method="nls", objective="unicl", mode="random-template"))
    assert (mode, objective.name, objective.simclr_weight, config.simclr_dim) == ("random-template", "unicl", 0.0, 0)
