"""IMU encoders (input contract, output dims) and WearClip checkpoints with every encoder."""

import json

import pytest
import torch

from wearclip.config.model import WearClipConfig
from wearclip.config.window import WindowConfig
from wearclip.models import WearClip, build_imu_encoder, imu_encoders

EXPECTED_DIMS = {"conv": 96, "resnet1d": 128, "deepconvlstm": 128}


def test_registry_has_the_three_encoders():
    assert set(EXPECTED_DIMS) <= set(imu_encoders())
    with pytest.raises(KeyError, match="unknown IMU encoder 'lstm'.*deepconvlstm"):
        build_imu_encoder("lstm")


@pytest.mark.parametrize("name", sorted(EXPECTED_DIMS))
def test_encoder_contract_and_gradients(name):
    torch.manual_seed(0)
    encoder = build_imu_encoder(name)
    assert encoder.out_dim == EXPECTED_DIMS[name]
    for length in (encoder.min_length, 100, 150):
        x = torch.randn(2, 3, length, requires_grad=True)
        out = encoder(x)
        assert out.shape == (2, encoder.out_dim)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in encoder.parameters())
    assert x.grad.abs().sum() > 0


def test_min_lengths_follow_the_architectures():
    assert build_imu_encoder("conv").min_length == 24 + 16 + 8 - 2
    assert build_imu_encoder("deepconvlstm").min_length == 4 * 4 + 1
    with pytest.raises(RuntimeError):
        build_imu_encoder("conv")(torch.randn(2, 3, 45))


def test_wearclip_refuses_windows_shorter_than_the_encoder_needs():
    with pytest.raises(ValueError, match="at least 46 samples; the window config gives 25"):
        WearClip(WearClipConfig(window=WindowConfig(seconds=0.5)))


@pytest.mark.parametrize("name", sorted(EXPECTED_DIMS))
def test_checkpoint_round_trip_per_encoder(name, tmp_path):
    torch.manual_seed(0)
    config = WearClipConfig(imu_encoder=name, simclr_dim=32, text_head_depth=3, text_head_hidden=64,
                            vocabulary_version="uci-hapt@1+abc", pretrained_on=["uci-hapt"])
    model = WearClip(config)
    model.set_normalization([0.1, 0.2, 0.3], [1.0, 2.0, 3.0])
    model.train()
    model.encode_sensor(torch.randn(8, 3, 100))  # moves BatchNorm running statistics
    model.eval()
    model.save_pretrained(tmp_path / "ckpt")
    saved = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    assert saved["imu_encoder"] == name and saved["text_encoder"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert saved["vocabulary_version"] == "uci-hapt@1+abc"
    restored = WearClip.from_pretrained(tmp_path / "ckpt")
    x = torch.randn(5, 3, 100)
    torch.testing.assert_close(restored.encode_sensor(x), model.encode_sensor(x), rtol=0, atol=0)
    torch.testing.assert_close(restored.encode_views(x), model.encode_views(x), rtol=0, atol=0)
    features = torch.randn(3, 384)
    torch.testing.assert_close(restored.encode_text_features(features), model.encode_text_features(features), rtol=0, atol=0)


def test_heads_depth_width_and_simclr_head():
    model = WearClip(WearClipConfig(head_depth=1, text_head_depth=3, text_head_hidden=64, embed_dim=16))
    linears = [m for m in model.text_head.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(384, 64), (64, 64), (64, 16)]
    assert [type(m).__name__ for m in model.sensor_head.modules()].count("Linear") == 1
    assert model.simclr_head is None
    with pytest.raises(RuntimeError, match="no SimCLR head"):
        model.encode_views(torch.randn(2, 3, 100))
