"""Recordings -> fixed-length windows at 50 Hz, with one activity label per window.

The window-label rule decides what a window spanning several labels becomes:

* ``pure`` (default, as in the study): every sample shares one label; windows that span two
  activities or contain any unlabelled sample are dropped.
* ``majority``: the most frequent label, if it covers at least ``min_fraction`` of the window
  (unlabelled samples count against it).
* ``center``: the label of the middle sample.

Windows whose rule yields no label are dropped unless ``keep_unlabelled`` (for inference over whole
recordings), in which case they carry :data:`UNLABELLED`.

A window set is a view: its signals are :class:`Rows`, base arrays (a store's memmap, or windows in
memory) and an index array, and its columns (labels, subjects, recordings, starts) a :class:`Manifest`
read through the same index. Selecting subjects, classes or k-shot draws makes a new index array and
copies neither signals nor columns; pooling datasets keeps the parts and computes its columns when
asked. Reading a batch fetches only its rows, in sorted order, from the memmap's file with ``preadv``
(through the page cache, never mapped into the process), so a pass over a store leaves the process no
larger.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
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


def _file_offset(base: np.ndarray) -> int | None:
    """Byte offset in its file of row 0 of a C-contiguous memmap (``None``: not a file, or no
    ``preadv`` on this platform)."""
    if not (isinstance(base, np.memmap) and isinstance(base.base, mmap.mmap) and base.filename
            and base.flags.c_contiguous and hasattr(os, "preadv")):
        return None
    mapped = np.frombuffer(base.base, dtype=np.uint8).ctypes.data  # where the mapping starts in memory
    return base.offset - base.offset % mmap.ALLOCATIONGRANULARITY + base.ctypes.data - mapped


def _pread(base: np.memmap, offset: int, rows: np.ndarray) -> np.ndarray:
    """Sorted ``rows`` of a memmap read with ``preadv``, one call per run of consecutive rows: the
    bytes come from the page cache without being mapped into this process, so however much of a
    store a run reads (large page-cache folios would be mapped whole), the process does not grow."""
    out = np.empty((len(rows), *base.shape[1:]), dtype=base.dtype)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    row_bytes = base.strides[0]
    with open(base.filename, "rb", buffering=0) as file:
        for lo, hi in zip(np.r_[0, breaks].tolist(), np.r_[breaks, len(rows)].tolist()):
            view, position = memoryview(out[lo:hi]).cast("B"), offset + int(rows[lo]) * row_bytes
            while len(view):
                got = os.preadv(file.fileno(), [view], position)
                if got == 0:
                    raise OSError(f"{base.filename}: ends before row {int(rows[hi - 1])} (truncated store?)")
                view, position = view[got:], position + got
    return out


def _read(out: np.ndarray, positions: np.ndarray, base: np.ndarray, rows: np.ndarray) -> None:
    """Copy sorted ``rows`` of one base to ``out[positions]``: from a memmap's file with ``preadv``,
    from an array in memory by one slice (consecutive rows) or fancy indexing."""
    offset = _file_offset(base)
    if offset is not None:
        out[positions] = _pread(base, offset, rows)
    else:
        first, last = int(rows[0]), int(rows[-1])
        out[positions] = base[first : last + 1] if (np.diff(rows) == 1).all() else base[rows]


class Rows:
    """Windows (N, 3, T) read on demand: row ``i`` is row ``index[i]`` of the base arrays placed end to
    end (``None``: every row, in order). Indexing by an int, slice, mask or index array returns a
    float32 array of just those rows; :meth:`take` returns another view."""

    def __init__(self, bases: Sequence[np.ndarray], index: np.ndarray | None = None) -> None:
        self.bases = tuple(bases)
        if not self.bases or len({b.shape[1:] for b in self.bases}) != 1:
            raise ValueError("Rows needs one or more base arrays of windows of one shape")
        self.offsets = np.cumsum([0, *(len(b) for b in self.bases)])
        self.index = None if index is None else np.asarray(index, dtype=np.int64)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self), *self.bases[0].shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float32)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        return int(self.offsets[-1]) if self.index is None else len(self.index)

    def rows(self, key=slice(None)) -> np.ndarray:
        """Positions in the concatenated bases of the view's rows ``key``."""
        if self.index is not None:
            return self.index[key]
        if isinstance(key, slice):
            return np.arange(*key.indices(len(self)), dtype=np.int64)
        key = np.asarray(key)
        return np.flatnonzero(key) if key.dtype == bool else np.arange(len(self), dtype=np.int64)[key]

    def take(self, key) -> Rows:
        """The view of rows ``key`` (no signal is read)."""
        return Rows(self.bases, self.rows(key))

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, (int, np.integer)):
            return self[np.array([key])][0]
        rows = np.atleast_1d(self.rows(key))
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        out = np.empty((len(rows), *self.shape[1:]), dtype=np.float32)
        bounds = np.searchsorted(ordered, self.offsets)
        for base, offset, lo, hi in zip(self.bases, self.offsets, bounds[:-1], bounds[1:]):
            if hi > lo:
                _read(out, order[lo:hi], base, ordered[lo:hi] - offset)
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:] if dtype is None else self[:].astype(dtype)


