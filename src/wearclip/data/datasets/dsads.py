"""UCI Daily and Sports Activities (DSADS; Altun, Barshan, Tunçel 2010): 8 people, 19 activities, 5 Xsens units.

Official layout (UCI dataset 256)::

    data/aNN/pM/sKK.txt    activity NN (01-19), subject M (1-8), 5-s segment KK (01-60)

Each file: 125 comma-separated rows (25 Hz) x 45 columns = 5 units (torso, right arm, left arm,
right leg, left leg) x 9 columns: accelerometer x/y/z (m/s^2), gyroscope x/y/z, magnetometer x/y/z.
Segment K covers seconds 5(K-1) to 5K of the subject's 5-minute recording of the activity, so
consecutive segments present are joined into one recording; a missing segment starts a new one.

The placement chooses the unit; ``all`` yields every unit as its own recording (named by unit), so
one activity bout is seen from five places. Default ``torso`` (the first unit of the files, on the
chest), the closest to a phone worn on the trunk. Phrases follow the official activity names; where
one means the same as another dataset's class it takes that phrase (``ascending stairs`` is
``walking upstairs``) so pre-training over several datasets counts it as one class.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import STANDARD_GRAVITY, DatasetSpec, Download, Recording
from .parsing import read_numeric
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "a01": "sitting",
    "a02": "standing",
    "a03": "lying on the back",
    "a04": "lying on the right side",
    "a05": "walking upstairs",
    "a06": "walking downstairs",
    "a07": "standing still in an elevator",
    "a08": "moving around in an elevator",
    "a09": "walking",
    "a10": "walking on a treadmill",
    "a11": "walking on an inclined treadmill",
    "a12": "running",
    "a13": "exercising on a stepper",
    "a14": "exercising on a cross trainer",
    "a15": "cycling on a recumbent exercise bike",
    "a16": "cycling on an upright exercise bike",
    "a17": "rowing",
    "a18": "jumping",
    "a19": "playing basketball",
}
UNITS = ("torso", "right-arm", "left-arm", "right-leg", "left-leg")
"""Xsens units in file column order; each has 9 columns, the accelerometer first."""
RATE = 25.0
ROWS = 125
"""Samples per 5-s segment file."""
COLUMNS = 9 * len(UNITS)
SEGMENT = r"(^|/)data/a(\d\d)/p(\d+)/s(\d\d)\.txt$"


def _runs(numbers: list[int]) -> list[list[int]]:
    """Sorted segment numbers cut into runs of consecutive ones."""
    runs: list[list[int]] = []
    for k in sorted(numbers):
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def read(root: Path, placement: str = "torso") -> Iterator[Recording]:
    """Yield, per (subject, activity, run of consecutive segments), one recording per chosen unit."""
    units = UNITS if placement == "all" else (placement,)
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    with Tree(root) as tree:
        segments: dict[tuple[str, str], dict[int, str]] = {}
        for path in tree.require(SEGMENT, "segment files 'data/aNN/pM/sKK.txt'"):
            _, activity, subject, k = re.search(SEGMENT, path).groups()
            if f"a{activity}" in index:
                segments.setdefault((subject, f"a{activity}"), {})[int(k)] = path
        for (subject, code), files in sorted(segments.items(), key=lambda item: (int(item[0][0]), item[0][1])):
            for run in _runs(list(files)):
                tables = []
                for k in run:
                    path = files[k]
                    table = read_numeric(None, COLUMNS, sep=",", opener=lambda p=path: tree.open(p),
                                         name=tree.describe(path))
                    if len(table) != ROWS:
                        raise DataFormatError(f"{tree.describe(path)}: {len(table)} rows, expected {ROWS} (5 s at 25 Hz)")
                    tables.append(table)
                table = np.concatenate(tables)
                labels = np.full(len(table), index[code], dtype=np.int32)
                for unit in units:
                    u = UNITS.index(unit)
                    signal = table[:, 9 * u: 9 * u + 3] / STANDARD_GRAVITY
                    name = f"{code}-{unit}-s{run[0]:02d}"
                    for rec in to_recordings(subject, name, signal, labels, rate=RATE):
                        yield dataclasses.replace(rec, start=rec.start + 5.0 * (run[0] - 1))


SPEC = register(
    DatasetSpec(
        name="dsads",
        title="UCI Daily and Sports Activities",
        rate=RATE,
        units="m/s2",
        placements=(*UNITS, "all"),
        default_placement="torso",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 9)),
        licence="CC BY 4.0",
        citation=(
            "Altun, Barshan, Tunçel. Comparative study on classifying human activities with miniature inertial "
            "and magnetic sensors. Pattern Recognition 43(10), 2010."
        ),
        url="https://archive.ics.uci.edu/dataset/256/daily+and+sports+activities",
        read=read,
        downloads=(
            Download(url="https://archive.ics.uci.edu/static/public/256/daily+and+sports+activities.zip",
                     filename="daily+and+sports+activities.zip"),
        ),
        groups={"torso": "waist", "right-arm": "wrist", "left-arm": "wrist", "right-leg": "leg", "left-leg": "leg",
                "all": "any"},  # the study's groups: the chest unit counts with trunk-worn phones
        notes="Xsens MTx units on the chest, above both wrists and above both knees; 5 min per activity, "
              "cut into 60 files of 5 s.",
    )
)
