"""Head-only adaptation and the self-supervised baselines, on small synthetic windows."""

import numpy as np
import pytest
import torch

from tests.support.shared import shared_dataset
from tests.support.synthetic import synthetic_windows
from wearclip.config.train import TrainConfig
from wearclip.data import datasets
from wearclip.data.windows import make_windows
from wearclip.metrics import evaluate_predictions
from wearclip.models import WearClip
from wearclip.models.zeroshot import ZeroShotClassifier
from wearclip.text import base_sentence
from wearclip.train.adapt import fit_heads
from wearclip.train.baselines import (
    CPC,
    ConvAutoencoder,
    EnhancedCPC,
    FeatureClassifier,
    build_ssl,
    fit_classifier,
    fit_ssl,
    other_steps,
)
from wearclip.train.loop import GlobalBatch

CLASSES = ["walking", "lying down", "riding a bicycle", "jumping rope"]


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one thread avoids thread hand-offs that dominate on a loaded 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def splits():
    w = synthetic_windows(CLASSES, subjects=5, per_class=8)
    return w.of_subjects(["s0", "s1", "s2"]), w.of_subjects(["s3"]), w.of_subjects(["s4"])


def test_adaptation_trains_only_the_heads_and_learns(splits):
    train, val, test = splits
    torch.manual_seed(0)
    model = WearClip()  # random IMU encoder: its features still separate the sinusoids
    model.set_normalization(np.zeros(3), np.ones(3))
    before_state = {k: v.clone() for k, v in model.state_dict().items()}
    sentences = [[base_sentence(c)] for c in CLASSES]
    before = evaluate_predictions(test.labels, ZeroShotClassifier(model, sentences).predict(test.x), CLASSES).macro_f1
    result = fit_heads(model, train, val, TrainConfig(epochs=25, patience=25, batch_size=32, seed=0),
                       class_sentences=sentences)
    adapted = result.model
    after = evaluate_predictions(test.labels, ZeroShotClassifier(adapted, sentences).predict(test.x), CLASSES).macro_f1
    assert after > max(0.8, before + 0.3), (before, after)
    # the input model is untouched; in the adapted one only the two heads moved
    for key, value in model.state_dict().items():
        assert torch.equal(value, before_state[key]), key
    changed = {k.split(".")[0] for k, v in adapted.state_dict().items() if not torch.equal(v, before_state[k])}
    assert changed == {"sensor_head", "text_head"}


def test_adaptation_with_two_shots_runs(splits):
    train, val, _ = splits
    two = train.subset(np.concatenate([np.flatnonzero(train.labels == c)[:2] for c in range(len(CLASSES))]))
    result = fit_heads(WearClip(), two, val, TrainConfig(epochs=3, patience=3, batch_size=64),
                       class_sentences=[[base_sentence(c)] for c in CLASSES])
    assert len(result.history) == 3  # 8 windows: one batch of 8 per epoch
    with pytest.raises(ValueError, match="sentence lists"):
        fit_heads(WearClip(), two, val, class_sentences=[[base_sentence(c)] for c in CLASSES[:2]])


SMALL = {"autoencoder": {}, "simclr": {}, "cpc": {"steps": 4, "hidden": 32},  # a small GRU keeps CPC fast
         "enhanced-cpc": {"steps": 4, "negatives": 4, "layers": 2, "channels": (16, 32, 32, 64)}}


@pytest.mark.parametrize("method", ["autoencoder", "simclr", "cpc", "enhanced-cpc"])
def test_self_supervised_pretraining_lowers_its_loss_and_feeds_the_classifier(method, splits):
    train, val, test = splits
    torch.manual_seed(0)
    result = fit_ssl(build_ssl(method, **SMALL[method]), train, val, TrainConfig(epochs=3, patience=3, batch_size=32))
    losses = [h["val_loss"] for h in result.history]
    assert losses[-1] < losses[0], losses
    torch.manual_seed(0)
    classifier = FeatureClassifier(result.model, len(CLASSES))
    trained = fit_classifier(classifier, train, val, TrainConfig(epochs=30, patience=30, batch_size=32)).model
    assert trained is classifier
    score = evaluate_predictions(test.labels, classifier.predict(test.x), CLASSES).macro_f1
    assert score > 0.6, score


def test_autoencoder_reconstructs_the_window_shape():
    model = ConvAutoencoder()
    x = torch.randn(4, 3, 100)
    assert model.decoder(model.encoder.net(x)).shape == x.shape
    assert model.features(x).shape == (4, 96)


def test_cpc_predicts_k_steps_and_rejects_short_windows():
    model = CPC(steps=12, hidden=64)
    assert len(model.predictors) == 12 and model.features(torch.randn(2, 3, 100)).shape == (2, 64)
    batch = GlobalBatch.whole(np.arange(4))
    with pytest.raises(ValueError, match="too short"):
        model.loss(torch.randn(4, 3, 12), batch)
    # with random weights, InfoNCE over 4 candidates is near log(4)
    with torch.no_grad():
        loss = model.loss(torch.randn(4, 3, 100), batch).item()
    assert abs(loss - np.log(4)) < 1.0


