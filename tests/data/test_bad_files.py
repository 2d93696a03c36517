"""Bad files of every format: each fails with one line naming the file and the line, row or field, and leaves
no window store behind; streams that are tolerated instead (documented quirks) are reported, never dropped
silently. The fixtures are the official layouts of tests/support/formats.py with one defect each."""

import io
import re
import zipfile
from collections.abc import Callable

import numpy as np
import pytest
import scipy.io

from tests.support import formats
from wearclip.data import datasets, quality
from wearclip.data.quality import DataQualityWarning
from wearclip.data.store import WindowStore
from wearclip.errors import DataFormatError


def replace_line(index: int, text: str) -> Callable[[str], str]:
    """An edit of a file's text: line ``index`` (0-based) becomes ``text``."""
    def edit(content: str) -> str:
        lines = content.splitlines()
        lines[index] = text
        return "\n".join(lines) + "\n"
    return edit


def replace_field(index: int, column: int, value: str, sep: str) -> Callable[[str], str]:
    """An edit of a file's text: field ``column`` (0-based) of line ``index`` becomes ``value``."""
    def edit(content: str) -> str:
        lines = content.splitlines()
        fields = lines[index].split(sep)
        fields[column] = value
        lines[index] = sep.join(fields)
        return "\n".join(lines) + "\n"
    return edit


def _edit_zip(data: bytes, member: str, edit: Callable[[str], str] | None) -> bytes:
    """The zip ``data`` with ``member`` (``inner.zip/path`` reaches into a nested zip) edited, or removed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    inner, nested, rest = member.partition(".zip/")
    if nested:
        members[inner + ".zip"] = _edit_zip(members[inner + ".zip"], rest, edit)
    elif edit is None:
        del members[member]
    else:
        members[member] = edit(members[member].decode()).encode()
    return formats.zip_bytes(members)


def in_file(writer, relative: str, edit: Callable[[str], str]):
    """A fixture writer whose file at ``relative`` (``x.zip/inner`` reaches into zips) gets ``edit``."""
    def write(root):
        made = writer(root)
        archive, inside, member = relative.partition(".zip/")
        if inside:
            path = made / (archive + ".zip") if made.is_dir() else made
            path.write_bytes(_edit_zip(path.read_bytes(), member, edit))
        else:
            path = made / relative
            path.write_text(edit(path.read_text()))
        return made
    return write


def with_file(writer, relative: str, content: bytes):
    """A fixture writer that also writes (or overwrites) ``relative`` with ``content``."""
    def write(root):
        made = writer(root)
        (made / relative).parent.mkdir(parents=True, exist_ok=True)
        (made / relative).write_bytes(content)
        return made
    return write


def mat_edit(writer, relative: str, **fields):
    """A fixture writer whose .mat file gets ``fields`` replaced (None removes one)."""
    def write(root):
        made = writer(root)
        contents = {k: v for k, v in scipy.io.loadmat(made / relative).items() if not k.startswith("__")}
        contents.update(fields)
        scipy.io.savemat(made / relative, {k: v for k, v in contents.items() if v is not None})
        return made
    return write


def generic(rows: str, yaml: str = "name: mine\nsampling_rate: 50\nunits: m/s2\n", name: str = "a.csv"):
    def write(root):
        root.mkdir(parents=True)
        (root / "dataset.yaml").write_text(yaml)
        (root / name).write_text(rows)
        return root
    return write


def generic_parquet(column: str, row: int, value: float):
    def write(root):
        import pandas as pd

        root.mkdir(parents=True)
        (root / "dataset.yaml").write_text("name: mine\nsampling_rate: 50\nunits: g\n")
        frame = pd.DataFrame({"subject": "s1", "x": np.zeros(300), "y": 0.0, "z": 1.0, "label": "walk"})
        frame.loc[row, column] = value
        frame.to_parquet(root / "part.parquet")
        return root
    return write


def capture24(rows: dict[int, str] | None = None, dictionary: bool = True):
    """``capture24/P001.csv.gz`` (§1: header ``time,x,y,z,annotation``, 100 Hz, g) with data ``rows`` replaced
    (by 0-based index: data row ``i`` is line ``i + 2``)."""
    def write(root):
        import gzip

        folder = root / "capture24"
        folder.mkdir(parents=True)
        if dictionary:
            (folder / "annotation-label-dictionary.csv").write_text(
                "annotation,label:Willetts2018\n7030 sleeping;MET 0.95,sleep\n")
        lines = [f"2016-11-13 02:18:{i // 100:02d}.{i % 100:02d}0000,-0.46,-0.53,0.65,7030 sleeping;MET 0.95"
                 for i in range(400)]
        for index, text in (rows or {}).items():
            lines[index] = text
        (folder / "P001.csv.gz").write_bytes(gzip.compress(("time,x,y,z,annotation\n" + "\n".join(lines) + "\n").encode()))
        return root
    return write


YAML_ROWS = "subject,timestamp,x,y,z,label\n" + "".join(f"s1,{i / 50},0.1,0.2,9.8,walk\n" for i in range(200))
HHAR = "heterogeneity+activity+recognition.zip/Activity recognition exp.zip/Activity recognition exp/Watch_accelerometer.csv"
PAMAP = "pamap2+physical+activity+monitoring.zip/PAMAP2_Dataset.zip/PAMAP2_Dataset/Protocol/subject101.dat"
MOBIACT = "MobiAct_Dataset_v2.0/Annotated Data/WAL/WAL_2_1_annotated.csv"
REALWORLD = "realworld2016_dataset/proband1/data/acc_walking_csv.zip/acc_walking_waist.csv"
MOBIFALL = "sub1/ADL/WAL/WAL_acc_1_1.txt"  # its samples start on line 16
HAPT = "RawData/acc_exp01_user01.txt"
WISDM = "wisdm-dataset/raw/watch/accel/data_1600_accel_watch.txt"
USC = "USC-HAD/Subject1/a1t1.mat"
MH = "MHEALTHDATASET/mHealth_subject1.log"
MS = "B_Accelerometer_data.zip/B_Accelerometer_data/dws_1/sub_1.csv"
HHAR_HEADER = "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt"


def empty_folder(root):
    root.mkdir()
    return root


def ankle_row(value: str) -> Callable[[str], str]:
    """PAMAP2 line 51 with the ankle accelerometer's x (1-based column 39) set to ``value``."""
    return replace_field(50, 38, value, " ")


