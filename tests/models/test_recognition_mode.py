"""``auto`` recognition: a model is asked with the sentence mode it was pre-trained with, recorded in its
config (models that recorded none are asked with the base sentence, as before the field existed)."""

import numpy as np
import pytest
import torch

from wearclip.config.model import WearClipConfig
from wearclip.models.wearclip import WearClip


def test_auto_is_the_recorded_mode_or_base_and_an_explicit_mode_wins():
    assert "sentence_mode" not in WearClipConfig().model_dump()  # old configs dump (and hash) as before
    assert WearClipConfig().recognition_mode() == "base"
    recorded = WearClipConfig().with_provenance(sentence_mode="random-template+movement")
    assert recorded.recognition_mode("auto") == "random-template+movement"
    assert recorded.recognition_mode("ensemble") == "ensemble"
    assert WearClipConfig.model_validate(recorded.model_dump()).sentence_mode == "random-template+movement"


@pytest.mark.parametrize("recorded", [None, "random-template"])
def test_classify_asks_with_the_recorded_mode(tmp_path, recorded):
    torch.manual_seed(0)
    config = WearClipConfig().with_provenance(sentence_mode=recorded)
    model = WearClip.from_pretrained(WearClip(config).save_pretrained(tmp_path / "m")).eval()
    x = np.random.default_rng(0).normal(size=(16, 3, 100)).astype(np.float32)
    activities = ["walking", "sitting", "jumping"]
    auto = model.classify(x, activities)
    explicit = model.classify(x, activities, mode=recorded or "base")
    np.testing.assert_array_equal(auto.scores, explicit.scores)
    other = model.classify(x, activities, mode="base" if recorded else "random-template")
    assert not np.allclose(auto.scores, other.scores)  # the mode matters, so the check above can fail
