"""A gravity-aligned frame for accelerometer windows, so that how a device is held stops mattering.

A phone on the waist, in a pocket or a watch on a wrist see the same movement in different axes.
Gravity is the one direction every placement shares: each window is rotated so that its gravity
estimate points along +z. The estimate is a low-pass of about 0.3 Hz; over a window shorter than that
filter's period (1 / 0.3 Hz = 3.3 s, longer than the 2 s windows used here) such a filter leaves the
window's mean, so the mean acceleration is the estimate. Rotation about gravity (heading) stays
unknown, which is what yaw-only rotation augmentation teaches the encoder to ignore.

Frames (``WearClipConfig.frame``, applied by the model to every input, in training and at inference):

* ``sensor``: the device's own axes (no transform);
* ``gravity``: rotated so gravity is +z: channels are two horizontal axes of arbitrary heading and
  the vertical axis;
* ``invariant``: three orientation-free channels: the norm, the vertical component and the
  horizontal magnitude (the norm of the horizontal part).
"""

from __future__ import annotations

import torch

FRAMES = ("sensor", "gravity", "invariant")


def gravity_direction(x: torch.Tensor) -> torch.Tensor:
    """Unit gravity estimate (B, 3) of (B, 3, T) windows: the mean acceleration (+z where it is zero)."""
    mean = x.mean(dim=2)
    fallback = torch.zeros_like(mean)
    fallback[:, 2] = 1.0
    norm = mean.norm(dim=1, keepdim=True)
    return torch.where(norm > 1e-6, mean / norm.clamp(min=1e-6), fallback)


def rotations_to_z(g: torch.Tensor) -> torch.Tensor:
    """(B, 3, 3) rotations taking the unit vectors ``g`` (B, 3) onto +z, the smallest such rotation.

    For v = g x z and c = g . z, R = I + [v]x + [v]x^2 / (1 + c); where g points down (c = -1) the
    half-turn about x is used.
    """
    z = torch.zeros_like(g)
    z[:, 2] = 1.0
    v = torch.linalg.cross(g, z)
    c = g[:, 2]
    k = torch.zeros(len(g), 3, 3, dtype=g.dtype, device=g.device)
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -v[:, 2], v[:, 1], -v[:, 0]
    k = k - k.transpose(1, 2)
    eye = torch.eye(3, dtype=g.dtype, device=g.device).expand_as(k)
    down = c < -1 + 1e-6
    rotation = eye + k + (k @ k) / (1 + c).clamp(min=1e-6)[:, None, None]
    flip = torch.diag(torch.tensor([1.0, -1.0, -1.0], dtype=g.dtype, device=g.device)).expand_as(k)
    return torch.where(down[:, None, None], flip, rotation)


def align_to_gravity(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, T) windows rotated so each one's gravity estimate is +z."""
    return rotations_to_z(gravity_direction(x)) @ x


def invariant_channels(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, T): norm, vertical component and horizontal magnitude of each sample."""
    aligned = align_to_gravity(x)
    horizontal = aligned[:, :2].norm(dim=1)
    return torch.stack([x.norm(dim=1), aligned[:, 2], horizontal], dim=1)


def to_frame(x: torch.Tensor, frame: str) -> torch.Tensor:
    """Raw (B, 3, T) windows in g expressed in ``frame`` (see the module docstring)."""
    if frame == "sensor":
        return x
    if frame == "gravity":
        return align_to_gravity(x)
    if frame == "invariant":
        return invariant_channels(x)
    raise ValueError(f"unknown frame {frame!r}; choose one of {', '.join(FRAMES)}")
