"""Bring your own data: a folder with ``dataset.yaml`` and CSV or Parquet tables.

``dataset.yaml``::

    name: my-study            # required
    sampling_rate: 50         # Hz, required
    units: g                  # required: g or m/s2
    placement: wrist          # optional
    activities:               # optional: label -> natural activity phrase (order = class index)
      walk: walking
      sit: sitting

Tables (``*.csv``, ``*.parquet``, searched recursively) have columns ``subject, x, y, z, label`` and
optionally ``timestamp`` (seconds; irregular times are interpolated onto a uniform grid) and
``recording`` (default: one recording per file). An empty label is unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Recording
from .registry import register


def read(root: Path, placement: str = "any") -> Iterator[Recording]:
    raise NotImplementedError("generic reader lands in the next commit")


SPEC = register(
    DatasetSpec(
        name="generic",
        title="Your own data: CSV or Parquet tables described by dataset.yaml",
        rate=50.0,
        units="g or m/s2 (dataset.yaml)",
        placements=("any",),
        default_placement="any",
        activities={},
        subjects=(),
        licence="yours",
        citation="",
        url="docs/data.md#bring-your-own-data",
        read=read,
        manual_download="Write a dataset.yaml beside your tables (see docs/data.md).",
        notes="Classes, rate, units and placement come from dataset.yaml.",
    )
)
