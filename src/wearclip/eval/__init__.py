"""Recognition and metrics: zero-shot classification, macro-F1, reports."""

from .metrics import ClassificationResult, evaluate_predictions
from .zeroshot import ZeroShotClassifier

__all__ = ["ClassificationResult", "ZeroShotClassifier", "evaluate_predictions"]
