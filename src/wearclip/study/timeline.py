"""Zero-shot activity timelines over long recordings, for any free-text activities."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..data.datasets.base import STANDARD_GRAVITY, UNLABELLED, Recording
from ..data.datasets.timeline import check_increasing, to_recordings
from ..data.windows import resample, window_recording
from ..errors import DataFormatError, MissingFileError, UsageError
from ..io import atomic_directory, check_output
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..text import class_sentences
from .plots import plot_timeline

TIME_COLUMNS = ("time", "timestamp")
UNITS = {"g": 1.0, "m/s2": 1 / STANDARD_GRAVITY}


def read_recording(path: str | Path, rate: float | None = None, units: str = "g") -> list[Recording]:
    """A CSV of ``x, y, z`` (and ``time`` or ``timestamp``: seconds, or date-times) as gap-free
    uniformly sampled segments in g; without a time column, ``rate`` (Hz) is required."""
    path = Path(path)
    if units not in UNITS:
        raise UsageError(f"unknown units {units!r}; choose one of {', '.join(UNITS)}")
    if rate is not None and not 0 < rate < float("inf"):
        raise UsageError(f"rate must be a positive number of Hz, got {rate:g}")
    if not path.is_file():
        raise MissingFileError(f"{path}: recording not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{path}: empty; expected a header line with x, y, z") from None
    except pd.errors.ParserError as error:  # pandas names the line: "Expected 4 fields in line 3, saw 6"
        raise DataFormatError(f"{path}: {str(error).splitlines()[0].strip()}") from None
    except UnicodeDecodeError:
        raise DataFormatError(f"{path}: not a text CSV file") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("x", "y", "z") if c not in frame.columns]
    if missing:
        raise DataFormatError(f"{path}: line 1: missing column(s) {missing}; expected x, y, z and optionally "
                              f"{' or '.join(TIME_COLUMNS)}, found {list(frame.columns)}")
    if frame.empty:
        raise DataFormatError(f"{path}: no samples after the header")
    signal = np.empty((len(frame), 3))
    for i, column in enumerate("xyz"):
        values = pd.to_numeric(frame[column], errors="coerce")
        given = (frame[column].str.strip() != "").to_numpy()  # empty fields are gaps
        bad = np.flatnonzero(~np.isfinite(values.to_numpy(dtype=float)) & given)
        if len(bad):
            kind = "a finite number" if np.isinf(values.iloc[bad[0]]) else "a number"
            raise DataFormatError(f"{path}: line {bad[0] + 2}, field {column!r}: expected {kind}, "
                                  f"found {frame[column].iloc[bad[0]]!r}")
        signal[:, i] = values.to_numpy() * UNITS[units]
    time_column = next((c for c in TIME_COLUMNS if c in frame.columns), None)
    times = None
    if time_column is not None:
        raw = frame[time_column]
        numeric = pd.to_numeric(raw, errors="coerce")
        if numeric.notna().any():  # seconds: a row that is not a number is the error
            parsed = numeric
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format": we report the row
                parsed = pd.to_datetime(raw, errors="coerce")
        if parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise DataFormatError(f"{path}: line {row + 2}, field {time_column!r}: expected seconds or a date-time, "
                                  f"found {raw.iloc[row]!r}")
        times = (numeric.to_numpy(dtype=float) if parsed is numeric
                 else (parsed - parsed.iloc[0]).dt.total_seconds().to_numpy())
        check_increasing(times, str(path), lambda i: i + 2)
    elif rate is None:
        raise DataFormatError(f"{path}: no {' or '.join(TIME_COLUMNS)} column; pass the sampling rate (--rate)")
    labels = np.full(len(frame), UNLABELLED, dtype=np.int32)
    segments = list(to_recordings("", path.name, signal, labels, rate=rate, times=times))
    if not segments:
        raise DataFormatError(f"{path}: no stretch of at least two valid samples")
    return segments


def predict_recording(checkpoint: str | Path, recording: str | Path, activities: Sequence[str], out: str | Path,
                      rate: float | None = None, units: str = "g", recognition: str = "base",
                      overwrite: bool = False) -> dict:
    """Score every window of ``recording`` against ``activities``; write predictions.csv and timeline.png
    into the folder ``out``."""
    check_output(out, "predict", overwrite, frozenset({"predictions.csv", "timeline.png"}))
    if len(activities) < 2:
        raise UsageError(f"activities: give at least two, got {list(activities)}")
    sentences = class_sentences(list(activities), recognition)  # empty, repeated or unknown mode: before any work
    segments = read_recording(recording, rate, units)
    model = WearClip.from_pretrained(checkpoint)
    config = model.config.window.model_copy(update={"keep_unlabelled": True})
    classifier = ZeroShotClassifier(model, sentences)
    frames, traces = [], []
    for segment in segments:
        segment = resample(segment, config.rate)
        x, _, starts = window_recording(segment, config)
        traces.append((segment.start + np.arange(len(segment.signal)) / segment.rate,
                       np.linalg.norm(segment.signal, axis=1)))
        if not len(x):
            continue
        similarity = classifier.scores(x)
        probabilities = torch.softmax(model.scale().detach().cpu() * similarity, dim=1).numpy()
        best = probabilities.argmax(1)
        frame = pd.DataFrame({"segment": segment.recording, "start_s": starts, "end_s": starts + config.seconds,
                              "activity": [activities[i] for i in best],
                              "similarity": similarity.numpy()[np.arange(len(best)), best]})
        for i, name in enumerate(activities):
            frame[f"p:{name}"] = probabilities[:, i]
        frames.append(frame)
    if not frames:
        raise DataFormatError(f"{recording}: shorter than one {config.seconds:g} s window")
    predictions = pd.concat(frames, ignore_index=True)
    times = np.concatenate([t for t, _ in traces])
    magnitude = np.concatenate([m for _, m in traces])
    step = max(1, len(times) // 200_000)
    with atomic_directory(out, "predict", overwrite) as tmp:
        predictions.to_csv(tmp / "predictions.csv", index=False, float_format="%.5f")
        plot_timeline(times[::step], magnitude[::step], predictions["start_s"].to_numpy(), config.seconds,
                      predictions[[f"p:{a}" for a in activities]].to_numpy(), list(activities), tmp / "timeline.png",
                      f"{Path(recording).name}: zero-shot activity probabilities")
    counts = predictions["activity"].value_counts()
    return {"windows": len(predictions), "hours": (times[-1] - times[0]) / 3600 if len(times) > 1 else 0.0,
            "counts": {a: int(counts.get(a, 0)) for a in activities}}
