"""Training: one Trainer (exact resume, DDP) and its recipes, each ``fit_<what>(model, train, val,
config, *, callbacks, run_dir, resume) -> TrainResult``: contrastive pre-training, head adaptation,
supervised training, self-supervised baselines and the classifier on their features."""

from ..config.objective import ObjectiveConfig
from ..config.train import TrainConfig
from .adapt import fit_heads
from .baselines import FeatureClassifier, build_ssl, fit_classifier, fit_ssl
from .loop import GlobalBatch, Trainer, TrainResult, epoch_batches
from .pretrain import ContrastiveObjective, fit_pretraining
from .supervised import SupervisedClassifier, fit_supervised

__all__ = [
    "ContrastiveObjective",
    "FeatureClassifier",
    "GlobalBatch",
    "ObjectiveConfig",
    "SupervisedClassifier",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "build_ssl",
    "epoch_batches",
    "fit_classifier",
    "fit_heads",
    "fit_pretraining",
    "fit_ssl",
    "fit_supervised",
]
