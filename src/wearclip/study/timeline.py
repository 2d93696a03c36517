"""Zero-shot activity timelines over long recordings, for any free-text activities."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..config.model import AUTO
from ..data.datasets.base import STANDARD_GRAVITY, UNLABELLED, Recording
from ..data.datasets.timeline import check_increasing, to_recordings
from ..data.windows import resample, window_recording
from ..errors import DataFormatError, MissingFileError, UsageError
from ..io import atomic_directory, check_output
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..text import check_recognition, class_sentences
from .plots import plot_timeline
from .smoothing import HmmSmoother

TIME_COLUMNS = ("time", "timestamp")
UNITS = {"g": 1.0, "m/s2": 1 / STANDARD_GRAVITY}


def read_recording(path: str | Path, rate: float | None = None, units: str = "g") -> list[Recording]:
    """A CSV or Parquet table of ``x, y, z`` (and ``time`` or ``timestamp``: seconds, or date-times) as gap-free
    uniformly sampled segments in g; without a time column, ``rate`` (Hz) is required."""
    return read_labelled_recording(path, rate, units)[0]


def read_labelled_recording(path: str | Path, rate: float | None = None, units: str = "g",
                            ) -> tuple[list[Recording], list[str]]:
    """:func:`read_recording`, with the optional ``label`` column (free text, empty = unlabelled) as class
    indices into the returned sorted list of distinct labels."""
    path = Path(path)
    if units not in UNITS:
        raise UsageError(f"unknown units {units!r}; choose one of {', '.join(UNITS)}")
    if rate is not None and not 0 < rate < float("inf"):
        raise UsageError(f"rate must be a positive number of Hz, got {rate:g}")
    if not path.is_file():
        raise MissingFileError(f"{path}: recording not found")
    parquet = path.suffix.lower() == ".parquet"
    where, first = ("row", 1) if parquet else ("line", 2)  # line 1 of a CSV is its header
    try:
        if parquet:
            frame = pd.read_parquet(path)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{path}: empty; expected a header line with x, y, z") from None
    except pd.errors.ParserError as error:  # pandas names the line: "Expected 4 fields in line 3, saw 6"
        raise DataFormatError(f"{path}: {str(error).splitlines()[0].strip()}") from None
    except UnicodeDecodeError:
        raise DataFormatError(f"{path}: not a text CSV file") from None
    except (OSError, ValueError) as error:  # pyarrow: not a Parquet file, or a damaged one
        raise DataFormatError(f"{path}: not a readable Parquet file ({str(error).splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("x", "y", "z") if c not in frame.columns]
    if missing:
        raise DataFormatError(f"{path}: {'header' if parquet else 'line 1'}: missing column(s) {missing}; expected x, y, z "
                              f"and optionally {' or '.join(TIME_COLUMNS)}, found {list(frame.columns)}")
    if frame.empty:
        raise DataFormatError(f"{path}: no samples after the header")
    signal = np.empty((len(frame), 3))
    for i, column in enumerate("xyz"):
        values = pd.to_numeric(frame[column], errors="coerce")
        given = (frame[column].str.strip() != "").to_numpy()  # empty fields are gaps
        bad = np.flatnonzero(~np.isfinite(values.to_numpy(dtype=float)) & given)
        if len(bad):
            kind = "a finite number" if np.isinf(values.iloc[bad[0]]) else "a number"
            raise DataFormatError(f"{path}: {where} {bad[0] + first}, field {column!r}: expected {kind}, "
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
            raise DataFormatError(f"{path}: {where} {row + first}, field {time_column!r}: expected seconds or a "
                                  f"date-time, found {raw.iloc[row]!r}")
        times = (numeric.to_numpy(dtype=float) if parsed is numeric
                 else (parsed - parsed.iloc[0]).dt.total_seconds().to_numpy())
        check_increasing(times, str(path), lambda i: i + first, where)
    elif rate is None:
        raise DataFormatError(f"{path}: no {' or '.join(TIME_COLUMNS)} column; pass the sampling rate (--rate)")
    text = frame["label"].str.strip() if "label" in frame.columns else pd.Series("", index=frame.index)
    classes = sorted(set(text) - {""})
    lookup = {name: i for i, name in enumerate(classes)} | {"": UNLABELLED}
    labels = text.map(lookup).to_numpy(dtype=np.int32)
    segments = list(to_recordings("", path.name, signal, labels, rate=rate, times=times))
    if not segments:
        raise DataFormatError(f"{path}: no stretch of at least two valid samples")
    return segments, classes


def label_segments(model: WearClip, segments: Sequence[Recording], activities: Sequence[str],
                   recognition: str = AUTO, smoother: HmmSmoother | None = None,
                   classes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per window of every segment: start and end (s), the activity (the most probable one, or the
    HMM-smoothed one with ``smoother``, then ``activity_raw`` keeps the per-window one), its similarity and
    every activity's probability ``p:NAME``; with the segments' ``classes``, the true ``label`` (None where
    unlabelled)."""
    config = model.config.window.model_copy(update={"keep_unlabelled": True})
    classifier = ZeroShotClassifier(model, class_sentences(list(activities), model.config.recognition_mode(recognition)))
    names = np.asarray([*activities], dtype=object)
    frames = []
    for segment in segments:
        x, y, starts = window_recording(resample(segment, config.rate), config)
        if not len(x):
            continue
        similarity = classifier.scores(x)
        probabilities = torch.softmax(model.scale().detach().cpu() * similarity, dim=1).numpy()
        best = probabilities.argmax(1)
        frame = pd.DataFrame({"segment": segment.recording, "start_s": starts, "end_s": starts + config.seconds,
                              "activity": names[smoother(probabilities) if smoother else best],
                              "similarity": similarity.numpy()[np.arange(len(best)), best]})
        if smoother:
            frame.insert(4, "activity_raw", names[best])
        if classes is not None:
            frame["label"] = np.asarray([*classes, None], dtype=object)[np.where(y < 0, len(classes), y)]
        for i, name in enumerate(activities):
            frame[f"p:{name}"] = probabilities[:, i]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def predict_recording(checkpoint: str | Path, recording: str | Path, activities: Sequence[str], out: str | Path,
                      rate: float | None = None, units: str = "g", recognition: str = AUTO,
                      smoother: HmmSmoother | None = None, overwrite: bool = False) -> dict:
    """Score every window of ``recording`` against ``activities`` (HMM-smoothed with ``smoother``);
    write predictions.csv and timeline.png into the folder ``out``."""
    check_output(out, "predict", overwrite, frozenset({"predictions.csv", "timeline.png"}))
    if len(activities) < 2:
        raise UsageError(f"activities: give at least two, got {list(activities)}")
    check_recognition(list(activities), recognition)  # empty, repeated or unknown mode: before any work
    model = WearClip.from_pretrained(checkpoint)
    config = model.config.window
    segments = [resample(segment, config.rate) for segment in read_recording(recording, rate, units)]
    traces = [(s.start + np.arange(len(s.signal)) / s.rate, np.linalg.norm(s.signal, axis=1)) for s in segments]
    predictions = label_segments(model, segments, activities, recognition, smoother)
    if predictions.empty:
        raise DataFormatError(f"{recording}: shorter than one {config.seconds:g} s window")
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
