"""MobiFall v2.0 (Vavoulas et al., 2014): 24 people, 9 ADLs and 4 falls, Galaxy S3 in a trouser pocket.

Official layout::

    sub<N>/{ADL,FALLS}/<CODE>/<CODE>_acc_<subject>_<trial>.txt

Each file: ``#`` comment lines, ``@DATA``, then ``timestamp_ns, x, y, z`` (m/s^2) at an irregular
~87-99 Hz. The readme (``DataDescribe.txt``) defines the file name format
``<CODE>_<SENSOR>_<SUBJECT>_<TRIAL>.txt``, so the file name is the source of truth: the whole trial carries
its activity and subject, and a folder (three SDL trials sit in FOL folders) or ``#Activity:`` /
``#Subject ID:`` header line that says otherwise is reported once per file as a
:class:`~wearclip.data.quality.DataQualityWarning`. Each trial is interpolated onto a uniform grid at its
own rate.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .. import quality
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
HEADER = {"activity": re.compile(rb"^#Activity:\s*\d+\s*-\s*([A-Z]{3})\b", re.M),
          "subject": re.compile(rb"^#Subject ID:\s*(\d+)", re.M)}
"""Header lines that repeat what the file name says: ``#Activity: 1 - STD - Standing - 300s``, ``#Subject ID: 2``."""


def _contradictions(path: str, header: bytes, code: str, subject: str) -> list[str]:
    """What the folders and the '#' header say that differs from the file name."""
    said = []
    parts = path.split("/")
    if len(parts) >= 2 and re.fullmatch(r"[A-Z]{3}", parts[-2]) and parts[-2] != code:
        said.append(f"folder {parts[-2]}")
    folder = next((p for p in parts[:-1] if re.fullmatch(r"sub\d+", p)), None)
    if folder and folder != f"sub{subject}":
        said.append(f"folder {folder}")
    for key, expected in (("activity", code), ("subject", subject)):
        found = HEADER[key].search(header)
        if found and found.group(1).decode() != expected:
            said.append(f"header {key} {found.group(1).decode()}")
    return said


def read_trial(tree: Tree, path: str) -> tuple[np.ndarray, np.ndarray, int, bytes]:
    """(times in s from the first sample, acceleration in g, line of the first sample, '#' header) of one
    ``<CODE>_acc_<subject>_<trial>.txt``."""
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
    return times, table[:, 1:] / STANDARD_GRAVITY, first_line, content[:marker]


def read(root: Path, placement: str = "pocket") -> Iterator[Recording]:
    """Yield one recording per trial from the official ``sub<N>/{ADL,FALLS}/<CODE>/`` layout."""
    index = {code: i for i, code in enumerate(ACTIVITIES)}
    with Tree(root) as tree:
        for path in tree.require(TRIAL, "accelerometer trials <CODE>_acc_<subject>_<trial>.txt"):
            _, code, subject, trial = re.search(TRIAL, path).groups()
            if code not in index:
                raise DataFormatError(f"{tree.describe(path)}: unknown activity code {code!r} in the file name "
                                      f"(expected one of {', '.join(ACTIVITIES)})")
            name = tree.describe(path)
            times, signal, first, header = read_trial(tree, path)
            said = _contradictions(path, header, code, subject)
            if said:
                quality.contradiction(name, f"metadata contradicts the file name ({code}, subject {subject}), which "
                                            f"the readme defines: {', '.join(said)}; following the file name")
            labels = np.full(len(times), index[code], dtype=np.int32)
            yield from to_recordings(subject, f"{code}_{subject}_{trial}", signal, labels, times=times,
                                     source=name, line_of=lambda i: f"line {first + i}")


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
