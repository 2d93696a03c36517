"""Samples with their times -> uniformly sampled :class:`Recording` segments, split where data are missing.

Every loader ends here. Regularly sampled files (no time column) give ``times=None``; irregular ones
(phones that report each sample's own timestamp) give their times in seconds and are linearly
interpolated onto a uniform grid at the stream's rate. Missing data are never bridged: a gap row (all
of x, y, z missing, where the format documents such gaps), or a jump between consecutive times longer
than ``max_gap``, ends one recording and starts the next (named ``<recording>#<k>``, with ``start`` in
seconds from the first sample). Given the ``source`` file, the signal is validated first (:func:`check_signal`)
and gaps and dropped streams are reported to :mod:`wearclip.data.quality`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ...errors import DataFormatError
from .. import quality
from .base import Recording

MAX_GAP = 0.5
"""Longest pause (s) between samples of an irregular stream that is still interpolated, not split."""


def check_increasing(
    times: np.ndarray, source: str, line_of: Callable[[int], int] = lambda i: i + 1, word: str = "line"
) -> None:
    """Fail, naming file and line (or row), at the first time that goes backwards (equal times are allowed)."""
    backwards = np.flatnonzero(np.diff(times) < 0)
    if len(backwards):
        i = int(backwards[0]) + 1
        raise DataFormatError(
            f"{source}: {word} {line_of(i)}: timestamp {times[i]:g} goes backwards (previous {times[i - 1]:g})"
        )


def check_signal(
    signal: np.ndarray, source: str, line_of: Callable[[int], str] = lambda i: f"line {i + 1}", gaps: bool = False
) -> None:
    """Refuse acceleration (in g) that cannot be a measurement, naming the first offending line.

    Non-finite values are errors, except rows whose x, y and z are all NaN where the format documents
    such gaps (``gaps``). A magnitude beyond :func:`~wearclip.data.quality.max_g` is an error too.
    """
    signal = np.asarray(signal)
    finite = np.isfinite(signal)
    bad = ~finite.all(axis=1)
    if gaps:
        bad &= ~np.isnan(signal).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        value = signal[i][~finite[i]][0]
        raise DataFormatError(f"{source}: {line_of(i)}: acceleration {value} is not a finite number"
                              + ("" if gaps else " (this format has no documented gaps)"))
    limit = quality.max_g()
    with np.errstate(over="ignore", invalid="ignore"):
        implausible = np.einsum("ij,ij->i", signal, signal) > limit**2  # an overflow to inf is implausible too
    if implausible.any():
        i = int(np.argmax(implausible))
        magnitude = float(np.linalg.norm(signal[i].astype(np.float64)))
        raise DataFormatError(f"{source}: {line_of(i)}: acceleration of {magnitude:.4g} g exceeds the plausibility "
                              f"limit of {limit:g} g (wrong units or a corrupt value? ${quality.MAX_G_ENV} sets the limit)")


def estimate_rate(times: np.ndarray, max_gap: float = MAX_GAP) -> float:
    """The stream's rate in Hz: steps per second over its gap-free stretches, rounded to a whole Hz.

    A mean over all steps (not a median) is steady under the jitter of phone timestamps.
    """
    steps = np.diff(times)
    steps = steps[(steps > 0) & (steps <= max_gap)]
    if not len(steps):
        raise ValueError("cannot estimate a sampling rate from fewer than two distinct, close times")
    return float(max(1, round(len(steps) / float(steps.sum()))))


def _runs(present: np.ndarray, times: np.ndarray, max_gap: float) -> list[tuple[int, int]]:
    """Index ranges [a, b) of consecutive present rows with no step longer than ``max_gap``."""
    index = np.flatnonzero(present)
    if not len(index):
        return []
    breaks = (np.diff(index) > 1) | (np.diff(times[index]) > max_gap)
    cuts = np.flatnonzero(breaks) + 1
    return [(int(index[a]), int(index[b - 1]) + 1) for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(index)])]


def to_recordings(
    subject: str,
    recording: str,
    signal: np.ndarray,
    labels: np.ndarray,
    rate: float | None = None,
    times: np.ndarray | None = None,
    max_gap: float | None = None,
    min_samples: int = 2,
    source: str | None = None,
    line_of: Callable[[int], str] = lambda i: f"line {i + 1}",
    gaps: bool = False,
) -> Iterator[Recording]:
    """Yield the uniformly sampled, gap-free segments of one stream.

    ``signal`` (n, 3) in g, possibly with NaN rows; ``labels`` (n,) class indices; ``times`` (n,) in
    seconds, non-decreasing (duplicates keep their first sample). Without ``times`` the rows are taken
    as exactly ``rate`` Hz and every NaN row splits. With ``times``, ``rate`` is the grid rate (estimated
    when None) and ``max_gap`` defaults to :data:`MAX_GAP`. Given ``source`` (the file, as errors name
    it; ``line_of`` turns a row index into its place there), the signal is validated by
    :func:`check_signal` (NaN rows are allowed only with ``gaps``), and splits and drops are reported.
    """
    signal = np.asarray(signal)
    n = len(signal)
    if source is not None:
        check_signal(signal, source, line_of, gaps)
    report = source or recording
    present = np.isfinite(signal).all(axis=1)  # a missing row splits
    keep = present.copy()  # rows used for interpolation
    if times is None:
        if rate is None:
            raise ValueError("a stream without times needs its rate")
        times = np.arange(n) / rate
        gap = 1.5 / rate
        regular = True
    else:
        times = np.asarray(times, dtype=np.float64)
        keep &= np.r_[True, np.diff(times) > 0]  # duplicate times: keep the first sample
        if keep.sum() < min_samples:
            distinct = len(np.unique(times[present]))
            quality.drop(report, f"{distinct} distinct timestamp(s) in {n} samples (a recording needs {min_samples})")
            return
        gap = MAX_GAP if max_gap is None else max_gap
        if rate is None:
            try:
                rate = estimate_rate(times[keep], gap)
            except ValueError:
                quality.drop(report, f"no two of its {n} samples lie within {gap:g} s of each other")
                return
        regular = False
    every = _runs(present, times, max(gap, 1.5 / rate))
    runs = [(a, b) for a, b in every if keep[a:b].sum() >= min_samples]
    kept = sum(b - a for a, b in runs)
    if not runs:
        quality.drop(report, f"no run of {min_samples} valid samples without a gap among its {n}")
        return
    quality.gaps(report, max(0, len(every) - 1), n - kept)
    origin = times[0] if n else 0.0
    for k, (a, b) in enumerate(runs):
        name = recording if len(runs) == 1 else f"{recording}#{k}"
        seg_keep = keep[a:b]
        t, x, y = times[a:b][seg_keep], signal[a:b][seg_keep], labels[a:b][seg_keep]
        if not regular:
            grid = t[0] + np.arange(int(np.floor((t[-1] - t[0]) * rate + 1e-9)) + 1) / rate
            x = np.stack([np.interp(grid, t, x[:, c]) for c in range(3)], axis=1)
            nearest = np.clip(np.searchsorted(t, grid), 1, len(t) - 1)
            nearest -= (grid - t[nearest - 1]) < (t[nearest] - grid)
            y = y[nearest]
            if len(grid) < min_samples:
                continue
        yield Recording(
            subject=subject,
            recording=name,
            signal=np.ascontiguousarray(x, dtype=np.float32),
            labels=np.ascontiguousarray(y, dtype=np.int32),
            rate=float(rate),
            start=float(t[0] - origin),
        )
