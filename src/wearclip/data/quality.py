"""What a dataset's files did not say cleanly: gaps, dropped streams and metadata that contradicts the source of truth.

Loaders refuse what cannot be trusted (non-finite or implausible acceleration, time going backwards) with a
:class:`~wearclip.errors.DataFormatError`, and tolerate what their dataset documents: gaps its format
writes (PAMAP2's ``NaN`` dropouts), streams too short to keep, and metadata that contradicts the source
the dataset's readme names as authoritative (USC-HAD's file names). Each tolerated quirk is reported here,
never dropped silently: contradictions and drops as a :class:`DataQualityWarning` (once per file), and
all of them counted by :func:`summarize`, which ``wearclip data info`` prints.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field

from ..errors import ConfigError
from ..io import cache_root, write_json

MAX_G_ENV = "WEARCLIP_MAX_G"
MAX_G = 50.0
"""Default plausibility limit (g) on the magnitude of acceleration: wearables saturate at 16 g or below,
impacts of falls stay well under it, and values beyond it are unit mistakes or corrupt numbers."""


class DataQualityWarning(UserWarning):
    """A file was read, but something in it was tolerated rather than taken as written."""


def max_g() -> float:
    """The plausibility limit in force: ``$WEARCLIP_MAX_G`` if set, else :data:`MAX_G`."""
    text = os.environ.get(MAX_G_ENV, "").strip()
    if not text:
        return MAX_G
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{MAX_G_ENV}: expected a positive number of g, found {text!r}")
    return value


@dataclass
class Quality:
    """The quality summary of one pass over a dataset's recordings."""

    dataset: str
    limit_g: float
    recordings: int = 0
    samples: int = 0
    gaps: dict[str, int] = field(default_factory=dict)
    """Splits per file: runs of missing rows and pauses in the timestamps."""
    missing: int = 0
    """Rows without acceleration (documented gaps) and samples in fragments too short to keep."""
    dropped: list[tuple[str, str]] = field(default_factory=list)
    """(file, why) of streams that gave no recording."""
    warnings: list[str] = field(default_factory=list)
    """One line per file whose metadata contradicts the dataset's source of truth."""

    def lines(self) -> list[str]:
        """A short human summary: one headline, then each drop and warning (first few of each)."""
        head = (f"data quality: {_count(self.recordings, 'recording')}, {_count(self.samples, 'sample')}; "
                f"{_count(sum(self.gaps.values()), 'gap')} in {_count(len(self.gaps), 'file')} "
                f"({_count(self.missing, 'sample')} missing or too short to keep); "
                f"{_count(len(self.dropped), 'dropped stream')}; {_count(len(self.warnings), 'metadata warning')}; "
                f"values beyond {self.limit_g:g} g refused, none clipped")
        shown = 5
        out = [head]
        out += [f"  dropped {source}: {why}" for source, why in self.dropped[:shown]]
        out += [f"  ... {len(self.dropped) - shown} more dropped"] if len(self.dropped) > shown else []
        out += [f"  warning {message}" for message in self.warnings[:shown]]
        out += [f"  ... {len(self.warnings) - shown} more warnings"] if len(self.warnings) > shown else []
        return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


_active: ContextVar[Quality | None] = ContextVar("wearclip_quality", default=None)


def gaps(source: str, splits: int, missing: int) -> None:
    """Count the documented gaps of one stream (``splits`` places it was cut, ``missing`` samples lost)."""
    report = _active.get()
    if report is not None and (splits or missing):
        report.gaps[source] = report.gaps.get(source, 0) + splits
        report.missing += missing


def drop(source: str, why: str) -> None:
    """Report a stream that gives no recording (a warning, and a line in the summary)."""
    warnings.warn(f"{source}: dropped: {why}", DataQualityWarning, stacklevel=2)
    report = _active.get()
    if report is not None:
        report.dropped.append((source, why))


def contradiction(source: str, message: str) -> None:
    """Report metadata that contradicts the dataset's source of truth (call once per file)."""
    warnings.warn(f"{source}: {message}", DataQualityWarning, stacklevel=2)
    report = _active.get()
    if report is not None:
        report.warnings.append(f"{source}: {message}")


@contextmanager
def collecting(dataset: str) -> Iterator[Quality]:
    """Collect what loaders report while the body reads ``dataset``'s recordings."""
    report = Quality(dataset=dataset, limit_g=max_g())
    token = _active.set(report)
    try:
        yield report
    finally:
        _active.reset(token)


def summarize(dataset, key: str | None = None) -> Quality:
    """Read every recording of an opened dataset (a ``HarDataset``) once and return its quality summary.

    Bad files raise as they do everywhere; tolerated quirks are counted, and their warnings collected here
    rather than printed (the summary lists them). With ``key`` (the name of the dataset's window store,
    which hashes its files, options and loader code) the summary is kept in
    ``$WEARCLIP_CACHE/quality/<key>.json``, so asking again does not read the files again.
    """
    saved = cache_root() / "quality" / f"{key}.json" if key else None
    limit = max_g()
    if saved is not None and saved.is_file():
        try:
            data = json.loads(saved.read_text(encoding="utf-8"))
            report = Quality(**{**data, "dropped": [tuple(d) for d in data["dropped"]]})
        except (ValueError, TypeError, KeyError):
            report = None  # unreadable: summarize again and replace it
        if report is not None and report.limit_g == limit:
            return report
    with collecting(dataset.name) as report, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        for recording in dataset.recordings():
            report.recordings += 1
            report.samples += len(recording.signal)
    if saved is not None:
        write_json(saved, asdict(report))
    return report