def as_rows(x) -> Rows:
    """A window array (or view) as :class:`Rows`."""
    return x if isinstance(x, Rows) else Rows([x])


def _pooled_rows(parts: Sequence) -> Rows:
    """One view over several views, each distinct base array kept once (a single view is itself)."""
    if len(parts) == 1:
        return as_rows(parts[0])
    bases: list[np.ndarray] = []
    pieces = []
    for rows in map(as_rows, parts):
        starts = []
        for base in rows.bases:
            found = next((i for i, b in enumerate(bases) if b is base), None)
            if found is None:
                found = len(bases)
                bases.append(base)
            starts.append(found)
        where = np.cumsum([0, *(len(b) for b in bases)])
        local = rows.rows()
        part_base = np.searchsorted(rows.offsets, local, side="right") - 1
        pieces.append(local - rows.offsets[part_base] + where[np.asarray(starts)][part_base])
    return Rows(bases, np.concatenate(pieces) if pieces else np.empty(0, np.int64))


def select(values: np.ndarray, wanted: Iterable) -> np.ndarray:
    """Mask of ``values`` (strings, possibly millions) found in ``wanted``, by hashing the few distinct ones."""
    codes, distinct = pd.factorize(values)
    return np.isin(np.asarray(distinct, dtype=object), list(wanted))[codes] if len(values) else np.zeros(0, bool)


def prefixed(values: np.ndarray, prefix: str) -> np.ndarray:
    """``prefix + value`` for every value, built once per distinct value (an object array sharing them)."""
    codes, distinct = pd.factorize(values)
    return np.array([prefix + str(v) for v in distinct], dtype=object)[codes]


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """(int32 codes, object array of distinct values) of a column of names."""
    codes, distinct = pd.factorize(np.asarray(values))
    return codes.astype(np.int32), np.asarray(distinct, dtype=object)


