"""What every dataset loader produces: recordings in g with per-sample labels, plus a registry spec.

A loader parses one official layout and yields :class:`Recording` objects one at a time, so that a
dataset of thousands of hours never has to sit in memory. Everything downstream (resampling,
windowing, the window store) consumes only this type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import DataFormatError

UNLABELLED = -1
"""Label index of samples that carry no activity (null class, transients, unannotated time)."""

STANDARD_GRAVITY = 9.80665
"""m/s^2 per g, used to convert every dataset to g."""


@dataclass(frozen=True)
class Recording:
    """One continuous accelerometer stream of one subject.

    ``signal`` is (n, 3) float32 in g at ``rate`` Hz; ``labels`` is (n,) int32, an index into the
    dataset's ``classes`` or :data:`UNLABELLED`. ``start`` is the time of the first sample in seconds
    from the start of the source recording (gaps split a source into several recordings).
    """

    subject: str
    recording: str
    signal: np.ndarray
    labels: np.ndarray
    rate: float
    start: float = 0.0

    def __post_init__(self) -> None:
        if self.signal.ndim != 2 or self.signal.shape[1] != 3:
            raise ValueError(f"recording {self.recording}: signal must be (n, 3), got {self.signal.shape}")
        if self.labels.shape != (self.signal.shape[0],):
            raise ValueError(
                f"recording {self.recording}: {self.labels.shape[0]} labels for {self.signal.shape[0]} samples"
            )

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.signal.shape[0] / self.rate


@dataclass(frozen=True)
class Download:
    """One official archive: where it lives, the file name to save it as, and its SHA-256 where known."""

    url: str
    filename: str
    sha256: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """Registry entry: the facts about one public dataset and the function that reads it.

    ``activities`` maps each class's key (the dataset's own label id or code, as a string) to its
    natural-language activity phrase; the order of this mapping defines the class indices.
    ``read(root, placement, **options)`` yields recordings from the official layout under ``root``.

    Most datasets have a fixed class list. Where it depends on the files or on an option (the
    ``generic`` folder's ``dataset.yaml``, Capture-24's ``label_scheme``), ``resolve(root, placement,
    options)`` returns the ``(activities, placement)`` actually in force; ``options`` names the keyword
    options ``read`` accepts. ``downloads`` lists the official archives ``wearclip data download`` fetches.
    """

    name: str
    title: str
    rate: float
    units: str
    placements: tuple[str, ...]
    default_placement: str
    activities: dict[str, str]
    subjects: tuple[str, ...]
    licence: str
    citation: str
    url: str
    read: Callable[..., Iterator[Recording]] = field(repr=False)
    embedded: Callable[[], Iterator[Recording]] | None = field(default=None, repr=False)
    notes: str = ""
    options: tuple[str, ...] = ()
    resolve: Callable[[Path, str, dict], tuple[dict[str, str], str]] | None = field(default=None, repr=False)
    downloads: tuple[Download, ...] = ()
    manual_download: str = ""
    groups: dict[str, str] = field(default_factory=dict)

    def group(self, placement: str) -> str:
        """The study's body-position group (wrist, waist, leg) of a placement; the placement itself if none."""
        return self.groups.get(placement, placement)

    @property
    def classes(self) -> list[str]:
        """Natural activity phrases, in class-index order."""
        return list(self.activities.values())

    @property
    def label_keys(self) -> list[str]:
        """The dataset's own label ids or codes, in class-index order."""
        return list(self.activities.keys())


@dataclass
class HarDataset:
    """A dataset opened for reading: its spec, the chosen placement, and a recording stream."""

    spec: DatasetSpec
    placement: str
    root: Path | None
    classes: list[str]
    label_keys: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.label_keys:
            self.label_keys = list(self.spec.activities)

    def recordings(self) -> Iterator[Recording]:
        """Yield the recordings one at a time (each call starts a fresh pass over the files)."""
        if self.root is None:
            if self.spec.embedded is None:
                raise FileNotFoundError(
                    f"dataset {self.spec.name!r} is not embedded; download it from {self.spec.url} "
                    f"and pass its folder as root"
                )
            yield from self.spec.embedded()
        else:
            yield from self.spec.read(self.root, self.placement, **self.options)

    @property
    def name(self) -> str:
        return self.spec.name


def class_index(activities: dict[str, str]) -> dict[str, int]:
    """Map each label key of a spec to its class index."""
    return {key: i for i, key in enumerate(activities)}


def require_file(path: Path, what: str) -> Path:
    """Fail with a message that names the missing file and what it should contain."""
    if not path.is_file():
        raise DataFormatError(f"{path}: missing ({what})")
    return path
