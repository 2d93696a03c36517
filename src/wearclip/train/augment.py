"""Sensor augmentations for SimCLR-style objectives, on batches of raw (B, 3, T) windows in g.

Every random number comes from a :class:`RowRandom`, which draws for all rows of the *global*
batch and keeps this process's rows: a window gets the same augmentation whether its batch runs
in one process or is split across several (the distributed test relies on it).
"""

from __future__ import annotations

import math

import torch

from ..config.augment import AugmentConfig, RotationMode
from ..data.gravity import gravity_direction


class RowRandom:
    """Per-row random numbers from ``generator``: draws ``total`` rows, returns rows ``rows``."""

    def __init__(self, generator: torch.Generator, total: int, rows: slice = slice(None)) -> None:
        self.generator = generator
        self.total = total
        self.rows = rows

    def rand(self, *shape: int) -> torch.Tensor:
        """Uniform [0, 1) numbers, (rows, *shape)."""
        return torch.rand((self.total, *shape), generator=self.generator)[self.rows]

    def randn(self, *shape: int) -> torch.Tensor:
        """Standard normal numbers, (rows, *shape)."""
        return torch.randn((self.total, *shape), generator=self.generator)[self.rows]


def jitter(x: torch.Tensor, rng: RowRandom, sigma: float = 0.05) -> torch.Tensor:
    """Add Gaussian noise of standard deviation ``sigma`` g to every sample."""
    return x + sigma * rng.randn(*x.shape[1:]).to(x)


def scaling(x: torch.Tensor, rng: RowRandom, sigma: float = 0.1) -> torch.Tensor:
    """Multiply each channel of each window by a factor drawn from N(1, sigma)."""
    return x * (1 + sigma * rng.randn(x.shape[1], 1)).to(x)


def intensity(x: torch.Tensor, rng: RowRandom, max_factor: float = 2.0) -> torch.Tensor:
    """Scale each window's movement about its gravity (its mean) by one factor, log-uniform in
    [1 / max_factor, max_factor]: the same activity is gentler at the chest than at the wrist or thigh,
    and gravity stays 1 g."""
    factor = torch.exp((2 * rng.rand(1, 1) - 1) * math.log(max_factor)).to(x)
    mean = x.mean(dim=2, keepdim=True)
    return mean + factor * (x - mean)


def axis_angle(axis: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """(rows, 3, 3) rotations about unit ``axis`` (rows, 3) by ``angle`` (rows, 1) radians (Rodrigues)."""
    k = torch.zeros(len(axis), 3, 3, dtype=axis.dtype, device=axis.device)
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    k = k - k.transpose(1, 2)  # the cross-product matrix of the axis
    eye = torch.eye(3, dtype=axis.dtype, device=axis.device).expand_as(k)
    return eye + torch.sin(angle)[..., None] * k + (1 - torch.cos(angle))[..., None] * (k @ k)


def rotation_matrices(rng: RowRandom, max_degrees: float = 180.0) -> torch.Tensor:
    """(rows, 3, 3) rotations about a uniformly random axis by an angle uniform in +-max_degrees."""
    axis = torch.nn.functional.normalize(rng.randn(3), dim=-1)
    angle = (2 * rng.rand(1) - 1) * math.radians(max_degrees)
    return axis_angle(axis, angle)


def rotation(x: torch.Tensor, rng: RowRandom, max_degrees: float = 180.0) -> torch.Tensor:
    """Rotate each window's 3-D acceleration vectors (a different sensor orientation)."""
    return rotation_matrices(rng, max_degrees).to(x) @ x


def uniform_rotations(rng: RowRandom) -> torch.Tensor:
    """(rows, 3, 3) rotations uniform over SO(3) (Haar measure): unit quaternions from 4-D normals.

    (A uniform axis with a uniform angle, as :func:`rotation_matrices` draws, is not uniform over
    SO(3): it over-weights small angles.)
    """
    w, x, y, z = torch.nn.functional.normalize(rng.randn(4), dim=-1).unbind(-1)
    return torch.stack([
        torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        torch.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        torch.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], -2)


def random_orientation(x: torch.Tensor, rng: RowRandom, mode: RotationMode) -> torch.Tensor:
    """Each (B, 3, T) window seen from a random device orientation: ``so3`` uniformly over all of them,
    ``yaw`` turned about the window's own gravity estimate (heading only, a uniform angle), ``none``
    unchanged (and no numbers drawn). Pre-training applies it per window per step."""
    if mode == "none":
        return x
    if mode == "so3":
        matrices = uniform_rotations(rng)
    else:
        angle = (2 * rng.rand(1) - 1) * math.pi
        matrices = axis_angle(gravity_direction(x.float()).cpu(), angle)
    return matrices.to(x) @ x


def time_warp(x: torch.Tensor, rng: RowRandom, sigma: float = 0.2, knots: int = 4) -> torch.Tensor:
    """Resample each window along a smoothly varying time axis.

    The local speed is N(1, sigma) at ``knots + 2`` evenly spaced points, linearly interpolated;
    its cumulative sum, rescaled to span the window, gives the sample times (read by linear
    interpolation), so the window keeps its length and end points.
    """
    b, _, t = x.shape
    speed = (1 + sigma * rng.randn(knots + 2)).clamp(min=0.1).to(x)
    position = torch.linspace(0, knots + 1, t, device=x.device)
    left = position.floor().long().clamp(max=knots)
    frac = position - left
    curve = speed[:, left] * (1 - frac) + speed[:, left + 1] * frac  # (B, T)
    times = torch.cumsum(curve, dim=1) - curve[:, :1]
    times = times / times[:, -1:] * (t - 1)
    lo = times.floor().long().clamp(max=t - 2)
    w = (times - lo)[:, None, :]
    gather = lambda index: x.gather(2, index[:, None, :].expand(b, x.shape[1], t))  # noqa: E731
    return gather(lo) * (1 - w) + gather(lo + 1) * w


def permutation(x: torch.Tensor, rng: RowRandom, segments: int = 4) -> torch.Tensor:
    """Cut each window into ``segments`` near-equal pieces and put them back in a random order."""
    b, _, t = x.shape
    bounds = torch.linspace(0, t, segments + 1).round().long()
    starts, lengths = bounds[:-1], bounds.diff()
    order = rng.rand(segments).argsort(dim=1)  # (B, S): source segment of each output segment
    out_lengths = lengths[order]
    out_starts = torch.cumsum(out_lengths, dim=1) - out_lengths
    steps = torch.arange(t).expand(b, t).contiguous()
    k = torch.searchsorted(out_starts, steps, right=True) - 1  # output segment of each time step
    source = starts[order.gather(1, k)] + steps - out_starts.gather(1, k)
    return x.gather(2, source.to(x.device)[:, None, :].expand(b, x.shape[1], t))


_FUNCTIONS = {"time_warp": time_warp, "permutation": permutation, "rotation": rotation,
              "scaling": scaling, "intensity": intensity, "jitter": jitter}


def augment(x: torch.Tensor, rng: RowRandom, config: AugmentConfig | None = None) -> torch.Tensor:
    """One random view of each window: the configured augmentations, each kept per row with its ``p``.

    Every augmentation draws its numbers whether or not a row keeps it, so the random stream (and
    hence every later draw) does not depend on the outcomes.
    """
    config = config or AugmentConfig()
    for name, function in _FUNCTIONS.items():
        settings = getattr(config, name)
        if settings is None:
            continue
        params = settings.model_dump(exclude={"p"})
        keep = (rng.rand(1) < settings.p).to(x.device)[..., None]
        x = torch.where(keep, function(x, rng, **params), x)
    return x
