"""The smartwatch shoulder-exercise set shipped with seglearn (Burns et al., 2018): 10 people, 7 exercises.

Official file ``watch_dataset.npy`` (seglearn 1.2.5, ``seglearn/datasets/data``): a pickled dict with
``X`` (140 arrays n x 6: ax ay az in g, wx wy wz), ``y`` (class ids), ``y_labels`` (exercise codes),
``subject`` and ``side``; 50 Hz Apple Watch 2/3, acceleration in g. It is read with a restricted unpickler that admits only
NumPy arrays, never arbitrary objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Recording
from .registry import register

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


def read(root: Path, placement: str = "wrist") -> Iterator[Recording]:
    raise NotImplementedError("seglearn-watch reader lands in the next commit")


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
