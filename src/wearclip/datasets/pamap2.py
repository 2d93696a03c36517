"""PAMAP2 (Reiss & Stricker, 2012): 9 people, 18 activities, IMUs on hand, chest and ankle at 100 Hz.

Official layout (UCI dataset 231; the zip nests ``PAMAP2_Dataset.zip``)::

    PAMAP2_Dataset/Protocol/subject101.dat ... subject109.dat
    PAMAP2_Dataset/Optional/subject101.dat, 105, 106, 108, 109

54 space-separated columns, no header, ``NaN`` for missing values: 1 timestamp (s), 2 activity id
(0 = transient, "to be discarded": unlabelled here), 3 heart rate, then three 17-column IMU blocks
(hand, chest, ankle) whose columns 2-4 are the ±16 g accelerometer in m/s^2. Rows with NaN
acceleration (wireless dropouts) split a recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

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
ACC_COLUMNS = {"hand": (4, 5, 6), "chest": (21, 22, 23), "ankle": (38, 39, 40)}


def read(root: Path, placement: str = "ankle") -> Iterator[Recording]:
    raise NotImplementedError("pamap2 reader lands in the next commit")


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
