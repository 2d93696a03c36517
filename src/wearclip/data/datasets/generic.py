"""Bring your own data: a folder with ``dataset.yaml`` and CSV or Parquet tables.

``dataset.yaml``::

    name: my-study            # required
    sampling_rate: 50         # Hz, required
    units: g                  # required: g or m/s2
    placement: wrist          # optional
    activities:               # optional: label -> natural activity phrase (order = class index)
      walk: walking
      sit: sitting
    max_gap: 0.5              # optional: longest pause (s) interpolated over when timestamps are given

Tables (``*.csv``, ``*.parquet``, searched recursively) have columns ``subject, x, y, z, label`` and
optionally ``timestamp`` (seconds; irregular times are interpolated onto a uniform grid) and
``recording`` (default: one recording per file). An empty label is unlabelled. Without ``activities``,
the classes are the distinct labels found, sorted. A row whose x, y and z are all empty is a gap and
splits the recording; rows of one recording must not go back in time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ...errors import DataFormatError, yaml_message
from .archive import Tree
from .base import STANDARD_GRAVITY, UNLABELLED, DatasetSpec, Recording
from .parsing import read_csv, read_header, require_complete_rows
from .registry import register
from .timeline import MAX_GAP, check_increasing, to_recordings

CONFIG = "dataset.yaml"
TABLE = r"\.(csv|parquet)$"
REQUIRED = ["subject", "x", "y", "z", "label"]


class GenericConfig(BaseModel):
    """The contents of ``dataset.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    sampling_rate: float = Field(gt=0)
    units: Literal["g", "m/s2"]
    placement: str = "any"
    activities: dict[str, str] | None = None
    max_gap: float = Field(MAX_GAP, gt=0)

    @field_validator("activities", mode="before")
    @classmethod
    def _string_keys(cls, value):
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("activities")
    @classmethod
    def _unique_phrases(cls, value):
        if value is not None and len(set(value.values())) != len(value):
            raise ValueError("activity phrases must be unique")
        return value


def read_config(root: Path) -> GenericConfig:
    """Parse and validate ``dataset.yaml``; errors name the field and what was expected."""
    path = Path(root) / CONFIG
    if not path.is_file():
        raise DataFormatError(f"{path}: missing (a generic dataset folder needs dataset.yaml; see docs/data.md)")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DataFormatError(f"{path}: not valid YAML ({yaml_message(error)})") from None
    try:
        return GenericConfig.model_validate(content if content is not None else {})
    except ValidationError as error:
        problems = "; ".join(
            f"field {'.'.join(map(str, e['loc'])) or '(top level)'!r}: {e['msg'].lower()}"
            + (f" (found {e['input']!r})" if e["type"] not in ("missing", "extra_forbidden") else "")
            for e in error.errors()
        )
        raise DataFormatError(f"{path}: {problems}") from None


def _tables(tree: Tree) -> list[str]:
    tables = tree.match(TABLE)
    if not tables:
        raise DataFormatError(f"{tree.root}: no .csv or .parquet tables found (searched recursively)")
    return tables


def _read_table(tree: Tree, path: str, columns: list[str]) -> pd.DataFrame:
    """The named columns of one table, read as text (labels, ids) or numbers (x, y, z, timestamp)."""
    name = tree.describe(path)
    numeric = {"x", "y", "z", "timestamp"}
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        with tree.open(path) as f:
            try:
                table = pq.read_table(f)
            except Exception as error:  # pyarrow raises several unrelated types for damaged files
                raise DataFormatError(f"{name}: not a readable Parquet file ({error})") from None
        missing = [c for c in columns if c in REQUIRED and c not in table.column_names]
        if missing:
            raise DataFormatError(f"{name}: missing column(s) {', '.join(map(repr, missing))} "
                                  f"(found {', '.join(table.column_names)})")
        frame = table.select([c for c in columns if c in table.column_names]).to_pandas()
        for column in frame.columns:
            if column in numeric:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    raise DataFormatError(f"{name}: column {column!r} must be numeric, found {frame[column].dtype}")
            else:
                text = frame[column].astype("string").str.strip()
                frame[column] = text.astype(object).where(text.notna() & (text != ""))  # empty = missing, as in CSV
        return frame
    opener = lambda: tree.open(path)  # noqa: E731
    header = read_header(opener, name)
    wanted = {c: (np.float64 if c in numeric else str) for c in columns if c in REQUIRED or c in header}
    return read_csv(opener, name, wanted, keep_default_na=False, na_values={c: [""] for c in wanted})


