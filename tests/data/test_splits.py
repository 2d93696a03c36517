"""Subject folds, k-shot draws and unseen-class groups: disjoint, complete, and fixed by the seed."""

import numpy as np
import pytest

from wearclip.data.splits import k_shot, subject_folds, subject_split, unseen_class_groups

SUBJECTS = [str(s) for s in range(1, 31)]


def test_subject_folds_test_every_subject_once_and_never_mix_subjects():
    folds = subject_folds(SUBJECTS * 3, k=4, seed=7)
    assert len(folds) == 4
    tested = [s for fold in folds for s in fold.test]
    assert sorted(tested, key=int) == SUBJECTS
    assert sorted(len(f.test) for f in folds) == [7, 7, 8, 8]
    for fold in folds:
        parts = [set(fold.train), set(fold.val), set(fold.test)]
        assert set.union(*parts) == set(SUBJECTS) and sum(map(len, parts)) == 30
        assert len(fold.val) == round(0.2 * (30 - len(fold.test)))
    assert subject_folds(SUBJECTS, 4, seed=7) == folds
    assert subject_folds(SUBJECTS, 4, seed=8) != folds


def test_subject_folds_without_validation_and_bad_k():
    folds = subject_folds(SUBJECTS[:5], k=5, seed=0, val_fraction=0)
    assert all(len(f.test) == 1 and f.val == () and len(f.train) == 4 for f in folds)
    with pytest.raises(ValueError, match="2 <= k <= 5"):
        subject_folds(SUBJECTS[:5], k=6, seed=0)


def test_k_shot_draws_exactly_k_per_class_reproducibly():
    rng = np.random.default_rng(0)
    labels = rng.integers(-1, 5, size=1000)
    chosen = k_shot(labels, k=3, seed=11)
    assert np.array_equal(chosen, np.sort(chosen)) and len(set(chosen)) == len(chosen)
    assert np.bincount(labels[chosen], minlength=5).tolist() == [3] * 5
    assert (labels[chosen] >= 0).all()
    assert np.array_equal(k_shot(labels, 3, seed=11), chosen)
    assert not np.array_equal(k_shot(labels, 3, seed=12), chosen)
    assert np.bincount(labels[k_shot(labels, 2, seed=0, classes=[1, 4])]).tolist() == [0, 2, 0, 0, 2]


def test_k_shot_refuses_a_class_with_too_few_windows():
    with pytest.raises(ValueError, match="class 1 has 1 windows, fewer than k=2"):
        k_shot(np.array([0, 0, 0, 1]), 2, seed=0)


def test_unseen_class_groups_partition_the_classes():
    groups = unseen_class_groups(12, 5, seed=3)
    assert sorted(c for g in groups for c in g) == list(range(12))
    assert sorted(len(g) for g in groups) == [2, 2, 2, 3, 3]
    assert unseen_class_groups(12, 5, seed=3) == groups and unseen_class_groups(12, 5, seed=4) != groups
    with pytest.raises(ValueError):
        unseen_class_groups(3, 4, seed=0)


def test_subject_split_is_unchanged_by_the_new_helpers():
    split = subject_split(SUBJECTS, seed=0)
    assert (len(split.train), len(split.val), len(split.test)) == (18, 6, 6)
    assert split.test == ("2", "10", "16", "23", "25", "28")  # the spine's seed-0 split, as before
