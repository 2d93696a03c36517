"""MyoGym (Koskimäki, Siirtola, Röning, 2017): 10 people, 30 gym exercises, Myo armband on the right forearm.

Official file ``MyoGym.mat`` (MATLAB v5): ``raw_data`` (N x 17; 1-based columns 10 = accelerometer
time in ms, 11-13 = acceleration in g) and ``raw_data_labels`` (N x 2: exercise 1-30 or 99 = NULL,
person 1-10). 50 Hz, delivered in packets, so times are irregular and duplicate rows occur: each
person's rows are ordered by accelerometer time, duplicates dropped, and the samples interpolated onto
a 50 Hz grid, splitting at pauses. Label 99 (NULL) is unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import UNLABELLED, DatasetSpec, Recording
from .parsing import read_mat
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "1": "seated cable row",
    "2": "one-arm dumbbell row",
    "3": "wide-grip pulldown behind the neck",
    "4": "bent-over barbell row",
    "5": "reverse-grip bent-over row",
    "6": "wide-grip front pulldown",
    "7": "bench press",
    "8": "incline dumbbell fly",
    "9": "incline dumbbell press",
    "10": "dumbbell fly",
    "11": "push-ups",
    "12": "leverage chest press",
    "13": "close-grip barbell bench press",
    "14": "barbell skull crusher",
    "15": "triceps pushdown",
    "16": "bench dip",
    "17": "overhead triceps extension",
    "18": "triceps dumbbell kickback",
    "19": "spider curl",
    "20": "alternating dumbbell bicep curl",
    "21": "incline hammer curl",
    "22": "concentration curl",
    "23": "cable curl",
    "24": "hammer curl",
    "25": "upright barbell row",
    "26": "side lateral raise",
    "27": "front dumbbell raise",
    "28": "seated dumbbell shoulder press",
    "29": "car driver plate rotation",
    "30": "lying rear delt raise",
}
NULL = 99
RATE = 50.0
TIME, ACC = 9, slice(10, 13)
"""0-based columns of ``raw_data``: accelerometer time (ms) and acceleration x, y, z (g)."""


def _matrix(contents: dict, key: str, ncols: int, name: str) -> np.ndarray:
    if key not in contents:
        raise DataFormatError(f"{name}: field {key!r} missing (found {', '.join(k for k in contents if not k.startswith('__'))})")
    value = np.asarray(contents[key], dtype=np.float64)
    if value.ndim != 2 or value.shape[1] != ncols:
        raise DataFormatError(f"{name}: field {key!r} has shape {value.shape}, expected (n, {ncols})")
    return value


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    """Yield one recording per person (split at pauses) from ``MyoGym.mat``."""
    with Tree(root) as tree:
        path = tree.require(r"(^|/)MyoGym\.mat$", "MyoGym.mat")[0]
        name = tree.describe(path)
        contents = read_mat(lambda: tree.open(path), name, variable_names=["raw_data", "raw_data_labels"])
    data = _matrix(contents, "raw_data", 17, name)
    labels = _matrix(contents, "raw_data_labels", 2, name)
    if len(labels) != len(data):
        raise DataFormatError(f"{name}: raw_data has {len(data)} rows but raw_data_labels {len(labels)}")
    exercise, person = labels[:, 0].astype(np.int64), labels[:, 1].astype(np.int64)
    known = np.isin(exercise, [int(k) for k in ACTIVITIES] + [NULL])
    if not known.all():
        row = int(np.argmin(known))
        raise DataFormatError(f"{name}: raw_data_labels row {row + 1}, column 1: unknown exercise id "
                              f"{exercise[row]} (expected 1-30 or {NULL})")
    index = np.full(NULL + 1, UNLABELLED, dtype=np.int32)
    index[[int(k) for k in ACTIVITIES]] = np.arange(len(ACTIVITIES))
    for subject in np.unique(person):
        rows = np.flatnonzero(person == subject)
        rows = rows[np.argsort(data[rows, TIME], kind="stable")]
        times = (data[rows, TIME] - data[rows[0], TIME]) / 1000.0
        yield from to_recordings(str(subject), f"person{subject}", data[rows, ACC], index[exercise[rows]],
                                 rate=RATE, times=times, source=name, line_of=lambda i: f"raw_data row {rows[i] + 1}")


SPEC = register(
    DatasetSpec(
        name="myogym",
        title="MyoGym: gym exercises recorded with a Myo armband",
        rate=50.0,
        units="g",
        placements=("wrist",),
        default_placement="wrist",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 11)),
        licence="no licence stated by the authors; cite the HASCA 2017 article",
        citation=(
            "Koskimäki, Siirtola, Röning. MyoGym: introducing an open gym data set for activity recognition "
            "collected using Myo armband. UbiComp/ISWC 2017 Adjunct (HASCA), 2017."
        ),
        url="http://www.oulu.fi/bisg/node/40364",
        read=read,
        manual_download="The official page (http://www.oulu.fi/bisg/node/40364) is no longer served; obtain "
        "MyoGym.mat from the authors or a copy that keeps the official file unchanged.",
        groups={"wrist": "wrist"},
        notes="Myo armband on the right forearm (IMU on top); accelerometer only.",
    )
)
