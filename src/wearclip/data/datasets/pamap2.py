"""PAMAP2 (Reiss & Stricker, 2012): 9 people, 18 activities, IMUs on hand, chest and ankle at 100 Hz.

Official layout (UCI dataset 231; the zip nests ``PAMAP2_Dataset.zip``)::

    PAMAP2_Dataset/Protocol/subject101.dat ... subject109.dat
    PAMAP2_Dataset/Optional/subject101.dat, 105, 106, 108, 109

54 space-separated columns, no header, ``NaN`` for missing values: 1 timestamp (s), 2 activity id
(0 = transient, "to be discarded": unlabelled here), 3 heart rate, then three 17-column IMU blocks
(hand, chest, ankle) whose columns 2-4 are the ±16 g accelerometer in m/s^2. Rows with NaN
acceleration (wireless dropouts, documented by the readme) and jumps in the timestamp split a recording
and are counted as gaps in the quality summary; ``inf`` or a partly NaN x, y, z is an error. ``root`` may be the UCI
zip, the inner ``PAMAP2_Dataset.zip`` or the extracted folder.
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
from .timeline import check_increasing, to_recordings

ACTIVITIES = {
    "1": "lying down",
    "2": "sitting",
    "3": "standing",
    "4": "walking",
    "5": "running",
    "6": "cycling",
    "7": "Nordic walking",
    "9": "watching TV",
    "10": "working on a computer",
    "11": "driving a car",
    "12": "walking upstairs",
    "13": "walking downstairs",
    "16": "vacuum cleaning",
    "17": "ironing",
    "18": "folding laundry",
    "19": "cleaning the house",
    "20": "playing soccer",
    "24": "jumping rope",
}
ACC_COLUMNS = {"hand": [4, 5, 6], "chest": [21, 22, 23], "ankle": [38, 39, 40]}
RATE = 100.0
SESSION = r"(^|/)(Protocol|Optional)/subject(\d{3})\.dat$"


def read(root: Path, placement: str = "ankle") -> Iterator[Recording]:
    """Yield one recording per session file (Protocol, Optional), split at dropouts and time jumps."""
    index = np.full(25, UNLABELLED, dtype=np.int32)
    index[[int(k) for k in ACTIVITIES]] = np.arange(len(ACTIVITIES))
    with Tree(root, nested=lambda path: path.endswith("PAMAP2_Dataset.zip")) as tree:
        for path in tree.require(SESSION, "session files Protocol/subject1NN.dat"):
            _, session, subject = re.search(SESSION, path).groups()
            name = tree.describe(path)
            table = read_numeric(None, 54, opener=lambda: tree.open(path), name=name, allow_nan=True)
            times, raw = table[:, 0], table[:, 1]
            require = np.isfinite(times) & np.isfinite(raw)
            if not require.all():
                row = int(np.argmin(require))
                raise DataFormatError(f"{name}: line {row + 1}: timestamp and activityID must not be NaN")
            known = np.isin(raw, [0, *(int(k) for k in ACTIVITIES)])
            if not known.all():
                row = int(np.argmin(known))
                raise DataFormatError(f"{name}: line {row + 1}, field 2: unknown activity id {raw[row]:g} "
                                      f"(expected 0 or one of {', '.join(ACTIVITIES)})")
            check_increasing(times, name)
            signal = table[:, ACC_COLUMNS[placement]] / STANDARD_GRAVITY
            yield from to_recordings(subject, f"{session.lower()}{subject}", signal, index[raw.astype(np.int64)],
                                     rate=RATE, times=times - times[0], max_gap=1.5 / RATE, source=name, gaps=True)


SPEC = register(
    DatasetSpec(
        name="pamap2",
        title="PAMAP2 Physical Activity Monitoring",
        rate=100.0,
        units="m/s2",
        placements=("ankle", "chest", "hand"),
        default_placement="ankle",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(101, 110)),
        licence="CC BY 4.0",
        citation=(
            "Reiss, Stricker. Introducing a New Benchmarked Dataset for Activity Monitoring. ISWC 2012."
        ),
        url="https://archive.ics.uci.edu/dataset/231/pamap2+physical+activity+monitoring",
        read=read,
        downloads=(
            Download(url="https://archive.ics.uci.edu/static/public/231/pamap2+physical+activity+monitoring.zip",
                     filename="pamap2+physical+activity+monitoring.zip"),
        ),
        groups={"ankle": "leg", "chest": "chest", "hand": "wrist"},
        notes="Colibri IMUs on the dominant wrist, chest and dominant-side ankle; ±16 g accelerometer used.",
    )
)
