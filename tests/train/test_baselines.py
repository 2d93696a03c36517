"""Head-only adaptation and the self-supervised baselines, on small synthetic windows."""

import numpy as np
import pytest
import torch

from tests.support.synthetic import synthetic_windows
from wearclip.config.train import TrainConfig
from wearclip.metrics import evaluate_predictions
from wearclip.models import WearClip
from wearclip.models.zeroshot import ZeroShotClassifier
from wearclip.text import base_sentence
from wearclip.train.adapt import fit_heads
from wearclip.train.baselines import CPC, ConvAutoencoder, FeatureClassifier, build_ssl, fit_classifier, fit_ssl
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


SMALL = {"autoencoder": {}, "simclr": {}, "cpc": {"steps": 4, "hidden": 32}}  # a small GRU keeps CPC fast


@pytest.mark.parametrize("method", ["autoencoder", "simclr", "cpc"])
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
    with pytest.raises(KeyError, match="choose one of autoencoder, simclr, cpc"):
        build_ssl("byol")
