"""DSADS loader on the real files in ../shared/data/dsads and on a fixture with a non-contiguous segment subset.

Format facts (UCI dataset 256 description): data/aNN/pM/sKK.txt, 125 comma-separated rows (5 s at 25 Hz)
x 45 columns = 5 units (torso, right arm, left arm, right leg, left leg) x 9 (acc x/y/z in m/s^2, gyro
x/y/z, magnetometer x/y/z); segment K covers seconds 5(K-1) to 5K.
"""

from collections import Counter

import numpy as np
import pytest

from tests.support.shared import shared_dataset
from wearclip.data import datasets
from wearclip.data.datasets.base import STANDARD_GRAVITY
from wearclip.errors import DataFormatError


def write_segment(root, activity: int, subject: int, segment: int, values: np.ndarray) -> None:
    path = root / "data" / f"a{activity:02d}" / f"p{subject}" / f"s{segment:02d}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(",".join(f"{v:.5g}" for v in row) for row in values) + "\n")


def segment_values(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(125, 45)).round(4)


@pytest.mark.slow
def test_real_files_one_recording_per_subject_activity_with_the_torso_accelerometer():
    root = shared_dataset("dsads")
    files = sorted((root / "data").glob("a*/p*/s*.txt"))
    by_bout = Counter((f.parent.parent.name, f.parent.name) for f in files)
    recordings = list(datasets.load("dsads", root).recordings())
    assert len(recordings) == len(by_bout)
    assert {r.subject for r in recordings} == {p.removeprefix("p") for _, p in by_bout}
    for r in recordings:
        code = r.recording.split("-")[0]
        assert r.rate == 25.0 and r.start == 0.0
        assert len(r.signal) == 125 * by_bout[(code, f"p{r.subject}")]  # all present segments are contiguous here
        assert (r.labels == int(code[1:]) - 1).all()
    first = next(r for r in recordings if r.recording.startswith("a01-") and r.subject == "1")
    raw = np.loadtxt(root / "data" / "a01" / "p1" / "s01.txt", delimiter=",")
    np.testing.assert_allclose(first.signal[:125], raw[:, 0:3] / STANDARD_GRAVITY, rtol=1e-6)


def test_non_contiguous_segments_split_and_each_unit_is_a_placement(tmp_path):
    segments = {1: segment_values(1), 2: segment_values(2), 4: segment_values(4)}
    for k, values in segments.items():
        write_segment(tmp_path, 3, 7, k, values)
    write_segment(tmp_path, 19, 2, 60, segment_values(60))

    recordings = list(datasets.load("dsads", tmp_path, placement="left-leg").recordings())
    assert [(r.subject, r.recording, len(r.signal), r.start) for r in recordings] == [
        ("2", "a19-left-leg-s60", 125, 295.0), ("7", "a03-left-leg-s01", 250, 0.0), ("7", "a03-left-leg-s04", 125, 15.0)]
    left_leg = slice(36, 39)  # the fifth unit's accelerometer
    joined = np.concatenate([segments[1], segments[2]])[:, left_leg] / STANDARD_GRAVITY
    np.testing.assert_allclose(recordings[1].signal, joined, rtol=1e-6)
    assert datasets.load("dsads", tmp_path).classes[recordings[1].labels[0]] == "lying on the back"

    every = list(datasets.load("dsads", tmp_path, placement="all").recordings())
    assert len(every) == 5 * len(recordings)
    assert {r.recording.split("-", 1)[1].rsplit("-", 1)[0] for r in every} == {
        "torso", "right-arm", "left-arm", "right-leg", "left-leg"}


def test_a_short_segment_file_names_the_file(tmp_path):
    write_segment(tmp_path, 1, 1, 1, segment_values(0)[:100])
    with pytest.raises(DataFormatError, match=r"s01\.txt: 100 rows, expected 125"):
        list(datasets.load("dsads", tmp_path).recordings())


@pytest.mark.slow
def test_wisdm_reads_the_real_watch_accelerometer_files():
    """The 2019 files: one block per (subject, activity), each ~3 min; rows counted from the raw text."""
    root = shared_dataset("wisdm-2019")
    files = sorted(root.glob("wisdm-dataset/raw/watch/accel/data_*_accel_watch.txt"))
    blocks = Counter()
    for path in files:
        for line in path.read_text().splitlines():
            subject, code = line.split(",")[:2]
            blocks[(subject, code)] += 1
    recordings = list(datasets.load("wisdm", root).recordings())
    seen = Counter((r.subject, r.recording.removeprefix("watch-").split("#")[0]) for r in recordings)
    assert set(seen) == set(blocks)
    assert sum(r.duration for r in recordings) == pytest.approx(sum(n / 20 for n in blocks.values()), rel=0.05)
