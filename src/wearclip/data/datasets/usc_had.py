"""USC-HAD (Zhang & Sawchuk, 2012): 14 people, 12 activities, MotionNode on the front right hip, 100 Hz, g.

Official layout (``USC-HAD.zip``)::

    USC-HAD/Subject<N>/a<activity>t<trial>.mat   fields title, version, date, subject, age, height, weight,
                                                 activity, activity_number, trial, sensor_location,
                                                 sensor_orientation, sensor_readings (n x 6: acc x y z in g,
                                                 gyro in deg/s)

The readme defines the naming ``a<m>t<n>.mat`` inside ``Subject<N>``, so the path is the source of truth
for activity, trial and subject; rows are exactly 100 Hz. Real files are less tidy than the readme:
scalar fields are strings, one subject's files spell ``activity_numbr``, a few carry extra fields, the
``activity`` names vary in spelling, and per-file metadata can contradict the file name. Only
``sensor_readings`` is required; a metadata field that names another activity, trial or subject than the
path is reported once per file (:class:`~wearclip.data.quality.DataQualityWarning`) and the path is
followed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .. import quality
from .archive import Tree
from .base import DatasetSpec, Download, Recording
from .parsing import read_mat
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "1": "walking forward",
    "2": "walking left",
    "3": "walking right",
    "4": "walking upstairs",
    "5": "walking downstairs",
    "6": "running forward",
    "7": "jumping up",
    "8": "sitting",
    "9": "standing",
    "10": "sleeping",
    "11": "riding an elevator up",
    "12": "riding an elevator down",
}
NAMES = ["Walking Forward", "Walking Left", "Walking Right", "Walking Upstairs", "Walking Downstairs",
         "Running Forward", "Jumping Up", "Sitting", "Standing", "Sleeping", "Elevator Up", "Elevator Down"]
"""The readme's activity names, in id order (the ``activity`` field holds them, spelt variously)."""


RATE = 100.0
TRIAL = r"(?i)(^|/)Subject(\d+)/a(\d+)t(\d+)\.mat$"
NUMBER_FIELDS = ("activity_number", "activity_numbr")


def _text(value) -> str:
    """A string field as ``loadmat`` returns it (a 1-element array of str), stripped."""
    value = np.squeeze(np.asarray(value))
    return "" if value.size == 0 else str(value.item() if value.ndim == 0 else value).strip()


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _named_activity(text: str) -> int | None:
    """The id whose readme name a free-spelt ``activity`` string is closest to, or None if none is close."""
    keys = [_key(n) for n in NAMES]
    best = difflib.get_close_matches(_key(text), keys, n=1, cutoff=0.75)
    return keys.index(best[0]) + 1 if best else None


def _contradictions(contents: dict, activity: int, trial: int, subject: int) -> list[str]:
    """Metadata fields whose value names another activity, trial or subject than the path (an empty or
    unreadable value names none, so it contradicts nothing)."""
    said = []
    for field, expected in ((next((f for f in NUMBER_FIELDS if f in contents), None), activity),
                            ("trial", trial), ("subject", subject)):
        if field in contents:
            text = _text(contents[field])
            try:
                found = int(float(text))
            except (ValueError, OverflowError):
                continue
            if found != expected:
                said.append(f"{field} {text!r}")
    if "activity" in contents:
        text = _text(contents["activity"])
        named = _named_activity(text)
        if named is not None and named != activity:
            said.append(f"activity {text!r}")
    return said


def read(root: Path, placement: str = "hip") -> Iterator[Recording]:
    """Yield one recording per trial file."""
    with Tree(root) as tree:
        for path in tree.require(TRIAL, "trial files 'Subject<N>/a<activity>t<trial>.mat'"):
            _, subject, activity, trial = re.search(TRIAL, path).groups()
            name = tree.describe(path)
            if activity.lstrip("0") not in ACTIVITIES:
                raise DataFormatError(f"{name}: file name names activity {activity} (the readme's ids are 1-12)")
            contents = read_mat(lambda: tree.open(path), name)
            if "sensor_readings" not in contents:
                found = ", ".join(k for k in contents if not k.startswith("__"))
                raise DataFormatError(f"{name}: field 'sensor_readings' missing (found {found or 'no fields'})")
            try:
                readings = np.asarray(contents["sensor_readings"], dtype=np.float64)
            except (TypeError, ValueError):
                raise DataFormatError(f"{name}: field 'sensor_readings' is not numeric") from None
            if readings.ndim != 2 or readings.shape[1] != 6 or not len(readings):
                raise DataFormatError(f"{name}: field 'sensor_readings' has shape {readings.shape}, expected (n, 6)")
            said = _contradictions(contents, int(activity), int(trial), int(subject))
            if said:
                quality.contradiction(name, f"metadata contradicts the path (activity {int(activity)}, trial "
                                            f"{int(trial)}, subject {int(subject)}), which the readme defines: "
                                            f"{', '.join(said)}; following the path")
            labels = np.full(len(readings), int(activity) - 1, dtype=np.int32)
            yield from to_recordings(str(int(subject)), f"a{int(activity)}t{int(trial)}", readings[:, :3], labels,
                                     rate=RATE, source=name, line_of=lambda i: f"sensor_readings row {i + 1}")


SPEC = register(
    DatasetSpec(
        name="usc-had",
        title="USC-HAD: University of Southern California Human Activity Dataset",
        rate=100.0,
        units="g",
        placements=("hip",),
        default_placement="hip",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 15)),
        licence="no licence stated by the authors; cite the UbiComp 2012 article",
        citation=(
            "Zhang, Sawchuk. USC-HAD: A Daily Activity Dataset for Ubiquitous Activity Recognition Using "
            "Wearable Sensors. UbiComp 2012 (SAGAware workshop)."
        ),
        url="https://sipi.usc.edu/had/",
        read=read,
        downloads=(Download(url="https://sipi.usc.edu/had/USC-HAD.zip", filename="USC-HAD.zip"),),
        groups={"hip": "waist"},
        notes="MotionNode IMU on the front right hip.",
    )
)