def _not_zip(writer, relative: str):
    """A fixture writer whose archive at ``relative`` is cut to its first 100 bytes (an interrupted copy)."""
    def write(root):
        made = writer(root)
        path = made if made.is_file() else made / relative
        path.write_bytes(path.read_bytes()[:100])
        return made
    return write


def archive(name: str, members: dict[str, bytes]):
    """A fixture writer that makes only the zip ``name`` holding ``members``."""
    def write(root):
        root.mkdir(parents=True)
        (root / name).write_bytes(formats.zip_bytes(members))
        return root / name
    return write


def hhar_corrupt_inner(root):
    """The UCI zip whose nested ``Activity recognition exp.zip`` was cut short."""
    outer = formats.hhar(root)
    with zipfile.ZipFile(outer) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    members["Activity recognition exp.zip"] = members["Activity recognition exp.zip"][:300]
    outer.write_bytes(formats.zip_bytes(members))
    return outer


def myogym(**change):
    """``MyoGym.mat`` (§3) with ``raw_data[row, column] = value`` for each ``(row, column): value``, or whole fields."""
    def write(root):
        made = formats.myogym(root)
        contents = scipy.io.loadmat(made / "MyoGym.mat", variable_names=["raw_data", "raw_data_labels"])
        contents = {"raw_data": contents["raw_data"], "raw_data_labels": contents["raw_data_labels"]}
        for key, value in change.items():
            if key == "acc":
                (row, column), number = value
                contents["raw_data"][row, column] = number
            else:
                contents[key] = value(contents[key])
        scipy.io.savemat(made / "MyoGym.mat", contents)
        return made
    return write


def usc_readings(edit: Callable[[np.ndarray], np.ndarray]):
    def write(root):
        made = formats.usc_had(root)
        contents = {k: v for k, v in scipy.io.loadmat(made / USC).items() if not k.startswith("__")}
        contents["sensor_readings"] = edit(contents["sensor_readings"])
        scipy.io.savemat(made / USC, contents)
        return made
    return write


