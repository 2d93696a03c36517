"""The CLI runs Enhanced CPC like the other self-supervised baselines: evaluate pre-trains and scores it
(on the small synthetic generic-format dataset of the evaluation tests), and the study's Tab. 1 lists it
beside CPC."""

import json

import pytest
import torch
from typer.testing import CliRunner

from tests.cli.test_evaluate_commands import write_generic
from wearclip.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Window caches in a temporary folder; one thread (small budgets on a shared machine)."""
    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_evaluate_pretrains_and_scores_enhanced_cpc(tmp_path):
    toy = write_generic(tmp_path / "toy")
    result = runner.invoke(app, ["evaluate", "--method", "enhanced-cpc", "--datasets", "generic",
                                 "--target", "generic", "--pretrain-on", "target", "--seeds", "1",
                                 "--epochs", "1", "--steps", "5", "--root", f"generic={toy}",
                                 "--checkpoints", str(tmp_path / "ckpt")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "pre-training enhanced-cpc on generic" in result.output and "over 1 seed(s)" in result.output
    [folder] = (tmp_path / "ckpt").iterdir()
    assert folder.name.startswith("enhanced-cpc-") and json.loads((folder / "recipe.json").read_text())["kind"] == "enhanced-cpc"


def test_table1_lists_enhanced_cpc_after_cpc():
    result = runner.invoke(app, ["experiment", "table1", "--datasets", "seglearn-watch", "--list-rows"])
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.splitlines() if line.startswith(("cpc ", "enhanced-cpc "))]
    assert rows == ["cpc", "enhanced-cpc"]
