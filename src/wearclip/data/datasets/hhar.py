"""HHAR (Stisen et al., SenSys 2015): 9 users with 8 phones and 4 watches, irregular 50-200 Hz, m/s^2.

Official layout (UCI dataset 344; the zip nests ``Activity recognition exp.zip``)::

    Activity recognition exp/Phones_accelerometer.csv   Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt
    Activity recognition exp/Watch_accelerometer.csv    (same header)

Placement ``wrist`` reads the watches (gear, lgwatch), ``waist`` the phones. ``gt`` is a string;
the literal ``null`` means no activity and becomes unlabelled (it must not be read as a missing value).
Each (User, Device) run of rows is one stream; its rows are ordered by ``Creation_Time`` (the sensor's
own nanosecond clock; the file is in arrival order), duplicate times are dropped, and the samples are
interpolated onto a uniform grid at the device's own rate, splitting at pauses. The file is read in
chunks, so memory holds one device's stream at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataFormatError
from .. import quality
from .archive import Tree
from .base import STANDARD_GRAVITY, UNLABELLED, DatasetSpec, Download, Recording
from .parsing import read_csv, require_values
from .registry import register
from .timeline import MAX_GAP, estimate_rate, to_recordings

ACTIVITIES = {
    "bike": "riding a bicycle",
    "sit": "sitting",
    "stand": "standing",
    "walk": "walking",
    "stairsup": "walking upstairs",
    "stairsdown": "walking downstairs",
}
FILES = {"wrist": "Watch_accelerometer.csv", "waist": "Phones_accelerometer.csv"}
NULL = "null"
CHUNK_ROWS = 1 << 20
COLUMNS = {"Creation_Time": np.int64, "x": np.float64, "y": np.float64, "z": np.float64,
           "User": str, "Device": str, "gt": str}


def _stream(user: str, device: str, run: int, parts: list[pd.DataFrame], name: str) -> Iterator[Recording]:
    """One device's run of rows -> uniformly sampled recordings."""
    frame = pd.concat(parts).sort_values("Creation_Time", kind="stable")
    if frame["Creation_Time"].nunique() < 2:
        quality.drop(name, f"user {user}, device {device}: {len(frame)} rows but one distinct Creation_Time")
        return
    times = (frame["Creation_Time"].to_numpy() - frame["Creation_Time"].iloc[0]) / 1e9
    try:
        rate = estimate_rate(times)
    except ValueError:
        quality.drop(name, f"user {user}, device {device}: no two of its {len(frame)} Creation_Time values lie within "
                           f"{MAX_GAP:g} s of each other")
        return
    if not 1 <= rate <= 1000:
        raise DataFormatError(f"{name}: user {user}, device {device}: Creation_Time steps give {rate:g} Hz; "
                              "expected nanosecond timestamps of a 1-1000 Hz sensor")
    index = {key: i for i, key in enumerate(ACTIVITIES)} | {NULL: UNLABELLED}
    labels = frame["gt"].map(index).to_numpy(dtype=np.int32)
    signal = frame[["x", "y", "z"]].to_numpy() / STANDARD_GRAVITY
    recording = f"{user}-{device}" + (f"-run{run}" if run else "")
    lines = frame.index.to_numpy() + 2
    yield from to_recordings(user, recording, signal, labels, rate=rate, times=times, source=name,
                             line_of=lambda i: f"line {lines[i]}")


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    """Yield each (user, device) stream of the chosen placement's accelerometer file."""
    with Tree(root, nested=lambda path: path.endswith("Activity recognition exp.zip")) as tree:
        path = tree.require(rf"(^|/){FILES[placement]}$", FILES[placement])[0]
        name = tree.describe(path)
        runs: dict[tuple[str, str], int] = {}
        key, parts = None, []
        for chunk in read_csv(lambda: tree.open(path), name, COLUMNS, chunksize=CHUNK_ROWS, keep_default_na=False,
                              na_values={c: [""] for c in ("x", "y", "z")}):
            require_values(chunk, ["x", "y", "z"], name)
            unknown = ~chunk["gt"].isin([*ACTIVITIES, NULL])
            if unknown.any():
                row = chunk.index[unknown.to_numpy().argmax()]
                raise DataFormatError(f"{name}: line {row + 2}, field 'gt': unknown activity {chunk['gt'][row]!r} "
                                      f"(expected one of {', '.join([*ACTIVITIES, NULL])})")
            keys = chunk["User"] + "\0" + chunk["Device"]
            change = np.flatnonzero(keys.to_numpy()[1:] != keys.to_numpy()[:-1]) + 1
            for a, b in zip(np.r_[0, change], np.r_[change, len(chunk)]):
                block = chunk.iloc[a:b]
                block_key = (block["User"].iloc[0], block["Device"].iloc[0])
                if block_key != key:
                    if parts:
                        yield from _stream(*key, runs[key], parts, name)
                    key, parts = block_key, []
                    runs[key] = runs.get(key, -1) + 1
                parts.append(block[["Creation_Time", "x", "y", "z", "gt"]])
        if parts:
            yield from _stream(*key, runs[key], parts, name)


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
