"""MotionSense (Malekzadeh et al.): 24 people, 6 activities, iPhone 6s in the front trouser pocket, 50 Hz.

Official layout (GitHub ``mmalekzadeh/motion-sense``, ``data/*.zip``, extracted or not)::

    A_DeviceMotion_data/<act>_<trial>/sub_<N>.csv  ,attitude.roll,...,gravity.x..z,...,userAcceleration.x..z
    B_Accelerometer_data/<act>_<trial>/sub_<N>.csv ,x,y,z

The accelerometer files (B, total acceleration in g, rows at 50 Hz, no time column) are read, as in the
study. iOS reports acceleration with the opposite sign to Android and the Axivity AX3 (about -1 g on the
axis pointing up at rest), so the values are negated to share the convention of every other dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import DatasetSpec, Download, Recording
from .parsing import read_csv, require_values
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "dws": "walking downstairs",
    "ups": "walking upstairs",
    "wlk": "walking",
    "jog": "jogging",
    "std": "standing",
    "sit": "sitting",
}


RATE = 50.0
TRIAL = r"(^|/)B_Accelerometer_data/([a-z]{3})_(\d+)/sub_(\d+)\.csv$"
IOS_SIGN = -1.0
"""CoreMotion reports -1 g where Android and the AX3 report +1 g."""


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    """Yield one recording per (trial, subject) file of ``B_Accelerometer_data``."""
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    nested = lambda path: path.endswith("B_Accelerometer_data.zip")  # noqa: E731
    with Tree(root, nested=nested) as tree:
        for path in tree.require(TRIAL, "accelerometer files 'B_Accelerometer_data/<act>_<trial>/sub_<N>.csv'"):
            _, code, trial, subject = re.search(TRIAL, path).groups()
            name = tree.describe(path)
            if code not in index:
                raise DataFormatError(f"{name}: unknown activity folder {code}_{trial} (expected one of {', '.join(index)})")
            frame = read_csv(lambda: tree.open(path), name, {"x": np.float64, "y": np.float64, "z": np.float64})
            if frame.empty:
                raise DataFormatError(f"{name}: no data rows for subject {subject}")
            require_values(frame, ["x", "y", "z"], name)
            signal = IOS_SIGN * frame[["x", "y", "z"]].to_numpy()
            labels = np.full(len(signal), index[code], dtype=np.int32)
            yield from to_recordings(subject, f"{code}_{trial}", signal, labels, rate=RATE, source=name,
                                     line_of=lambda i: f"line {i + 2}")


_GITHUB = "https://github.com/mmalekzadeh/motion-sense/raw/master/data/"
SPEC = register(
    DatasetSpec(
        name="motionsense",
        title="MotionSense: smartphone motion sensor data of daily activities",
        rate=50.0,
        units="g",
        placements=("pocket",),
        default_placement="pocket",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 25)),
        licence="MIT (repository); cite the IoTDI 2019 article",
        citation=(
            "Malekzadeh, Clegg, Cavallaro, Haddadi. Mobile Sensor Data Anonymization. "
            "IoTDI 2019 (ACM/IEEE International Conference on Internet of Things Design and Implementation)."
        ),
        url="https://github.com/mmalekzadeh/motion-sense",
        read=read,
        downloads=(
            Download(url=_GITHUB + "B_Accelerometer_data.zip", filename="B_Accelerometer_data.zip"),
        ),
        groups={"pocket": "waist"},
        notes="iPhone 6/6s in the front trouser pocket (the study's waist group); iOS sign convention.",
    )
)
