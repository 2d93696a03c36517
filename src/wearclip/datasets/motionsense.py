"""MotionSense (Malekzadeh et al.): 24 people, 6 activities, iPhone 6s in the front trouser pocket, 50 Hz.

Official layout (GitHub ``mmalekzadeh/motion-sense``, ``data/*.zip``, extracted or not)::

    A_DeviceMotion_data/<act>_<trial>/sub_<N>.csv  ,attitude.roll,...,gravity.x..z,...,userAcceleration.x..z
    B_Accelerometer_data/<act>_<trial>/sub_<N>.csv ,x,y,z

Total acceleration in g = gravity + userAcceleration (A, preferred) or the raw accelerometer (B).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

ACTIVITIES = {
    "dws": "walking downstairs",
    "ups": "walking upstairs",
    "wlk": "walking",
    "jog": "jogging",
    "std": "standing",
    "sit": "sitting",
}


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    raise NotImplementedError("motionsense reader lands in the next commit")


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
            Download(url=_GITHUB + "A_DeviceMotion_data.zip", filename="A_DeviceMotion_data.zip"),
            Download(url=_GITHUB + "B_Accelerometer_data.zip", filename="B_Accelerometer_data.zip"),
        ),
        groups={"pocket": "waist"},
        notes="iPhone 6/6s in the front trouser pocket (the study's waist group); iOS sign convention.",
    )
)
