"""A labelled recording as the page shows it: the signal (downsampled on request), the windows' predicted
activities raw and HMM-smoothed, every activity's probability, the true labels and macro-F1 where known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar, dataclass

import numpy as np
import pandas as pd

from ..data.datasets.base import Recording
from ..metrics import evaluate_predictions
from ..models.wearclip import WearClip
from ..study.smoothing import HmmSmoother
from ..study.timeline import label_segments

MAX_ACTIVITIES = 24


def parse_activities(text: str) -> list[str]:
    """Comma-separated free-text activities, stripped, without repeats; two at least."""
    names = list(dict.fromkeys(item.strip() for item in (text or "").split(",") if item.strip()))
    if len(names) < 2:
        raise ValueError("type at least two activities, separated by commas (e.g. walking, sitting, cycling)")
    if len(names) > MAX_ACTIVITIES:
        raise ValueError(f"type at most {MAX_ACTIVITIES} activities, not {len(names)}")
    return names


@dataclass
class Labelled:
    """One recording's segments and their window predictions (see :func:`label_recording`)."""

    name: str
    activities: list[str]
    segments: InitVar[Sequence[Recording]]
    predictions: pd.DataFrame

    def __post_init__(self, segments: Sequence[Recording]) -> None:  # one array of times and one of samples
        self.times = np.concatenate([s.start + np.arange(len(s.signal)) / s.rate for s in segments])
        self.signal = np.concatenate([s.signal for s in segments]).astype(np.float32)

    def envelope(self, start: float | None = None, end: float | None = None, points: int = 2000) -> dict:
        """The signal between ``start`` and ``end`` (s) in at most ``points`` buckets: per axis the lowest and
        highest value of each bucket (every sample where there are fewer than 2 x ``points``)."""
        times = self.times
        start = times[0] if start is None else max(float(start), times[0])
        end = times[-1] if end is None else min(float(end), times[-1])
        lo, hi = np.searchsorted(times, [start, end], side="left")
        t, signal = times[lo : max(hi, lo + 1) + 1], self.signal[lo : max(hi, lo + 1) + 1]
        points = int(np.clip(points, 10, 20_000))
        if len(t) <= 2 * points:
            low = high = signal
            centres = t
        else:
            edges = np.unique(np.searchsorted(t, np.linspace(t[0], t[-1], points + 1)[:-1]))  # no empty bucket
            low, high = np.minimum.reduceat(signal, edges), np.maximum.reduceat(signal, edges)
            centres = t[edges]
        return {"t": np.round(centres, 3).tolist(), "lo": np.round(low.T, 4).tolist(),
                "hi": np.round(high.T, 4).tolist(), "samples": int(len(t))}

    def truth(self) -> np.ndarray | None:
        """Per window, the activity its true label names (case-insensitively), -1 where none; None unlabelled."""
        if "label" not in self.predictions:
            return None
        lookup = {a.casefold(): i for i, a in enumerate(self.activities)}
        return np.array([lookup.get(v.casefold(), -1) if isinstance(v, str) else -1 for v in self.predictions["label"]])

    def scores(self) -> dict:
        """Macro-F1 and accuracy of the raw and the smoothed activities over the windows whose true label is
        one of the activities; empty where there is none."""
        truth = self.truth()
        known = truth >= 0 if truth is not None else np.zeros(len(self.predictions), bool)
        if not known.any():
            return {}
        index = {a: i for i, a in enumerate(self.activities)}
        out: dict = {"windows": int(known.sum())}
        for key, column in (("raw", "activity_raw"), ("smoothed", "activity")):
            result = evaluate_predictions(truth[known], self.predictions[column].map(index).to_numpy()[known],
                                          self.activities)
            out[key] = {"macro_f1": result.macro_f1, "accuracy": result.accuracy}
        return out

    def summary(self) -> dict:
        """What the page draws: window times, activity indices (raw, smoothed, true; -1 unknown),
        probabilities, scores, the recording's own label names and an overview of the signal."""
        p = self.predictions
        index = {a: i for i, a in enumerate(self.activities)}
        truth = self.truth()
        return {
            "name": self.name, "activities": self.activities,
            "start": float(self.times[0]), "end": float(self.times[-1]),
            "windows": {"start": np.round(p["start_s"].to_numpy(), 3).tolist(),
                        "end": np.round(p["end_s"].to_numpy(), 3).tolist(),
                        "raw": p["activity_raw"].map(index).tolist(), "smoothed": p["activity"].map(index).tolist(),
                        "truth": None if truth is None else truth.tolist(),
                        "p": np.round(p[[f"p:{a}" for a in self.activities]].to_numpy(), 3).tolist()},
            "labels": sorted({v for v in p["label"] if isinstance(v, str)}) if "label" in p else [],
            "scores": self.scores(), "overview": self.envelope(),
        }

    def csv(self) -> str:
        return self.predictions.to_csv(index=False, float_format="%.5f")


def label_recording(model: WearClip, name: str, segments: Sequence[Recording], activities: Sequence[str],
                    smoother: HmmSmoother, classes: Sequence[str] | None = None) -> Labelled:
    """Windows of ``segments`` scored against ``activities``, raw and smoothed (``classes``: the segments' labels)."""
    config = model.config.window
    predictions = label_segments(model, segments, activities, smoother=smoother, classes=classes)
    if predictions.empty:
        raise ValueError(f"{name}: shorter than one {config.seconds:g} s window")
    return Labelled(name, list(activities), segments, predictions)
