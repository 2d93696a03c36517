"""WISDM 2019 (Weiss et al.): 51 people, 18 activities, phone in the pocket and watch on the wrist, 20 Hz.

Official layout (UCI dataset 507)::

    wisdm-dataset/raw/{phone,watch}/accel/data_<subject>_accel_{phone,watch}.txt
        subject,activity-letter,timestamp_ns,x,y,z;      (no header; every record ends with ';')

Acceleration in m/s^2; activity letters A-S without N (see ``activity_key.txt``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

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


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    raise NotImplementedError("wisdm reader lands in the next commit")


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
