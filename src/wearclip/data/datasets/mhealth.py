"""MHEALTH (Baños et al., 2014): 10 people, 12 activities, Shimmer units on chest, left ankle, right wrist.

Official layout (UCI dataset 319)::

    MHEALTHDATASET/mHealth_subject<N>.log   24 tab-separated columns, no header, 50 Hz

1-based columns 1-3 chest acc, 6-8 left-ankle acc, 15-17 right-lower-arm acc (all m/s^2), 24 label
(0 = null class, unlabelled here). Rows are exactly 50 Hz. The readme mentions no missing values, but
public loaders interpolate ``NaN`` rows, so a row whose x, y, z are all ``NaN`` is taken as a gap: it
splits the recording and is counted in the quality summary; any other non-finite value is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import STANDARD_GRAVITY, UNLABELLED, DatasetSpec, Download, Recording
from .parsing import read_numeric
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "1": "standing still",
    "2": "sitting and relaxing",
    "3": "lying down",
    "4": "walking",
    "5": "climbing stairs",
    "6": "bending the waist forward",
    "7": "raising the arms in front of the body",
    "8": "crouching by bending the knees",
    "9": "cycling",
    "10": "jogging",
    "11": "running",
    "12": "jumping front and back",
}
ACC_COLUMNS = {"chest": [0, 1, 2], "ankle": [5, 6, 7], "wrist": [14, 15, 16]}
RATE = 50.0
SUBJECT = r"(^|/)mHealth_subject(\d+)\.log$"


def read(root: Path, placement: str = "ankle") -> Iterator[Recording]:
    """Yield one recording per subject log (split at missing values)."""
    with Tree(root) as tree:
        for path in tree.require(SUBJECT, "subject logs mHealth_subject<N>.log"):
            subject = re.search(SUBJECT, path).group(2)
            name = tree.describe(path)
            table = read_numeric(None, 24, opener=lambda: tree.open(path), name=name, allow_nan=True)
            raw = table[:, 23]
            known = np.isin(raw, np.arange(13))
            if not known.all():
                row = int(np.argmin(known))
                raise DataFormatError(f"{name}: line {row + 1}, field 24: unknown activity id {raw[row]:g} (expected 0-12)")
            labels = np.where(raw == 0, UNLABELLED, raw - 1).astype(np.int32)
            signal = table[:, ACC_COLUMNS[placement]] / STANDARD_GRAVITY
            yield from to_recordings(subject, f"subject{subject}", signal, labels, rate=RATE, source=name, gaps=True)


SPEC = register(
    DatasetSpec(
        name="mhealth",
        title="MHEALTH: mobile health monitoring with body-worn sensors",
        rate=50.0,
        units="m/s2",
        placements=("ankle", "chest", "wrist"),
        default_placement="ankle",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 11)),
        licence="CC BY 4.0",
        citation=(
            "Baños, García, Holgado-Terriza, Damas, Pomares, Rojas, Saez, Villalonga. mHealthDroid: a novel "
            "framework for agile development of mobile health applications. IWAAL 2014."
        ),
        url="https://archive.ics.uci.edu/dataset/319/mhealth+dataset",
        read=read,
        downloads=(
            Download(url="https://archive.ics.uci.edu/static/public/319/mhealth+dataset.zip",
                     filename="mhealth+dataset.zip"),
        ),
        groups={"ankle": "leg", "chest": "chest", "wrist": "wrist"},
        notes="Shimmer2 units on the chest, left ankle and right lower arm.",
    )
)
