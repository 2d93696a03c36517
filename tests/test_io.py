"""wearclip.io: outputs replace only what wearclip wrote; stale temporaries of dead processes are cleaned up."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from tests.support import formats
from wearclip.config.model import WearClipConfig
from wearclip.data import datasets
from wearclip.data.store import WindowStore
from wearclip.errors import OutputError
from wearclip.io import MARKER, atomic_directory, atomic_path, claim_directory, read_marker, write_text
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import write_index


def user_folder(path, name="notes.txt", text="the user's own file\n"):
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_text(text)
    return path / name


def one_batch(n=4, dim=8):
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"subject": ["s1"] * n, "recording": ["r1"] * n, "start": np.arange(n, dtype=float),
                         "end": np.arange(n, dtype=float) + 2, "label": ["walking"] * n})
    return [(rng.standard_normal((n, dim)).astype(np.float32), rows)]


def small_model():
    torch.manual_seed(0)
    return WearClip(WearClipConfig(embed_dim=16, text_head_depth=1, head_depth=1))


def test_index_into_a_users_folder_is_refused_and_the_file_survives(tmp_path):
    kept = user_folder(tmp_path / "out")
    with pytest.raises(OutputError, match=r"out: folder holds files wearclip did not write \(e.g. 'notes.txt'\)"):
        write_index(tmp_path / "out", one_batch())
    assert kept.read_text() == "the user's own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary left beside it


def test_index_with_overwrite_adds_its_files_beside_the_users_and_replaces_only_its_own(tmp_path):
    kept = user_folder(tmp_path / "out")
    write_index(tmp_path / "out", one_batch(4), overwrite=True)
    first = set(read_marker(tmp_path / "out")["files"])
    assert "notes.txt" not in first and kept.read_text() == "the user's own file\n"
    write_index(tmp_path / "out", one_batch(6), overwrite=True)
    assert json.loads((tmp_path / "out" / "index.json").read_text())["count"] == 6
    assert kept.read_text() == "the user's own file\n"
    assert set(read_marker(tmp_path / "out")["files"]) == first


def test_overwrite_replaces_our_subfolders_and_keeps_the_users_files(tmp_path):
    kept = user_folder(tmp_path / "out")
    for count in (1, 2):
        with atomic_directory(tmp_path / "out", "adapt", overwrite=True) as tmp:
            small_model().save_pretrained(tmp / "checkpoint")
            write_text(tmp / "metrics.json", str(count))
    assert (tmp_path / "out" / "metrics.json").read_text() == "2" and kept.exists()
    assert WearClip.from_pretrained(tmp_path / "out" / "checkpoint") is not None
    assert set(read_marker(tmp_path / "out")["files"]) == {"checkpoint", "metrics.json"}


def test_overwrite_never_replaces_a_users_file_of_the_same_name(tmp_path):
    kept = user_folder(tmp_path / "out", "index.json", "{}")
    with pytest.raises(OutputError, match=r"out: would replace 'index.json', which wearclip did not write"):
        write_index(tmp_path / "out", one_batch(), overwrite=True)
    assert kept.read_text() == "{}"


def test_an_index_replaces_an_index_but_not_a_checkpoint(tmp_path):
    write_index(tmp_path / "idx", one_batch(4))
    write_index(tmp_path / "idx", one_batch(6))
    assert read_marker(tmp_path / "idx")["kind"] == "index"
    assert json.loads((tmp_path / "idx" / "index.json").read_text())["count"] == 6
    small_model().save_pretrained(tmp_path / "ckpt")
    with pytest.raises(OutputError, match=r"ckpt: folder holds a checkpoint output"):
        write_index(tmp_path / "ckpt", one_batch())
    WearClip.from_pretrained(tmp_path / "ckpt")


def test_checkpoint_replaces_itself_and_a_checkpoint_written_before_markers(tmp_path):
    model = small_model()
    model.save_pretrained(tmp_path / "ckpt")
    assert read_marker(tmp_path / "ckpt") == {"kind": "checkpoint", "files": ["config.json", "model.safetensors"]}
    (tmp_path / "ckpt" / MARKER).unlink()  # as an older wearclip wrote it: config.json + model.safetensors only
    model.save_pretrained(tmp_path / "ckpt")
    assert read_marker(tmp_path / "ckpt")["kind"] == "checkpoint"


def test_checkpoint_into_a_folder_with_a_users_file_is_refused(tmp_path):
    model = small_model()
    model.save_pretrained(tmp_path / "ckpt")
    kept = user_folder(tmp_path / "ckpt", "README.md")
    with pytest.raises(OutputError, match=r"ckpt: folder holds a checkpoint output \(e.g. 'README.md'\)"):
        model.save_pretrained(tmp_path / "ckpt")
    assert kept.exists()
    model.save_pretrained(tmp_path / "ckpt", overwrite=True)
    assert kept.exists() and WearClip.from_pretrained(tmp_path / "ckpt") is not None


def test_window_store_folder_with_a_users_file_is_refused(tmp_path):
    dataset = datasets.load("mhealth", formats.mhealth(tmp_path / "mhealth"))
    store = WindowStore(tmp_path / "cache")
    path = store.path(dataset, None)
    kept = user_folder(path)
    with pytest.raises(OutputError, match=str(path.name)):
        store.open(dataset, rebuild=True)
    assert kept.read_text() == "the user's own file\n"
    kept.unlink()
    assert len(store.open(dataset, rebuild=True)) > 0
    assert read_marker(path)["kind"] == "window-store"


def test_report_folder_is_claimed_only_when_new_empty_or_of_the_same_kind(tmp_path):
    claim_directory(tmp_path / "report", "zeroshot")
    write_text(tmp_path / "report" / "metrics.json", "{}")
    claim_directory(tmp_path / "report", "zeroshot")  # a rerun writes into it again
    with pytest.raises(OutputError, match="report: folder holds a zeroshot output, not a predict"):
        claim_directory(tmp_path / "report", "predict")
    kept = user_folder(tmp_path / "mine")
    with pytest.raises(OutputError, match="mine: folder holds files wearclip did not write"):
        claim_directory(tmp_path / "mine", "zeroshot")
    assert kept.exists() and not (tmp_path / "mine" / MARKER).exists()
    legacy = user_folder(tmp_path / "old", "metrics.json", "{}")
    claim_directory(tmp_path / "old", "zeroshot", known=frozenset({"metrics.json", "confusion.png"}))
    assert legacy.exists()


def test_paths_under_a_file_and_folders_in_the_way_are_errors_naming_them(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"file/out/a.txt: cannot write here, .*/file is a file"):
        write_text(tmp_path / "file" / "out" / "a.txt", "y")
    with pytest.raises(OutputError, match=r"file: exists and is not a folder"):
        write_index(tmp_path / "file", one_batch())
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match=r"dir: is a folder, expected a file name"):
        write_text(tmp_path / "dir", "y")
    assert (tmp_path / "file").read_text() == "x"


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    from wearclip.io import _HOST

    dead, live = dead_pid(), os.getpid()
    stale = tmp_path / f".out.{_HOST}-{dead}-0a0b0c0d.tmp"
    stale.mkdir()
    (stale / "x.f32").write_bytes(b"half")
    running = tmp_path / f".out.{_HOST}-{live}-0a0b0c0d.tmp"
    running.mkdir()
    other = tmp_path / f".other.{_HOST}-{dead}-0a0b0c0d.tmp"  # another target's: not ours to judge now
    other.mkdir()
    write_index(tmp_path / "out", one_batch())
    assert not stale.exists() and running.exists() and other.exists()
    with atomic_path(tmp_path / "other") as tmp:
        tmp.write_text("done")
    assert not other.exists() and (tmp_path / "other").read_text() == "done"


def test_a_failed_block_leaves_nothing_and_keeps_the_previous_output(tmp_path):
    write_index(tmp_path / "idx", one_batch(4))
    with pytest.raises(RuntimeError), atomic_directory(tmp_path / "idx", "index") as tmp:
        (tmp / "index.json").write_text("half")
        raise RuntimeError("crash while writing")
    assert json.loads((tmp_path / "idx" / "index.json").read_text())["count"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx"]


WRITER = """
import sys
from wearclip.io import atomic_directory
with atomic_directory(sys.argv[1], "index") as tmp:
    (tmp / "part").write_text(sys.argv[2])
"""


def test_concurrent_writers_of_one_target_leave_one_complete_output(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "out"), str(n)], env=env,
                                  stderr=subprocess.PIPE) for n in range(4)]
    errors = [p.communicate()[1].decode() for p in processes]
    assert all(p.returncode == 0 for p in processes), errors
    assert (tmp_path / "out" / "part").read_text() in {"0", "1", "2", "3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
