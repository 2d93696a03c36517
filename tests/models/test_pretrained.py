"""The shipped model wearclip-base: loadable offline by name, small, recognises its input contract, and
equal to what scripts/build_pretrained.py rebuilds from the shared data."""

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import wearclip
from tests.support.shared import shared_dataset
from wearclip.data import datasets
from wearclip.data.splits import subject_split
from wearclip.data.store import WindowStore
from wearclip.metrics import evaluate_predictions
from wearclip.models.registry import list_models
from wearclip.models.saving import PRETRAINED

BASE = PRETRAINED / "wearclip-base"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_pretrained.py"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wearclip_base_ships_small_with_its_card_and_loads_offline_by_name():
    assert "wearclip-base" in list_models()
    assert (BASE / "model.safetensors").stat().st_size < 8 << 20  # a few MB, inside the package
    assert "## Input contract" in (BASE / "MODEL_CARD.md").read_text(encoding="utf-8")
    model = wearclip.load("wearclip-base")
    config = json.loads((BASE / "config.json").read_text(encoding="utf-8"))
    assert model.config.frame == config["frame"] == "gravity"  # the frame travels with the weights
    assert sorted(model.config.pretrained_on) == sorted(["uci-hapt", "mobifall", "seglearn-watch", "dsads", "wisdm"])
    assert (model.config.window.rate, model.config.window.seconds) == (50.0, 2.0)
    assert model.config.recognition_mode() == config["sentence_mode"] == "ensemble+movement"


@pytest.mark.slow
def test_wearclip_base_recognises_the_embedded_hapt_test_subjects_far_above_chance(tmp_path):
    """UCI HAPT is among its training data (train and test subjects): a check that the weights are
    the trained ones and wired to the text (a random model is at chance, 1/12 for 12 classes)."""
    windows = WindowStore(tmp_path).open(datasets.load("uci-hapt"))
    test = windows.of_subjects(subject_split(windows.subjects, 0).test)
    model = wearclip.load("wearclip-base")
    result = model.classify(test.x, test.classes, dataset="uci-hapt")  # with the sentences it learned (auto)
    predicted = np.array([test.classes.index(a) for a in result.labels])
    assert evaluate_predictions(test.labels, predicted, test.classes).macro_f1 > 3 / 12


MARGIN = 0.05
"""Largest allowed gap in validation macro-F1 between the shipped and a rebuilt model (same seed: they
differ only by float rounding): about the largest seed-to-seed standard deviation of the recipe
measured in docs/results.md (3.9 points), so a rebuild may drift no further than another seed would."""


@pytest.mark.slow
def test_the_build_script_rebuilds_the_shipped_model_within_a_stated_margin(tmp_path):
    """The rebuild is not bit-identical (a rebuild in a fresh cache gave another weights hash: the
    float rounding of cached text embeddings and of the CPU kernels is not fixed across runs), so it
    must have the same config and score within MARGIN of the shipped weights (minutes of CPU)."""
    for folder in ("mobifall-v2", "seglearn-watch", "dsads", "wisdm-2019"):
        shared_dataset(folder)
    spec = importlib.util.spec_from_file_location("build_pretrained", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    data = shared_dataset("dsads").parent
    out = script.build(data, tmp_path / "wearclip-base")
    assert sha256(out / "config.json") == sha256(BASE / "config.json")
    rebuilt, shipped = script.evaluate(data, out), script.evaluate(data, BASE)
    for name, score in shipped.items():
        assert abs(rebuilt[name] - score) < MARGIN, name
