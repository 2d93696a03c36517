"""Contrastive objectives over a batch of (window, sentence) pairs."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def contrastive_loss(logits: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """Symmetric cross-entropy with soft targets: each row's (and column's) positives share its mass.

    ``logits`` is the (N, N) scaled similarity of sensor rows to text columns; ``positives`` a boolean
    (N, N) matrix with a true diagonal. With ``positives = eye`` this is exactly CLIP's loss.
    """
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
