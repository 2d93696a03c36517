"""`wearclip index | search | retrieval-metrics` on real UCI HAPT (official layout) with a small checkpoint."""

import json
import re

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from wearclip.cli import app
from wearclip.config.train import TrainConfig
from wearclip.data import datasets
from wearclip.data.windows import make_windows
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import EmbeddingIndex
from wearclip.text.templates import base_sentence
from wearclip.train.pretrain import fit_pretraining

runner = CliRunner()
pytestmark = pytest.mark.slow  # every test uses the module's checkpoint, trained for two epochs (~15 s)


def rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines() if re.match(r"^│\s*\d", line)]


@pytest.fixture(scope="module")
def built(tmp_path_factory, hapt_root):
    """A checkpoint pre-trained for two epochs on subjects 1-4, and an index of subjects 5 and 6."""
    folder = tmp_path_factory.mktemp("cli")
    dataset = datasets.load("uci-hapt", hapt_root)
    windows = make_windows([r for r in dataset.recordings() if int(r.subject) <= 5], dataset.classes)
    torch.manual_seed(0)
    result = fit_pretraining(WearClip(), windows.of_subjects(["1", "2", "3", "4"]), windows.of_subjects(["5"]),
                             TrainConfig(epochs=2, batch_size=128),
                             class_sentences=[[base_sentence(c)] for c in dataset.classes])
    checkpoint = result.model.save_pretrained(folder / "ckpt")
    index = folder / "idx"
    done = runner.invoke(app, ["index", str(checkpoint), "--dataset", "uci-hapt", "--root", str(hapt_root),
                               "--subject", "5", "--subject", "6", "-o", str(index)])
    assert done.exit_code == 0, done.output
    assert re.search(r"indexed \d+ windows \(\d+ labelled, 128-d\) of uci-hapt", done.output)
    return folder, checkpoint, index


def test_search_prints_the_top_windows_and_writes_csv_and_plot(built):
    folder, _, index = built
    csv, png = folder / "hits.csv", folder / "hits.png"
    result = runner.invoke(app, ["search", str(index), "someone walking downstairs", "-k", "4", "--csv", str(csv),
                                 "--plot", str(png)], terminal_width=200)
    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert [r[0] for r in table] == ["1", "2", "3", "4"]
    assert {r[3] for r in table} <= {"5", "6"}  # subject column
    hits = pd.read_csv(csv)
    assert hits.id.tolist() == [int(r[1]) for r in table]
    assert (np.diff(hits.similarity) <= 0).all()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_backends_agree_and_several_queries_get_a_plot_each(built):
    pytest.importorskip("faiss")
    folder, _, index = built
    queries = ["a person lying down", "someone standing still"]
    exact = runner.invoke(app, ["search", str(index), *queries, "-k", "5"], terminal_width=200)
    faiss = runner.invoke(app, ["search", str(index), *queries, "-k", "5", "--backend", "faiss",
                                "--plot", str(folder / "q.png")], terminal_width=200)
    assert exact.exit_code == 0 and faiss.exit_code == 0, faiss.output
    assert rows(exact.output) == rows(faiss.output) and len(rows(exact.output)) == 10
    assert (folder / "q-1.png").is_file() and (folder / "q-2.png").is_file()


def test_retrieval_metrics_match_the_library(built):
    folder, checkpoint, index = built
    out = folder / "metrics.json"
    result = runner.invoke(app, ["retrieval-metrics", str(index), "--json", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    store = EmbeddingIndex(index)
    labelled = int(store.manifest.label.notna().sum())
    assert metrics["sensor_to_text"]["queries"] == labelled
    assert metrics["text_to_sensor"]["gallery"] == labelled
    # sensor -> text R@1 is zero-shot accuracy over the indexed labelled windows
    model = WearClip.from_pretrained(checkpoint)
    with torch.no_grad():
        text = model.encode_text([base_sentence(c) for c in store.info.classes])
    keep = store.manifest.label.notna().to_numpy()
    predicted = np.asarray(store.info.classes)[(store.vectors(np.flatnonzero(keep)) @ text.T).argmax(1)]
    accuracy = np.mean(predicted == store.manifest.label[keep].to_numpy())
    assert metrics["sensor_to_text"]["recall"]["1"] == pytest.approx(accuracy)
    assert accuracy > 0.3  # two epochs on four subjects already beat chance (1/12) clearly
    paraphrased = runner.invoke(app, ["retrieval-metrics", str(index), "--sentences", "paraphrase"], terminal_width=200)
    assert paraphrased.exit_code == 0, paraphrased.output
    assert "sentences 'paraphrase'" in paraphrased.output
    assert "text to sensor" in paraphrased.output and "sensor to text" in paraphrased.output


def test_cli_errors_are_clear(built, tmp_path):
    folder, checkpoint, index = built
    missing = runner.invoke(app, ["search", str(tmp_path), "walking"])
    assert missing.exit_code == 2 and "not a wearclip index" in missing.stderr
    unknown = runner.invoke(app, ["index", str(checkpoint), "--dataset", "no-such-set", "-o", str(tmp_path / "x")],
                            terminal_width=200)
    assert unknown.exit_code == 2 and "unknown dataset" in unknown.output
    option = runner.invoke(app, ["index", str(checkpoint), "--dataset", "uci-hapt", "--option", "label_scheme=x",
                                 "-o", str(tmp_path / "x")], terminal_width=200)
    assert option.exit_code == 2 and "has no option label_scheme" in option.output
    assert not (tmp_path / "x").exists()
    backend = runner.invoke(app, ["search", str(index), "walking", "--backend", "annoy"], terminal_width=200)
    assert backend.exit_code == 2 and "choose one of exact, faiss" in backend.output