@dataclass(frozen=True)
class Manifest:
    """The per-window columns of a window set, held once however many views share them: labels (int32,
    indexing the set's classes), subject and recording names as int32 codes into their few distinct
    values (4 bytes a window whatever the names), and start times in seconds."""

    labels: np.ndarray
    subject_codes: np.ndarray
    subject_names: np.ndarray
    recording_codes: np.ndarray
    recording_names: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, labels, subjects, recordings, starts) -> Manifest:
        """The manifest of one row per window, from plain columns."""
        return cls(np.asarray(labels, dtype=np.int32), *_codes(subjects), *_codes(recordings),
                   np.asarray(starts, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.labels)

    def column(self, name: str, index: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` (labels, subjects, recordings or starts) at rows ``index`` (all: ``None``)."""
        if name in ("subjects", "recordings"):
            codes, names = getattr(self, f"{name[:-1]}_codes"), getattr(self, f"{name[:-1]}_names")
            return names[codes if index is None else codes[index]]
        values = getattr(self, name)
        return values if index is None else values[index]


@dataclass(frozen=True)
class PooledManifest:
    """The columns of several window sets end to end, computed when asked from the parts' own (so
    pooling copies no column): each part's labels mapped through its ``remap`` (index ``-1`` keeps
    unlabelled windows unlabelled), its subject and recording names prefixed."""

    parts: tuple[tuple[Windows, np.ndarray, str], ...]

    def __len__(self) -> int:
        return sum(len(w) for w, _, _ in self.parts)

    def column(self, name: str, index: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` at rows ``index`` (all: ``None``), as :meth:`Manifest.column`."""
        pieces = []
        for windows, remap, prefix in self.parts:
            values = getattr(windows, name)
            if name == "labels":
                values = remap[np.where(values < 0, len(remap) - 1, values)]
            elif name in ("subjects", "recordings"):
                values = prefixed(values, prefix)
            pieces.append(values)
        empty = {"labels": np.empty(0, np.int32), "starts": np.empty(0, np.float64)}.get(name, np.empty(0, object))
        full = np.concatenate(pieces) if pieces else empty
        return full if index is None else full[index]


class _Column:
    """A manifest column of a :class:`Windows`, read (not stored) as the view's rows of it."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, windows: Windows, owner: type | None = None) -> np.ndarray:
        return windows.manifest.column(self.name, windows.index)

    def __set__(self, windows: Windows, value) -> None:
        raise AttributeError(f"{self.name} of a window view are its manifest's; use relabelled() for new labels")


class Windows:
    """A set of windows and their manifest, as a view.

    ``x`` is (N, 3, T) float32 in g: a NumPy array, a read-only memmap or a :class:`Rows` view of
    them; ``labels`` index ``classes``; ``subjects``/``recordings`` are strings; ``starts`` are
    seconds from recording start. The columns live in a :class:`Manifest` shared by every view taken
    from this set (subjects, classes, k-shot draws, pools); a view holds one index array, and reading a
    column gives that view's rows.
    """

    def __init__(self, x: np.ndarray | Rows, labels, subjects, recordings, starts, classes: Sequence[str]) -> None:
        self.x = x
        self.manifest: Manifest | PooledManifest = Manifest.of(labels, subjects, recordings, starts)
        self.index: np.ndarray | None = None
        self.classes = list(classes)

    @classmethod
    def view(cls, x: np.ndarray | Rows, manifest: Manifest | PooledManifest, classes: Sequence[str],
             index: np.ndarray | None = None) -> Windows:
        """The windows at rows ``index`` (all: ``None``) of ``manifest``, with signals ``x`` (already
        those rows)."""
        windows = cls.__new__(cls)
        windows.x, windows.manifest, windows.index, windows.classes = x, manifest, index, list(classes)
        return windows

    labels = _Column()
    subjects = _Column()
    recordings = _Column()
    starts = _Column()

    def __len__(self) -> int:
        return len(self.manifest) if self.index is None else len(self.index)

    def subset(self, mask_or_index: np.ndarray) -> Windows:
        """The windows selected by a boolean mask or an index array: a view, nothing is copied but the
        index (shared with the signals' view when theirs is the same)."""
        key = np.asarray(mask_or_index)
        key = np.flatnonzero(key) if key.dtype == bool else key.astype(np.int64)
        index = key if self.index is None else self.index[key]
        rows = as_rows(self.x)
        x = Rows(rows.bases, index) if rows.index is self.index else rows.take(key)
        return Windows.view(x, self.manifest, self.classes, index)

    def relabelled(self, labels: np.ndarray, classes: Sequence[str]) -> Windows:
        """These windows with new ``labels`` (one per window) indexing new ``classes``; the view's other
        columns are copied into a manifest of its own."""
        return Windows(self.x, labels, self.subjects, self.recordings, self.starts, classes)

    def of_subjects(self, subjects: Iterable[str]) -> Windows:
        """The windows of the given subjects."""
        manifest = self.manifest
        if isinstance(manifest, Manifest):  # through the codes: no name is materialised per window
            wanted = np.isin(manifest.subject_names, list(subjects))
            codes = manifest.subject_codes if self.index is None else manifest.subject_codes[self.index]
            return self.subset(wanted[codes])
        return self.subset(select(self.subjects, subjects))

    def class_counts(self) -> dict[str, int]:
        """Windows per class name (classes with none included)."""
        labels = self.labels
        counts = np.bincount(labels[labels >= 0], minlength=len(self.classes))
        return dict(zip(self.classes, counts.tolist()))


def pool(parts: Mapping[str, Windows], classes: Sequence[str] | None = None) -> Windows:
    """Windows of several datasets as one view: one class per activity phrase (``classes``, default the
    phrases in order of first appearance), subjects and recordings prefixed ``dataset/``. Neither
    signals nor columns are copied: the pool reads its parts'."""
    classes = list(classes) if classes is not None else list(dict.fromkeys(c for w in parts.values() for c in w.classes))
    index = {c: i for i, c in enumerate(classes)}
    missing = sorted({c for w in parts.values() for c in w.classes} - set(index))
    if missing:
        raise ValueError(f"pooled classes lack the phrases {missing}")
    manifest = PooledManifest(tuple((w, np.array([index[c] for c in w.classes] + [-1], dtype=np.int32), f"{n}/")
                                    for n, w in parts.items()))
    return Windows.view(_pooled_rows([w.x for w in parts.values()]), manifest, classes)


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


def channel_stats(x: np.ndarray, chunk: int = 8192,
                  transform: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of (N, 3, T) windows, in chunks (works on memmaps);
    ``transform`` maps each float32 chunk first (e.g. into a model's input frame)."""
    total = np.zeros(3)
    squares = np.zeros(3)
    count = 0
    for i in range(0, len(x), chunk):
        block = np.asarray(x[i : i + chunk], dtype=np.float32 if transform else np.float64)
        block = np.asarray(transform(block) if transform else block, dtype=np.float64)
        total += block.sum(axis=(0, 2))
        squares += (block**2).sum(axis=(0, 2))
        count += block.shape[0] * block.shape[2]
    if count == 0:
        raise ValueError("cannot compute normalisation statistics of zero windows")
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 1e-12))
    return mean.astype(np.float32), std.astype(np.float32)
