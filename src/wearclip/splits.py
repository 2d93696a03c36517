"""Subject-wise splits: no subject ever contributes windows to two splits."""

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


def subject_split(
    subjects: Sequence[str], seed: int, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> SubjectSplit:
    """Shuffle the unique subjects with ``seed`` and cut them by ``fractions`` (each split >= 1 subject)."""
    unique = sorted(set(subjects), key=lambda s: (len(s), s))
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

    def ordered(items: list[str]) -> tuple[str, ...]:
        return tuple(sorted(items, key=lambda s: (len(s), s)))

    return SubjectSplit(
        train=ordered(shuffled[:n_train]),
        val=ordered(shuffled[n_train : n_train + n_val]),
        test=ordered(shuffled[n_train + n_val :]),
    )