def seglearn(drop: str | None = None, inf_at: tuple[int, int] | None = None):
    """``watch_dataset.npy`` as seglearn 1.2.5 ships it: a pickled dict with ``X`` (arrays n x 6: acc in g, gyro),
    ``y``, ``y_labels`` (the 7 exercise codes), ``subject`` and ``side`` (the loader's docstring; the real file
    in ../shared/data/seglearn-watch)."""
    def write(root):
        root.mkdir(parents=True)
        series = [np.hstack([formats.motion(300, 50), np.zeros((300, 3))]) for _ in range(2)]
        if inf_at:
            series[inf_at[0]][inf_at[1], 1] = np.inf
        data = {"X": series, "y": np.array([0, 1]), "y_labels": np.array(["PEN", "ABD", "FEL", "IR", "ER", "TRAP", "ROW"]),
                "subject": np.array([1, 2]), "side": np.array([0, 1])}
        data.pop(drop, None)
        np.save(root / "watch_dataset.npy", np.array(data, dtype=object), allow_pickle=True)
        return root
    return write


CASES = {
    # UCI HAPT: RawData text files
    "hapt: inf": ("uci-hapt", in_file(formats.uci_hapt, HAPT, replace_line(6, "inf 0.1 0.2")),
                  r"acc_exp01_user01\.txt: line 7: acceleration inf is not a finite number"),
    "hapt: 1e39 (float32 overflow)": ("uci-hapt", in_file(formats.uci_hapt, HAPT, replace_line(6, "1e39 0.1 0.2")),
                                      r"acc_exp01_user01\.txt: line 7: acceleration of 1e\+39 g exceeds the plausibility"),
    "hapt: nan": ("uci-hapt", in_file(formats.uci_hapt, HAPT, replace_line(6, "0.9 nan 0.2")),
                  r"acc_exp01_user01\.txt: line 7, field 2: expected a finite number, found 'nan'"),
    "hapt: wrong column count": ("uci-hapt", in_file(formats.uci_hapt, HAPT, replace_line(2, "0.9 0.1 0.2 0.3")),
                                 r"acc_exp01_user01\.txt: line 3: expected 3 fields, found 4"),
    "hapt: labels not numeric": ("uci-hapt", in_file(formats.uci_hapt, "RawData/labels.txt", replace_line(1, "1 1 7 a 1392")),
                                 r"labels\.txt: line 2, field 4: expected a number, found 'a'"),
    "hapt: labels inf": ("uci-hapt", in_file(formats.uci_hapt, "RawData/labels.txt", replace_line(0, "1 1 5 250 inf")),
                         r"labels\.txt: line 1, field 5: expected a finite number, found 'inf'"),
    "hapt: empty file": ("uci-hapt", with_file(formats.uci_hapt, HAPT, b""),
                         r"acc_exp01_user01\.txt: file is empty, expected 3 numeric columns"),
    "hapt: labels past the end": ("uci-hapt", in_file(formats.uci_hapt, "RawData/labels.txt", replace_line(2, "2 2 1 100 1600")),
                                  r"acc_exp02_user02\.txt: 1500 samples, but labels\.txt labels experiment 2 up to sample 1600"),
    # MobiFall: '#' header, @DATA, 'timestamp, x, y, z'
    "mobifall: nan": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_field(20, 2, " nan", ",")),
                      r"WAL_acc_1_1\.txt: line 21, field 3: expected a finite number, found 'nan'"),
    "mobifall: inf": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_field(20, 1, "inf", ",")),
                      r"WAL_acc_1_1\.txt: line 21: acceleration inf is not a finite number"),
    "mobifall: -inf": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_field(20, 1, " -inf", ",")),
                       r"WAL_acc_1_1\.txt: line 21, field 2: expected a finite number, found '-inf'"),
    "mobifall: 1e12 m/s2 spike": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_field(30, 3, " 1e12", ",")),
                                  r"WAL_acc_1_1\.txt: line 31: acceleration of 1\.02e\+11 g exceeds the plausibility limit"),
    "mobifall: wrong column count": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_line(40, "4644982461700, 1.0, 2.0")),
                                     r"WAL_acc_1_1\.txt: line 41: expected 4 fields, found 3"),
    "mobifall: no @DATA": ("mobifall", in_file(formats.mobifall, MOBIFALL, replace_line(14, "DATA")),
                           r"WAL_acc_1_1\.txt: no '@DATA' line"),
    "mobifall: empty after @DATA": ("mobifall", in_file(formats.mobifall, MOBIFALL, lambda t: t.split("@DATA")[0] + "@DATA\n"),
                                    r"WAL_acc_1_1\.txt: no samples after '@DATA'"),
    "mobifall: unknown code": ("mobifall", with_file(formats.mobifall, "sub1/ADL/XYZ/XYZ_acc_1_1.txt", b"@DATA\n1, 0, 0, 9.8\n"),
                               r"XYZ_acc_1_1\.txt: unknown activity code 'XYZ' in the file name"),
    # Capture-24: P###.csv.gz
    "capture24: inf": ("capture24", capture24({10: "2016-11-13 02:18:00.100000,inf,-0.53,0.65,7030 sleeping;MET 0.95"}),
                       r"P001\.csv\.gz: line 12: acceleration inf is not a finite number"),
    "capture24: time not a date": ("capture24", capture24({3: "yesterday,-0.46,-0.53,0.65,"}),
                                   r"P001\.csv\.gz: line 5, field 'time': expected 'YYYY-MM-DD HH:MM:SS\.ffffff'"),
    "capture24: time backwards": ("capture24", capture24({50: "2016-11-13 02:17:00.000000,-0.46,-0.53,0.65,"}),
                                  r"P001\.csv\.gz: line 52: timestamp .* goes backwards"),
    "capture24: missing dictionary": ("capture24", capture24(dictionary=False),
                                      r"no annotation-label-dictionary\.csv .* found"),
    # generic: CSV and Parquet
    "generic: inf": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1,0.2,9.8", "s1,0.2,inf,0.2,9.8")),
                     r"a\.csv: line 12: acceleration inf is not a finite number"),
    "generic: 1e12 m/s2": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1,0.2,9.8", "s1,0.2,1e12,0.2,9.8")),
                           r"a\.csv: line 12: acceleration of 1\.02e\+11 g exceeds the plausibility limit of 50 g"),
    "generic: non-numeric": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1,0.2,9.8", "s1,0.2,0.1,zero,9.8")),
                             r"a\.csv: line 12, field 'y': expected a number, found 'zero'"),
    "generic: backwards": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1", "s1,0.1,0.1")),
                           r"a\.csv: line 12: timestamp 0\.1 goes backwards \(previous 0\.18\)"),
    "generic: timestamp inf": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1", "s1,inf,0.1")),
                               r"a\.csv: line 12, field 'timestamp': expected a finite number of seconds, found inf"),
    "generic: partial row": ("generic", generic(YAML_ROWS.replace("s1,0.2,0.1,0.2,9.8", "s1,0.2,0.1,,9.8")),
                             r"a\.csv: line 12, field 'y': missing value"),
    "generic: parquet inf": ("generic", generic_parquet("z", 41, np.inf),
                             r"part\.parquet: row 42: acceleration inf is not a finite number"),
    "generic: parquet 100 g": ("generic", generic_parquet("x", 7, 100.0),
                               r"part\.parquet: row 8: acceleration of 100 g exceeds the plausibility limit of 50 g"),
    "generic: corrupt parquet": ("generic", generic("PAR1garbage", name="part.parquet"),
                                 r"part\.parquet: not a readable Parquet file"),
    "generic: empty csv": ("generic", generic(""), r"a\.csv: file is empty, expected a header line"),
    # MHEALTH: 24 TAB-separated columns
    "mhealth: inf": ("mhealth", in_file(formats.mhealth, MH, replace_field(30, 6, "inf", "\t")),
                     r"mHealth_subject1\.log: line 31: acceleration inf is not a finite number"),
    "mhealth: partly NaN": ("mhealth", in_file(formats.mhealth, MH, replace_field(30, 6, "NaN", "\t")),
                            r"mHealth_subject1\.log: line 31: acceleration nan is not a finite number"),
    "mhealth: 23 columns": ("mhealth", in_file(formats.mhealth, MH, lambda text: "\n".join(
                                line.partition("\t")[2] if i == 30 else line for i, line in enumerate(text.splitlines()))),
                            r"mHealth_subject1\.log: line 31: expected 24 fields, found 23"),
    # PAMAP2: 54 space-separated columns, NaN dropouts, inside the nested UCI zip
    "pamap2: inf": ("pamap2", in_file(formats.pamap2, PAMAP, ankle_row("inf")),
                    r"PAMAP2_Dataset\.zip/PAMAP2_Dataset/Protocol/subject101\.dat: line 51: acceleration inf is not a finite"),
    "pamap2: 1e39": ("pamap2", in_file(formats.pamap2, PAMAP, ankle_row("1e39")),
                     r"subject101\.dat: line 51: acceleration of 1\.02e\+38 g exceeds the plausibility limit"),
    "pamap2: partly NaN": ("pamap2", in_file(formats.pamap2, PAMAP, ankle_row("NaN")),
                           r"subject101\.dat: line 51: acceleration nan is not a finite number"),
    "pamap2: NaN timestamp": ("pamap2", in_file(formats.pamap2, PAMAP, replace_field(50, 0, "NaN", " ")),
                              r"subject101\.dat: line 51: timestamp and activityID must not be NaN"),
    "pamap2: wrong archive member": ("pamap2", archive("PAMAP2_Dataset.zip", {"PAMAP2_Dataset/Protocol/subject101.txt": b"1 0"}),
                                     r"PAMAP2_Dataset\.zip: no session files Protocol/subject1NN\.dat found"),
    # HHAR: CSV inside the nested UCI zip
    "hhar: inf": ("hhar", in_file(formats.hhar, HHAR, replace_field(30, 3, "inf", ",")),
                  r"Activity recognition exp\.zip/Activity recognition exp/Watch_accelerometer\.csv: line 31: acceleration inf"),
    "hhar: 1e12 m/s2": ("hhar", in_file(formats.hhar, HHAR, replace_field(30, 5, "1e12", ",")),
                        r"Watch_accelerometer\.csv: line 31: acceleration of 1\.02e\+11 g exceeds the plausibility limit"),
    "hhar: missing column": ("hhar", in_file(formats.hhar, HHAR, replace_line(0, HHAR_HEADER.removesuffix(",gt"))),
                             r"Watch_accelerometer\.csv: line 1: missing column\(s\) 'gt'"),
    "hhar: corrupt inner zip": ("hhar", hhar_corrupt_inner, r"Activity recognition exp\.zip: not a readable zip archive"),
    # MobiAct: annotated CSV
    "mobiact: inf": ("mobiact", in_file(formats.mobiact, MOBIACT, replace_field(5, 2, "inf", ",")),
                     r"WAL_2_1_annotated\.csv: line 6: acceleration inf is not a finite number"),
    "mobiact: header only": ("mobiact", in_file(formats.mobiact, MOBIACT, lambda text: text.splitlines()[0] + "\n"),
                             r"WAL_2_1_annotated\.csv: no data rows for subject 2"),
    "mobiact: unknown label": ("mobiact", in_file(formats.mobiact, MOBIACT, replace_field(5, 11, "XXX", ",")),
                               r"WAL_2_1_annotated\.csv: line 6, field 'label': unknown activity code 'XXX'"),
    "mobiact: rel_time backwards": ("mobiact", in_file(formats.mobiact, MOBIACT, replace_field(100, 1, "0.0001", ",")),
                                    r"WAL_2_1_annotated\.csv: line 101: timestamp 0\.0001 goes backwards"),
    # MotionSense: CSV inside B_Accelerometer_data.zip
    "motionsense: non-numeric": ("motionsense", in_file(formats.motionsense, MS, replace_field(5, 2, "abc", ",")),
                                 r"B_Accelerometer_data\.zip/B_Accelerometer_data/dws_1/sub_1\.csv: line 6, field 'y': "
                                 r"expected a number, found 'abc'"),
    "motionsense: inf": ("motionsense", in_file(formats.motionsense, MS,
                                                replace_field(5, 1, "-inf", ",")),
                         r"dws_1/sub_1\.csv: line 6: acceleration inf is not a finite number"),
    "motionsense: unknown activity folder": ("motionsense", with_file(formats.motionsense, "B_Accelerometer_data/xyz_1/sub_1.csv",
                                                                      b",x,y,z\n0,0,0,1\n"),
                                             r"B_Accelerometer_data/xyz_1/sub_1\.csv: unknown activity folder xyz_1"),
    # RealWorld: CSV inside per-activity zips
    "realworld: inf": ("realworld", in_file(formats.realworld, REALWORLD, replace_field(20, 2, "inf", ",")),
                       r"acc_walking_csv\.zip/acc_walking_waist\.csv: line 21: acceleration inf is not a finite number"),
    "realworld: header only": ("realworld", in_file(formats.realworld, REALWORLD, lambda text: text.splitlines()[0] + "\n"),
                               r"acc_walking_waist\.csv: no data rows for proband 1"),
    "realworld: corrupt zip": ("realworld", _not_zip(formats.realworld, REALWORLD.rpartition("/")[0]),
                               r"proband1/data/acc_walking_csv\.zip: not a readable zip archive"),
    # WISDM 2019: 'subject,activity,timestamp,x,y,z;'
    "wisdm: inf": ("wisdm", in_file(formats.wisdm, WISDM, replace_field(3, 3, "inf", ",")),
                   r"data_1600_accel_watch\.txt: line 4: acceleration inf is not a finite number"),
    "wisdm: 1e12 m/s2": ("wisdm", in_file(formats.wisdm, WISDM, replace_field(3, 4, "1e12", ",")),
                         r"data_1600_accel_watch\.txt: line 4: acceleration of 1\.02e\+11 g exceeds"),
    "wisdm: another subject": ("wisdm", in_file(formats.wisdm, WISDM, replace_field(3, 0, "1601", ",")),
                               r"data_1600_accel_watch\.txt: line 4, field 1: subject 1601 in the file of subject 1600"),
    "wisdm: unknown activity": ("wisdm", in_file(formats.wisdm, WISDM, replace_field(3, 1, "N", ",")),
                                r"data_1600_accel_watch\.txt: line 4, field 2: unknown activity code 'N'"),
    # MyoGym: one .mat file
    "myogym: inf": ("myogym", myogym(acc=((123, 11), np.inf)), r"MyoGym\.mat: raw_data row 124: acceleration inf is not"),
    "myogym: 100 g": ("myogym", myogym(acc=((123, 10), 100.0)), r"MyoGym\.mat: raw_data row 124: acceleration of 100 g exceeds"),
    "myogym: wrong shape": ("myogym", myogym(raw_data=lambda x: x[:, :16]),
                            r"MyoGym\.mat: field 'raw_data' has shape \(1501, 16\), expected \(n, 17\)"),
    "myogym: labels of another length": ("myogym", myogym(raw_data_labels=lambda x: x[:-1]),
                                         r"MyoGym\.mat: raw_data has 1501 rows but raw_data_labels 1500"),
    "myogym: not a .mat": ("myogym", with_file(empty_folder, "MyoGym.mat", b"not a mat file"),
                           r"MyoGym\.mat: not a readable MATLAB v5 file"),
    # USC-HAD: one .mat per trial
    "usc-had: inf": ("usc-had", usc_readings(lambda x: np.where(np.arange(len(x))[:, None] == 100, np.inf, x)),
                     r"Subject1/a1t1\.mat: sensor_readings row 101: acceleration inf is not a finite number"),
    "usc-had: wrong shape": ("usc-had", usc_readings(lambda x: x[:, :3]),
                             r"Subject1/a1t1\.mat: field 'sensor_readings' has shape \(600, 3\), expected \(n, 6\)"),
    "usc-had: no readings": ("usc-had", mat_edit(formats.usc_had, USC, sensor_readings=None),
                             r"Subject1/a1t1\.mat: field 'sensor_readings' missing \(found title, version"),
    "usc-had: not a .mat": ("usc-had", with_file(formats.usc_had, USC, b"MATLAB 5.0 MAT-file, cut"),
                            r"Subject1/a1t1\.mat: not a readable MATLAB v5 file"),
    "usc-had: activity 13 in the name": ("usc-had", with_file(formats.usc_had, "USC-HAD/Subject1/a13t1.mat", b""),
                                         r"Subject1/a13t1\.mat: file name names activity 13 \(the readme's ids are 1-12\)"),
    # seglearn's watch_dataset.npy
    "seglearn-watch: inf": ("seglearn-watch", seglearn(inf_at=(1, 4)),
                            r"watch_dataset\.npy: X\[1\] row 5: acceleration inf is not a finite number"),
    "seglearn-watch: missing field": ("seglearn-watch", seglearn(drop="side"), r"watch_dataset\.npy: field 'side' missing"),
    "seglearn-watch: not an .npy": ("seglearn-watch", with_file(empty_folder, "watch_dataset.npy", b"\x93NUMPY"),
                                    r"watch_dataset\.npy: not a readable watch_dataset\.npy"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_fails_with_one_line_naming_file_and_place_and_leaves_no_store(case, tmp_path):
    name, write, message = CASES[case]
    cache = tmp_path / "cache"
    with pytest.raises(DataFormatError, match=message) as caught:
        WindowStore(cache).open(datasets.load(name, write(tmp_path / "data")))
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "data"))  # the file, by the path the user gave
    assert not cache.exists() or list(cache.iterdir()) == []


