"""Without a checkpoint, `zeroshot`, `predict` and `index` use the shipped model wearclip-base."""

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from wearclip.cli import app
from wearclip.models.saving import PRETRAINED


def test_zeroshot_without_a_checkpoint_uses_the_shipped_model(tmp_path):
    out = tmp_path / "zs"
    result = CliRunner().invoke(app, ["zeroshot", "--dataset", "uci-hapt", "--subjects", "test", "-o", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["checkpoint"] == "wearclip-base"
    assert metrics["recognition"] == "ensemble+movement"  # auto: the sentences it was pre-trained with
    assert 0 < metrics["macro_f1"] <= 1


def test_predict_with_only_a_recording_uses_the_shipped_model(tmp_path):
    t = np.arange(0, 20, 1 / 50)
    frame = pd.DataFrame({"time": t, "x": 0.1 * np.sin(2 * np.pi * 2 * t), "y": 0.0, "z": 1.0})
    recording = tmp_path / "rec.csv"
    frame.to_csv(recording, index=False)
    out = tmp_path / "pred"
    result = CliRunner().invoke(app, ["predict", str(recording), "--activities", "walking, lying down", "-o", str(out)])
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == 19  # 2 s windows every 1 s over 20 s
    assert set(predictions["activity"]) <= {"walking", "lying down"}


def test_index_without_a_checkpoint_records_the_shipped_models_folder(tmp_path):
    out = tmp_path / "idx"
    result = CliRunner().invoke(app, ["index", "--dataset", "uci-hapt", "--subject", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "index.json").read_text())
    assert info["checkpoint"] == str(PRETRAINED / "wearclip-base")
