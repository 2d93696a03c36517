"""Contrastive objectives: CLIP, UniCL and SimCLR (NT-Xent); SLIP adds a weighted SimCLR term to the
language one (:class:`~wearclip.train.pretrain.ContrastiveObjective`).

The language objectives differ only in which (sensor row, text column) pairs of a batch are
positives (:func:`positive_pairs`): the paper's plain CLIP the diagonal, ``clip-dedup`` rows that drew
the identical sentence, UniCL rows of the same activity.

Each takes the full (global) batch: under DDP, gather the embeddings first
(:func:`wearclip.train.distributed.gather_with_grad`) so negatives span every process.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def contrastive_loss(logits: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """Symmetric cross-entropy with soft targets: each row's (and column's) positives share its mass.

    ``logits`` is the (N, N) scaled similarity of sensor rows to text columns; ``positives`` a boolean
    (N, N) matrix with a true diagonal. With ``positives = eye`` this is exactly CLIP's loss.
    """
    logits = logits.float()
    positives = positives.to(logits.dtype)
    row_targets = positives / positives.sum(1, keepdim=True)
    col_targets = positives.T / positives.T.sum(1, keepdim=True)
    sensor_to_text = -(row_targets * F.log_softmax(logits, dim=1)).sum(1).mean()
    text_to_sensor = -(col_targets * F.log_softmax(logits.T, dim=1)).sum(1).mean()
    return (sensor_to_text + text_to_sensor) / 2


def positive_pairs(name: str, sentence_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The (N, N) boolean positives of language objective ``name`` for a batch whose row i drew
    sentence ``sentence_ids[i]`` of activity ``labels[i]``.

    ``clip``: the diagonal only (Radford et al.; the study's CLIP), so two windows that drew the same
    sentence are each other's negatives. ``clip-dedup``: rows with the identical sentence share the
    target. ``unicl``: rows with the same label share it, whichever sentences they drew.
    """
    if name == "clip":
        return torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    keys = {"clip-dedup": sentence_ids, "unicl": labels}
    if name not in keys:
        raise ValueError(f"unknown language objective {name!r}; choose clip, clip-dedup or unicl")
    return keys[name][:, None] == keys[name][None, :]


def language_loss(name: str, logits: torch.Tensor, sentence_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The language-supervised term of pre-training and head adaptation: :func:`contrastive_loss` with
    the positives of objective ``name`` (:func:`positive_pairs`)."""
    return contrastive_loss(logits, positive_pairs(name, sentence_ids, labels))


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """SimCLR's NT-Xent: row i of ``z1`` and of ``z2`` are two views of one window; each of the 2N
    embeddings must pick its partner among the other 2N - 1 by cosine similarity / temperature."""
    z = F.normalize(torch.cat([z1, z2]).float(), dim=-1)
    n = len(z1)
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    return F.cross_entropy(logits, partner)
