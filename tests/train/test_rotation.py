"""Random rotation of pre-training windows: uniform over SO(3), or about gravity; reproducible per row."""

import math

import numpy as np
import pytest
import torch

from wearclip.config.objective import ObjectiveConfig
from wearclip.data.gravity import gravity_direction
from wearclip.train.augment import RowRandom, random_orientation, uniform_rotations
from wearclip.train.loop import epoch_batches

EPS = torch.finfo(torch.float32).eps


def rng(seed: int, total: int, rows: slice = slice(None)) -> RowRandom:
    return RowRandom(torch.Generator().manual_seed(seed), total, rows)


def windows(n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 50, generator=g) * 0.3 + torch.tensor([0.2, -0.9, 0.4])[None, :, None]


def test_uniform_rotations_are_rotations_with_the_haar_trace():
    r = uniform_rotations(rng(0, 20000))
    eye = torch.eye(3).expand_as(r)
    # entries are sums of 3 products of numbers <= 1 in float32: a few eps each
    assert torch.allclose(r @ r.transpose(1, 2), eye, atol=20 * EPS)
    assert torch.allclose(torch.linalg.det(r), torch.ones(len(r)), atol=20 * EPS)
    # Haar measure: trace = 1 + 2 cos(angle), E = 0, var = 1 (a uniform axis-and-angle draw has E = 1);
    # the bound is 7 standard errors of the mean of 20000 draws
    trace = r.diagonal(dim1=1, dim2=2).sum(-1)
    assert abs(trace.mean().item()) < 7 / math.sqrt(len(r))
    # the image of +z is uniform on the sphere: each coordinate has mean 0 and variance 1/3
    z = r[:, :, 2]
    assert z.mean(0).abs().max().item() < 7 * math.sqrt(1 / 3 / len(r))


def test_so3_keeps_norms_and_yaw_keeps_each_windows_gravity():
    x = windows(64)
    for mode in ("so3", "yaw"):
        y = random_orientation(x, rng(1, 64), mode)
        assert torch.allclose(y.norm(dim=1), x.norm(dim=1), atol=50 * EPS)
        assert not torch.allclose(y, x, atol=1e-3)
    yawed = random_orientation(x, rng(1, 64), "yaw")
    assert torch.allclose(gravity_direction(yawed), gravity_direction(x), atol=50 * EPS)


def test_none_is_the_identity_and_draws_nothing():
    generator = torch.Generator().manual_seed(3)
    x = windows(4)
    assert random_orientation(x, RowRandom(generator, 4), "none") is x
    assert torch.equal(torch.rand(1, generator=generator), torch.rand(1, generator=torch.Generator().manual_seed(3)))


@pytest.mark.parametrize("mode", ["so3", "yaw"])
def test_a_window_gets_the_same_rotation_from_seed_epoch_step_whoever_holds_its_row(mode):
    x = windows(8)
    [first] = list(epoch_batches(8, 8, seed=5, epoch=2))
    [again] = list(epoch_batches(8, 8, seed=5, epoch=2))
    whole = random_orientation(x, first.random(), mode)
    assert torch.equal(whole, random_orientation(x, again.random(), mode))
    [other_epoch] = list(epoch_batches(8, 8, seed=5, epoch=3))
    assert not torch.equal(whole, random_orientation(x, other_epoch.random(), mode))
    half = random_orientation(x[4:], RowRandom(list(epoch_batches(8, 8, seed=5, epoch=2))[0].generator, 8,
                                                slice(4, 8)), mode)
    np.testing.assert_array_equal(half.numpy(), whole[4:].numpy())  # process 2 of 2 draws the same rows


def test_rotation_is_an_added_option_old_objective_dumps_stay_the_same():
    assert "rotation" not in ObjectiveConfig().model_dump()
    assert ObjectiveConfig(rotation="so3").model_dump()["rotation"] == "so3"
    assert ObjectiveConfig.model_validate(ObjectiveConfig(rotation="yaw").model_dump()).rotation == "yaw"
