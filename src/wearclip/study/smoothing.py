"""Smoothing window-by-window activity labels over time with a hidden Markov model.

Zero-shot labels of consecutive windows flicker, while people keep doing one thing for a while. As in
the OxWearables tools (stepcount, actinet), the per-window class probabilities are taken as emission
likelihoods of a hidden Markov chain over activities, and Viterbi decoding finds the most likely
sequence. ``stickiness`` is the chance of staying in the same activity from one window to the next;
the rest is shared equally among the other activities. An optional minimum bout length expands each
activity into a chain of ``min_bout`` states that must be walked through before the activity can end,
so the decoded path is the most likely one in which every bout lasts at least ``min_bout`` windows
(explicit-duration HMM); no post-hoc merging of short bouts is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError

SMOOTHING = ("none", "hmm")
FLOOR = 1e-12
"""Smallest probability taken as an emission likelihood, so a zero never forbids a path outright."""


@dataclass(frozen=True)
class HmmSmoother:
    """Viterbi decoding of per-window probabilities (n, C) into one activity index per window."""

    stickiness: float = 0.95
    min_bout: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.stickiness < 1:
            raise UsageError(f"stickiness must lie strictly between 0 and 1, got {self.stickiness}")
        if self.min_bout < 1:
            raise UsageError(f"the minimum bout length is at least one window, got {self.min_bout}")

    def __call__(self, probabilities) -> np.ndarray:
        probabilities = np.asarray(probabilities, dtype=np.float64)
        if probabilities.ndim != 2 or probabilities.shape[1] == 0:
            raise ValueError(f"probabilities must be (windows, classes), got shape {probabilities.shape}")
        if len(probabilities) == 0 or probabilities.shape[1] == 1:
            return np.zeros(len(probabilities), dtype=np.int64)
        return viterbi(np.log(np.clip(probabilities, FLOOR, None)), self.stickiness, self.min_bout)


def viterbi(log_emissions: np.ndarray, stickiness: float, min_bout: int = 1) -> np.ndarray:
    """The most likely activity per window under a sticky Markov chain whose bouts last ``min_bout``+ windows.

    States are (activity c, step d of its bout, d < min_bout); the last step d = min_bout - 1 is the only
    one that may stay (probability ``stickiness``) or switch to the first step of another activity
    (``(1 - stickiness) / (C - 1)`` each). Where the recording is shorter than one bout, the best
    unfinished bout is returned."""
    n, classes = log_emissions.shape
    m = min_bout
    log_stay, log_switch = np.log(stickiness), np.log((1 - stickiness) / (classes - 1))
    others = ~np.eye(classes, dtype=bool)
    delta = np.full((classes, m), -np.inf)
    delta[:, 0] = log_emissions[0] - np.log(classes)
    came_from = np.zeros((n, classes), dtype=np.int64)  # the activity whose bout ended before a bout begins
    stayed = np.zeros((n, classes), dtype=bool)  # the last bout step was reached by staying in it
    for t in range(1, n):
        ended = np.where(others, delta[:, m - 1][:, None], -np.inf)  # [previous, next]
        came_from[t] = ended.argmax(0)
        switch = ended.max(0) + log_switch
        stay = delta[:, m - 1] + log_stay
        new = np.empty_like(delta)
        if m == 1:
            stayed[t] = stay >= switch
            new[:, 0] = np.maximum(stay, switch)
        else:
            new[:, 0] = switch
            new[:, 1 : m - 1] = delta[:, : m - 2]
            stayed[t] = stay >= delta[:, m - 2]
            new[:, m - 1] = np.maximum(stay, delta[:, m - 2])
        delta = new + log_emissions[t][:, None]
    finished = delta[:, m - 1]
    if np.isfinite(finished).any():
        c, d = int(finished.argmax()), m - 1
    else:
        c, d = (int(i) for i in np.unravel_index(delta.argmax(), delta.shape))
    path = np.empty(n, dtype=np.int64)
    for t in range(n - 1, -1, -1):
        path[t] = c
        if t == 0:
            break
        if d == m - 1 and stayed[t, c]:
            continue
        if d == 0:
            c, d = int(came_from[t, c]), m - 1
        else:
            d -= 1
    return path


def bouts(labels) -> list[tuple[int, int, int]]:
    """Runs of equal labels as (first window, window count, label)."""
    labels = np.asarray(labels)
    if not len(labels):
        return []
    starts = np.r_[0, np.flatnonzero(labels[1:] != labels[:-1]) + 1]
    lengths = np.diff(np.r_[starts, len(labels)])
    return [(int(s), int(k), int(labels[s])) for s, k in zip(starts, lengths)]


def smoother(name: str, stickiness: float = 0.95, min_bout: int = 1) -> HmmSmoother | None:
    """The smoother a name asks for (``none`` or ``hmm``), or a :class:`UsageError` naming the choices."""
    if name not in SMOOTHING:
        raise UsageError(f"smoothing {name!r}: choose one of {', '.join(SMOOTHING)}")
    return HmmSmoother(stickiness, min_bout) if name == "hmm" else None
