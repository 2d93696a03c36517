"""The generalise experiment: its rows, placement-tagged pre-training classes, capping, pseudo-labels, report."""

import numpy as np
import pandas as pd
import pytest
import torch

from tests.support.synthetic import synthetic_windows
from wearclip.config.train import TrainConfig
from wearclip.study import generalise
from wearclip.study.experiments import experiment
from wearclip.study.generalise import GeneraliseRunner, GeneraliseSetup, capped, pseudo_labelled, recipe_setup, shipped_setup
from wearclip.study.protocols import EvalSettings, ProtocolRunner, Setup

HAPT = ["walking", "sitting", "standing"]
WISDM = ["walking", "typing on a keyboard", "sitting"]


def runner(tmp_path, **settings) -> GeneraliseRunner:
    return GeneraliseRunner(EvalSettings(checkpoints=str(tmp_path), **settings), ["uci-hapt", "wisdm"],
                            windows={"uci-hapt": synthetic_windows(HAPT), "wisdm": synthetic_windows(WISDM, seed=1)})


def test_rows_switch_one_thing_at_a_time_and_the_recipe_drops_each_source():
    rows = {row.id: row.setup for row in experiment("generalise").rows(generalise.DATASETS, None)}
    assert len(rows) == len(experiment("generalise").rows(generalise.DATASETS, None))  # ids are unique
    assert rows["rotation"].rotation == "so3" and rows["rotation"].frame == "sensor"
    assert (rows["gravity"].frame, rows["gravity"].rotation, rows["gravity"].mode) == ("gravity", "yaw", "base")
    assert rows["recipe"] == recipe_setup() and rows["recipe+self-train"].self_train
    assert rows["recipe-without:dsads"].sources("uci-hapt", generalise.DATASETS) == ("mobifall", "seglearn-watch", "wisdm")
    assert rows["gravity/unicl/dsads-all/movement+paraphrases"] == shipped_setup()
    without = rows["shipped-without:wisdm"]
    assert without.sources("dsads", generalise.DATASETS) == ("uci-hapt", "mobifall", "seglearn-watch")
    assert without.model_copy(update={"without": ()}) == shipped_setup()
    assert rows["target/recipe"].sources("dsads", generalise.DATASETS) == ("dsads",)


def test_the_setup_sets_frame_and_rotation_and_plain_setups_are_unchanged(tmp_path):
    run = runner(tmp_path)
    config, objective, mode = run.recipe_of(recipe_setup())
    assert (config.frame, objective.rotation, mode) == ("gravity", "yaw", "random-template+placement")
    assert run.recipe_of(Setup(method="nls")) == ProtocolRunner(EvalSettings(), []).recipe_of(Setup(method="nls"))
    rows = {row.id: row.setup for row in experiment("generalise").rows(generalise.DATASETS, None)}
    band, _, _ = run.recipe_of(rows["gravity/unicl/dsads-all/band"])
    linear, _, _ = run.recipe_of(rows["gravity/unicl/dsads-all/linear-text"])
    shipped, _, _ = run.recipe_of(shipped_setup())
    assert (band.lowpass_hz, band.text_head_depth) == (generalise.BAND_HZ, None)
    assert (linear.lowpass_hz, linear.text_head_depth) == (None, 1)
    # options left off do not enter the config (so the cache keys of earlier rows stay as they were)
    assert "lowpass_hz" not in shipped.model_dump() and shipped.text_head_depth is None


def test_placement_sentences_describe_one_phrase_from_each_source_apart(tmp_path):
    run = runner(tmp_path)
    run._active = GeneraliseSetup(method="nls", mode="random-template+placement", per_class=5)  # as pretrained_nls sets it
    train, val = run.pretraining_data(["uci-hapt", "wisdm"], target="uci-hapt")
    assert train["uci-hapt"].classes == [f"{c} @ waist" for c in HAPT]
    assert train["wisdm"].classes == [f"{c} @ wrist" for c in WISDM]
    assert all(np.bincount(w.labels).max() <= 5 for w in (*train.values(), *val.values()))
    classes = ["walking @ waist", "walking @ wrist"]
    [waist, wrist] = run.sentences(train, classes, "random-template+placement", 0)
    assert all(s.endswith("worn at the waist.") for s in waist) and all(s.endswith("worn on the wrist.") for s in wrist)


