"""WindowStore: a dataset's windows cached on disk, built once per (source files, settings), memory-mapped.

A store folder holds ``x.f32`` (all windows, (N, 3, T) float32, one array, opened as a read-only
``np.memmap`` behind the :class:`~wearclip.data.windows.Rows` view every trainer indexes), the
manifest columns, one raw little-endian file each and memory-mapped too (``labels.i32``,
``subjects.i32`` and ``recordings.i32``: codes into the names listed in ``manifest.json``,
``starts.f64``: seconds from recording start), and ``manifest.json`` (what was built from what, class
and subject totals). Opening a store therefore costs no memory per window until a column is read.
It is named by a hash of the dataset, placement, options, classes, window settings, the source files'
names, sizes and modification times and the loader's code, so any change rebuilds and an unchanged
dataset is reused across runs.

Building streams one recording at a time from the loader through resampling and windowing straight to
disk, so memory is bounded by the largest recording, not the dataset (Capture-24: ~14 M windows). The
folder is built under a temporary name and renamed into place only when complete: a failure (a
malformed file, Ctrl-C) leaves no store behind. ``processes > 1`` resamples and windows the recordings
in that many processes while this one reads the files, and writes the results in recording order,
so the folder holds the same bytes as a one-process build.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import multiprocessing
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import torch

from ..config.window import WindowConfig
from ..io import atomic_directory, cache_root, write_json
from ..progress import Bar
from ..version import __version__
from . import windows as windowing
from .datasets import HarDataset, Recording
from .windows import Manifest, Rows, Windows, resample, window_recording

FORMAT = 2
"""Bump when the on-disk layout changes (2: manifest columns as memory-mapped files, was Parquet)."""
COLUMNS = {"labels": "<i4", "subjects": "<i4", "recordings": "<i4", "starts": "<f8"}
"""The manifest column files (``NAME.i32`` / ``NAME.f64``) and their little-endian types."""


def column_file(name: str) -> str:
    """The file name of manifest column ``name``."""
    return f"{name}.{'i32' if COLUMNS[name] == '<i4' else 'f64'}"


def default_cache_dir() -> Path:
    """``windows/`` under the cache root (``$WEARCLIP_CACHE``, else ``~/.cache/wearclip``)."""
    return cache_root() / "windows"


def _source_files(root: Path | None) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every file the dataset may read."""
    if root is None:
        return []
    if root.is_file():
        stat = root.stat()
        return [(root.name, stat.st_size, stat.st_mtime_ns)]
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = path.stat()
        found.append((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return found


WINDOWING = (windowing.resample, windowing.window_labels, windowing.window_recording)
"""The functions of ``data/windows.py`` that turn recordings into windows (the rest of that module,
views and statistics, does not change what a store holds)."""


def _code_digest(dataset: HarDataset) -> str:
    """Hash of the code that turns files into windows: the loader's module, the shared loader modules
    and the windowing functions."""
    modules = {inspect.getmodule(dataset.spec.read), *(sys.modules[f"wearclip.data.datasets.{m}"]
               for m in ("base", "parsing", "archive", "timeline"))}
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(m.__file__ for m in modules if m is not None and m.__file__):
        digest.update(Path(source).read_bytes())
    for function in WINDOWING:
        digest.update(inspect.getsource(function).encode())
    return digest.hexdigest()


class WindowStore:
    """Windows of opened datasets, cached under ``cache_dir`` (default: :func:`default_cache_dir`)."""

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()

    def key(self, dataset: HarDataset, config: WindowConfig) -> str:
        """The content hash that names a dataset's store for ``config``."""
        payload = {
            "format": FORMAT,
            "dataset": dataset.name,
            "placement": dataset.placement,
            "options": dataset.options,
            "classes": dataset.classes,
            "label_keys": dataset.label_keys,
            "config": config.model_dump(),
            "embedded": dataset.root is None,
            "sources": _source_files(dataset.root),
            "code": _code_digest(dataset),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def path(self, dataset: HarDataset, config: WindowConfig | None = None) -> Path:
        """The folder that holds (or will hold) a dataset's windows for ``config``."""
        config = config or WindowConfig()
        placement = "".join(c if c.isalnum() else "-" for c in dataset.placement)
        return self.cache_dir / f"{dataset.name}-{placement}-{self.key(dataset, config)[:20]}"

    def open(
        self,
        dataset: HarDataset,
        config: WindowConfig | None = None,
        rebuild: bool = False,
        progress: Callable[[Recording], None] | None = None,
        processes: int = 1,
    ) -> Windows:
        """The dataset's windows, built on first use (or when ``rebuild``) and memory-mapped."""
        config = config or WindowConfig()
        path = self.path(dataset, config)
        if rebuild or not (path / "manifest.json").is_file():
            build(dataset, config, path, progress, processes)
        return read_windows(path)


def build(
    dataset: HarDataset,
    config: WindowConfig,
    path: str | Path,
    progress: Callable[[Recording], None] | None = None,
    processes: int = 1,
) -> Path:
    """Stream every recording of ``dataset`` into a store folder at ``path`` (atomically), windowing
    in ``processes`` processes."""
    path = Path(path)
    n, seconds, recordings = 0, 0.0, 0
    subject_seconds: dict[str, float] = defaultdict(float)
    subject_windows: Counter[str] = Counter()
    class_windows: Counter[int] = Counter()
    names: dict[str, dict[str, int]] = {"subjects": {}, "recordings": {}}
    with atomic_directory(path, "window-store") as tmp, Bar(f"windowing {dataset.name} (recordings)") as bar:
        with ExitStack() as files:
            xf = files.enter_context(open(tmp / "x.f32", "wb"))
            columns = {name: files.enter_context(open(tmp / column_file(name), "wb")) for name in COLUMNS}
            for subject, name, duration, x, labels, starts in _windowed(dataset, config, progress, processes):
                xf.write(x)
                count = len(labels)
                values = {"labels": labels, "starts": starts,
                          "subjects": np.full(count, names["subjects"].setdefault(subject, len(names["subjects"]))),
                          "recordings": np.full(count, names["recordings"].setdefault(name, len(names["recordings"])))}
                for column, out in columns.items():
                    out.write(np.ascontiguousarray(values[column], dtype=COLUMNS[column]).tobytes())
                recordings += 1
                seconds += duration
                subject_seconds[subject] += duration
                subject_windows[subject] += count
                class_windows.update(labels.tolist())
                n += count
                bar.advance(info=f"{seconds / 3600:,.1f} h, {n:,} windows")
        if recordings == 0:
            raise ValueError(f"dataset {dataset.name!r} yielded no recordings")
        if n == 0:
            raise ValueError(f"dataset {dataset.name!r}: no window of {config.seconds:g} s passed the "
                             f"'{config.label_rule}' label rule in {recordings} recordings (keep_unlabelled "
                             "windows unlabelled data)")
        write_json(tmp / "manifest.json", {
            "format": FORMAT,
            "wearclip": __version__,
            "dataset": dataset.name,
            "root": str(dataset.root) if dataset.root else None,
            "placement": dataset.placement,
            "options": dataset.options,
            "classes": dataset.classes,
            "label_keys": dataset.label_keys,
            "config": config.model_dump(),
            "windows": n,
            "shape": [n, 3, config.size],
            "subject_names": list(names["subjects"]),
            "recording_names": list(names["recordings"]),
            "recordings": recordings,
            "hours": seconds / 3600,
            "subjects": {s: {"hours": subject_seconds[s] / 3600, "windows": subject_windows[s]}
                         for s in subject_seconds},
            "class_windows": {dataset.classes[c] if c >= 0 else "unlabelled": k
                              for c, k in sorted(class_windows.items())},
        })
    return path


def _recordings(dataset: HarDataset, progress: Callable[[Recording], None] | None = None) -> Iterator[Recording]:
    """The dataset's recordings, each (subject, recording) once."""
    seen: set[tuple[str, str]] = set()
    for recording in dataset.recordings():
        if progress:
            progress(recording)
        if (recording.subject, recording.recording) in seen:
            raise ValueError(f"dataset {dataset.name!r}: recording {recording.recording!r} of subject "
                             f"{recording.subject!r} was read twice (is the dataset under {dataset.root} "
                             "both extracted and still zipped?)")
        seen.add((recording.subject, recording.recording))
        yield recording


def _window(recording: Recording, config: WindowConfig) -> tuple[str, str, float, bytes, np.ndarray, np.ndarray]:
    """One recording resampled and windowed: (subject, recording, seconds, x as little-endian float32
    bytes, labels, starts)."""
    recording = resample(recording, config.rate)
    x, labels, starts = window_recording(recording, config)
    return (recording.subject, recording.recording, recording.duration,
            np.ascontiguousarray(x, dtype="<f4").tobytes(), labels, starts)


def _windowed(dataset: HarDataset, config: WindowConfig, progress: Callable[[Recording], None] | None,
              processes: int) -> Iterator[tuple[str, str, float, bytes, np.ndarray, np.ndarray]]:
    """Every recording's windows in recording order: read here, resampled and windowed here or in
    ``processes`` processes (at most two recordings per process in flight, so memory stays bounded)."""
    recordings = _recordings(dataset, progress)
    if processes <= 1:
        yield from (_window(r, config) for r in recordings)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        pending: deque = deque()
        for recording in recordings:
            pending.append(pool.submit(_window, recording, config))
            if len(pending) >= 2 * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def read_manifest(path: str | Path) -> dict:
    """A store's ``manifest.json``."""
    return json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))


def read_windows(path: str | Path) -> Windows:
    """Open a built store: the signals and the manifest columns are read-only memmaps."""
    path = Path(path)
    about = read_manifest(path)
    if about.get("format") != FORMAT:
        raise ValueError(f"{path}: store format {about.get('format')} is not {FORMAT}; rebuild it")
    n = about["shape"][0]
    x = np.memmap(path / "x.f32", dtype="<f4", mode="r", shape=tuple(about["shape"]))
    column = {name: np.memmap(path / column_file(name), dtype=kind, mode="r", shape=(n,))
              for name, kind in COLUMNS.items()}
    columns = Manifest(column["labels"], column["subjects"], np.asarray(about["subject_names"], dtype=object),
                       column["recordings"], np.asarray(about["recording_names"], dtype=object), column["starts"])
    return Windows.view(Rows([x]), columns, about["classes"])


class WindowDataset(torch.utils.data.Dataset):
    """(window, label) pairs over :class:`Windows`, read from the memmap on demand and normalised.

    ``indices`` selects windows without copying them (e.g. a subject split of a large store); ``mean``
    and ``std`` (per channel, from the training windows: :func:`~wearclip.data.windows.channel_stats`)
    standardise each window as it is read. Batched reads (``__getitems__``) fetch sorted indices in one
    memmap access.
    """

    def __init__(self, windows: Windows, indices: Sequence[int] | np.ndarray | None = None,
                 mean: np.ndarray | None = None, std: np.ndarray | None = None) -> None:
        self.windows = windows
        self.labels = windows.labels  # read once: a view's columns are computed when asked
        self.indices = np.arange(len(windows)) if indices is None else np.asarray(indices, dtype=np.int64)
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float32).reshape(1, 3, 1)
        self.std = None if std is None else np.asarray(std, dtype=np.float32).reshape(1, 3, 1)

    def __len__(self) -> int:
        return len(self.indices)

    def _read(self, positions: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        rows = self.indices[positions]
        order = np.argsort(rows, kind="stable")
        x = np.empty((len(rows), *self.windows.x.shape[1:]), dtype=np.float32)
        x[order] = self.windows.x[rows[order]]
        if self.mean is not None:
            x -= self.mean
        if self.std is not None:
            x /= self.std
        return torch.from_numpy(x), torch.from_numpy(self.labels[rows].astype(np.int64))

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self._read(np.array([i]))
        return x[0], y[0]

    def __getitems__(self, positions: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        x, y = self._read(np.asarray(positions))
        return list(zip(x, y))