def _classes(config: GenericConfig, tree: Tree) -> dict[str, str]:
    if config.activities is not None:
        return config.activities
    labels = set()
    for path in _tables(tree):
        labels.update(_read_table(tree, path, ["label"])["label"].dropna().astype(str))
    return {label: label for label in sorted(labels)}


def resolve(root: Path, placement: str, options: dict) -> tuple[dict[str, str], str]:
    """Classes from ``dataset.yaml`` (or the labels found) and its placement."""
    config = read_config(root)
    with Tree(root) as tree:
        return _classes(config, tree), config.placement


def read(root: Path, placement: str = "any") -> Iterator[Recording]:
    """Yield one recording per (table, subject, recording), split at gaps."""
    config = read_config(root)
    scale = 1.0 if config.units == "g" else 1.0 / STANDARD_GRAVITY
    with Tree(root) as tree:
        index = {key: i for i, key in enumerate(_classes(config, tree))}
        for path in _tables(tree):
            name = tree.describe(path)
            frame = _read_table(tree, path, [*REQUIRED, "timestamp", "recording"])
            if frame.empty:
                raise DataFormatError(f"{name}: no data rows")
            csv = path.endswith(".csv")
            word, first = ("line", 2) if csv else ("row", 1)

            def line(row: int) -> str:
                return f"{word} {row + first}"

            if frame["subject"].isna().any():
                raise DataFormatError(f"{name}: {line(int(frame['subject'].isna().to_numpy().argmax()))}, "
                                      "field 'subject': empty")
            require_complete_rows(frame.reset_index(drop=True), ["x", "y", "z"], name)
            labels = frame["label"].map(index)
            unknown = frame["label"].notna() & labels.isna()
            if unknown.any():
                row = int(unknown.to_numpy().argmax())
                raise DataFormatError(f"{name}: {line(row)}, field 'label': unknown label {frame['label'].iloc[row]!r} "
                                      f"(dataset.yaml activities: {', '.join(index)})")
            frame["_label"] = labels.fillna(UNLABELLED).astype(np.int32)
            frame["_row"] = np.arange(len(frame))
            stem = str(Path(path).with_suffix(""))
            frame["recording"] = frame["recording"].fillna(stem) if "recording" in frame else stem
            for (subject, recording), group in frame.groupby(["subject", "recording"], sort=False):
                signal = group[["x", "y", "z"]].to_numpy(dtype=np.float64) * scale
                if not np.isfinite(signal).any():
                    raise DataFormatError(f"{name}: subject {subject!r}, recording {recording!r} has no samples "
                                          "(every x, y, z is empty)")
                times = None
                rows = group["_row"].to_numpy()
                if "timestamp" in group:
                    times = group["timestamp"].to_numpy()
                    if not np.isfinite(times).all():
                        row = int(rows[int(np.argmin(np.isfinite(times)))])
                        raise DataFormatError(f"{name}: {line(row)}, field 'timestamp': expected a finite number of "
                                              f"seconds, found {frame['timestamp'].iloc[row]}")
                    check_increasing(times, name, lambda i: rows[i] + first, word)
                    times = times - times[0]
                yield from to_recordings(str(subject), str(recording), signal, group["_label"].to_numpy(),
                                         rate=config.sampling_rate, times=times, max_gap=config.max_gap,
                                         source=name, line_of=lambda i: line(rows[i]), gaps=True)


SPEC = register(
    DatasetSpec(
        name="generic",
        title="Your own data: CSV or Parquet tables described by dataset.yaml",
        rate=50.0,
        units="g or m/s2",
        placements=("any",),
        default_placement="any",
        activities={},
        subjects=(),
        licence="yours",
        citation="",
        url="docs/data.md#bring-your-own-data",
        read=read,
        resolve=resolve,
        manual_download="Write a dataset.yaml beside your tables (see docs/data.md).",
        notes="Classes, rate, units and placement come from dataset.yaml.",
    )
)
