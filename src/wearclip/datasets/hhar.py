"""HHAR (Stisen et al., SenSys 2015): 9 users with 8 phones and 4 watches, irregular 50-200 Hz, m/s^2.

Official layout (UCI dataset 344; the zip nests ``Activity recognition exp.zip``)::

    Activity recognition exp/Phones_accelerometer.csv   Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt
    Activity recognition exp/Watch_accelerometer.csv    (same header)

Placement ``wrist`` reads the watches (gear, lgwatch), ``waist`` the phones. ``gt`` is a string;
the literal ``null`` means no activity and becomes unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

ACTIVITIES = {
    "bike": "riding a bicycle",
    "sit": "sitting",
    "stand": "standing",
    "walk": "walking",
    "stairsup": "walking upstairs",
    "stairsdown": "walking downstairs",
}
FILES = {"wrist": "Watch_accelerometer.csv", "waist": "Phones_accelerometer.csv"}


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    raise NotImplementedError("hhar reader lands in the next commit")


SPEC = register(
    DatasetSpec(
        name="hhar",
        title="Heterogeneity Human Activity Recognition (HHAR)",
        rate=200.0,
        units="m/s2",
        placements=("wrist", "waist"),
        default_placement="wrist",
        activities=ACTIVITIES,
        subjects=tuple("abcdefghi"),
        licence="CC BY 4.0",
        citation=(
            "Stisen, Blunck, Bhattacharya, Prentow, Kjærgaard, Dey, Sonne, Jensen. Smart Devices are Different: "
            "Assessing and Mitigating Mobile Sensing Heterogeneities for Activity Recognition. SenSys 2015."
        ),
        url="https://archive.ics.uci.edu/dataset/344/heterogeneity+activity+recognition",
        read=read,
        downloads=(
            Download(
                url="https://archive.ics.uci.edu/static/public/344/heterogeneity+activity+recognition.zip",
                filename="heterogeneity+activity+recognition.zip",
            ),
        ),
        groups={"wrist": "wrist", "waist": "waist"},
        notes="Watches (gear, lgwatch) on the wrist, phones (nexus4, s3, s3mini, samsungold) at the waist; "
        "each device samples at its own irregular rate (50-200 Hz).",
    )
)
