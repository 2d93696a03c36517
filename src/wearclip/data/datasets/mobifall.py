"""MobiFall v2.0 (Vavoulas et al., 2014): 24 people, 9 ADLs and 4 falls, Galaxy S3 in a trouser pocket.

Official layout::

    sub<N>/{ADL,FALLS}/<CODE>/<CODE>_acc_<subject>_<trial>.txt

Each file: ``#`` comment lines, ``@DATA``, then ``timestamp_ns, x, y, z`` (m/s^2) at an irregular
~87-99 Hz. The whole trial carries the activity of its file name (which wins over its folder: a few
SDL trials sit in FOL folders), and is interpolated onto a uniform grid at its own rate.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import STANDARD_GRAVITY, DatasetSpec, Recording
from .mobiact import FALLS
from .parsing import read_numeric
from .registry import register
from .timeline import check_increasing, to_recordings

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
TRIAL = r"(^|/)([A-Z]{3})_acc_(\d+)_(\d+)\.txt$"


def read_trial(tree: Tree, path: str) -> tuple[np.ndarray, np.ndarray]:
    """(times in s from the first sample, acceleration in g) of one ``<CODE>_acc_<subject>_<trial>.txt``."""
    name = tree.describe(path)
    with tree.open(path) as f:
        content = f.read()
    marker = content.find(b"@DATA")
    if marker < 0:
        raise DataFormatError(f"{name}: no '@DATA' line ending the '#' header")
    first_line = content.count(b"\n", 0, marker) + 2
    newline = content.find(b"\n", marker)
    body = content[newline + 1 :] if newline >= 0 else b""
    if not body.strip():
        raise DataFormatError(f"{name}: no samples after '@DATA'")
    table = read_numeric(None, 4, sep=",", opener=lambda: io.BytesIO(body), name=name, first_line=first_line)
    times = (table[:, 0] - table[0, 0]) / 1e9
    check_increasing(times, name, lambda i: first_line + i)
    return times, table[:, 1:] / STANDARD_GRAVITY


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    """Yield one recording per trial from the official ``sub<N>/{ADL,FALLS}/<CODE>/`` layout."""
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    with Tree(root) as tree:
        for path in tree.require(TRIAL, "accelerometer trials <CODE>_acc_<subject>_<trial>.txt"):
            _, code, subject, trial = re.search(TRIAL, path).groups()
            if code not in index:
                raise DataFormatError(f"{tree.describe(path)}: unknown activity code {code!r} in the file name "
                                      f"(expected one of {', '.join(ACTIVITIES)})")
            times, signal = read_trial(tree, path)
            labels = np.full(len(times), index[code], dtype=np.int32)
            yield from to_recordings(subject, f"{code}_{subject}_{trial}", signal, labels, times=times)


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
