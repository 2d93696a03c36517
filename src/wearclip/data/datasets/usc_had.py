"""USC-HAD (Zhang & Sawchuk, 2012): 14 people, 12 activities, MotionNode on the front right hip, 100 Hz, g.

Official layout (``USC-HAD.zip``)::

    USC-HAD/Subject<N>/a<activity>t<trial>.mat   fields subject, activity_number (or activity_numbr), trial,
                                                 sensor_readings (n x 6: acc x y z in g, gyro in deg/s)

Scalar fields are stored as strings; the activity comes from the ``activity_number`` field (spelled
``activity_numbr`` in some files) and must agree with the file name. Rows are exactly 100 Hz.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.io

from ...errors import DataFormatError
from .archive import Tree
from .base import DatasetSpec, Download, Recording
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


RATE = 100.0
TRIAL = r"(^|/)Subject(\d+)/a(\d+)t(\d+)\.mat$"


def _field(contents: dict, names: tuple[str, ...], name: str) -> np.ndarray:
    for key in names:
        if key in contents:
            return contents[key]
    raise DataFormatError(f"{name}: field {names[0]!r} missing")


def _integer(value: np.ndarray, field: str, name: str) -> int:
    text = str(np.squeeze(value)).strip()
    try:
        return int(float(text))
    except ValueError:
        raise DataFormatError(f"{name}: field {field!r}: expected a number, found {text!r}") from None


def read(root: Path, placement: str = "hip") -> Iterator[Recording]:
    """Yield one recording per trial file."""
    with Tree(root) as tree:
        for path in tree.require(TRIAL, "trial files 'Subject<N>/a<activity>t<trial>.mat'"):
            _, subject, activity, trial = re.search(TRIAL, path).groups()
            name = tree.describe(path)
            try:
                with tree.open(path) as f:
                    contents = scipy.io.loadmat(f)
            except (ValueError, TypeError, OSError, NotImplementedError) as error:
                raise DataFormatError(f"{name}: not a readable MATLAB v5 file ({error})") from None
            number = _integer(_field(contents, ("activity_number", "activity_numbr"), name), "activity_number", name)
            if str(number) not in ACTIVITIES:
                raise DataFormatError(f"{name}: field 'activity_number': unknown activity id {number} (expected 1-12)")
            if number != int(activity):
                raise DataFormatError(f"{name}: field 'activity_number' is {number} but the file name says {activity}")
            readings = np.asarray(_field(contents, ("sensor_readings",), name), dtype=np.float64)
            if readings.ndim != 2 or readings.shape[1] != 6 or not len(readings):
                raise DataFormatError(f"{name}: field 'sensor_readings' has shape {readings.shape}, expected (n, 6)")
            labels = np.full(len(readings), number - 1, dtype=np.int32)
            yield from to_recordings(subject, f"a{activity}t{trial}", readings[:, :3], labels, rate=RATE)


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
