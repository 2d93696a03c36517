"""Loaders on the real datasets in ../shared/data, checked against counts computed here from the raw files."""

import gzip
import re
import shutil
import zipfile
from collections import Counter
from fractions import Fraction
from math import ceil

import numpy as np
import pandas as pd
import pytest

from tests.support.shared import shared_dataset
from wearclip.config.window import WindowConfig
from wearclip.data import datasets, quality
from wearclip.data.quality import DataQualityWarning
from wearclip.data.store import WindowStore


def pure_windows(labels: np.ndarray, size: int = 100, step: int = 50) -> Counter:
    """Windows per label under the pure rule, counted directly from a per-sample label array."""
    counts = Counter()
    for start in range(0, len(labels) - size + 1, step):
        window = labels[start : start + size]
        if window[0] >= 0 and (window == window[0]).all():
            counts[int(window[0])] += 1
    return counts


def test_uci_hapt_official_layout_subjects_classes_and_windows(hapt_root, tmp_path):
    dataset = datasets.load("uci-hapt", hapt_root)
    windows = WindowStore(tmp_path).open(dataset)
    segments = np.loadtxt(hapt_root / "RawData" / "labels.txt", dtype=int)
    expected = Counter()
    for path in sorted((hapt_root / "RawData").glob("acc_exp*_user*.txt")):
        exp = int(re.search(r"exp(\d+)", path.name).group(1))
        labels = np.full(sum(1 for _ in open(path)), -1)
        for _, _, activity, start, end in segments[segments[:, 0] == exp]:
            labels[start : end + 1] = activity - 1
        expected += pure_windows(labels)
    assert sorted(set(windows.subjects), key=int) == [str(u) for u in sorted(set(segments[:, 1]))]
    assert len(set(windows.subjects)) == 30
    assert dict(Counter(windows.labels.tolist())) == dict(expected)
    assert len(windows) == sum(expected.values())
    assert dataset.classes[5] == "lying down" and len(dataset.classes) == 12