def test_unknown_ssl_method():
    with pytest.raises(KeyError, match="choose one of autoencoder, simclr, cpc, enhanced-cpc"):
        build_ssl("byol")


def test_enhanced_cpc_shapes_and_causal_context():
    model = EnhancedCPC()
    model.set_normalization(np.zeros(3), np.ones(3))
    model.eval()
    x = torch.randn(2, 3, 100)
    z = model.encode(x)
    assert z.shape == (2, (100 - 4) // 2 + 1, 256)  # kernel 4, stride 2, unpadded; then 1x1 convs up to 256
    assert len(model.predictors) == 12 and model.features(x).shape == (2, 256) and model.out_dim == 256
    # c_t depends on z_1..z_t only: changing the last 10 steps leaves the first 39 contexts as they were
    later = z.clone()
    later[:, -10:] = torch.randn(2, 10, 256)
    with torch.no_grad():
        before, after = model.context(z), model.context(later)
    assert torch.equal(before[:, :-10], after[:, :-10]) and not torch.allclose(before[:, -10:], after[:, -10:])


def test_enhanced_cpc_loss_has_one_positive_among_negatives_plus_one():
    model = EnhancedCPC(negatives=7)
    model.set_normalization(np.zeros(3), np.ones(3))
    for predictor in model.predictors:  # every score 0: cross-entropy is log of the number of candidates
        torch.nn.init.zeros_(predictor.weight)
        torch.nn.init.zeros_(predictor.bias)
    loss = model.loss(torch.randn(3, 3, 100), GlobalBatch.whole(np.arange(3))).item()
    assert loss == pytest.approx(np.log(8), rel=1e-6)  # float32 log-softmax of equal logits


def test_negatives_are_other_steps_of_the_same_window():
    draws = other_steps(2, 5, 400, torch.Generator().manual_seed(0))
    assert draws.shape == (2, 5, 400)
    for step in range(5):
        assert set(draws[:, step].unique().tolist()) == set(range(5)) - {step}


def test_enhanced_cpc_is_deterministic_from_a_seed():
    x = torch.randn(4, 3, 100)

    def loss(model_seed: int, batch_seed: int) -> float:
        torch.manual_seed(model_seed)
        model = EnhancedCPC(layers=2)
        model.set_normalization(np.zeros(3), np.ones(3))
        model.eval()  # dropout off: only the negatives' draws are random
        return model.loss(x, GlobalBatch.whole(np.arange(4), batch_seed)).item()

    assert loss(0, 0) == loss(0, 0)
    assert loss(0, 0) != loss(0, 1) and loss(0, 0) != loss(1, 0)


def test_enhanced_cpc_rejects_windows_too_short_for_its_horizon():
    model = EnhancedCPC(steps=12)
    batch = GlobalBatch.whole(np.arange(2))
    with pytest.raises(ValueError, match="Enhanced CPC predicts 12 steps ahead; windows of 27 samples .* too short"):
        model.loss(torch.randn(2, 3, 27), batch)  # 27 samples: 12 encoded steps
    assert model.loss(torch.randn(2, 3, 28), batch).isfinite()  # 28 samples: 13 steps, one context


def test_enhanced_cpc_saves_and_loads(tmp_path):
    model = build_ssl("enhanced-cpc", layers=2)
    model.set_normalization(np.full(3, 0.1), np.full(3, 0.4))
    model.save_pretrained(tmp_path / "ecpc")
    loaded = build_ssl("enhanced-cpc", layers=2).load_weights(tmp_path / "ecpc")
    x = torch.randn(3, 3, 100)
    model.eval()
    assert torch.equal(loaded.features_of(x), model.features_of(x))


@pytest.mark.slow
def test_enhanced_cpc_lowers_its_loss_on_real_windows():
    """A few optimiser steps on one batch of UCI HAPT windows (one recording, 2 s at 50 Hz)."""
    hapt = datasets.load("uci-hapt", shared_dataset("uci-hapt"))
    windows = make_windows([next(iter(hapt.recordings()))], hapt.classes)
    x = torch.as_tensor(windows.x[:: max(1, len(windows) // 32)][:32], dtype=torch.float32)
    torch.manual_seed(0)
    model = EnhancedCPC()
    model.fit_normalization(x.numpy())
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    fixed = GlobalBatch.whole(np.arange(len(x)), 0)  # the same negatives before and after

    def measured() -> float:
        model.eval()
        with torch.no_grad():
            return model.loss(x, fixed).item()

    before = measured()
    for step in range(40):
        model.train()
        optimiser.zero_grad()
        model.loss(x, GlobalBatch.whole(np.arange(len(x)), step + 1)).backward()
        optimiser.step()
    assert measured() < 0.95 * before, before  # from log(11) = 2.40: after a plateau of ~20 steps it falls
