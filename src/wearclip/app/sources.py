"""The recordings the app may open: dataset folders named on the command line, the source datasets of
the indexes given there, and the embedded UCI HAPT copy. The browser names them by number, subject and
recording, never by path, so no other file can be reached."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

from ..data import datasets
from ..data.datasets.base import HarDataset, Recording
from ..data.windows import resample

CACHE_BYTES = 512 << 20
"""Recordings kept in memory after use (signals at the model's rate), beyond those of the current request."""


@dataclass
class Source:
    """One dataset: a registered loader over a folder (None: the embedded copy)."""

    name: str
    root: Path | None = None
    placement: str | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:  # one spelling per dataset, so that a folder is listed once
        self.root = Path(self.root).resolve() if self.root else None
        self.placement = self.placement or datasets.get(self.name).default_placement

    @property
    def title(self) -> str:
        return f"{self.name} ({self.root.name if self.root else 'embedded copy'})"

    def open(self) -> HarDataset:
        return datasets.load(self.name, self.root, self.placement, **self.options)


def parse_root(text: str) -> Source:
    """``NAME=DIR``, or a ``DIR`` that holds a ``dataset.yaml`` (generic) or is named after a registered dataset."""
    name, sep, folder = text.partition("=")
    path = Path(folder if sep else text).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"{path}: dataset folder not found")
    if sep:
        datasets.get(name.strip())
        return Source(name.strip(), path)
    if (path / "dataset.yaml").is_file():
        return Source("generic", path)
    if path.name in datasets.names():
        return Source(path.name, path)
    raise ValueError(f"{text}: say which dataset it holds as NAME=DIR (registered: {', '.join(datasets.names())})")


class Sources:
    """Numbered sources with their subject/recording listings and a small cache of recordings at ``rate`` Hz."""

    def __init__(self, sources: list[Source], rate: float) -> None:
        self.sources: list[Source] = []
        self.rate = rate
        self._listings: dict[int, dict[str, list[str]]] = {}
        self._classes: dict[int, list[str]] = {}
        self._cache: OrderedDict[tuple, Recording] = OrderedDict()
        self._lock = Lock()
        for source in sources:
            self.add(source)

    def add(self, source: Source) -> int:
        """The number of ``source``, added unless already there."""
        if source in self.sources:
            return self.sources.index(source)
        self.sources.append(source)
        return len(self.sources) - 1

    def get(self, number) -> Source:
        try:
            return self.sources[int(number)]
        except (ValueError, TypeError, IndexError):
            raise LookupError(f"no dataset number {number!r}; the server has {len(self.sources)}") from None

    def listing(self, number) -> dict[str, list[str]]:
        """Subject -> its recordings (gap-free segments), read once."""
        source = self.get(number)
        number = int(number)
        with self._lock:
            if number not in self._listings:
                dataset = source.open()
                listing: dict[str, list[str]] = {}
                for recording in dataset.recordings():
                    listing.setdefault(recording.subject, []).append(recording.recording)
                self._listings[number], self._classes[number] = listing, list(dataset.classes)
            return self._listings[number]

    def classes(self, number) -> list[str]:
        self.listing(number)
        return self._classes[int(number)]

    def recordings(self, number, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Recording]:
        """The (subject, recording) pairs of a source, resampled; one pass over the dataset for those not cached."""
        listing = self.listing(number)
        if unknown := sorted(w for w in wanted if w[1] not in listing.get(w[0], ())):
            subject, name = unknown[0]
            raise LookupError(f"{self.get(number).title} has no recording {name!r} of subject {subject!r}")
        key = (int(number),)
        with self._lock:
            missing = {w for w in wanted if key + w not in self._cache}
            if missing:
                for recording in self.get(number).open().recordings():
                    pair = (recording.subject, recording.recording)
                    if pair in missing:
                        self._cache[key + pair] = resample(recording, self.rate)
                        missing.discard(pair)
                        if not missing:
                            break
            found = {}
            for pair in wanted:
                self._cache.move_to_end(key + pair)
                found[pair] = self._cache[key + pair]
            held = sum(r.signal.nbytes for r in self._cache.values())
            while held > CACHE_BYTES and len(self._cache) > len(wanted):
                held -= self._cache.popitem(last=False)[1].signal.nbytes
            return found