@pytest.mark.slow
def test_mobifall_subjects_classes_and_windows(tmp_path):
    root = shared_dataset("mobifall-v2")
    dataset = datasets.load("mobifall", root)
    with pytest.warns(DataQualityWarning) as caught:
        windows = WindowStore(tmp_path).open(dataset)
    files = sorted(root.glob("sub*/*/*/*_acc_*.txt"))
    expected, subjects, splits, samples = Counter(), set(), 0, 0
    for path in files:
        code, subject = re.fullmatch(r"([A-Z]{3})_acc_(\d+)_\d+\.txt", path.name).groups()
        subjects.add(subject)
        lines = path.read_text().split("@DATA")[1].split()
        times = np.array([float(line.rstrip(",")) for line in lines[0::4]]) / 1e9
        steps = np.diff(times)
        close = steps[(steps > 0) & (steps <= 0.5)]
        rate = round(len(close) / close.sum())
        ratio = Fraction(50 / rate).limit_denominator(1000)
        cuts = np.r_[0, np.flatnonzero(steps > 0.5) + 1, len(times)]
        splits += len(cuts) - 2
        for a, b in zip(cuts[:-1], cuts[1:]):
            grid = int(np.floor((times[b - 1] - times[a]) * rate + 1e-9)) + 1
            samples += grid
            n50 = ceil(grid * ratio.numerator / ratio.denominator)
            expected[code] += max(0, (n50 - 100) // 50 + 1)
    assert len(files) == 630 and sorted(subjects, key=int) == list(dataset.spec.subjects)
    counts = {key: n for key, n in zip(dataset.label_keys, windows.class_counts().values()) if n}
    assert counts == {code: n for code, n in expected.items() if n}
    assert set(windows.subjects) == subjects
    # the file name, not the folder, names the activity (three SDL trials sit in FOL folders): the readme
    # (DataDescribe.txt) defines the file name, so each of the three is followed and reported once
    misplaced = sorted(p.name for p in files if p.parent.name == "FOL" and p.name.startswith("SDL"))
    assert len(misplaced) == 3
    assert sorted(str(w.message).split(": ")[0].rsplit("/", 1)[1] for w in caught) == misplaced
    assert all("folder FOL; following the file name" in str(w.message) for w in caught)
    summary = quality.summarize(dataset)  # clean apart from that quirk: no drops, gaps only at pauses
    assert (summary.recordings, summary.samples) == (len(files) + splits, samples)
    assert sum(summary.gaps.values()) == splits and summary.dropped == []
    assert [m.rsplit("/", 1)[1].split(":")[0] for m in summary.warnings] == misplaced


def test_quality_summary_of_real_uci_hapt_is_clean(hapt_root):
    summary = quality.summarize(datasets.load("uci-hapt", hapt_root))
    files = sorted((hapt_root / "RawData").glob("acc_exp*_user*.txt"))
    rows = sum(sum(1 for _ in open(path)) for path in files)
    assert (summary.recordings, summary.samples) == (len(files), rows) == (61, 1_122_772)  # as ../shared/data/README.md
    assert (sum(summary.gaps.values()), summary.missing, summary.dropped, summary.warnings) == (0, 0, [], [])
    assert summary.lines()[0].startswith("data quality: 61 recordings, 1122772 samples; 0 gaps")


def test_seglearn_watch_subjects_classes_and_windows(tmp_path):
    root = shared_dataset("seglearn-watch")
    data = np.load(root / "watch_dataset.npy", allow_pickle=True).item()  # trusted reference read, test only
    dataset = datasets.load("seglearn-watch", root)
    windows = WindowStore(tmp_path).open(dataset)
    expected = Counter()
    for x, y in zip(data["X"], data["y"]):
        expected[int(y)] += max(0, (len(x) - 100) // 50 + 1)
    assert dict(Counter(windows.labels.tolist())) == dict(expected)
    assert len(set(windows.subjects)) == len(set(data["subject"].tolist())) == 10
    assert [dataset.label_keys[i] for i in range(7)] == list(data["y_labels"])
    first = next(dataset.recordings())
    np.testing.assert_allclose(first.signal, data["X"][0][:, :3], rtol=1e-6)


def test_seglearn_reader_refuses_pickled_code(tmp_path):
    import pickle

    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "watch_dataset.npy"
    np.save(path, np.array({"X": Exploit()}, dtype=object), allow_pickle=True)
    with pytest.raises(datasets.DataFormatError, match="refusing to load builtins.print"):
        list(datasets.load("seglearn-watch", tmp_path).recordings())
    del pickle


@pytest.fixture(scope="module")
def capture24_root(tmp_path_factory):
    """The real 75-min sample in the official P###.csv.gz layout, annotated in 10-min blocks from the real
    dictionary (the sample ships without its annotation column), packed as capture24.zip is."""
    source = shared_dataset("capture24-format")
    dictionary = pd.read_csv(source / "annotation-label-dictionary.csv", index_col="annotation", dtype=str)
    frame = pd.read_csv(source / "sample.csv.gz", nrows=40 * 60 * 80)  # its first 40 min: four blocks
    seconds = (pd.to_datetime(frame["time"]) - pd.to_datetime(frame["time"].iloc[0])).dt.total_seconds()
    blocks = [dictionary.index[0], dictionary.index[5], "", dictionary.index[18]]  # sleeping, walking, none, cycling
    frame["annotation"] = [blocks[int(s // 600) % 4] for s in seconds]
    tmp_path = tmp_path_factory.mktemp("capture24")
    folder = tmp_path / "capture24"
    folder.mkdir()
    with gzip.open(folder / "P001.csv.gz", "wt", newline="") as f:
        frame.to_csv(f, index=False)
    shutil.copy(source / "annotation-label-dictionary.csv", folder)
    (folder / "metadata.csv").write_text("pid,age,sex\nP001,38-52,F\n")
    archive = tmp_path / "capture24.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"capture24/{path.name}")
    return archive, seconds.iloc[-1], [dictionary.loc[b] if b else None for b in blocks]


def test_capture24_format_schemes_and_windows(capture24_root, tmp_path):
    archive, duration, rows = capture24_root
    coarse = datasets.load("capture24", archive)
    assert coarse.classes == datasets.get("capture24").classes  # Willetts2018 by default
    windows = WindowStore(tmp_path).open(coarse)
    # The sample runs at 80 Hz: floor(duration * 80) + 1 grid points, 5/8 of them at 50 Hz; windows start
    # every whole second and are pure when they do not cross a 600 s block boundary.
    n50 = int(np.ceil((np.floor(duration * 80 + 1e-9) + 1) * 5 / 8))
    starts = np.arange((n50 - 100) // 50 + 1)
    expected = Counter()
    for s in starts:
        if s // 600 == (s + 1.98) // 600 and rows[int(s // 600) % 4] is not None:
            expected[rows[int(s // 600) % 4]["label:Willetts2018"]] += 1
    keys = [coarse.label_keys[i] for i in windows.labels]
    assert dict(Counter(keys)) == dict(expected)
    assert set(windows.subjects) == {"P001"}

    fine = datasets.load("capture24", archive, label_scheme="annotation")
    assert {"sleeping", "walking household without observable loads", "bicycling"} <= set(fine.classes)
    fine_windows = WindowStore(tmp_path).open(fine)
    assert len(fine_windows) == len(windows)
    assert {fine.classes[i] for i in fine_windows.labels} == {"sleeping", "walking household without observable loads",
                                                              "bicycling"}


def test_capture24_sample_without_annotations_reads_as_unlabelled(tmp_path):
    source = shared_dataset("capture24-format")
    folder = tmp_path / "capture24"
    folder.mkdir()
    shutil.copy(source / "sample.csv.gz", folder / "P002.csv.gz")
    shutil.copy(source / "annotation-label-dictionary.csv", folder)
    [recording] = datasets.load("capture24", tmp_path).recordings()
    rows = len(pd.read_csv(source / "sample.csv.gz"))
    assert recording.subject == "P002" and (recording.labels == -1).all()
    assert recording.rate == 80.0  # the sample's own rate (12.5 ms steps), not the release's 100 Hz
    assert abs(len(recording.signal) - rows) <= 1
    windows = WindowStore(tmp_path / "cache").open(
        datasets.load("capture24", tmp_path), WindowConfig(keep_unlabelled=True))
    assert len(windows) == (int(np.ceil(len(recording.signal) * 5 / 8)) - 100) // 50 + 1


def test_capture24_unknown_scheme_lists_the_dictionary_columns(capture24_root):
    archive, _, _ = capture24_root
    with pytest.raises(datasets.DataFormatError, match="label_scheme must be one of annotation, Willetts2018, Doherty2018"):
        datasets.load("capture24", archive, label_scheme="Nope2030")
