"""Training: one Trainer (exact resume, DDP) for contrastive pre-training, baselines and adaptation."""

from .loop import GlobalBatch, TrainConfig, Trainer, TrainResult, epoch_batches
from .pretrain import ContrastiveObjective, ObjectiveConfig, pretrain
from .supervised import SupervisedClassifier, train_supervised

__all__ = [
    "ContrastiveObjective",
    "GlobalBatch",
    "ObjectiveConfig",
    "SupervisedClassifier",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "epoch_batches",
    "pretrain",
    "train_supervised",
]
