"""Training: one Trainer (exact resume, DDP) for contrastive pre-training, baselines and adaptation."""

from ..config.objective import ObjectiveConfig
from ..config.train import TrainConfig
from .loop import GlobalBatch, Trainer, TrainResult, epoch_batches
from .pretrain import ContrastiveObjective, pretrain
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
