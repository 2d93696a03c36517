"""Bad input: each fails with a message naming the file and line or field, and leaves no window store behind."""

import gzip
import shutil

import numpy as np
import pytest

from tests.support import formats
from tests.support.shared import shared_dataset
from wearclip.data import datasets
from wearclip.data.store import WindowStore
from wearclip.errors import DataFormatError


def capture24_truncated(root):
    """A P###.csv.gz cut short in the middle of its compressed stream (an interrupted copy)."""
    folder = root / "capture24"
    folder.mkdir(parents=True)
    (folder / "annotation-label-dictionary.csv").write_text(
        "annotation,label:Willetts2018\n7030 sleeping;MET 0.95,sleep\n")
    rows = "".join(f"2016-11-13 02:18:{i // 100:02d}.{i % 100:02d}0000,-0.46,-0.53,0.65,7030 sleeping;MET 0.95\n"
                   for i in range(5000))
    data = gzip.compress(("time,x,y,z,annotation\n" + rows).encode())
    (folder / "P001.csv.gz").write_bytes(data[: len(data) // 2])
    return root


def pamap2_cut_mid_line(root):
    formats.pamap2(root)
    shutil.unpack_archive(root / "pamap2+physical+activity+monitoring.zip", root / "outer")
    shutil.unpack_archive(root / "outer" / "PAMAP2_Dataset.zip", root / "folder")
    path = root / "folder" / "PAMAP2_Dataset" / "Protocol" / "subject101.dat"
    text = path.read_text()
    path.write_text(text[: text.index("\n", len(text) // 2) + 40])
    return root / "folder"


def mhealth_edit(index, text):
    def write(root):
        formats.mhealth(root)
        formats.edit_line(root / "MHEALTHDATASET" / "mHealth_subject2.log", index, text)
        return root
    return write


def mhealth_label(label):
    def write(root):
        formats.mhealth(root)
        path = root / "MHEALTHDATASET" / "mHealth_subject1.log"
        lines = path.read_text().splitlines()
        lines[6] = "\t".join(lines[6].split("\t")[:23] + [label])
        path.write_text("\n".join(lines) + "\n")
        return root
    return write


def mhealth_empty_subject(root):
    formats.mhealth(root)
    (root / "MHEALTHDATASET" / "mHealth_subject2.log").write_text("")
    return root


def mobifall_backwards(root):
    source = shared_dataset("mobifall-v2") / "sub2" / "ADL" / "STD" / "STD_acc_2_1.txt"
    folder = root / "sub2" / "ADL" / "STD"
    folder.mkdir(parents=True)
    lines = source.read_text().splitlines()
    data = lines.index("@DATA") + 1
    lines[data + 30], lines[data + 31] = lines[data + 31], lines[data + 30]
    (folder / source.name).write_text("\n".join(lines) + "\n")
    return root


def realworld_backwards(root):
    formats.realworld(root)
    zipped = root / "realworld2016_dataset" / "proband1" / "data" / "acc_walking_csv.zip"
    shutil.unpack_archive(zipped, zipped.parent / "x")
    path = zipped.parent / "x" / "acc_walking_waist.csv"
    formats.edit_line(path, 9, "9,1435993000000,1.0,2.0,3.0")
    zipped.unlink()
    shutil.make_archive(str(zipped.with_suffix("")), "zip", zipped.parent / "x")
    shutil.rmtree(zipped.parent / "x")
    return root


def hhar_unknown_label(root):
    formats.hhar(root)
    outer = root / "heterogeneity+activity+recognition.zip"
    shutil.unpack_archive(outer, root / "o")
    shutil.unpack_archive(root / "o" / "Activity recognition exp.zip", root / "folder")
    path = root / "folder" / "Activity recognition exp" / "Watch_accelerometer.csv"
    line = path.read_text().splitlines()[7]
    formats.edit_line(path, 7, line.rsplit(",", 1)[0] + ",jump")
    return root / "folder"


def wisdm_wrong_columns(root):
    formats.wisdm(root)
    formats.edit_line(root / "wisdm-dataset" / "raw" / "watch" / "accel" / "data_1600_accel_watch.txt", 4,
              "1600,A,252207717164786,0.1,9.7,0.2,5.5;")
    return root


def generic(yaml, rows=None, name="a.csv"):
    def write(root):
        root.mkdir(parents=True)
        (root / "dataset.yaml").write_text(yaml)
        if rows is not None:
            (root / name).write_text(rows)
        return root
    return write


GOOD_YAML = "name: mine\nsampling_rate: 50\nunits: g\nactivities:\n  walk: walking\n"
HEADER = "subject,timestamp,x,y,z,label\n"
ROWS = "".join(f"s1,{i / 50},0.1,0.2,1.0,walk\n" for i in range(200))

CASES = {
    "truncated compressed file": ("capture24", capture24_truncated, r"P001\.csv\.gz: truncated or corrupt file"),
    "truncated line": ("pamap2", pamap2_cut_mid_line, r"subject101\.dat: line \d+: expected 54 fields, found \d+"),
    "non-numeric value": ("mhealth", mhealth_edit(41, "\t".join(["0.1"] * 5 + ["abc"] + ["0.2"] * 17 + ["0"])),
                          r"mHealth_subject2\.log: line 42, field 6: expected a number, found 'abc'"),
    "wrong column count": ("wisdm", wisdm_wrong_columns, r"data_1600_accel_watch\.txt: line 5: expected 6 fields, found 7"),
    "wrong column count (generic)": ("generic", generic(GOOD_YAML, HEADER + ROWS + "s1,4.0,0.1,0.2,1.0,walk,extra\n"),
                                     r"a\.csv: line 202: expected 6 fields, found 7"),
    "timestamps going backwards": ("mobifall", mobifall_backwards, r"STD_acc_2_1\.txt: line \d+: timestamp .* goes backwards"),
    "timestamps going backwards (zip)": ("realworld", realworld_backwards,
                                         r"acc_walking_csv\.zip/acc_walking_waist\.csv: line 10: timestamp .* goes backwards"),
    "unknown label id": ("mhealth", mhealth_label("13"), r"mHealth_subject1\.log: line 7, field 24: unknown activity id 13"),
    "unknown label string": ("hhar", hhar_unknown_label,
                             r"Watch_accelerometer\.csv: line 8, field 'gt': unknown activity 'jump'"),
    "unknown generic label": ("generic", generic(GOOD_YAML, HEADER + ROWS.replace("walk\n", "run\n", 1)),
                              r"a\.csv: line 2, field 'label': unknown label 'run'"),
    "empty folder": ("pamap2", lambda root: root.mkdir() or root, r"no session files Protocol/subject1NN\.dat found"),
    "empty generic folder": ("generic", generic(GOOD_YAML), r"no \.csv or \.parquet tables found"),
    "missing dataset.yaml": ("generic", lambda root: root.mkdir() or root, r"dataset\.yaml: missing"),
    "dataset.yaml missing a field": ("generic", generic("name: mine\nunits: g\n", HEADER + ROWS),
                                     r"dataset\.yaml: field 'sampling_rate': field required"),
    "dataset.yaml unknown unit": ("generic", generic("name: mine\nsampling_rate: 50\nunits: mg\n", HEADER + ROWS),
                                  r"dataset\.yaml: field 'units': input should be 'g' or 'm/s2' \(found 'mg'\)"),
    "a subject with no data": ("mhealth", mhealth_empty_subject, r"mHealth_subject2\.log: file is empty"),
    "a generic subject with no data": ("generic", generic(GOOD_YAML, HEADER + ROWS + "s2,0,,,,walk\ns2,0.02,,,,walk\n"),
                                       r"a\.csv: subject 's2', recording 'a' has no samples"),
    "missing column": ("generic", generic(GOOD_YAML, "subject,x,y,label\ns1,0,0,walk\n"),
                       r"a\.csv: line 1: missing column\(s\) 'z'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_file_and_line_and_leaves_no_cache(case, tmp_path):
    name, write, message = CASES[case]
    cache = tmp_path / "cache"
    with pytest.raises(DataFormatError, match=message):
        root = write(tmp_path / "data")
        WindowStore(cache).open(datasets.load(name, root))
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_failure_late_in_a_build_removes_the_partial_store(tmp_path):
    root = tmp_path / "data"
    formats.mhealth(root)
    path = root / "MHEALTHDATASET" / "mHealth_subject2.log"  # subject 1 is windowed first
    formats.edit_line(path, 500, "\t".join(["0"] * 23 + ["99"]))
    cache = tmp_path / "cache"
    with pytest.raises(DataFormatError, match="unknown activity id 99"):
        WindowStore(cache).open(datasets.load("mhealth", root))
    assert list(cache.iterdir()) == []


def test_unknown_option_and_placement_are_refused(tmp_path):
    with pytest.raises(TypeError, match="no option label_scheme; accepted options: none"):
        datasets.load("pamap2", tmp_path, label_scheme="x")
    with pytest.raises(ValueError, match="no placement 'wrist'.*ankle"):
        datasets.load("pamap2", tmp_path, placement="wrist")
    with pytest.raises(FileNotFoundError, match="not found"):
        datasets.load("pamap2", tmp_path / "absent")
    np.testing.assert_equal(datasets.get("pamap2").group("hand"), "wrist")