def constant_times(text: str) -> str:
    head, data = text.split("@DATA\n")
    rows = [line.split(",", 1)[1] for line in data.splitlines()]
    return head + "@DATA\n" + "".join(f"46449824617000,{row}\n" for row in rows)


def one_time_device(text: str) -> str:
    last = int(text.splitlines()[-1].split(",")[0])
    return text + "".join(f"{last + i},1424696800000,1424696800000000000,0.1,0.2,9.8,c,gear,gear_2,walk\n" for i in (1, 2, 3))


def misplaced_trial(root):
    made = formats.mobifall(root)
    (made / "sub1" / "FALLS" / "FOL" / "SDL_acc_1_2.txt").write_bytes((made / MOBIFALL).read_bytes())
    return made


WARNINGS = {
    "capture24: an annotation the dictionary lacks": ("capture24", capture24({7: "2016-11-13 02:18:00.070000,0,0,1,dancing"}),
                                                      r"P001\.csv\.gz: 1 rows carry 1 annotation\(s\) that annotation-label-"
                                                      r"dictionary\.csv, the label table, does not list \(first 'dancing', "
                                                      r"line 9\); unlabelled", 1),
    "mobifall: all timestamps equal": ("mobifall", in_file(formats.mobifall, MOBIFALL, constant_times),
                                       r"WAL_acc_1_1\.txt: dropped: 1 distinct timestamp\(s\) in 600 samples "
                                       r"\(a recording needs 2\)", 1),
    "hhar: a device with one Creation_Time": ("hhar", in_file(formats.hhar, HHAR, one_time_device),
                                              r"Watch_accelerometer\.csv: dropped: user c, device gear_2: 3 rows but one "
                                              r"distinct Creation_Time", 5),
    "generic: samples seconds apart": ("generic", generic(YAML_ROWS + "s2,0,0.1,0.2,9.8,walk\ns2,2,0.1,0.2,9.8,walk\n"),
                                       r"a\.csv: dropped: no run of 2 valid samples without a gap among its 2", 1),
    "mobifall: samples seconds apart": ("mobifall", in_file(formats.mobifall, MOBIFALL, lambda text: text.split("@DATA")[0]
                                                            + "@DATA\n46449824617000, 0, 9.8, 0\n46451824617000, 0, 9.8, 0\n"),
                                        r"WAL_acc_1_1\.txt: dropped: no two of its 2 samples lie within 0\.5 s of each other", 1),
    "generic: a recording of one sample": ("generic", generic(YAML_ROWS + "s2,0,0.1,0.2,9.8,walk\n"),
                                           r"a\.csv: dropped: 1 distinct timestamp\(s\) in 1 samples", 1),
    "usc-had: metadata contradicting the path": ("usc-had", formats.usc_had,
                                                 r"Subject2/a5t3\.mat: metadata contradicts the path \(activity 5, trial 3, "
                                                 r"subject 2\), which the readme defines: activity_number '4'", 5),
    "mobifall: a trial in another activity's folder": ("mobifall", misplaced_trial,
                                                       r"FOL/SDL_acc_1_2\.txt: metadata contradicts the file name \(SDL, "
                                                       r"subject 1\), which the readme defines: folder FOL", 3),
}


@pytest.mark.parametrize("case", list(WARNINGS))
def test_tolerated_quirk_is_warned_once_and_summarized(case, tmp_path):
    name, write, message, recordings = WARNINGS[case]
    dataset = datasets.load(name, write(tmp_path / "data"))
    with pytest.warns(DataQualityWarning) as caught:
        windows = WindowStore(tmp_path / "cache").open(dataset)
    messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert len(messages) == 1 and re.search(message, messages[0]) and "\n" not in messages[0], messages
    assert len(windows) > 0  # the rest of the dataset is there
    summary = quality.summarize(dataset)
    assert summary.recordings == recordings
    reported = [f"{source}: dropped: {why}" for source, why in summary.dropped] + summary.warnings
    assert reported == [str(caught[0].message)]
