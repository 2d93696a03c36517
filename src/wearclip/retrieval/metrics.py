"""Retrieval metrics between windows and activity descriptions: R@K, MRR, and mAP where queries have many hits.

R@K is the fraction of queries with at least one relevant item among the top K (the success rate that
CLIP-style retrieval papers report); MRR averages 1 / rank of the first relevant item. Text -> sensor: each
class's description queries all windows and that class's windows are relevant, so R@K saturates fast and
mAP (scikit-learn's average precision per query, averaged) carries the signal. Sensor -> text: each
window queries the class descriptions and its own class is relevant (R@1 is zero-shot accuracy).
Tied scores count against the query: a relevant item ranks below every irrelevant item scoring the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from sklearn.metrics import average_precision_score

from ..data.datasets.base import UNLABELLED
from ..data.windows import Windows
from ..errors import UsageError
from ..models.wearclip import WearClip
from .index import EmbeddingIndex

RECALL_AT = (1, 5, 10)


@dataclass
class RetrievalResult:
    """Scores of one retrieval direction; ``recall`` maps K to R@K."""

    recall: dict[int, float]
    mrr: float
    mean_average_precision: float | None
    queries: int
    gallery: int

    def to_dict(self) -> dict:
        return asdict(self)


def first_relevant_rank(similarity: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """1-based rank of the best-scoring relevant item of each query (row); ties count against it."""
    best = np.where(relevant, similarity, -np.inf).max(axis=1)
    return 1 + ((similarity >= best[:, None]) & ~relevant).sum(axis=1)


def retrieval_metrics(similarity, relevant, ks: Sequence[int] = RECALL_AT, average_precision: bool = False,
                      ) -> RetrievalResult:
    """R@K, MRR (and optionally mAP) of queries (rows) against a gallery (columns).

    Queries without any relevant item are left out (a class absent from the evaluated windows)."""
    similarity = np.asarray(similarity, dtype=np.float64)
    relevant = np.asarray(relevant, dtype=bool)
    if similarity.shape != relevant.shape or similarity.ndim != 2:
        raise ValueError(f"similarity {similarity.shape} and relevance {relevant.shape} "
                         "must be the same (queries, gallery) shape")
    keep = relevant.any(axis=1)
    if not keep.any():
        raise ValueError("no query has a relevant item in the gallery")
    similarity, relevant = similarity[keep], relevant[keep]
    ranks = first_relevant_rank(similarity, relevant)
    mean_ap = None
    if average_precision:
        mean_ap = float(np.mean([average_precision_score(r, s) for r, s in zip(relevant, similarity)]))
    return RetrievalResult(
        recall={k: float(np.mean(ranks <= k)) for k in ks},
        mrr=float(np.mean(1.0 / ranks)),
        mean_average_precision=mean_ap,
        queries=int(len(ranks)),
        gallery=int(similarity.shape[1]),
    )


def class_retrieval(sensor, labels, text, ks: Sequence[int] = RECALL_AT) -> dict[str, RetrievalResult]:
    """Both directions between normalised window embeddings (n, d) with class ``labels`` and one
    normalised description embedding per class (c, d); unlabelled windows are left out."""
    sensor = torch.as_tensor(np.asarray(sensor), dtype=torch.float32)
    text = torch.as_tensor(np.asarray(text), dtype=torch.float32)
    labels = np.asarray(labels)
    keep = labels != UNLABELLED
    if not keep.any():
        raise ValueError("no labelled windows to evaluate retrieval on")
    similarity = (sensor[torch.from_numpy(keep)] @ text.T).numpy()
    relevant = labels[keep, None] == np.arange(text.shape[0])[None, :]
    return {
        "text_to_sensor": retrieval_metrics(similarity.T, relevant.T, ks, average_precision=True),
        "sensor_to_text": retrieval_metrics(similarity, relevant, ks),
    }


def evaluate_retrieval(model: WearClip, windows: Windows, class_sentences: Sequence[Sequence[str] | str],
                       ks: Sequence[int] = RECALL_AT) -> dict[str, RetrievalResult]:
    """Text <-> sensor retrieval of a model on labelled windows; each class is described by the mean
    embedding of its sentences (one sentence gives the single-template query)."""
    return class_retrieval(model.encode_windows(windows.x), windows.labels, model.class_prototypes(class_sentences), ks)


def index_retrieval(index: EmbeddingIndex, model: WearClip, sentences: str = "base",
                    ks: Sequence[int] = RECALL_AT) -> dict[str, RetrievalResult]:
    """Text <-> sensor retrieval over the labelled windows of an index; each class is described by its
    sentences under the mode ``sentences`` (several are averaged into one query)."""
    from ..text import class_sentences

    if not index.info.classes:
        raise UsageError(f"{index.path}: the index records no activity classes (built from unlabelled data)")
    queries = model.class_prototypes(class_sentences(index.info.classes, sentences, index.info.dataset))
    labels = index.manifest.label.map({c: i for i, c in enumerate(index.info.classes)}).fillna(UNLABELLED)
    return class_retrieval(index.vectors(np.arange(len(index))), labels.to_numpy(np.int64), queries, ks)
