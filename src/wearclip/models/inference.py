"""Batched inference over windows: every model reads (N, C, T) arrays or memmaps a batch at a time,
without gradients and in eval mode, so a split on disk is never loaded whole."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn


def check_windows(x, length: int | None = None) -> None:
    """Refuse what is not a stack of 3-axis windows (of ``length`` samples, where given)."""
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) != 3 or shape[1] != 3:
        got = tuple(shape) if shape is not None else type(x).__name__
        raise ValueError(f"expected windows of shape (N, 3, T) in g, got {got}")
    if length is not None and shape[2] != length:
        raise ValueError(f"expected windows of {length} samples (the model's window), got {shape[2]}")


@torch.no_grad()
def batched(fn: Callable[[torch.Tensor], torch.Tensor], x, out_dim: int, batch_size: int = 1024,
            module: nn.Module | None = None) -> torch.Tensor:
    """``fn`` over ``x`` in batches of ``batch_size`` rows, on the device of ``module`` (put in eval
    mode), results concatenated on the CPU as float32; (0, out_dim) for no rows."""
    device = torch.device("cpu")
    if module is not None:
        module.eval()
        device = next(module.parameters()).device
    out = [fn(torch.as_tensor(np.asarray(x[i : i + batch_size], dtype=np.float32), device=device)).float().cpu()
           for i in range(0, len(x), batch_size)]
    return torch.cat(out) if out else torch.empty(0, out_dim)
