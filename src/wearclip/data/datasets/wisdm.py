"""WISDM 2019 (Weiss et al.): 51 people, 18 activities, phone in the pocket and watch on the wrist, 20 Hz.

Official layout (UCI dataset 507)::

    wisdm-dataset/raw/{phone,watch}/accel/data_<subject>_accel_{phone,watch}.txt
        subject,activity-letter,timestamp_ns,x,y,z;      (no header; every record ends with ';')

Acceleration in m/s^2; activity letters A-S without N (see ``activity_key.txt``). Sessions run at 20 Hz
nominally but some at 25-100 Hz, so each activity block is ordered by time and interpolated onto a grid
at its own rate, splitting at pauses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import STANDARD_GRAVITY, DatasetSpec, Download, Recording
from .parsing import read_csv, require_values
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "A": "walking",
    "B": "jogging",
    "C": "climbing stairs",
    "D": "sitting",
    "E": "standing",
    "F": "typing on a keyboard",
    "G": "brushing teeth",
    "H": "eating soup",
    "I": "eating chips",
    "J": "eating pasta",
    "K": "drinking from a cup",
    "L": "eating a sandwich",
    "M": "kicking a soccer ball",
    "O": "playing catch with a tennis ball",
    "P": "dribbling a basketball",
    "Q": "writing",
    "R": "clapping",
    "S": "folding clothes",
}
DEVICES = {"wrist": "watch", "pocket": "phone"}
NAMES = ["subject", "activity", "timestamp", "x", "y", "z"]
COLUMNS = {"subject": np.int64, "activity": str, "timestamp": np.int64, "x": np.float64, "y": np.float64,
           "z": np.float64}


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    """Yield one recording per (subject, activity) of the chosen device's accelerometer files."""
    device = DEVICES[placement]
    pattern = rf"(^|/)raw/{device}/accel/data_(\d+)_accel_{device}\.txt$"
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    with Tree(root, nested=lambda path: path.endswith("wisdm-dataset.zip")) as tree:
        for path in tree.require(pattern, f"files 'raw/{device}/accel/data_<subject>_accel_{device}.txt'"):
            subject = re.search(pattern, path).group(2)
            name = tree.describe(path)
            frame = read_csv(lambda: tree.open(path), name, COLUMNS, names=NAMES, comment=";")
            if frame.empty:
                raise DataFormatError(f"{name}: no data rows for subject {subject}")
            require_values(frame, NAMES, name, header=False)
            wrong = frame["subject"].to_numpy() != int(subject)
            if wrong.any():
                row = int(np.argmax(wrong))
                raise DataFormatError(f"{name}: line {row + 1}, field 1: subject {frame['subject'].iloc[row]} "
                                      f"in the file of subject {subject}")
            unknown = ~frame["activity"].isin(list(index))
            if unknown.any():
                row = int(np.argmax(unknown.to_numpy()))
                raise DataFormatError(f"{name}: line {row + 1}, field 2: unknown activity code "
                                      f"{frame['activity'].iloc[row]!r} (expected one of {', '.join(index)})")
            for code, block in frame.groupby("activity", sort=False):
                block = block.sort_values("timestamp", kind="stable")
                times = (block["timestamp"].to_numpy() - block["timestamp"].iloc[0]) / 1e9
                signal = block[["x", "y", "z"]].to_numpy() / STANDARD_GRAVITY
                labels = np.full(len(block), index[code], dtype=np.int32)
                lines = block.index.to_numpy() + 1
                yield from to_recordings(subject, f"{device}-{code}", signal, labels, times=times, source=name,
                                         line_of=lambda i: f"line {lines[i]}")


SPEC = register(
    DatasetSpec(
        name="wisdm",
        title="WISDM Smartphone and Smartwatch Activity and Biometrics Dataset (2019)",
        rate=20.0,
        units="m/s2",
        placements=("wrist", "pocket"),
        default_placement="wrist",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1600, 1651)),
        licence="CC BY 4.0",
        citation=(
            "Weiss, Yoneda, Hayajneh. Smartphone and Smartwatch-Based Biometrics Using Activities of Daily "
            "Living. IEEE Access 7, 2019."
        ),
        url="https://archive.ics.uci.edu/dataset/507/wisdm+smartphone+and+smartwatch+activity+and+biometrics+dataset",
        read=read,
        downloads=(
            Download(url="https://archive.ics.uci.edu/static/public/507/"
                     "wisdm+smartphone+and+smartwatch+activity+and+biometrics+dataset.zip",
                     filename="wisdm+smartphone+and+smartwatch+activity+and+biometrics+dataset.zip"),
        ),
        groups={"wrist": "wrist", "pocket": "waist"},
        notes="LG G Watch on the dominant wrist, phone in the trouser pocket; 3 min per activity.",
    )
)
