"""The smartwatch shoulder-exercise set shipped with seglearn (Burns et al., 2018): 10 people, 7 exercises.

Official file ``watch_dataset.npy`` (seglearn 1.2.5, ``seglearn/datasets/data``): a pickled dict with
``X`` (140 arrays n x 6: ax ay az in g, wx wy wz), ``y`` (class ids), ``y_labels`` (exercise codes),
``subject`` and ``side``; 50 Hz Apple Watch 2/3, acceleration in g. It is read with a restricted unpickler that admits only
NumPy arrays, never arbitrary objects.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from .archive import Tree
from .base import DatasetSpec, Recording
from .registry import register
from .timeline import to_recordings

ACTIVITIES = {
    "PEN": "pendulum shoulder exercise",
    "ABD": "shoulder abduction",
    "FEL": "shoulder forward elevation",
    "IR": "shoulder internal rotation with a resistance band",
    "ER": "shoulder external rotation with a resistance band",
    "TRAP": "lower trapezius row with a resistance band",
    "ROW": "bent-over row with a dumbbell",
}
"""Exercise names of the SPAR description (Burns et al.): IR/ER/TRAP with a band, ROW with a 3 lb dumbbell."""


RATE = 50.0
_ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"), ("_codecs", "encode")}
"""The only globals a pickled dict of NumPy arrays needs: anything else is refused, never executed."""


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module == "numpy.core.multiarray":
            module = "numpy._core.multiarray" if hasattr(np, "_core") else module
        return super().find_class(module, name)


def load_npy_dict(f, name: str) -> dict:
    """The dict pickled in an object ``.npy`` file, admitting only NumPy arrays and built-in containers."""
    try:
        version = np.lib.format.read_magic(f)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(f)
        if dtype != np.dtype(object) or shape != ():
            raise DataFormatError(f"{name}: expected a pickled dict (object scalar), found {dtype} {shape}")
        value = _ArraysOnly(f).load()
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()  # numpy pickles the object array holding the dict
    except (ValueError, EOFError, pickle.UnpicklingError) as error:
        raise DataFormatError(f"{name}: not a readable watch_dataset.npy ({error})") from None
    if not isinstance(value, dict):
        raise DataFormatError(f"{name}: expected a dict, found {type(value).__name__}")
    return value


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    """Yield one recording per exercise series (a subject's 20 repetitions on one side)."""
    with Tree(root) as tree:
        path = tree.require(r"(^|/)watch_dataset\.npy$", "watch_dataset.npy")[0]
        name = tree.describe(path)
        with tree.open(path) as f:
            data = load_npy_dict(f, name)
    for key in ("X", "y", "y_labels", "subject", "side"):
        if key not in data:
            raise DataFormatError(f"{name}: field {key!r} missing")
    codes = [str(c) for c in data["y_labels"]]
    if codes != list(ACTIVITIES):
        raise DataFormatError(f"{name}: field 'y_labels' is {codes}, expected {list(ACTIVITIES)}")
    series, y, subjects, sides = data["X"], np.asarray(data["y"]), np.asarray(data["subject"]), np.asarray(data["side"])
    if not len(series) == len(y) == len(subjects) == len(sides):
        raise DataFormatError(f"{name}: X, y, subject and side differ in length")
    for i, (x, label, subject, side) in enumerate(zip(series, y.tolist(), subjects.tolist(), sides.tolist())):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 6:
            raise DataFormatError(f"{name}: X[{i}] has shape {x.shape}, expected (n, 6)")
        if not 0 <= label < len(ACTIVITIES):
            raise DataFormatError(f"{name}: y[{i}] = {label}: unknown class id (expected 0-{len(ACTIVITIES) - 1})")
        labels = np.full(len(x), label, dtype=np.int32)
        name_i = f"series{i:03d}-{codes[label]}-side{int(side)}"
        yield from to_recordings(str(int(subject)), name_i, x[:, :3], labels, rate=RATE, source=name,
                                 line_of=lambda j: f"X[{i}] row {j + 1}")


SPEC = register(
    DatasetSpec(
        name="seglearn-watch",
        title="Smartwatch shoulder physiotherapy exercises (seglearn watch dataset)",
        rate=50.0,
        units="g",
        placements=("wrist",),
        default_placement="wrist",
        activities=ACTIVITIES,
        subjects=tuple(str(i) for i in range(1, 11)),
        licence="BSD-3-Clause (seglearn)",
        citation=(
            "Burns, Leung, Hardisty, Whyne, Henry, McLachlin. Shoulder physiotherapy exercise recognition: "
            "machine learning the inertial signals from a smartwatch. Physiological Measurement 39(7), 2018."
        ),
        url="https://github.com/dmbee/seglearn",
        read=read,
        manual_download="pip download seglearn==1.2.5 --no-deps, then take "
        "seglearn/datasets/data/watch_dataset.npy from the wheel.",
        groups={"wrist": "wrist"},
        notes="Apple Watch on the wrist of the exercised arm (side 0/1 per recording).",
    )
)
