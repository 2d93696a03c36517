"""Saved models: checkpoints written before the save/load mixin load unchanged, every model saves the
same folder layout, and the trainer's best checkpoint is a WearClip folder."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from wearclip.config.model import WearClipConfig
from wearclip.errors import CheckpointError
from wearclip.models import WearClip
from wearclip.models.saving import CONFIG_NAME, WEIGHTS_NAME
from wearclip.train.baselines import build_ssl

V0 = Path(__file__).parent / "fixtures" / "v0"  # written by the code at commit 9bf1bfe (see fixtures/README.md)


def test_a_checkpoint_of_the_previous_layout_loads_and_embeds_as_it_did():
    model = WearClip.from_pretrained(V0 / "checkpoint")
    expected = load_file(str(V0 / "expected.safetensors"))
    assert set(model.state_dict()) == set(load_file(str(V0 / "checkpoint" / WEIGHTS_NAME)))
    assert model.sensor_mean.tolist() == pytest.approx([0.9, -0.1, 0.2])
    # The same operations as when the fixture was written; only another CPU's kernels may differ, by
    # float32 rounding (eps 6e-8) over sums of at most 24 products of size < 10: a few 1e-6 at most.
    with torch.no_grad():
        torch.testing.assert_close(model.encode_sensor(expected["x"]), expected["sensor"], rtol=0, atol=1e-5)
        torch.testing.assert_close(model.encode_views(expected["x"]), expected["views"], rtol=0, atol=1e-5)
        torch.testing.assert_close(model.encode_text_features(expected["features"]), expected["text"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(model.encode_windows(expected["x"].numpy()), expected["sensor"].numpy(), rtol=0, atol=1e-5)


def test_saving_the_old_checkpoint_again_writes_the_same_config_and_keys(tmp_path):
    model = WearClip.from_pretrained(V0 / "checkpoint")
    model.save_pretrained(tmp_path / "again")
    assert json.loads((tmp_path / "again" / CONFIG_NAME).read_text()) == \
        json.loads((V0 / "checkpoint" / CONFIG_NAME).read_text())
    before, after = load_file(str(V0 / "checkpoint" / WEIGHTS_NAME)), load_file(str(tmp_path / "again" / WEIGHTS_NAME))
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("method", ["autoencoder", "simclr", "cpc"])
def test_self_supervised_models_round_trip_and_read_the_previous_cache_files(method, tmp_path):
    torch.manual_seed(0)
    model = build_ssl(method)
    model.set_normalization([0.5, 0.1, -0.2], [0.3, 0.2, 0.4])
    folder = model.save_pretrained(tmp_path / method)
    assert sorted(p.name for p in folder.iterdir() if p.name != ".wearclip") == [WEIGHTS_NAME]  # build_ssl rebuilds it
    x = np.random.default_rng(0).normal(size=(6, 3, 100)).astype(np.float32)
    torch.manual_seed(1)
    restored = build_ssl(method).load_weights(folder)
    torch.testing.assert_close(restored.features_of(x), model.features_of(x), rtol=0, atol=0)
    # the protocol cache of earlier versions: the bare state dict, saved by safetensors itself
    old = tmp_path / "old"
    old.mkdir()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(old / WEIGHTS_NAME))
    torch.testing.assert_close(build_ssl(method).load_weights(old).features_of(x), model.features_of(x), rtol=0, atol=0)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(CheckpointError, match="model.safetensors: missing"):
        build_ssl("cpc").load_weights(tmp_path)
    (tmp_path / CONFIG_NAME).write_text(json.dumps(WearClipConfig().model_dump()))
    with pytest.raises(CheckpointError, match="model.safetensors: missing; a WearClip checkpoint"):
        WearClip.from_pretrained(tmp_path)
    (tmp_path / CONFIG_NAME).write_text('{"embed_dim": "wide"}')
    save_file({"x": torch.zeros(1)}, str(tmp_path / WEIGHTS_NAME))
    with pytest.raises(CheckpointError, match="config.json: not a WearClipConfig config \\(embed_dim: "):
        WearClip.from_pretrained(tmp_path)
