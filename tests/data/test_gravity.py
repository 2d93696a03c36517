"""The gravity-aligned frame: gravity onto +z, orientation-free channels, recorded in the model config."""

import torch

from wearclip.config.model import WearClipConfig
from wearclip.data.gravity import align_to_gravity, invariant_channels, to_frame
from wearclip.data.windows import channel_stats
from wearclip.models.wearclip import WearClip
from wearclip.train.augment import RowRandom, uniform_rotations

EPS = torch.finfo(torch.float32).eps


def walking_like(n: int = 16) -> torch.Tensor:
    """Gravity along -y (a phone held upright) plus a 2 Hz bounce along it and sway across it."""
    t = torch.arange(100) / 50
    x = torch.zeros(n, 3, 100)
    x[:, 1] = -1 + 0.3 * torch.sin(2 * torch.pi * 2 * t)
    x[:, 0] = 0.1 * torch.sin(2 * torch.pi * 1 * t + torch.arange(n)[:, None])
    return x


def test_gravity_goes_to_plus_z_whatever_the_device_orientation():
    x = walking_like()
    turned = uniform_rotations(RowRandom(torch.Generator().manual_seed(0), len(x))) @ x
    for windows in (x, turned):
        aligned = align_to_gravity(windows)
        mean = aligned.mean(dim=2)
        # rotation of a 3-vector in float32, summed over 100 samples: tolerance of a few hundred eps
        assert torch.allclose(mean[:, :2], torch.zeros(len(x), 2), atol=300 * EPS)
        assert torch.allclose(mean[:, 2], windows.mean(dim=2).norm(dim=1), atol=300 * EPS)
        assert torch.allclose(aligned.norm(dim=1), windows.norm(dim=1), atol=300 * EPS)
    # the vertical channel does not depend on how the device was held
    assert torch.allclose(align_to_gravity(turned)[:, 2], align_to_gravity(x)[:, 2], atol=300 * EPS)
    assert torch.allclose(invariant_channels(turned), invariant_channels(x), atol=300 * EPS)


def test_gravity_pointing_straight_down_and_a_zero_mean_window():
    x = torch.zeros(2, 3, 10)
    x[0, 2] = -1.0  # exactly antiparallel to +z
    aligned = align_to_gravity(x)
    assert torch.allclose(aligned[0, 2], torch.ones(10))
    assert torch.equal(aligned[1], x[1])  # no gravity to align: left as it is
    assert to_frame(x, "sensor") is x


def test_normalisation_statistics_are_those_of_the_models_frame():
    x = torch.randn(5, 3, 100) * 0.2 + torch.tensor([0.6, -0.3, 0.7])[None, :, None]  # a tilted device
    model = WearClip(WearClipConfig(frame="gravity"))
    model.fit_normalization(x.numpy())
    mean, std = channel_stats(to_frame(x, "gravity").numpy())
    torch.testing.assert_close(model.sensor_mean, torch.from_numpy(mean))
    torch.testing.assert_close(model.sensor_std, torch.from_numpy(std))
    assert model.sensor_mean[2] > 0.9  # gravity along +z in that frame


def test_the_frame_is_recorded_in_the_checkpoint_and_absent_when_off(tmp_path):
    assert "frame" not in WearClipConfig().model_dump()
    model = WearClip(WearClipConfig(frame="gravity"))
    loaded = WearClip.from_pretrained(model.save_pretrained(tmp_path / "m"))
    assert loaded.config.frame == "gravity"
    x = walking_like(4)
    turned = uniform_rotations(RowRandom(torch.Generator().manual_seed(1), 4)) @ x
    invariant = WearClip(WearClipConfig(frame="invariant")).eval()
    with torch.no_grad():  # orientation-free inputs (equal to ~4e-5, above) give the same embeddings
        assert torch.allclose(invariant.encode_sensor(turned), invariant.encode_sensor(x), atol=1e-4)
