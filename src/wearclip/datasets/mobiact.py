"""MobiAct v2.0 (Vavoulas et al., 2016): 67 people, ADLs, falls and scenarios, Galaxy S3 in a trouser pocket.

Official layout (``MobiAct_Dataset_v2.0``, .zip or .rar from the BMI Lab)::

    Annotated Data/<CODE>/<CODE>_<subject>_<trial>_annotated.csv
        timestamp,rel_time,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,azimuth,pitch,roll,label

``rel_time`` is seconds from the trial start (~200 Hz, not exactly regular); acceleration in m/s^2;
``label`` is a per-row 3-letter code, so falls (STD -> fall -> LYI) and scenarios carry several.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Recording
from .registry import register

FALLS = {
    "FOL": "falling forward onto the hands",
    "FKL": "falling forward onto the knees",
    "BSC": "falling backward while sitting down on a chair",
    "SDL": "falling sideways",
}
"""Phrases of the four fall types, shared with MobiFall (same codes, same protocol)."""
ACTIVITIES = {
    "STD": "standing",
    "WAL": "walking",
    "JOG": "jogging",
    "JUM": "jumping",
    "STU": "walking upstairs",
    "STN": "walking downstairs",
    "SCH": "sitting down on a chair",
    "SIT": "sitting on a chair",
    "CHU": "standing up from a chair",
    "CSI": "stepping into a car",
    "CSO": "stepping out of a car",
    "LYI": "lying on the floor",
    **FALLS,
}


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    raise NotImplementedError("mobiact reader lands in the next commit")


SPEC = register(
    DatasetSpec(
        name="mobiact",
        title="MobiAct v2.0: activities of daily living and falls with a smartphone",
        rate=200.0,
        units="m/s2",
        placements=("pocket",),
        default_placement="pocket",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 68)),
        licence="free for research on request through the BMI Lab form; cite the ICT4AWE 2016 article",
        citation=(
            "Vavoulas, Chatzaki, Malliotakis, Pediaditis, Tsiknakis. The MobiAct Dataset: Recognition of "
            "Activities of Daily Living using Smartphones. ICT4AWE 2016."
        ),
        url="https://bmi.hmu.gr/the-mobifall-and-mobiact-datasets-2/",
        read=read,
        manual_download="Request MobiAct_Dataset_v2.0 through the form at "
        "https://bmi.hmu.gr/the-mobifall-and-mobiact-datasets-2/ and extract it (a .zip also reads as is).",
        groups={"pocket": "waist"},
        notes="Samsung Galaxy S3 in a trouser pocket, free orientation (the study's waist group).",
    )
)
