"""``wearclip data ...`` end to end: list, info, prepare, download (network simulated, never used)."""

import dataclasses
import hashlib
import io
import urllib.error

import pytest
from typer.testing import CliRunner

from tests.support import formats
from wearclip.cli import app
from wearclip.data import datasets
from wearclip.data.datasets import registry
from wearclip.data.download import download

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, ["data", *map(str, args)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_list_shows_every_dataset():
    code, out = run("list")
    assert code == 0
    for name in datasets.names():
        assert name in out


def test_info_on_the_embedded_copy_counts_subjects_classes_and_windows(tmp_path):
    code, out = run("info", "uci-hapt", "--cache", tmp_path)
    assert code == 0, out
    assert "30 subjects" in out and "61 recordings" in out
    assert "walking upstairs" in out and "lying down from standing" in out
    assert "study group waist" in out


def test_info_without_files_prints_facts_and_classes():
    code, out = run("info", "pamap2")
    assert code == 0 and "Reiss" in out and "jumping rope" in out and "--root" in out


def test_prepare_a_fixture_with_options_and_errors(tmp_path):
    root = formats.mhealth(tmp_path / "mhealth")
    code, out = run("prepare", "mhealth", "--root", root, "--placement", "wrist", "--cache", tmp_path / "c",
                    "--overlap", "0")
    assert code == 0, out
    assert "mhealth: " in out and "2 subjects" in out and "12 classes" in out
    code, out = run("prepare", "mhealth", "--root", root, "--option", "label_scheme=x")
    assert code == 2 and "no option label_scheme" in out
    (root / "MHEALTHDATASET" / "mHealth_subject1.log").write_text("1 2 3\n")
    code, out = run("prepare", "mhealth", "--root", root, "--cache", tmp_path / "c2")
    assert code == 2 and "mHealth_subject1.log: line 1: expected 24 fields, found 3" in out
    assert not (tmp_path / "c2").exists() or not any((tmp_path / "c2").iterdir())


def test_unknown_dataset_is_a_usage_error():
    code, out = run("info", "nope")
    assert code == 2 and "unknown dataset 'nope'" in out


def offline(*args, **kwargs):
    raise urllib.error.URLError("[Errno -2] Name or service not known")


def test_download_offline_fails_fast_and_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.setattr("urllib.request.urlopen", offline)
    code, out = run("download", "pamap2", "--dest", tmp_path / "pamap2")
    assert code == 2
    assert "cannot download" in out and "archive.ics.uci.edu" in out
    assert "wearclip data prepare pamap2 --root" in out
    assert not list((tmp_path / "pamap2").iterdir())
    code, out = run("download", "mobiact", "--dest", tmp_path / "m")
    assert code == 2 and "bmi.hmu.gr" in out


class FakeResponse(io.BytesIO):
    def __init__(self, content: bytes):
        super().__init__(content)
        self.headers = {"Content-Length": str(len(content))}


def test_download_records_and_verifies_the_sha256(tmp_path, monkeypatch):
    content = b"PK fake usc-had archive"
    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: FakeResponse(content))
    folder = download("usc-had", tmp_path / "usc")
    archive = folder / "USC-HAD.zip"
    assert archive.read_bytes() == content
    recorded = (folder / "USC-HAD.zip.sha256").read_text().split()[0]
    assert recorded == hashlib.sha256(content).hexdigest()
    monkeypatch.setattr("urllib.request.urlopen", offline)
    assert download("usc-had", tmp_path / "usc") == folder  # present and verified: no network needed
    archive.write_bytes(b"tampered")
    with pytest.raises(RuntimeError, match="does not match the digest recorded in"):
        download("usc-had", tmp_path / "usc")


def test_download_checks_a_published_digest_and_keeps_nothing_on_mismatch(tmp_path, monkeypatch):
    spec = datasets.get("usc-had")
    wrong = dataclasses.replace(spec.downloads[0], sha256="0" * 64)
    monkeypatch.setitem(registry._REGISTRY, "usc-had", dataclasses.replace(spec, downloads=(wrong,)))
    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: FakeResponse(b"bytes"))
    with pytest.raises(RuntimeError, match="does not match the published"):
        download("usc-had", tmp_path / "usc")
    assert not (tmp_path / "usc" / "USC-HAD.zip").exists()
