"""Contrastive objectives: CLIP, UniCL, SimCLR (NT-Xent) and their sum, SLIP.

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


def unicl_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """UniCL (Yang et al., 2022): every pair of rows with the same activity label is a positive,
    whatever sentence each drew; targets are the positives normalised per row (and per column)."""
    return contrastive_loss(logits, labels[:, None] == labels[None, :])


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """SimCLR's NT-Xent: row i of ``z1`` and of ``z2`` are two views of one window; each of the 2N
    embeddings must pick its partner among the other 2N - 1 by cosine similarity / temperature."""
    z = F.normalize(torch.cat([z1, z2]).float(), dim=-1)
    n = len(z1)
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    return F.cross_entropy(logits, partner)


def slip_loss(
    logits: torch.Tensor,
    positives: torch.Tensor,
    z1: torch.Tensor,
    z2: torch.Tensor,
    weight: float = 1.0,
    temperature: float = 0.1,
) -> torch.Tensor:
    """SLIP (Mu et al., 2022): the language-supervised loss (CLIP or UniCL ``positives``) plus
    ``weight`` times SimCLR's NT-Xent on two augmented views."""
    return contrastive_loss(logits, positives) + weight * nt_xent_loss(z1, z2, temperature)
