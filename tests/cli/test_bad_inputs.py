"""Bad input through the command line (issue 13): every case exits with code 2, prints exactly one line
``error: ...`` on stderr naming the culprit (file, field or option), and changes no file in the workspace
(the whole tree, inputs, caches and would-be outputs, is hashed before and after; the only files allowed
to appear are complete entries of the content-addressed cache).

The workspace holds one small real checkpoint (random weights, the real MiniLM text tower), an index of
an MHEALTH fixture in its official layout built with it, and broken copies of both; a recording CSV in
the documented ``predict`` format; pre-training configs. Data-file cases of every loader live in tests/data.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from tests.support import formats
from wearclip.cli import app
from wearclip.config.model import WearClipConfig
from wearclip.data import datasets
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import index_dataset

runner = CliRunner()


def small_model(seed: int = 0, **config) -> WearClip:
    torch.manual_seed(seed)
    model = WearClip(WearClipConfig(**({"embed_dim": 16, "head_depth": 1, "text_head_depth": 1} | config)))
    model.set_normalization(np.zeros(3), np.ones(3))
    return model


def copy_checkpoint(good: Path, folder: Path, change=None) -> str:
    shutil.copytree(good, folder)
    if change:
        change(folder)
    return str(folder)


def edit_json(path: Path, update) -> None:
    data = json.loads(path.read_text())
    update(data)
    path.write_text(json.dumps(data))


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """The workspace: every input of the cases below, prepared once."""
    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "cache").mkdir()
    hm = formats.mhealth(root / "mhealth")
    ck = small_model().save_pretrained(root / "ck")
    other = small_model(seed=1).save_pretrained(root / "other")
    small_model(embed_dim=8).save_pretrained(root / "narrow")
    old = os.environ.get("WEARCLIP_CACHE")
    os.environ["WEARCLIP_CACHE"] = str(root / "cache")
    try:
        index_dataset(WearClip.from_pretrained(ck), datasets.load("mhealth", hm), root / "idx", checkpoint=ck)
    finally:
        os.environ.pop("WEARCLIP_CACHE") if old is None else os.environ.__setitem__("WEARCLIP_CACHE", old)
    paths = {"ws": str(root), "ck": str(ck), "other": str(other), "hm": str(hm), "idx": str(root / "idx")}

    # checkpoints: one fault each
    broken = {
        "no_config": lambda f: (f / "config.json").unlink(),
        "no_weights": lambda f: (f / "model.safetensors").unlink(),
        "bad_json": lambda f: (f / "config.json").write_text('{"embed_dim": 16,'),
        "json_list": lambda f: (f / "config.json").write_text("[1, 2]"),
        "unknown_key": lambda f: edit_json(f / "config.json", lambda d: d.update(embed_dimm=16)),
        "bad_value": lambda f: edit_json(f / "config.json", lambda d: d.update(embed_dim="big")),
        "unknown_encoder": lambda f: edit_json(f / "config.json", lambda d: d.update(imu_encoder="lstm9")),
        "truncated": lambda f: truncate(f / "model.safetensors"),
        "empty_weights": lambda f: (f / "model.safetensors").write_bytes(b""),
        "mismatched": lambda f: shutil.copy(root / "narrow" / "model.safetensors", f / "model.safetensors"),
    }
    for name, change in broken.items():
        paths[f"ck_{name}"] = copy_checkpoint(Path(ck), root / f"ck_{name}", change)

    # indexes: one fault each
    def index_copy(name, change):
        shutil.copytree(root / "idx", root / name)
        change(root / name)
        paths[name] = str(root / name)

    index_copy("idx_bad_json", lambda f: (f / "index.json").write_text("{not json"))
    index_copy("idx_bad_info", lambda f: edit_json(f / "index.json", lambda d: d.update(count="many")))
    index_copy("idx_format", lambda f: edit_json(f / "index.json", lambda d: d.update(format=99)))
    index_copy("idx_no_info", lambda f: (f / "index.json").unlink())
    index_copy("idx_truncated", lambda f: truncate(f / "embeddings.npy", 0.6))
    index_copy("idx_no_npy", lambda f: (f / "embeddings.npy").unlink())
    index_copy("idx_rows", lambda f: edit_json(f / "index.json", lambda d: d.update(count=d["count"] - 1)))
    manifest = next(p.name for p in (root / "idx").iterdir() if p.suffix == ".parquet")
    paths["manifest"] = manifest
    index_copy("idx_bad_manifest", lambda f: (f / manifest).write_bytes(b"PAR1 not parquet"))
    index_copy("idx_moved_ck", lambda f: edit_json(f / "index.json", lambda d: d.update(checkpoint=str(root / "gone"))))

    # recordings in the documented predict format (x, y, z and time in seconds)
    t = np.arange(0, 20, 0.02)
    rows = "\n".join(f"{s:.2f},{np.sin(s):.4f},0.0,1.0" for s in t)
    (root / "rec.csv").write_text("time,x,y,z\n" + rows + "\n")
    paths["rec"] = str(root / "rec.csv")
    recordings = {
        "docs": "timestamp,x,y,z\n0,1,2,3\n0.02,1,oops,3\n",  # the example of docs/evaluation.md
        "no_z": "time,x,y\n0,1,2\n",
        "no_time": "t,x,y,z\n0,1,2,3\n",
        "backwards": "timestamp,x,y,z\n0,1,2,3\n-1,1,2,3\n",
        "header_only": "time,x,y,z\n",
        "empty": "",
        "ragged": "time,x,y,z\n0,1,2,3\n0.02,1,2,3,4,5\n",
        "binary": "\x00\x01\x02PK\x03\x04",
        "bad_time": "time,x,y,z\n0,1,2,3\nyesterday,1,2,3\n",
        "nan_value": "time,x,y,z\n0,1,2,3\n0.02,1,nan,3\n",
        "inf_value": "time,x,y,z\n0,1,2,3\n0.02,inf,2,3\n",
    }
    for name, text in recordings.items():
        (root / f"rec_{name}.csv").write_text(text)
        paths[f"rec_{name}"] = str(root / f"rec_{name}.csv")

    # a generic dataset folder whose dataset.yaml is broken, and another whose field is wrong
    for name, text in (("gen_syntax", "rate: [50\n"), ("gen_field", "name: mine\nsampling_rate: fast\nunits: g\n")):
        (root / name).mkdir()
        (root / name / "dataset.yaml").write_text(text)
        (root / name / "s1.csv").write_text("subject,x,y,z,label\n1,0,0,1,walking\n")

    # pre-training configs
    configs = {
        "syntax": "name: x\ntrain:\n  lr: [0.1\n",
        "unknown_key": "name: x\ntrain:\n  lrr: 0.1\n",
        "bad_value": "name: x\ntrain:\n  lr: fast\n",
        "negative": "name: x\ntrain:\n  epochs: -3\n",
        "top_list": "- name: x\n",
        "unknown_dataset": "name: x\ndata:\n  datasets:\n    - name: no-such-set\n",
        "missing_root": f"name: x\ndata:\n  datasets:\n    - name: mhealth\n      root: {root / 'nowhere'}\n",
        "unknown_encoder": "name: x\nmodel:\n  imu_encoder: lstm9\n",
        "unknown_mode": "name: x\ntext:\n  mode: poetry\n",
        "bad_placement": "name: x\ndata:\n  datasets:\n    - name: uci-hapt\n      placement: knee\n",
        "bad_option": "name: x\ndata:\n  datasets:\n    - name: uci-hapt\n      options: {colour: red}\n",
        "gen_syntax": f"name: x\ndata:\n  datasets:\n    - name: generic\n      root: {root / 'gen_syntax'}\n",
        "gen_field": f"name: x\ndata:\n  datasets:\n    - name: generic\n      root: {root / 'gen_field'}\n",
    }
    for name, text in configs.items():
        (root / f"cfg_{name}.yaml").write_text(text)
        paths[f"cfg_{name}"] = str(root / f"cfg_{name}.yaml")
    (root / "cfg_good.yaml").write_text("name: good\ntrain:\n  epochs: 1\n")
    paths["cfg_good"] = str(root / "cfg_good.yaml")

    # things in the way of outputs
    (root / "afile").write_text("a user's file\n")
    paths["file"] = str(root / "afile")
    (root / "mine").mkdir()
    (root / "mine" / "notes.txt").write_text("a user's notes\n")
    paths["mine"] = str(root / "mine")
    (root / "run_mine").mkdir()
    (root / "run_mine" / "thesis.tex").write_text("\\documentclass{article}\n")
    paths["run_mine"] = str(root / "run_mine")
    return paths


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: relative path -> sha256 (folders: 'dir')."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            out[os.path.relpath(os.path.join(dirpath, name), folder)] = "dir"
        for name in filenames:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, folder)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return out


# kind, arguments ({name} from the workspace), text the error line must contain
CHECKPOINT_FAULTS = [
    ("ck_no_config", "config.json"),
    ("ck_no_weights", "model.safetensors"),
    ("ck_bad_json", "config.json"),
    ("ck_json_list", "config.json"),
    ("ck_unknown_key", "embed_dimm"),
    ("ck_bad_value", "embed_dim"),
    ("ck_unknown_encoder", "ck_unknown_encoder/config.json: unknown IMU encoder 'lstm9'"),
    ("ck_truncated", "model.safetensors"),
    ("ck_empty_weights", "model.safetensors"),
    ("ck_mismatched", "model.safetensors"),
]
CHECKPOINT_COMMANDS = {
    "zeroshot": "zeroshot {%s} -d mhealth --root {hm} -o {ws}/out",
    "predict": "predict {%s} {rec} --activities walking,sitting -o {ws}/out",
    "index": "index {%s} -d mhealth --root {hm} -o {ws}/out",
    "adapt": "adapt {%s} -d mhealth --root {hm} -o {ws}/out",
}
CASES = [
    pytest.param("checkpoint", command % fault, culprit, id=f"checkpoint-{name}-{fault}")
    for fault, culprit in CHECKPOINT_FAULTS for name, command in CHECKPOINT_COMMANDS.items()
] + [
    pytest.param("checkpoint", "zeroshot {ws}/nothere -d mhealth --root {hm}", "nothere", id="checkpoint-missing"),
    pytest.param("checkpoint", "zeroshot {file} -d mhealth --root {hm}", "afile", id="checkpoint-is-a-file"),
    pytest.param("checkpoint", "search {idx} walking --checkpoint {ck_truncated}", "model.safetensors",
                 id="checkpoint-search-truncated"),
] + [
    pytest.param("config", f"pretrain {{{name}}}", culprit, id=f"config-{name}") for name, culprit in [
        ("cfg_syntax", "line 4"),
        ("cfg_unknown_key", "train.lrr: unknown key"),
        ("cfg_bad_value", "train.lr"),
        ("cfg_negative", "train.epochs"),
        ("cfg_top_list", "cfg_top_list.yaml"),
        ("cfg_unknown_dataset", "no-such-set"),
        ("cfg_missing_root", "nowhere"),
        ("cfg_unknown_encoder", "lstm9"),
        ("cfg_unknown_mode", "poetry"),
        ("cfg_bad_placement", "knee"),
        ("cfg_bad_option", "colour"),
        ("cfg_gen_syntax", "gen_syntax/dataset.yaml: not valid YAML (line 2, column 1"),
        ("cfg_gen_field", "gen_field/dataset.yaml: field 'sampling_rate'"),
    ]
] + [
    pytest.param("config", "pretrain {ws}/missing.yaml", "missing.yaml", id="config-missing-file"),
    pytest.param("config", "pretrain no-such-preset", "no-such-preset", id="config-unknown-preset"),
    pytest.param("config", "pretrain", "CONFIG", id="config-none-given"),
    pytest.param("config", "pretrain {cfg_good} --set train.lr", "train.lr", id="config-set-without-value"),
    pytest.param("config", "pretrain {cfg_good} --set train.lrr=1", "train.lrr", id="config-set-unknown-key"),
    pytest.param("config", "pretrain {cfg_good} --set train.lr=[1", "train.lr", id="config-set-bad-yaml"),
    pytest.param("config", "pretrain {cfg_good} --set data.datasets.5.root=x", "data.datasets.5",
                 id="config-set-bad-index"),
    pytest.param("config", "pretrain nls-base --set train.batch_size=0", "train.batch_size", id="config-preset-bad-set"),
] + [
    pytest.param("index", command, culprit, id=f"index-{name}") for name, command, culprit in [
        ("missing", "search {ws}/no-index walking", "no-index"),
        ("bad-json", "search {idx_bad_json} walking", "index.json"),
        ("bad-info", "search {idx_bad_info} walking", "count"),
        ("format", "search {idx_format} walking", "index format 99"),
        ("no-info", "search {idx_no_info} walking", "index.json"),
        ("truncated-npy", "search {idx_truncated} walking", "embeddings.npy"),
        ("no-npy", "search {idx_no_npy} walking", "embeddings.npy"),
        ("rows-mismatch", "search {idx_rows} walking", "embeddings.npy"),
        ("bad-manifest", "search {idx_bad_manifest} walking", "{manifest}"),
        ("other-checkpoint", "search {idx} walking --checkpoint {other}", "not the weights this index was built with"),
        ("moved-checkpoint", "search {idx_moved_ck} walking", "gone: the checkpoint"),
        ("empty-query", "search {idx} ''", "quer"),
        ("blank-query", "search {idx} '   '", "quer"),
        ("unknown-backend", "search {idx} walking --backend annoy", "annoy"),
        ("metrics-truncated", "retrieval-metrics {idx_truncated}", "embeddings.npy"),
        ("metrics-bad-sentences", "retrieval-metrics {idx} --sentences poetry", "poetry"),
        ("video-window-out-of-range", "search-video {idx} --video-embeddings {file} --window 99999", "--window"),
        ("video-neither", "search-video {idx}", "--videos"),
        ("video-bad-json", "search-video {idx_bad_json} --video-embeddings {file}", "index.json"),
        ("unknown-subject", "index {ck} -d mhealth --root {hm} --subject 99 -o {ws}/out", "99"),
        ("unknown-recording", "index {ck} -d mhealth --root {hm} --recording nope -o {ws}/out", "nope"),
    ]
] + [
    pytest.param("argument", command, culprit, id=f"argument-{name}") for name, command, culprit in [
        ("empty-activities", "zeroshot {ck} -d mhealth --root {hm} --activities ''", "activities"),
        ("duplicated-activities", "zeroshot {ck} -d mhealth --root {hm} --activities 'walking,walking'", "walking"),
        ("unknown-activity", "zeroshot {ck} -d mhealth --root {hm} --activities swimming", "swimming"),
        ("unknown-recognition", "zeroshot {ck} -d mhealth --root {hm} --recognition poetry", "poetry"),
        ("unknown-subjects", "zeroshot {ck} -d mhealth --root {hm} --subjects some", "some"),
        ("unknown-dataset", "zeroshot {ck} -d no-such-set", "no-such-set"),
        ("unknown-placement", "zeroshot {ck} -d mhealth --root {hm} --placement knee", "knee"),
        ("missing-root", "zeroshot {ck} -d mhealth --root {ws}/nowhere", "nowhere"),
        ("unknown-loader-option", "zeroshot {ck} -d mhealth --root {hm} --option colour=red", "colour"),
        ("malformed-loader-option", "zeroshot {ck} -d mhealth --root {hm} --option colour", "--option"),
        ("one-activity", "predict {ck} {rec} --activities walking", "walking"),
        ("duplicated-predict-activities", "predict {ck} {rec} --activities 'a,b,a'", "a"),
        ("empty-predict-activities", "predict {ck} {rec} --activities ''", "activities"),
        ("rate-zero", "predict {ck} {rec_no_time} --activities a,b --rate 0", "rate"),
        ("rate-negative", "predict {ck} {rec_no_time} --activities a,b --rate -50", "rate"),
        ("rate-nan", "predict {ck} {rec_no_time} --activities a,b --rate nan", "rate"),
        ("unknown-units", "predict {ck} {rec} --activities a,b --units furlongs", "furlongs"),
        ("predict-unknown-recognition", "predict {ck} {rec} --activities a,b --recognition poetry", "poetry"),
        ("missing-recording", "predict {ck} {ws}/nothere.csv --activities a,b", "nothere.csv"),
        ("recording-docs-example", "predict {ck} {rec_docs} --activities a,b",
         "rec_docs.csv: line 3, field 'y': expected a number, found 'oops'"),
        ("recording-no-z", "predict {ck} {rec_no_z} --activities a,b", "rec_no_z.csv"),
        ("recording-no-time", "predict {ck} {rec_no_time} --activities a,b", "rec_no_time.csv"),
        ("recording-backwards", "predict {ck} {rec_backwards} --activities a,b", "rec_backwards.csv: line 3"),
        ("recording-header-only", "predict {ck} {rec_header_only} --activities a,b", "rec_header_only.csv"),
        ("recording-empty", "predict {ck} {rec_empty} --activities a,b", "rec_empty.csv"),
        ("recording-ragged", "predict {ck} {rec_ragged} --activities a,b", "rec_ragged.csv"),
        ("recording-binary", "predict {ck} {rec_binary} --activities a,b", "rec_binary.csv"),
        ("recording-bad-time", "predict {ck} {rec_bad_time} --activities a,b", "rec_bad_time.csv: line 3"),
        ("recording-nan", "predict {ck} {rec_nan_value} --activities a,b", "rec_nan_value.csv: line 3"),
        ("recording-inf", "predict {ck} {rec_inf_value} --activities a,b", "rec_inf_value.csv: line 3"),
        ("recording-is-a-folder", "predict {ck} {hm} --activities a,b", "mhealth"),
        ("adapt-unknown-objective", "adapt {ck} -d mhealth --root {hm} --objective slip9", "slip9"),
        ("adapt-unknown-mode", "adapt {ck} -d mhealth --root {hm} --mode poetry", "poetry"),
        ("adapt-zero-shots", "adapt {ck} -d mhealth --root {hm} --shots 0", "--shots"),
        ("evaluate-target-not-in-datasets", "evaluate --datasets mhealth --target uci-hapt", "--target"),
        ("evaluate-stray-root", "evaluate --datasets mhealth --target mhealth --root wisdm=x", "wisdm"),
        ("evaluate-malformed-root", "evaluate --datasets mhealth --target mhealth --root mhealth", "--root"),
        ("evaluate-duplicated-datasets", "evaluate --datasets mhealth,mhealth --target mhealth", "mhealth"),
        ("experiment-unknown", "experiment table9 --datasets mhealth", "table9"),
        ("experiment-unknown-row", "experiment table1 --datasets mhealth --rows nope -o {ws}/exp", "nope"),
        ("experiment-shots-not-a-number", "experiment fig3 --datasets mhealth --shots two -o {ws}/exp", "--shots"),
        ("text-unknown-dataset", "text show no-such-set", "no-such-set"),
        ("text-unknown-mode", "text show uci-hapt --mode poetry", "poetry"),
        ("text-duplicated-classes", "text show uci-hapt --classes 'walking,walking'", "walking"),
        ("text-missing-vocabulary", "text show uci-hapt --vocabulary {ws}/vocab.yaml", "vocab.yaml"),
        ("text-generate-unknown-kind", "text generate uci-hapt --kind poems --endpoint http://127.0.0.1:9/v1 --model m",
         "poems"),
        ("text-generate-not-a-url", "text generate uci-hapt --kind paraphrases --endpoint 'not a url' --model m",
         "not a url"),
        ("text-generate-dead-endpoint", "text generate uci-hapt --kind paraphrases --endpoint http://127.0.0.1:9/v1 "
         "--model m --retries 0 --timeout 2 -o {ws}/vocab-out.yaml", "127.0.0.1:9"),
        ("data-info-unknown", "data info no-such-set", "no-such-set"),
        ("data-prepare-overlap", "data prepare mhealth --root {hm} --overlap 1.5", "overlap"),
        ("data-prepare-label-rule", "data prepare mhealth --root {hm} --label-rule vote", "label_rule"),
        ("data-download-unknown", "data download no-such-set", "no-such-set"),
        ("unknown-option", "zeroshot {ck} -d mhealth --colour red", "--colour"),
        ("missing-argument", "predict --activities walking,cycling", "RECORDING"),
    ]
] + [
    pytest.param("output", command, culprit, id=f"output-{name}",
                 marks=[pytest.mark.slow] if name == "zeroshot-in-proc" else [])  # scores the data first
    for name, command, culprit in [
        ("zeroshot-under-a-file", "zeroshot {ck} -d mhealth --root {hm} -o {file}/out", "afile"),
        ("zeroshot-into-a-users-folder", "zeroshot {ck} -d mhealth --root {hm} -o {mine}", "mine"),
        ("zeroshot-is-a-file", "zeroshot {ck} -d mhealth --root {hm} -o {file}", "afile"),
        ("zeroshot-in-proc", "zeroshot {ck} -d mhealth --root {hm} -o /proc/wearclip-out", "/proc/wearclip-out"),
        ("predict-under-a-file", "predict {ck} {rec} --activities a,b -o {file}/out", "afile"),
        ("predict-into-a-users-folder", "predict {ck} {rec} --activities a,b -o {mine}", "mine"),
        ("adapt-into-a-users-folder", "adapt {ck} -d mhealth --root {hm} -o {mine}", "mine"),
        ("index-under-a-file", "index {ck} -d mhealth --root {hm} -o {file}/idx", "afile"),
        ("index-into-a-users-folder", "index {ck} -d mhealth --root {hm} -o {mine}", "mine"),
        ("index-into-a-checkpoint", "index {ck} -d mhealth --root {hm} -o {other}", "other"),
        ("index-in-proc", "index {ck} -d mhealth --root {hm} -o /proc/wearclip-idx", "/proc/wearclip-idx"),
        ("search-csv-under-a-file", "search {idx} walking --csv {file}/hits.csv", "afile"),
        ("search-csv-in-proc", "search {idx} walking --csv /proc/wearclip-hits.csv", "/proc/wearclip-hits.csv"),
        ("metrics-json-under-a-file", "retrieval-metrics {idx} --json {file}/m.json", "afile"),
        ("pretrain-under-a-file", "pretrain {cfg_unknown_encoder} -o {file}/run", "afile"),
        ("pretrain-into-a-users-folder", "pretrain {cfg_good} -o {run_mine}", "run_mine"),
        ("experiment-into-a-users-folder", "experiment table1 --datasets mhealth -o {mine}", "mine"),
        ("prepare-cache-under-a-file", "data prepare mhealth --root {hm} --cache {file}/cache", "afile"),
    ]
]


@pytest.mark.parametrize("kind, command, culprit", CASES)
def test_bad_input_is_one_line_exit_2_and_touches_nothing(ws, kind, command, culprit, monkeypatch):
    import shlex

    monkeypatch.setenv("WEARCLIP_CACHE", str(Path(ws["ws"]) / "cache"))
    monkeypatch.chdir(ws["ws"])
    before = tree(Path(ws["ws"]))
    result = runner.invoke(app, shlex.split(command.format(**ws)))
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert culprit.format(**ws) in lines[0], lines[0]
    after = tree(Path(ws["ws"]))
    assert {p: h for p, h in after.items() if p in before} == before  # nothing changed or removed
    added = sorted(set(after) - set(before))
    # only complete cache entries may appear (text embeddings of valid sentences, computed before an
    # output turned out unwritable): no output, no temporary
    assert all(p.startswith("cache" + os.sep) and ".tmp" not in p for p in added), added
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_suite_covers_every_kind_and_at_least_80_cases():
    kinds = [case.values[0] for case in CASES]
    assert len(CASES) >= 80
    assert {k: kinds.count(k) for k in set(kinds)}.keys() == {"checkpoint", "config", "index", "argument", "output"}


def test_a_bug_is_exit_1_with_one_line_and_the_traceback_only_with_debug(ws, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("wearclip.data.datasets.load", broken)
    plain = runner.invoke(app, ["zeroshot", ws["ck"], "-d", "mhealth"])
    assert plain.exit_code == 1
    assert plain.stderr.splitlines() == ["error: internal error, please report it: ZeroDivisionError: division by "
                                         "zero (rerun with --debug or WEARCLIP_DEBUG=1 for the traceback)"]
    debug = runner.invoke(app, ["--debug", "zeroshot", ws["ck"], "-d", "mhealth"])
    assert debug.exit_code == 1 and "Traceback (most recent call last)" in debug.stderr
    monkeypatch.setenv("WEARCLIP_DEBUG", "1")
    assert "Traceback" in runner.invoke(app, ["zeroshot", ws["ck"], "-d", "mhealth"]).stderr


@pytest.mark.parametrize("args, shown", [(["--list"], "nls-base"), (["slip", "--show"], "simclr_weight")])
def test_pretrain_list_and_show_import_no_torch(args, shown):
    import subprocess
    import sys

    code = (f"import sys\nfrom wearclip.cli import main\nsys.argv = ['wearclip', 'pretrain', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as done:\n    assert done.code == 0, done.code\n"
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert shown in done.stdout
