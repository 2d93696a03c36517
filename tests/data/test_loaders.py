"""Every loader on a tiny fixture in its official format (tests/support/formats.py), quirks included."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from tests.support import formats
from wearclip.data import datasets, quality
from wearclip.data.datasets import UNLABELLED
from wearclip.data.quality import DataQualityWarning
from wearclip.errors import ConfigError


def read(name, root, **kw):
    dataset = datasets.load(name, root, **kw)
    return dataset, list(dataset.recordings())


def amplitude(recording) -> float:
    """Half the peak-to-peak of the x channel, in g (the fixtures put a sine of known amplitude there)."""
    x = recording.signal[:, 0]
    return float((x.max() - x.min()) / 2)


def phrases(dataset, recording) -> set[str]:
    return {dataset.classes[i] for i in np.unique(recording.labels) if i != UNLABELLED}


def test_every_registered_dataset_has_natural_unique_phrases_and_facts():
    assert datasets.names() == sorted(["capture24", "hhar", "myogym", "mobiact", "motionsense", "mhealth", "pamap2",
                                       "realworld", "uci-hapt", "mobifall", "wisdm", "usc-had", "seglearn-watch", "dsads",
                                       "generic"])
    for name in datasets.names():
        spec = datasets.get(name)
        assert len(set(spec.classes)) == len(spec.classes)
        assert all(p == p.strip() and (p[0].islower() or p.startswith("Nordic")) for p in spec.classes), name
        assert spec.default_placement in spec.placements and spec.url and spec.licence
        assert spec.group(spec.default_placement) in {"wrist", "waist", "leg", "any"}, name


def test_hhar_nested_uci_zip_watches_null_and_arrival_order(tmp_path):
    dataset, recordings = read("hhar", formats.hhar(tmp_path))
    assert dataset.placement == "wrist"
    assert [r.recording for r in recordings] == ["a-lgwatch_1#0", "a-lgwatch_1#1", "a-lgwatch_1#2", "b-gear_1#0",
                                                "b-gear_1#1"]  # 3 s pauses between activities split
    assert [r.rate for r in recordings] == [200.0] * 3 + [100.0] * 2  # each device at its own rate
    assert [phrases(dataset, r) for r in recordings] == [{"walking"}, set(), {"sitting"}, {"walking upstairs"},
                                                        {"riding a bicycle"}]
    assert (recordings[1].labels == UNLABELLED).all()  # 'null' is unlabelled, not a missing value
    assert amplitude(recordings[0]) == pytest.approx(0.5, abs=0.01)  # m/s^2 -> g
    assert recordings[0].signal[:, 2].mean() == pytest.approx(1.0, abs=0.01)
    assert [len(r.signal) for r in recordings[:1]] == [1199]  # 6 s at 200 Hz, jittered ends
    _, phones = read("hhar", formats.hhar(tmp_path / "again"), placement="waist")
    assert [(r.subject, r.recording) for r in phones] == [("a", "a-nexus4_1")]


def test_myogym_mat_persons_null_label_and_duplicate_rows(tmp_path):
    dataset, recordings = read("myogym", formats.myogym(tmp_path))
    assert [(r.subject, r.recording, r.rate) for r in recordings] == [("1", "person1", 50.0), ("2", "person2", 50.0)]
    assert phrases(dataset, recordings[0]) == {"bench press"}
    assert Counter(recordings[0].labels.tolist())[UNLABELLED] == pytest.approx(600, abs=2)  # label 99 = NULL
    assert phrases(dataset, recordings[1]) == {"alternating dumbbell bicep curl", "hammer curl"}
    assert amplitude(recordings[1]) == pytest.approx(0.25, abs=0.01)  # already in g
    assert len(recordings[0].signal) == pytest.approx(900, abs=2)  # the duplicated row is dropped, no split


def test_mobiact_annotated_csv_with_several_labels_per_trial(tmp_path):
    dataset, recordings = read("mobiact", formats.mobiact(tmp_path))
    assert [(r.subject, r.recording, r.rate) for r in recordings] == [("1", "FOL_1_1", 200.0), ("2", "WAL_2_1", 200.0)]
    labels = recordings[0].labels
    assert [dataset.label_keys[i] for i in (labels[0], labels[1000], labels[-1])] == ["STD", "FOL", "LYI"]
    assert Counter(labels.tolist())[dataset.label_keys.index("FOL")] == pytest.approx(400, abs=2)
    assert amplitude(recordings[1]) == pytest.approx(0.25, abs=0.01)


def test_motionsense_zip_index_column_and_ios_sign(tmp_path):
    dataset, recordings = read("motionsense", formats.motionsense(tmp_path))
    assert [(r.subject, r.recording) for r in recordings] == [("1", "dws_1"), ("1", "wlk_7"), ("2", "wlk_7")]
    assert [phrases(dataset, r) for r in recordings] == [{"walking downstairs"}, {"walking"}, {"walking"}]
    assert recordings[0].signal[:, 2].mean() == pytest.approx(1.0, abs=1e-3)  # iOS -1 g -> +1 g up
    assert [amplitude(r) for r in recordings] == pytest.approx([0.5, 0.25, 0.125], abs=0.01)


@pytest.mark.parametrize("placement, amplitude_g, up", [("ankle", (0.5, 0.25), 1), ("wrist", (0.3, 0.3), 2),
                                                        ("chest", (0.1, 0.1), 0)])
def test_mhealth_placements_and_null_class(tmp_path, placement, amplitude_g, up):
    dataset, recordings = read("mhealth", formats.mhealth(tmp_path), placement=placement)
    assert [(r.subject, r.recording, len(r.signal)) for r in recordings] == [("1", "subject1", 900),
                                                                            ("2", "subject2", 900)]
    assert tuple(round(amplitude(r), 2) for r in recordings) == amplitude_g
    assert recordings[0].signal[:, up].mean() == pytest.approx(1.0, abs=0.01)
    assert Counter(recordings[0].labels.tolist()) == {UNLABELLED: 300, dataset.label_keys.index("4"): 300,
                                                      dataset.label_keys.index("11"): 300}


def test_pamap2_nested_zips_nan_dropout_transients_and_sessions(tmp_path):
    dataset, recordings = read("pamap2", formats.pamap2(tmp_path))
    assert [(r.recording, len(r.signal), r.start) for r in recordings] == [
        ("optional101", 600, 0.0), ("protocol101#0", 301, 0.0), ("protocol101#1", 1099, pytest.approx(3.02))]
    assert all(r.subject == "101" for r in recordings)
    assert phrases(dataset, recordings[2]) == {"lying down", "walking"}
    assert (recordings[2].labels == UNLABELLED).sum() == 100  # activity 0 = transient
    assert phrases(dataset, recordings[0]) == {"working on a computer"}
    assert amplitude(recordings[2]) == pytest.approx(0.5, abs=0.01)  # ankle, m/s^2 -> g
    _, hand = read("pamap2", tmp_path / "pamap2+physical+activity+monitoring.zip", placement="hand")
    assert amplitude(hand[2]) == pytest.approx(0.1, abs=0.01)


def test_realworld_position_zips_nested_climbing_zips_and_infixes(tmp_path):
    dataset, recordings = read("realworld", formats.realworld(tmp_path))
    assert [(r.subject, r.recording) for r in recordings] == [("1", "walking_1"), ("4", "climbingup_1"),
                                                              ("4", "climbingup_2"), ("4", "sitting_2")]
    assert [phrases(dataset, r) for r in recordings] == [{"walking"}, {"walking upstairs"}, {"walking upstairs"},
                                                        {"sitting"}]
    assert amplitude(recordings[0]) == pytest.approx(0.5, abs=0.01)  # the waist file, not chest or gyroscope
    _, chest = read("realworld", tmp_path, placement="chest")
    assert [(r.subject, round(amplitude(r), 2)) for r in chest] == [("1", 0.1)]


@pytest.mark.parametrize("placement, amp", [("wrist", 0.5), ("pocket", 0.25)])
def test_wisdm_semicolon_records_devices_and_unsorted_rows(tmp_path, placement, amp):
    dataset, recordings = read("wisdm", formats.wisdm(tmp_path), placement=placement)
    device = "watch" if placement == "wrist" else "phone"
    assert [r.recording for r in recordings] == [f"{device}-A", f"{device}-F"]
    assert [phrases(dataset, r) for r in recordings] == [{"walking"}, {"typing on a keyboard"}]
    assert all(r.rate == 20.0 and r.subject == "1600" for r in recordings)
    assert amplitude(recordings[1]) == pytest.approx(amp, abs=0.01)
    assert np.abs(np.diff(recordings[1].signal[:, 0])).max() < 0.2  # rows were put back in time order


def test_usc_had_follows_the_path_through_misspelt_extra_and_contradicting_fields(tmp_path):
    root = formats.usc_had(tmp_path)
    with pytest.warns(DataQualityWarning) as caught:
        dataset, recordings = read("usc-had", root)
    assert [(r.subject, r.recording, r.rate) for r in recordings] == [
        ("1", "a1t1", 100.0), ("13", "a8t2", 100.0), ("2", "a11t1", 100.0), ("2", "a5t3", 100.0), ("2", "a6t1", 100.0)]
    assert [phrases(dataset, r) for r in recordings] == [{"walking forward"}, {"sitting"}, {"riding an elevator up"},
                                                        {"walking downstairs"}, {"running forward"}]
    assert [amplitude(r) for r in recordings] == pytest.approx([0.5, 0.25, 0.375, 0.125, 0.0625], abs=1e-3)
    # one warning, for the one file whose metadata names another activity; the misspelt field, the extra
    # fields and the variant spellings ("elevator-up", "Runing Forward") are tolerated without a word
    [warning] = caught
    assert str(warning.message) == (
        f"{root}/USC-HAD/Subject2/a5t3.mat: metadata contradicts the path (activity 5, trial 3, subject 2), which the "
        "readme defines: activity_number '4', activity 'Walking Upstairs'; following the path")
    summary = quality.summarize(datasets.load("usc-had", root))
    assert (summary.recordings, summary.samples, summary.dropped) == (5, 3000, [])
    assert summary.warnings == [str(warning.message)]


def test_usc_had_empty_or_unreadable_metadata_contradicts_nothing(tmp_path):
    import warnings

    import scipy.io

    root = formats.usc_had(tmp_path)
    path = root / "USC-HAD" / "Subject1" / "a1t1.mat"
    contents = {k: v for k, v in scipy.io.loadmat(path).items() if not k.startswith("__")}
    scipy.io.savemat(path, {**contents, "subject": "", "trial": "first", "activity_number": "inf"})
    (root / "USC-HAD" / "Subject2" / "a5t3.mat").unlink()  # the fixture's one contradicting file
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        recordings = list(datasets.load("usc-had", root).recordings())
    assert (recordings[0].subject, recordings[0].recording) == ("1", "a1t1") and len(recordings) == 4


def test_uci_hapt_raw_layout_fixture(tmp_path):
    dataset, recordings = read("uci-hapt", formats.uci_hapt(tmp_path))
    assert [(r.subject, r.recording, len(r.signal)) for r in recordings] == [("1", "exp01", 1500), ("2", "exp02", 1500)]
    assert Counter(recordings[0].labels.tolist()) == {UNLABELLED: 250 + 107, 4: 983, 6: 160}  # 0-based inclusive ends
    assert amplitude(recordings[1]) == pytest.approx(0.25, abs=1e-3)


def test_mobifall_raw_layout_and_contradicting_header(tmp_path):
    root = formats.mobifall(tmp_path)
    dataset, recordings = read("mobifall", root)
    assert [(r.subject, r.recording) for r in recordings] == [("1", "WAL_1_1"), ("1", "FOL_1_1")]
    assert [phrases(dataset, r) for r in recordings] == [{"walking"}, {"falling forward onto the hands"}]
    assert amplitude(recordings[0]) == pytest.approx(0.5, abs=0.02)  # m/s^2 -> g, resampled from ~95 Hz
    path = root / "sub1" / "ADL" / "WAL" / "WAL_acc_1_1.txt"
    formats.edit_line(path, 4, "#Activity: 3 - JOG - Jogging - 30s")
    formats.edit_line(path, 5, "#Subject ID: 7")
    with pytest.warns(DataQualityWarning, match=r"WAL_acc_1_1\.txt: metadata contradicts the file name \(WAL, subject 1\)"
                      r", which the readme defines: header activity JOG, header subject 7; following the file name"):
        _, again = read("mobifall", root)
    assert [phrases(dataset, r) for r in again] == [{"walking"}, {"falling forward onto the hands"}]


def test_mobiact_folder_contradicting_the_file_name_is_reported(tmp_path):
    root = formats.mobiact(tmp_path)
    base = root / "MobiAct_Dataset_v2.0" / "Annotated Data"
    (base / "WAL" / "WAL_2_1_annotated.csv").rename(base / "FOL" / "WAL_2_1_annotated.csv")
    with pytest.warns(DataQualityWarning, match=r"FOL/WAL_2_1_annotated\.csv: folder FOL contradicts the file name's code WAL"):
        dataset, recordings = read("mobiact", root)
    assert [(r.recording, phrases(dataset, r)) for r in recordings] == [("FOL_1_1", {"standing", "falling forward onto "
                                                                        "the hands", "lying on the floor"}),
                                                                       ("WAL_2_1", {"walking"})]


def test_quality_summary_counts_documented_gaps_and_drops(tmp_path):
    summary = quality.summarize(datasets.load("pamap2", formats.pamap2(tmp_path)))
    # one NaN dropout row in Protocol/subject101.dat splits it; Optional/subject101.dat is whole
    assert (summary.recordings, summary.samples) == (3, 600 + 301 + 1099)
    assert dict(summary.gaps) == {f"{tmp_path}/pamap2+physical+activity+monitoring.zip/PAMAP2_Dataset.zip/"
                                  "PAMAP2_Dataset/Protocol/subject101.dat": 1}
    assert summary.missing == 1 and summary.dropped == [] and summary.warnings == []
    assert summary.lines() == ["data quality: 3 recordings, 2000 samples; 1 gap in 1 file (1 sample missing or too "
                               "short to keep); 0 dropped streams; 0 metadata warnings; values beyond 50 g refused, "
                               "none clipped"]


def test_the_plausibility_limit_is_a_setting(tmp_path, monkeypatch):
    root = formats.uci_hapt(tmp_path)
    formats.edit_line(root / "RawData" / "acc_exp02_user02.txt", 9, "60.0 0.0 0.0")
    with pytest.raises(datasets.DataFormatError, match=r"acc_exp02_user02\.txt: line 10: acceleration of 60 g exceeds "
                       r"the plausibility limit of 50 g"):
        list(datasets.load("uci-hapt", root).recordings())
    monkeypatch.setenv("WEARCLIP_MAX_G", "100")
    assert len(list(datasets.load("uci-hapt", root).recordings())) == 2
    monkeypatch.setenv("WEARCLIP_MAX_G", "lots")
    with pytest.raises(ConfigError, match="WEARCLIP_MAX_G: expected a positive number of g, found 'lots'"):
        list(datasets.load("uci-hapt", root).recordings())


def write_generic(root, rows=500, yaml=None):
    root.mkdir(parents=True, exist_ok=True)
    (root / "dataset.yaml").write_text(yaml or (
        "name: my-study\nsampling_rate: 50\nunits: m/s2\nplacement: wrist\n"
        "activities:\n  walk: walking\n  1: sitting\n"))
    t = np.arange(rows) / 50
    frame = pd.DataFrame({"subject": "s1", "timestamp": t, "x": 0.5 * formats.G * np.sin(2 * np.pi * t),
                          "y": 0.0, "z": formats.G, "label": ["walk"] * (rows // 2) + [""] * 50 + ["1"] * (rows // 2 - 50)})
    frame.to_csv(root / "part1.csv", index=False)
    (root / "nested").mkdir(exist_ok=True)
    frame.drop(columns="timestamp").assign(subject="s2", recording="morning").to_parquet(root / "nested" / "part2.parquet")
    return root


def test_generic_csv_and_parquet_with_yaml_classes_units_and_gaps(tmp_path):
    root = write_generic(tmp_path / "mine")
    frame = pd.read_csv(root / "part1.csv")
    frame.loc[100, ["x", "y", "z"]] = np.nan  # an explicit gap
    frame.to_csv(root / "part1.csv", index=False)
    dataset, recordings = read("generic", root)
    assert dataset.classes == ["walking", "sitting"] and dataset.label_keys == ["walk", "1"]
    assert dataset.placement == "wrist"
    assert [(r.subject, r.recording, len(r.signal)) for r in recordings] == [  # tables in path order
        ("s2", "morning", 500), ("s1", "part1#0", 100), ("s1", "part1#1", 399)]
    assert amplitude(recordings[0]) == pytest.approx(0.5, abs=1e-3)
    assert recordings[0].signal[:, 2].mean() == pytest.approx(1.0)
    assert Counter(recordings[0].labels.tolist()) == {0: 250, UNLABELLED: 50, 1: 200}


def test_generic_without_activities_uses_the_labels_found(tmp_path):
    root = write_generic(tmp_path / "mine", yaml="name: x\nsampling_rate: 50\nunits: g\n")
    dataset = datasets.load("generic", root)
    assert dataset.classes == ["1", "walk"] and dataset.placement == "any"


def test_data_info_prints_the_quality_summary_and_keeps_it(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from wearclip.cli import app

    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path / "cache"))
    root = formats.usc_had(tmp_path / "usc")
    result = CliRunner().invoke(app, ["data", "info", "usc-had", "--root", str(root)])
    assert result.exit_code == 0, result.output
    # building the window store reads the files: the CLI prints the loader's warning as one line
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
        f"warning: {root}/USC-HAD/Subject2/a5t3.mat: metadata contradicts the path (activity 5, trial 3, subject 2), "
        "which the readme defines: activity_number '4', activity 'Walking Upstairs'; following the path"]
    printed = "".join(result.output.split())  # rich wraps long lines
    for expected in ("data quality: 5 recordings, 3000 samples; 0 gaps in 0 files", "1 metadata warning;",
                     f"warning {root}/USC-HAD/Subject2/a5t3.mat: metadata contradicts the path"):
        assert "".join(expected.split()) in printed
    [saved] = (tmp_path / "cache" / "quality").glob("usc-had-hip-*.json")  # named after the window store
    dataset = datasets.load("usc-had", root)
    (root / "USC-HAD" / "Subject1" / "a1t1.mat").unlink()
    assert quality.summarize(dataset, key=saved.stem).recordings == 5  # kept, not read again
    assert quality.summarize(dataset).recordings == 4
