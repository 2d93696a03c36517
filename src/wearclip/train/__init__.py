"""Training: contrastive pre-training and the supervised baseline, on one shared loop."""

from .loop import TrainConfig, TrainResult
from .pretrain import pretrain
from .supervised import SupervisedClassifier, train_supervised

__all__ = ["SupervisedClassifier", "TrainConfig", "TrainResult", "pretrain", "train_supervised"]
