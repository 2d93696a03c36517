"""Retrieval metrics: hand-computed values, tie handling, consistency with zero-shot accuracy on real windows."""

import numpy as np
import pytest
import torch

from wearclip.data import datasets
from wearclip.data.windows import make_windows
from wearclip.models.wearclip import WearClip
from wearclip.models.zeroshot import ZeroShotClassifier
from wearclip.retrieval.metrics import class_retrieval, evaluate_retrieval, first_relevant_rank, retrieval_metrics
from wearclip.text.templates import base_sentence


def test_hand_computed_recall_mrr_and_map():
    similarity = np.array([
        [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],  # first relevant at rank 2
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # relevant items at ranks 1 and 6
        [0.6, 0.5, 0.4, 0.3, 0.2, 0.1],  # first relevant at rank 6
    ])
    relevant = np.array([
        [0, 1, 1, 0, 0, 0],
        [1, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1],
    ], dtype=bool)
    r = retrieval_metrics(similarity, relevant, ks=(1, 5, 10), average_precision=True)
    assert first_relevant_rank(similarity, relevant).tolist() == [2, 1, 6]
    assert r.recall == {1: pytest.approx(1 / 3), 5: pytest.approx(2 / 3), 10: 1.0}
    assert r.mrr == pytest.approx((1 / 2 + 1 + 1 / 6) / 3)
    # AP: (1/2 + 2/3) / 2, (1/1 + 2/6) / 2, 1/6
    assert r.mean_average_precision == pytest.approx(((1 / 2 + 2 / 3) / 2 + (1 + 2 / 6) / 2 + 1 / 6) / 3)
    assert (r.queries, r.gallery) == (3, 6)


def test_ties_count_against_the_query_and_queries_without_relevant_items_are_left_out():
    constant = np.zeros((2, 5))
    relevant = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    r = retrieval_metrics(constant, relevant)
    assert r.queries == 1  # the second query has nothing to find
    assert first_relevant_rank(constant[:1], relevant[:1]).tolist() == [5]  # a constant model ranks last
    assert r.recall[1] == 0.0 and r.recall[5] == 1.0
    with pytest.raises(ValueError, match="no query has a relevant item"):
        retrieval_metrics(constant, np.zeros((2, 5), bool))
    with pytest.raises(ValueError, match="same"):
        retrieval_metrics(constant, relevant[:, :3])


def test_perfect_embeddings_score_one_in_both_directions():
    rng = np.random.default_rng(0)
    text = np.linalg.qr(rng.standard_normal((16, 4)))[0].T  # 4 orthonormal class embeddings
    labels = np.array([0, 1, 2, 3, 3, 2, 1, 0, -1])
    sensor = text[labels % 4]
    results = class_retrieval(sensor, labels, text)
    for direction in ("text_to_sensor", "sensor_to_text"):
        r = results[direction]
        assert r.recall[1] == 1.0 and r.mrr == 1.0
    assert results["text_to_sensor"].mean_average_precision == 1.0
    assert results["sensor_to_text"].queries == 8  # the unlabelled window is left out
    assert results["text_to_sensor"].gallery == 8


def test_sensor_to_text_recall_at_1_is_zero_shot_accuracy_on_real_windows(hapt_root):
    torch.manual_seed(0)
    dataset = datasets.load("uci-hapt", hapt_root)
    recordings = [r for r in dataset.recordings() if r.subject in ("2", "5")]
    windows = make_windows(recordings, dataset.classes)
    model = WearClip()
    model.set_normalization([0.8, 0.0, 0.1], [0.4, 0.3, 0.3])
    sentences = [base_sentence(c) for c in dataset.classes]
    results = evaluate_retrieval(model, windows, sentences)
    accuracy = np.mean(ZeroShotClassifier(model, sentences).predict(windows.x) == windows.labels)
    assert results["sensor_to_text"].recall[1] == pytest.approx(accuracy)
    present = len(np.unique(windows.labels))
    assert results["text_to_sensor"].queries == present and results["sensor_to_text"].queries == len(windows)
    assert 0 < results["text_to_sensor"].mean_average_precision < 1
