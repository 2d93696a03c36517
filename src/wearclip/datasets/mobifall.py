"""MobiFall v2.0 (Vavoulas et al., 2014): 24 people, 9 ADLs and 4 falls, Galaxy S3 in a trouser pocket.

Official layout::

    sub<N>/{ADL,FALLS}/<CODE>/<CODE>_acc_<subject>_<trial>.txt

Each file: ``#`` comment lines, ``@DATA``, then ``timestamp_ns, x, y, z`` (m/s^2) at an irregular
~87-99 Hz. The whole trial carries the activity of its file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Recording
from .mobiact import FALLS
from .registry import register

ACTIVITIES = {
    "STD": "standing",
    "WAL": "walking",
    "JOG": "jogging",
    "JUM": "jumping",
    "STU": "walking upstairs",
    "STN": "walking downstairs",
    "SCH": "sitting down on a chair",
    "CSI": "stepping into a car",
    "CSO": "stepping out of a car",
    **FALLS,
}
SUBJECTS = tuple(str(i) for i in [*range(1, 22), 29, 30, 31])


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    raise NotImplementedError("mobifall reader lands in the next commit")


SPEC = register(
    DatasetSpec(
        name="mobifall",
        title="MobiFall v2.0: falls and activities of daily living with a smartphone",
        rate=100.0,
        units="m/s2",
        placements=("pocket",),
        default_placement="pocket",
        activities=ACTIVITIES,
        subjects=SUBJECTS,
        licence="free for research on request through the BMI Lab form; no redistribution",
        citation=(
            "Vavoulas, Pediaditis, Chatzaki, Spanakis, Tsiknakis. The MobiFall Dataset: Fall Detection and "
            "Classification with a Smartphone. International Journal of Monitoring and Surveillance "
            "Technologies Research 2(1), 2014."
        ),
        url="https://bmi.hmu.gr/the-mobifall-and-mobiact-datasets-2/",
        read=read,
        manual_download="Request MobiFall_Dataset_v2.0 through the form at "
        "https://bmi.hmu.gr/the-mobifall-and-mobiact-datasets-2/ and extract it.",
        groups={"pocket": "waist"},
        notes="Samsung Galaxy S3 in a trouser pocket; irregular ~87-99 Hz timestamps.",
    )
)
