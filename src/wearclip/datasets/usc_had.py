"""USC-HAD (Zhang & Sawchuk, 2012): 14 people, 12 activities, MotionNode on the front right hip, 100 Hz, g.

Official layout (``USC-HAD.zip``)::

    USC-HAD/Subject<N>/a<activity>t<trial>.mat   fields subject, activity_number (or activity_numbr), trial,
                                                 sensor_readings (n x 6: acc x y z in g, gyro in deg/s)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

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


def read(root: Path, placement: str = "hip") -> Iterator[Recording]:
    raise NotImplementedError("usc-had reader lands in the next commit")


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
