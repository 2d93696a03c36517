"""UCI HAPT (Reyes-Ortiz et al.): the raw smartphone signals behind UCI-HAR, waist, 50 Hz, in g.

Official layout (UCI dataset 341)::

    RawData/acc_expXX_userYY.txt   x y z in g, one sample per line, space separated, no header
    RawData/labels.txt             exp user activity start end   (one labelled segment per line)

``start``/``end`` are read as 0-based inclusive sample indices (consecutive segments abut:
``250 1232`` is followed by ``1233 1392``); samples outside every segment are unlabelled. ``root`` is
the extracted folder (or its ``RawData``) or the downloaded UCI zip.
The package embeds a compact copy of the accelerometer data (``data/uci_hapt.npz``, built by
``scripts/build_embedded_hapt.py``), used when no root folder is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import UNLABELLED, DatasetSpec, Download, Recording, require_file
from .parsing import Opener, read_numeric
from .registry import register
from .timeline import check_signal

RATE = 50.0
ACTIVITIES = {
    "1": "walking",
    "2": "walking upstairs",
    "3": "walking downstairs",
    "4": "sitting",
    "5": "standing",
    "6": "lying down",
    "7": "sitting down from standing",
    "8": "standing up from sitting",
    "9": "lying down from sitting",
    "10": "sitting up from lying",
    "11": "lying down from standing",
    "12": "standing up from lying",
}
ACC_FILE = re.compile(r"acc_exp(\d{2})_user(\d{2})\.txt")
ACC_PATH = r"(^|/)acc_exp(\d{2})_user(\d{2})\.txt$"
LABELS_PATH = r"(^|/)labels\.txt$"
EMBEDDED_SCALE = 1e6
"""The embedded copy stores micro-g integers: exact for the 6-decimal files it is built from."""


def raw_dir(root: Path) -> Path:
    """The RawData folder: ``root`` itself or ``root/RawData``."""
    return root if (root / "labels.txt").exists() and root.name == "RawData" else root / "RawData"


def read_segments(path: Path | str, opener: Opener | None = None) -> dict[int, list[tuple[int, int, int, int]]]:
    """``labels.txt`` -> {experiment: [(user, activity, start, end), ...]} with validated ids.

    ``path`` is a file, or (with ``opener``) the name of one inside an archive.
    """
    if opener is None:
        require_file(Path(path), "labelled segments 'exp user activity start end'")
    table = read_numeric(Path(path), 5, dtype=np.int64, opener=opener, name=str(path))
    segments: dict[int, list[tuple[int, int, int, int]]] = {}
    for lineno, (exp, user, activity, start, end) in enumerate(table.tolist(), 1):
        if str(activity) not in ACTIVITIES:
            raise DataFormatError(f"{path}: line {lineno}: unknown activity id {activity} (expected 1-12)")
        if not 0 <= start <= end:
            raise DataFormatError(f"{path}: line {lineno}: segment start {start} after end {end}")
        segments.setdefault(exp, []).append((user, activity, start, end))
    return segments


def read(root: Path, placement: str = "waist") -> Iterator[Recording]:
    """Yield one recording per experiment from the official ``RawData`` layout."""
    with Tree(root) as tree:
        files = tree.match(ACC_PATH)
        if not files:
            raise DataFormatError(f"{raw_dir(Path(root))}: no acc_expXX_userYY.txt files found")
        raw = files[0].rpartition("/")[0]
        labels_path = f"{raw}/labels.txt" if raw else "labels.txt"
        if labels_path not in tree.paths:
            raise DataFormatError(f"{tree.describe(labels_path)}: missing (labelled segments 'exp user activity start end')")
        segments = read_segments(tree.describe(labels_path), lambda: tree.open(labels_path))
        for acc_path in (f for f in files if f.rpartition("/")[0] == raw):
            name = tree.describe(acc_path)
            exp, user = (int(g) for g in re.search(ACC_PATH, acc_path).groups()[1:])
            signal = read_numeric(None, 3, opener=lambda: tree.open(acc_path), name=name)
            check_signal(signal, name)
            signal = signal.astype(np.float32)
            labels = np.full(len(signal), UNLABELLED, dtype=np.int32)
            for seg_user, activity, start, end in segments.get(exp, []):
                if seg_user != user:
                    raise DataFormatError(f"{tree.describe(labels_path)}: experiment {exp} is user {user}, not {seg_user}")
                if end >= len(signal):
                    raise DataFormatError(
                        f"{name}: {len(signal)} samples, but labels.txt labels experiment {exp} up to sample {end} "
                        "(truncated file?)"
                    )
                labels[start : end + 1] = activity - 1
            yield Recording(subject=str(user), recording=f"exp{exp:02d}", signal=signal, labels=labels, rate=RATE)


def read_embedded() -> Iterator[Recording]:
    """Yield the recordings of the copy shipped inside the package."""
    with resources.files("wearclip.data").joinpath("uci_hapt.npz").open("rb") as f, np.load(f) as z:
        offsets, signal, labels = z["offsets"], z["signal"], z["labels"]
        experiments, users = z["experiment"], z["user"]
    signal = np.cumsum(signal, axis=0, dtype=np.int64)  # stored as first differences, for compression
    for i, (exp, user) in enumerate(zip(experiments.tolist(), users.tolist())):
        a, b = offsets[i], offsets[i + 1]
        values = signal[a:b]
        yield Recording(
            subject=str(user),
            recording=f"exp{exp:02d}",
            signal=(values / EMBEDDED_SCALE).astype(np.float32),
            labels=labels[a:b].astype(np.int32),
            rate=RATE,
        )


SPEC = register(
    DatasetSpec(
        name="uci-hapt",
        title="Smartphone-Based Recognition of Human Activities and Postural Transitions (UCI HAPT)",
        rate=RATE,
        units="g",
        placements=("waist",),
        default_placement="waist",
        activities=ACTIVITIES,
        subjects=tuple(str(u) for u in range(1, 31)),
        licence="CC BY 4.0",
        citation=(
            "Reyes-Ortiz, Oneto, Samà, Parra, Anguita. Transition-Aware Human Activity Recognition Using "
            "Smartphones. Neurocomputing 171, 2016."
        ),
        url="https://archive.ics.uci.edu/dataset/341/smartphone+based+recognition+of+human+activities+and+postural+transitions",
        read=read,
        embedded=read_embedded,
        downloads=(
            Download(
                url="https://archive.ics.uci.edu/static/public/341/"
                "smartphone+based+recognition+of+human+activities+and+postural+transitions.zip",
                filename="smartphone+based+recognition+of+human+activities+and+postural+transitions.zip",
            ),
        ),
        notes="Samsung Galaxy S II on the waist; 6 basic activities and 6 postural transitions.",
    )
)
