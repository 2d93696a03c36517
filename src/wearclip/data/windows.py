"""Recordings -> fixed-length windows at 50 Hz, with one activity label per window.

The window-label rule decides what a window spanning several labels becomes:

* ``pure`` (default, as in the study): every sample shares one label; windows that span two
  activities or contain any unlabelled sample are dropped.
* ``majority``: the most frequent label, if it covers at least ``min_fraction`` of the window
  (unlabelled samples count against it).
* ``center``: the label of the middle sample.

Windows whose rule yields no label are dropped unless ``keep_unlabelled`` (for inference over whole
recordings), in which case they carry :data:`UNLABELLED`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from ..config.window import TARGET_RATE, WindowConfig
from .datasets.base import UNLABELLED, Recording


def resample(recording: Recording, rate: float = TARGET_RATE) -> Recording:
    """Resample a uniformly sampled recording to ``rate`` Hz (polyphase, anti-aliased); labels by nearest sample."""
    if np.isclose(recording.rate, rate):
        return recording
    ratio = Fraction(rate / recording.rate).limit_denominator(1000)
    signal = resample_poly(recording.signal.astype(np.float64), ratio.numerator, ratio.denominator, axis=0)
    n = signal.shape[0]
    source = np.minimum((np.arange(n) * recording.rate / rate).round().astype(np.int64), len(recording.labels) - 1)
    return Recording(
        subject=recording.subject,
        recording=recording.recording,
        signal=signal.astype(np.float32),
        labels=recording.labels[source],
        rate=rate,
        start=recording.start,
    )


def window_labels(labels: np.ndarray, config: WindowConfig) -> np.ndarray:
    """Apply the window-label rule to a (n_windows, size) array of sample labels."""
    if config.label_rule == "center":
        return labels[:, labels.shape[1] // 2].copy()
    first = labels[:, 0]
    if config.label_rule == "pure":
        return np.where((labels == first[:, None]).all(axis=1), first, UNLABELLED)
    out = np.full(len(labels), UNLABELLED, dtype=labels.dtype)
    for i, row in enumerate(labels):
        values, counts = np.unique(row[row != UNLABELLED], return_counts=True)
        if len(values) and counts.max() >= config.min_fraction * len(row):
            out[i] = values[counts.argmax()]
    return out


@dataclass
class Windows:
    """A set of windows and their manifest.

    ``x`` is (N, 3, T) float32 in g (a NumPy array or a read-only memmap); ``labels`` index
    ``classes``; ``subjects``/``recordings`` are strings; ``starts`` are seconds from recording start.
    """

    x: np.ndarray
    labels: np.ndarray
    subjects: np.ndarray
    recordings: np.ndarray
    starts: np.ndarray
    classes: list[str]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask_or_index: np.ndarray) -> Windows:
        """The windows selected by a boolean mask or an index array."""
        return Windows(
            x=self.x[mask_or_index],
            labels=self.labels[mask_or_index],
            subjects=self.subjects[mask_or_index],
            recordings=self.recordings[mask_or_index],
            starts=self.starts[mask_or_index],
            classes=self.classes,
        )

    def of_subjects(self, subjects: Iterable[str]) -> Windows:
        """The windows of the given subjects."""
        return self.subset(np.isin(self.subjects, list(subjects)))

    def class_counts(self) -> dict[str, int]:
        """Windows per class name (classes with none included)."""
        counts = np.bincount(self.labels[self.labels >= 0], minlength=len(self.classes))
        return dict(zip(self.classes, counts.tolist()))


def window_recording(recording: Recording, config: WindowConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut one recording (already at ``config.rate``) into (x (n,3,T), labels (n,), starts in s (n,))."""
    size, step = config.size, config.step
    n = 0 if len(recording.signal) < size else (len(recording.signal) - size) // step + 1
    if n == 0:
        return np.empty((0, 3, size), np.float32), np.empty(0, np.int32), np.empty(0, np.float64)
    starts = np.arange(n) * step
    index = starts[:, None] + np.arange(size)[None, :]
    labels = window_labels(recording.labels[index], config)
    keep = np.ones(n, bool) if config.keep_unlabelled else labels != UNLABELLED
    x = recording.signal[index[keep]].transpose(0, 2, 1)
    return (
        np.ascontiguousarray(x, dtype=np.float32),
        labels[keep].astype(np.int32),
        recording.start + starts[keep] / recording.rate,
    )


def make_windows(recordings: Iterable[Recording], classes: list[str], config: WindowConfig | None = None) -> Windows:
    """Resample every recording to the window rate and window it, in memory (see the store for disk)."""
    config = config or WindowConfig()
    xs, ys, subjects, names, starts = [], [], [], [], []
    for recording in recordings:
        x, y, t0 = window_recording(resample(recording, config.rate), config)
        xs.append(x)
        ys.append(y)
        starts.append(t0)
        subjects.append(np.full(len(y), recording.subject, dtype=object))
        names.append(np.full(len(y), recording.recording, dtype=object))
    if not xs:
        raise ValueError("no recordings to window")
    return Windows(
        x=np.concatenate(xs),
        labels=np.concatenate(ys),
        subjects=np.concatenate(subjects).astype(str),
        recordings=np.concatenate(names).astype(str),
        starts=np.concatenate(starts),
        classes=list(classes),
    )


def channel_stats(x: np.ndarray, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of (N, 3, T) windows, in chunks (works on memmaps)."""
    total = np.zeros(3)
    squares = np.zeros(3)
    count = 0
    for i in range(0, len(x), chunk):
        block = np.asarray(x[i : i + chunk], dtype=np.float64)
        total += block.sum(axis=(0, 2))
        squares += (block**2).sum(axis=(0, 2))
        count += block.shape[0] * block.shape[2]
    if count == 0:
        raise ValueError("cannot compute normalisation statistics of zero windows")
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 1e-12))
    return mean.astype(np.float32), std.astype(np.float32)
