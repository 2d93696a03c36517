"""MyoGym (Koskimäki, Siirtola, Röning, 2017): 10 people, 30 gym exercises, Myo armband on the right forearm.

Official file ``MyoGym.mat`` (MATLAB v5): ``raw_data`` (N x 17; 1-based columns 10 = accelerometer
time in ms, 11-13 = acceleration in g) and ``raw_data_labels`` (N x 2: exercise 1-30 or 99 = NULL,
person 1-10). 50 Hz, delivered in packets, so times are irregular and duplicate rows occur.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Recording
from .registry import register

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


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    raise NotImplementedError("myogym reader lands in the next commit")


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
