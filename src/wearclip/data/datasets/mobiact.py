"""MobiAct v2.0 (Vavoulas et al., 2016): 67 people, ADLs, falls and scenarios, Galaxy S3 in a trouser pocket.

Official layout (``MobiAct_Dataset_v2.0``, .zip or .rar from the BMI Lab)::

    Annotated Data/<CODE>/<CODE>_<subject>_<trial>_annotated.csv
        timestamp,rel_time,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,azimuth,pitch,roll,label

``rel_time`` is seconds from the trial start (~200 Hz, not exactly regular); acceleration in m/s^2;
``label`` is a per-row 3-letter code, so falls (STD -> fall -> LYI) and scenarios carry several; it is
the source of truth for labels (a folder that disagrees with the file name's code is reported).
Each trial is interpolated onto a uniform grid at its own rate (about 200 Hz); the raw ``.txt`` files
are not needed. A ``.rar`` download must be extracted first (a ``.zip`` reads as is).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .. import quality
from .archive import Tree
from .base import STANDARD_GRAVITY, DatasetSpec, Recording
from .parsing import read_csv, require_values
from .registry import register
from .timeline import check_increasing, to_recordings

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


TRIAL = r"(^|/)Annotated Data/([A-Z]{3})/([A-Z]{3})_(\d+)_(\d+)_annotated\.csv$"
COLUMNS = {"rel_time": np.float64, "acc_x": np.float64, "acc_y": np.float64, "acc_z": np.float64, "label": str}


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    """Yield one recording per annotated trial (split at pauses)."""
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    with Tree(root) as tree:
        for path in tree.require(TRIAL, "annotated trials 'Annotated Data/<CODE>/<CODE>_<subject>_<trial>_annotated.csv'"):
            _, folder, code, subject, trial = re.search(TRIAL, path).groups()
            name = tree.describe(path)
            if folder != code:
                quality.contradiction(name, f"folder {folder} contradicts the file name's code {code}; "
                                            "the rows' labels are used, the file name names the trial")
            frame = read_csv(lambda: tree.open(path), name, COLUMNS)
            if frame.empty:
                raise DataFormatError(f"{name}: no data rows for subject {subject}")
            require_values(frame, list(COLUMNS), name)
            unknown = ~frame["label"].isin(list(index))
            if unknown.any():
                row = int(np.argmax(unknown.to_numpy()))
                raise DataFormatError(f"{name}: line {row + 2}, field 'label': unknown activity code "
                                      f"{frame['label'].iloc[row]!r} (expected one of {', '.join(index)})")
            times = frame["rel_time"].to_numpy()
            check_increasing(times, name, lambda i: i + 2)
            signal = frame[["acc_x", "acc_y", "acc_z"]].to_numpy() / STANDARD_GRAVITY
            labels = frame["label"].map(index).to_numpy(dtype=np.int32)
            yield from to_recordings(subject, f"{code}_{subject}_{trial}", signal, labels, times=times, source=name,
                                     line_of=lambda i: f"line {i + 2}")


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
