"""Subject-wise splits (no subject ever contributes windows to two splits), folds, k-shot draws and
unseen-class groups; every function is deterministic given its seed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SubjectSplit:
    """Disjoint subject lists for training, validation (model selection) and test."""

    train: tuple[str, ...]
    val: tuple[str, ...]
    test: tuple[str, ...]

    def as_dict(self) -> dict[str, list[str]]:
        return {"train": list(self.train), "val": list(self.val), "test": list(self.test)}


def _unique_subjects(subjects: Sequence[str]) -> list[str]:
    """Distinct subject ids in natural order ('2' before '10')."""
    return sorted(set(subjects), key=lambda s: (len(s), s))


def _ordered(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(_unique_subjects(items))


def subject_split(
    subjects: Sequence[str], seed: int, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> SubjectSplit:
    """Shuffle the unique subjects with ``seed`` and cut them by ``fractions`` (each split >= 1 subject)."""
    unique = _unique_subjects(subjects)
    if len(unique) < 3:
        raise ValueError(f"a train/val/test split needs at least 3 subjects, got {len(unique)}")
    if not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(f"split fractions must be positive and sum to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(len(unique))
    shuffled = [unique[i] for i in order]
    n_val = max(1, int(round(fractions[1] * len(unique))))
    n_test = max(1, int(round(fractions[2] * len(unique))))
    n_train = len(unique) - n_val - n_test
    if n_train < 1:
        raise ValueError(f"{len(unique)} subjects are too few for fractions {fractions}")
    return SubjectSplit(
        train=_ordered(shuffled[:n_train]),
        val=_ordered(shuffled[n_train : n_train + n_val]),
        test=_ordered(shuffled[n_train + n_val :]),
    )


def subject_folds(subjects: Sequence[str], k: int, seed: int, val_fraction: float = 0.2) -> list[SubjectSplit]:
    """k-fold cross-validation by subject: fold i tests on the i-th of k disjoint subject groups.

    The unique subjects are shuffled with ``seed`` and cut into ``k`` groups whose sizes differ by at
    most one; of each fold's remaining subjects, ``val_fraction`` (at least one, if positive) validate
    and the rest train. Every subject is tested exactly once across the folds.
    """
    unique = _unique_subjects(subjects)
    if not 2 <= k <= len(unique):
        raise ValueError(f"k-fold needs 2 <= k <= {len(unique)} subjects, got k={k}")
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    rng = np.random.default_rng(seed)
    shuffled = [unique[i] for i in rng.permutation(len(unique))]
    folds = [list(part) for part in np.array_split(np.array(shuffled, dtype=object), k)]
    splits = []
    for i, test in enumerate(folds):
        rest = [s for j, fold in enumerate(folds) if j != i for s in fold]
        n_val = 0 if val_fraction == 0 else max(1, int(round(val_fraction * len(rest))))
        if n_val >= len(rest):
            raise ValueError(f"{len(unique)} subjects are too few for {k} folds with validation subjects")
        order = [rest[j] for j in rng.permutation(len(rest))]
        splits.append(SubjectSplit(train=_ordered(order[n_val:]), val=_ordered(order[:n_val]), test=_ordered(test)))
    return splits


def k_shot(labels: np.ndarray, k: int, seed: int, classes: Sequence[int] | None = None) -> np.ndarray:
    """Indices of ``k`` windows per class, drawn without replacement with ``seed`` (sorted).

    ``labels`` are class indices (negative = unlabelled, never drawn); ``classes`` restricts the draw
    (default: every class present). A class with fewer than ``k`` windows is an error, so that a
    reported k-shot result really saw k examples of each class.
    """
    labels = np.asarray(labels)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    wanted = np.unique(labels[labels >= 0]) if classes is None else np.asarray(list(classes))
    rng = np.random.default_rng(seed)
    chosen = []
    for c in wanted:
        pool = np.flatnonzero(labels == c)
        if len(pool) < k:
            raise ValueError(f"class {int(c)} has {len(pool)} windows, fewer than k={k}")
        chosen.append(rng.choice(pool, size=k, replace=False))
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)


def unseen_class_groups(n_classes: int, groups: int, seed: int) -> list[tuple[int, ...]]:
    """A seeded partition of class indices ``0..n_classes-1`` into ``groups`` disjoint groups.

    Group sizes differ by at most one. In the unseen-activity protocol each group in turn is held out
    of training and recognised zero-shot.
    """
    if not 2 <= groups <= n_classes:
        raise ValueError(f"need 2 <= groups <= {n_classes} classes, got {groups}")
    order = np.random.default_rng(seed).permutation(n_classes)
    return [tuple(sorted(int(c) for c in part)) for part in np.array_split(order, groups)]
