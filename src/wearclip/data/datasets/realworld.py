"""RealWorld HAR (Sztyler & Stuckenschmidt, 2016): 15 people, 8 activities, 7 body positions, ~50 Hz.

Official layout (``realworld2016_dataset.zip``)::

    proband<N>/data/acc_<activity>_csv.zip -> acc_<activity>[_<k>]_<position>.csv   id,attr_time,attr_x,attr_y,attr_z

``attr_time`` is epoch milliseconds (irregular), acceleration m/s^2. Some climbing archives nest one zip
per recording (``acc_climbingup_csv.zip`` -> ``acc_climbingup_2_csv.zip`` -> csv); some files carry a
``_2`` infix for a second recording. Only the accelerometer zips are opened. Each file is interpolated
onto a 50 Hz grid, splitting at pauses; missing (proband, activity, position) files are skipped.
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
from .timeline import check_increasing, to_recordings

ACTIVITIES = {
    "climbingdown": "walking downstairs",
    "climbingup": "walking upstairs",
    "jumping": "jumping",
    "lying": "lying down",
    "running": "running",
    "sitting": "sitting",
    "standing": "standing",
    "walking": "walking",
}
POSITIONS = ("waist", "chest", "forearm", "head", "shin", "thigh", "upperarm")
RATE = 50.0
_ACTIVITY = "|".join(ACTIVITIES)
ACC_ZIP = rf"(^|/)acc_({_ACTIVITY})(_\d+)?_csv\.zip$"
COLUMNS = {"attr_time": np.int64, "attr_x": np.float64, "attr_y": np.float64, "attr_z": np.float64}


def read(root: Path, placement: str = "waist") -> Iterator[Recording]:
    """Yield the accelerometer recordings of one body position, per proband and activity."""
    index = {a: i for i, a in enumerate(ACTIVITIES)}
    inner_zip = rf"(?:acc_(?:{_ACTIVITY})_(\d+)_csv\.zip/)?"  # climbing archives nest one zip per recording
    pattern = rf"(^|/)proband(\d+)/(.*?/)?{inner_zip}acc_({_ACTIVITY})(?:_(\d+))?_{placement}\.csv$"
    with Tree(root, nested=lambda path: re.search(ACC_ZIP, path) is not None) as tree:
        for path in tree.require(pattern, f"accelerometer files 'proband<N>/data/acc_<activity>_csv.zip' ({placement})"):
            found = re.search(pattern, path)
            subject, activity = found.group(2), found.group(5)
            part = found.group(6) or found.group(4) or "1"
            name = tree.describe(path)
            frame = read_csv(lambda: tree.open(path), name, COLUMNS)
            if frame.empty:
                raise DataFormatError(f"{name}: no data rows for proband {subject}")
            require_values(frame, list(COLUMNS), name)
            times = (frame["attr_time"].to_numpy() - frame["attr_time"].iloc[0]) / 1000.0
            check_increasing(times, name, lambda i: i + 2)
            signal = frame[["attr_x", "attr_y", "attr_z"]].to_numpy() / STANDARD_GRAVITY
            labels = np.full(len(signal), index[activity], dtype=np.int32)
            yield from to_recordings(subject, f"{activity}_{part}", signal, labels, rate=RATE, times=times,
                                     source=name, line_of=lambda i: f"line {i + 2}")


SPEC = register(
    DatasetSpec(
        name="realworld",
        title="RealWorld (HAR): position-aware activity recognition",
        rate=50.0,
        units="m/s2",
        placements=POSITIONS,
        default_placement="waist",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 16)),
        licence="no licence stated by the authors; cite the PerCom 2016 article",
        citation=(
            "Sztyler, Stuckenschmidt. On-body Localization of Wearable Devices: An Investigation of "
            "Position-Aware Activity Recognition. PerCom 2016."
        ),
        url="https://www.uni-mannheim.de/dws/research/projects/activity-recognition/dataset/dataset-realworld/",
        read=read,
        downloads=(
            Download(url="http://wifo5-14.informatik.uni-mannheim.de/sensor/dataset/realworld2016/"
                     "realworld2016_dataset.zip", filename="realworld2016_dataset.zip"),
        ),
        groups={"waist": "waist", "forearm": "wrist", "shin": "leg", "thigh": "leg"},
        notes="Phones at chest, head, shin, thigh, upper arm and waist, a watch on the forearm; "
        "positions are separate, unsynchronised devices.",
    )
)
