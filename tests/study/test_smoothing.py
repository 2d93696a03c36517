"""HMM smoothing of per-window probabilities: Viterbi equals a brute force over every label sequence."""

import itertools

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.support.shared import shared_dataset
from wearclip.cli import app
from wearclip.models import WearClip
from wearclip.study.smoothing import HmmSmoother, bouts
from wearclip.study.timeline import label_segments, read_recording


def brute_force(log_emissions, stickiness, min_bout):
    """The best label sequence by enumeration, scored as the explicit-duration chain defines it: a uniform
    start, a bout may end only after ``min_bout`` windows, then it switches with (1 - s) / (C - 1) to another
    activity; each window past the first ``min_bout`` of a bout stays with probability s."""
    n, classes = log_emissions.shape
    best, best_path = -np.inf, None
    for path in itertools.product(range(classes), repeat=n):
        runs = bouts(path)
        if any(length < min_bout for _, length, _ in runs):
            continue
        score = -np.log(classes) + log_emissions[np.arange(n), path].sum()
        score += sum(length - min_bout for _, length, _ in runs) * np.log(stickiness)
        score += (len(runs) - 1) * np.log((1 - stickiness) / (classes - 1))
        if score > best:
            best, best_path = score, np.array(path)
    return best_path


@pytest.mark.parametrize("min_bout", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_viterbi_equals_brute_force(min_bout, seed):
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(3), size=7)
    smoother = HmmSmoother(stickiness=0.6, min_bout=min_bout)
    expected = brute_force(np.log(probabilities), 0.6, min_bout)
    np.testing.assert_array_equal(smoother(probabilities), expected)


def test_low_stickiness_keeps_the_per_window_argmax():
    # with stickiness 1/C every transition has the same probability, so only the emissions decide
    probabilities = np.random.default_rng(0).dirichlet(np.ones(4), size=50)
    np.testing.assert_array_equal(HmmSmoother(stickiness=0.25)(probabilities), probabilities.argmax(1))


def test_smoothing_removes_flicker_from_noisy_bouts():
    rng = np.random.default_rng(0)
    truth = np.repeat([0, 1, 2, 1, 0], 40)
    probabilities = np.full((len(truth), 3), 0.2)
    probabilities[np.arange(len(truth)), truth] = 0.6
    flips = rng.random(len(truth)) < 0.3  # 30 % of the windows favour a wrong activity
    wrong = (truth + rng.integers(1, 3, len(truth))) % 3
    probabilities[flips] = 0.2
    probabilities[flips, wrong[flips]] = 0.6
    raw = probabilities.argmax(1)
    smoothed = HmmSmoother(stickiness=0.95)(probabilities)
    assert (raw == truth).mean() < 0.8
    # a boundary may move by the few windows whose noise happens to agree with the neighbouring bout
    assert (smoothed == truth).mean() > 0.95
    assert [label for _, _, label in bouts(smoothed)] == [0, 1, 2, 1, 0]
    assert len(bouts(raw)) > 20


def test_minimum_bout_length_holds_everywhere():
    probabilities = np.random.default_rng(1).dirichlet(np.ones(3) * 0.3, size=200)
    labels = HmmSmoother(stickiness=0.5, min_bout=6)(probabilities)
    assert min(length for _, length, _ in bouts(labels)) >= 6
    assert len(bouts(labels)) > 3  # the emissions still decide where bouts lie


def test_shorter_than_one_bout_and_degenerate_inputs():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8]])
    np.testing.assert_array_equal(HmmSmoother(min_bout=5)(probabilities), [0, 0])  # 0.9*0.2 beats 0.1*0.8
    assert HmmSmoother()(np.empty((0, 3))).shape == (0,)
    np.testing.assert_array_equal(HmmSmoother()(np.ones((4, 1))), [0, 0, 0, 0])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        HmmSmoother(stickiness=1.0)
    with pytest.raises(ValueError, match="at least one window"):
        HmmSmoother(min_bout=0)
    with pytest.raises(ValueError, match=r"\(windows, classes\)"):
        HmmSmoother()(np.ones(3))


def test_bouts_run_length():
    assert bouts([2, 2, 0, 1, 1, 1]) == [(0, 2, 2), (2, 1, 0), (3, 3, 1)]
    assert bouts([]) == []


@pytest.mark.slow
def test_predict_smooths_each_segment_of_the_capture24_sample(untrained_checkpoint, tmp_path):
    sample = shared_dataset("capture24-format") / "sample.csv.gz"
    activities = ["sleeping", "walking", "sitting at a desk", "cycling"]
    model = WearClip.from_pretrained(untrained_checkpoint)
    segments = read_recording(sample)
    smoother = HmmSmoother(stickiness=0.9, min_bout=2)
    table = label_segments(model, segments, activities, smoother=smoother)
    p = table[[f"p:{a}" for a in activities]].to_numpy()
    np.testing.assert_array_equal(table["activity_raw"], np.array(activities)[p.argmax(1)])
    for _, rows in table.groupby("segment", sort=False).indices.items():
        np.testing.assert_array_equal(table["activity"].to_numpy()[rows], np.array(activities)[smoother(p[rows])])
    result = CliRunner().invoke(app, ["predict", str(untrained_checkpoint), str(sample), "--activities", ", ".join(activities),
                                      "--smooth", "hmm", "--stickiness", "0.9", "--min-bout", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "predictions.csv")
    assert list(written["activity"]) == list(table["activity"])
    changes = lambda column: int((written[column].to_numpy()[1:] != written[column].to_numpy()[:-1]).sum())  # noqa: E731
    assert changes("activity") < changes("activity_raw")
    bad = CliRunner().invoke(app, ["predict", str(untrained_checkpoint), str(sample), "--activities", "a, b",
                                   "--smooth", "viterbi"])
    assert bad.exit_code != 0 and "choose one of none, hmm" in bad.output