def test_a_source_placement_is_read_in_pretraining_only_and_keys_its_cache(tmp_path, monkeypatch):
    run = runner(tmp_path)
    opened = []
    monkeypatch.setattr(run, "_opened", lambda name, placement: opened.append((name, placement)) or
                        synthetic_windows(WISDM, seed=2))
    setup = shipped_setup()
    assert dict(setup.source_placements) == {"dsads": "all"} and setup.objective == "unicl"
    run._active = GeneraliseSetup(method="nls", source_placements=(("wisdm", "pocket"),))  # as pretrained_nls sets it
    assert run.windows("wisdm") is run.windows("wisdm") and opened == [("wisdm", "pocket")]
    placed = run._source_recipe(["uci-hapt", "wisdm"], "uci-hapt")
    del run._active
    assert run.windows("wisdm").classes == WISDM and opened == [("wisdm", "pocket")]  # the run's own, as given
    plain = run._source_recipe(["uci-hapt", "wisdm"], "uci-hapt")
    assert placed[1]["placement"] == "pocket" and plain[1]["placement"] is None and placed[0] == plain[0]


def test_capped_draws_per_class_with_the_seed():
    w = synthetic_windows(HAPT, subjects=2, per_class=6)  # 12 per class
    part = capped(w, 5, seed=0)
    assert np.bincount(part.labels).tolist() == [5, 5, 5]
    np.testing.assert_array_equal(part.x, capped(w, 5, seed=0).x)
    assert len(capped(w, 20, seed=0)) == len(w)


class Scores:
    """A classifier stand-in with fixed similarity scores."""

    def __init__(self, scores):
        self._scores = torch.tensor(scores)

    def scores(self, x):
        return self._scores


def test_pseudo_labels_keep_the_most_confident_share_of_each_predicted_class():
    w = synthetic_windows(HAPT, subjects=1, per_class=2)  # 6 windows; labels are never read
    scores = [[0.9, 0.1, 0.0], [0.5, 0.4, 0.0], [0.2, 0.8, 0.0], [0.1, 0.3, 0.0], [0.0, 0.1, 0.7], [0.6, 0.0, 0.0]]
    part = pseudo_labelled(Scores(scores), w, keep=0.5)
    # class 0 predicted for windows 0, 1, 5 (margins 0.8, 0.1, 0.6): keeps round(1.5) = 2, windows 0 and 5
    # class 1 for windows 2, 3 (margins 0.6, 0.2): keeps window 2; class 2 for window 4: keeps it
    np.testing.assert_array_equal(part.x, w.x[[0, 2, 4, 5]])
    assert part.labels.tolist() == [0, 1, 2, 0]


def test_shared_activity_table_averages_the_phrases_of_one_activity():
    details = {"classification": {"per_class_f1": {"walking": 0.5, "walking upstairs": 0.2, "walking downstairs": 0.4,
                                                   "typing on a keyboard": 1.0}}}
    cells = pd.DataFrame([{"row": "recipe", "dataset": "uci-hapt", "details": details},
                          {"row": "chance", "dataset": "seglearn-watch", "details": {"classification": {
                              "per_class_f1": {"shoulder abduction": 0.2}}}}])
    table = generalise.shared_activity_table(cells)
    assert "| recipe | uci-hapt | 50.0 | 30.0 |  |  |  | 40.0 |" in table
    assert "seglearn-watch" not in table  # no shared activity


@pytest.mark.slow
def test_self_training_runs_label_free_and_scores_the_test_subjects(tmp_path):
    run = runner(tmp_path, pretrain=TrainConfig(epochs=1, batch_size=32), adapt=TrainConfig(epochs=1, batch_size=32))
    setup = GeneraliseSetup(method="nls", mode="base+placement", recognition="base+placement", frame="gravity",
                            rotation="yaw", self_train=True, per_class=40)
    scores = run.run(setup, "uci-hapt", seed=0)
    assert scores["n"] == len(run.split("uci-hapt")["test"])
    assert 0 < scores["details"]["pseudo_labelled"]["train"] < len(run.split("uci-hapt")["train"])
    assert 0 <= scores["macro_f1"] <= 1
    [folder] = tmp_path.glob("nls-*")
    assert '"frame": "gravity"' in (folder / "config.json").read_text()
