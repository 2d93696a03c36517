"""Contrastive objectives: CLIP, UniCL and SimCLR (NT-Xent); SLIP adds a weighted SimCLR term to the
language one (:class:`~wearclip.train.pretrain.ContrastiveObjective`).

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


def clip_loss(logits: torch.Tensor, sentence_ids: torch.Tensor | None = None) -> torch.Tensor:
    """CLIP loss; with ``sentence_ids``, rows carrying the identical sentence count as positives.

    Plain CLIP treats two windows described by the same sentence as negatives of each other's text,
    although their text embeddings are identical, so its target is unreachable. Passing the ids of
    the sentences makes identical sentences share the target mass (a multi-positive target, as UniCL
    does for labels); distinct sentences stay negatives.
    """
    n = logits.shape[0]
    if sentence_ids is None:
        positives = torch.eye(n, dtype=torch.bool, device=logits.device)
    else:
        positives = sentence_ids[:, None] == sentence_ids[None, :]
    return contrastive_loss(logits, positives)


def unicl_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """UniCL (Yang et al., 2022): every pair of rows with the same activity label is a positive,
    whatever sentence each drew; targets are the positives normalised per row (and per column)."""
    return contrastive_loss(logits, labels[:, None] == labels[None, :])


def language_loss(name: str, logits: torch.Tensor, sentence_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The language-supervised term of pre-training and head adaptation, by objective ``name``:
    ``clip`` (rows with the identical sentence are positives) or ``unicl`` (rows with the same label)."""
    return unicl_loss(logits, labels) if name == "unicl" else clip_loss(logits, sentence_ids)


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """SimCLR's NT-Xent: row i of ``z1`` and of ``z2`` are two views of one window; each of the 2N
    embeddings must pick its partner among the other 2N - 1 by cosine similarity / temperature."""
    z = F.normalize(torch.cat([z1, z2]).float(), dim=-1)
    n = len(z1)
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    return F.cross_entropy(logits, partner)
