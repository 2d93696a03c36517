"""RealWorld HAR (Sztyler & Stuckenschmidt, 2016): 15 people, 8 activities, 7 body positions, ~50 Hz.

Official layout (``realworld2016_dataset.zip``)::

    proband<N>/data/acc_<activity>_csv.zip -> acc_<activity>[_<k>]_<position>.csv   id,attr_time,attr_x,attr_y,attr_z

``attr_time`` is epoch milliseconds (irregular), acceleration m/s^2. Some climbing archives nest one zip
per recording (``acc_climbingup_csv.zip`` -> ``acc_climbingup_2_csv.zip`` -> csv); some files carry a
``_2`` infix for a second recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

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


def read(root: Path, placement: str = "waist") -> Iterator[Recording]:
    raise NotImplementedError("realworld reader lands in the next commit")


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
