"""Classification metrics (scikit-learn) in the study's terms: macro-F1 first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score


@dataclass
class ClassificationResult:
    """Macro-F1 (the study's metric), accuracy, weighted F1, per-class F1 and the confusion matrix.

    Only classes present in ``y_true`` enter the averages; every class keeps a row in the matrix.
    """

    macro_f1: float
    accuracy: float
    weighted_f1: float
    per_class_f1: dict[str, float]
    confusion: list[list[int]]
    classes: list[str]
    n: int

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_predictions(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]) -> ClassificationResult:
    """Score predictions against labels (both class indices into ``classes``)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        raise ValueError("no windows to evaluate")
    present = np.unique(y_true)
    per_class = f1_score(y_true, y_pred, labels=present, average=None, zero_division=0)
    return ClassificationResult(
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y_true, y_pred)),
        weighted_f1=float(f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)),
        per_class_f1={classes[c]: float(f) for c, f in zip(present, per_class)},
        confusion=confusion_matrix(y_true, y_pred, labels=np.arange(len(classes))).tolist(),
        classes=list(classes),
        n=len(y_true),
    )


def mean_std(values) -> tuple[float, float]:
    """Mean and standard deviation (population, ddof=0) of per-seed scores."""
    values = np.asarray(list(values), dtype=float)
    if values.size == 0:
        raise ValueError("no scores to summarise")
    return float(values.mean()), float(values.std())


def format_mean_std(values, scale: float = 100.0) -> str:
    """'93.4 ± 0.8' in percent; a single run prints without a spread."""
    values = list(values)
    mean, std = mean_std(values)
    return f"{scale * mean:.1f}" if len(values) == 1 else f"{scale * mean:.1f} ± {scale * std:.1f}"


def random_guesses(n: int, n_classes: int, seed: int) -> np.ndarray:
    """Uniformly random class indices: the chance baseline, measured like any other predictor."""
    return np.random.default_rng(seed).integers(0, n_classes, size=n)


def plot_confusion(result: ClassificationResult, path: str | Path, title: str) -> Path:
    """Row-normalised confusion matrix as a PNG (written atomically)."""
    from matplotlib.figure import Figure  # no pyplot: no global backend to switch

    from .io import atomic_path

    cm = np.asarray(result.confusion, dtype=float)
    rows = cm.sum(1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    n = len(result.classes)
    fig = Figure(figsize=(max(4.5, 1.0 + 0.55 * n), max(4.0, 0.8 + 0.5 * n)))
    ax = fig.subplots()
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), result.classes, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), result.classes, fontsize=8)
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title}\nmacro-F1 {100 * result.macro_f1:.1f}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    return path
