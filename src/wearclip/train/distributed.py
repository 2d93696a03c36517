"""Several processes under ``torchrun``: joining the group, rank queries, and the collectives the
trainer needs. Everything degrades to a no-op in a single process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.distributed as dist

from ..runtime import pick_device

_local_only = False


def active() -> bool:
    """True inside an initialised process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def rank() -> int:
    return dist.get_rank() if active() else 0


def is_main() -> bool:
    """Only the main process (rank 0) writes checkpoints, metrics and reports."""
    return rank() == 0


def setup(device: str | None = None) -> torch.device:
    """Join the process group ``torchrun`` describes (``WORLD_SIZE`` > 1): NCCL with one GPU per
    process where CUDA exists, else gloo. Returns the device this process trains on."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    chosen = pick_device(device)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if chosen.type == "cuda" else "gloo")
    if chosen.type == "cuda" and world > 1:
        chosen = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(chosen)
    return chosen


def teardown() -> None:
    """Leave the process group (if this process joined one)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@contextmanager
def local_only() -> Iterator[None]:
    """Within the block, :func:`gather_with_grad` returns its input: for work one process does
    alone (validation on rank 0) with code written for the whole group."""
    global _local_only
    previous, _local_only = _local_only, True
    try:
        yield
    finally:
        _local_only = previous


class _GatherWithGrad(torch.autograd.Function):
    """All-gather along dim 0; the backward pass sums every process's gradient of the gathered
    tensor and returns this process's rows (all-reduce, which every backend supports)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad.chunk(dist.get_world_size())[dist.get_rank()]


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Rows of ``x`` from every process, in rank order, differentiable (as open_clip gathers
    features): each process then computes the loss over the global batch, and after DDP averages
    the gradients they equal one process's gradients on that batch."""
    if _local_only or not active():
        return x
    return _GatherWithGrad.apply(x)


def broadcast_object(obj):
    """Rank 0's ``obj`` on every process."""
    if not active():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def all_gather_object(obj) -> list:
    """Every process's ``obj``, in rank order."""
    if not active():
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def barrier() -> None:
    """Wait for every process (e.g. while rank 0 builds a cache the others then read)."""
    if active():
        dist.barrier()
