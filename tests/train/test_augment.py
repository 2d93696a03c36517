"""Sensor augmentations: what each one preserves and changes, and rank-independent draws."""

import math

import pytest
import torch

from wearclip.config.augment import AugmentConfig
from wearclip.train.augment import (
    RowRandom,
    augment,
    intensity,
    jitter,
    permutation,
    rotation,
    rotation_matrices,
    scaling,
    time_warp,
)


@pytest.fixture
def x():
    torch.manual_seed(0)
    t = torch.linspace(0, 2 * math.pi, 100)
    return torch.stack([torch.sin(t), torch.cos(2 * t), 1 + 0.1 * t]).expand(64, 3, 100) * torch.rand(64, 1, 1)


def rng(total=64, seed=0):
    return RowRandom(torch.Generator().manual_seed(seed), total)


def test_jitter_adds_noise_of_the_given_scale(x):
    noise = jitter(x, rng(), sigma=0.05) - x
    assert noise.std().item() == pytest.approx(0.05, rel=0.05)
    assert abs(noise.mean().item()) < 0.005


def test_scaling_multiplies_each_channel_by_one_factor(x):
    ratio = (scaling(x, rng(), sigma=0.1) / x)[..., 10:40]  # away from the zeros of sin and cos
    torch.testing.assert_close(ratio, ratio[..., :1].expand_as(ratio), rtol=1e-5, atol=1e-5)
    assert 0.05 < ratio[..., 0].std().item() < 0.15


def test_intensity_scales_the_movement_about_gravity_by_one_factor_per_window(x):
    y = intensity(x, rng(), max_factor=2.0)
    mean = x.mean(dim=2, keepdim=True)
    # the window's mean (its gravity) is kept: float32 sums of 100 values, each below 8 in magnitude
    torch.testing.assert_close(y.mean(dim=2, keepdim=True), mean, rtol=0, atol=1e-5)
    moved, movement = y - mean, x - mean
    # one factor for the whole window, all three channels: y - mean = f (x - mean) up to float32 rounding
    factor = (moved * movement).sum(dim=2) / (movement * movement).sum(dim=2)  # least squares, per channel
    torch.testing.assert_close(factor, factor[:, :1].expand_as(factor), rtol=1e-4, atol=0)
    torch.testing.assert_close(moved, factor[:, :1, None] * movement, rtol=0, atol=1e-5)
    f = factor[:, 0]
    assert 0.5 <= f.min().item() and f.max().item() <= 2.0 and f.min().item() < 0.9 and f.max().item() > 1.1
    assert "intensity" not in AugmentConfig().model_dump()  # off unless set: existing configs dump as before


def test_rotation_keeps_vector_lengths_and_is_a_proper_rotation(x):
    matrices = rotation_matrices(rng(), max_degrees=30)
    torch.testing.assert_close(matrices @ matrices.transpose(1, 2), torch.eye(3).expand(64, 3, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(torch.linalg.det(matrices), torch.ones(64), atol=1e-5, rtol=0)
    angles = torch.rad2deg(torch.arccos(((matrices.diagonal(dim1=1, dim2=2).sum(-1) - 1) / 2).clamp(-1, 1)))
    assert angles.max() <= 30 + 1e-3 and angles.max() > 20
    rotated = rotation(x, rng(), max_degrees=180)
    torch.testing.assert_close(rotated.norm(dim=1), x.norm(dim=1), atol=1e-5, rtol=1e-5)
    assert (rotated - x).abs().max() > 0.1


def test_time_warp_keeps_length_and_end_points_and_is_identity_without_variance(x):
    warped = time_warp(x, rng(), sigma=0.3)
    assert warped.shape == x.shape
    torch.testing.assert_close(warped[..., [0, -1]], x[..., [0, -1]], atol=1e-5, rtol=1e-5)
    assert (warped - x).abs().max() > 0.01
    torch.testing.assert_close(time_warp(x, rng(), sigma=0.0), x, atol=1e-5, rtol=1e-5)


def test_permutation_reorders_whole_segments(x):
    out = permutation(x, rng(), segments=4)
    for row_in, row_out in zip(x[:8], out[:8]):
        pieces = [row_in[:, i : i + 25] for i in range(0, 100, 25)]
        found = [next(j for j, p in enumerate(pieces) if torch.equal(row_out[:, k : k + 25], p)) for k in range(0, 100, 25)]
        assert sorted(found) == [0, 1, 2, 3]
    assert not torch.equal(out, x)


def test_permutation_with_uneven_segments_keeps_every_sample():
    x = torch.arange(3 * 10, dtype=torch.float32).reshape(1, 3, 10).expand(16, 3, 10)
    out = permutation(x, rng(16), segments=3)
    assert (out.sort(dim=-1).values == x).all()


def test_draws_do_not_depend_on_how_the_batch_is_split(x):
    config = AugmentConfig()
    whole = augment(x, RowRandom(torch.Generator().manual_seed(5), 64), config)
    first = augment(x[:32], RowRandom(torch.Generator().manual_seed(5), 64, slice(0, 32)), config)
    second = augment(x[32:], RowRandom(torch.Generator().manual_seed(5), 64, slice(32, 64)), config)
    torch.testing.assert_close(torch.cat([first, second]), whole, rtol=0, atol=0)


def test_probability_zero_disables_and_null_removes():
    x = torch.randn(8, 3, 100)
    off = AugmentConfig.model_validate({name: {"p": 0.0} for name in AugmentConfig.model_fields})
    torch.testing.assert_close(augment(x, rng(8), off), x, rtol=0, atol=0)
    none = AugmentConfig(time_warp=None, permutation=None, rotation=None, scaling=None, jitter=None)
    assert torch.equal(augment(x, rng(8), none), x)
    with pytest.raises(ValueError, match="sigmaa"):
        AugmentConfig.model_validate({"jitter": {"sigmaa": 1}})
