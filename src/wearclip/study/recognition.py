"""Recognition jobs on one dataset with a pre-trained checkpoint: zero-shot scoring and head adaptation,
each validated up front and written as one output folder (``metrics.json``, ``confusion.png``, and for
adaptation the adapted ``checkpoint/``).

The command line (``wearclip zeroshot | adapt``) only parses options and prints what these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config.model import AUTO
from ..data.datasets.base import HarDataset
from ..data.splits import subject_split
from ..data.store import WindowStore
from ..data.windows import Windows
from ..errors import UsageError
from ..io import atomic_directory, check_output, write_json
from ..metrics import ClassificationResult, evaluate_predictions, plot_confusion
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..text import check_recognition, class_sentences
from .protocols import draw_shots, restrict

SPLITS = ("all", "train", "val", "test")
OBJECTIVES = ("clip", "clip-dedup", "unicl")
ZEROSHOT_FILES = frozenset({"metrics.json", "confusion.png"})
ADAPT_FILES = frozenset({"checkpoint", "metrics.json", "confusion.png"})


def dataset_windows(dataset: HarDataset, window, subjects: str = "all", split_seed: int = 0,
                    activities: Sequence[str] | None = None) -> Windows:
    """The dataset's windows (through the window store) of ``subjects`` (``all`` or a split by subject),
    restricted to ``activities`` if given."""
    if subjects not in SPLITS:
        raise UsageError(f"subjects {subjects!r}: choose one of {', '.join(SPLITS)}")
    windows = WindowStore().open(dataset, window)
    if subjects != "all":
        windows = windows.of_subjects(getattr(subject_split(windows.subjects, split_seed), subjects))
    return restrict(windows, list(activities)) if activities is not None else windows


def _chosen(dataset: HarDataset, activities: Sequence[str] | None) -> list[str]:
    """The classes to recognise, checked before any window is read."""
    if activities is None:
        return list(dataset.classes)
    if not activities:
        raise UsageError("activities: empty; give a comma-separated subset of the dataset's activities")
    if unknown := [a for a in activities if a not in dataset.classes]:
        raise UsageError(f"activities: {unknown} are not activities of {dataset.name} ({'; '.join(dataset.classes)})")
    return list(activities)


def zeroshot(checkpoint: str | Path, dataset: HarDataset, out: str | Path, activities: Sequence[str] | None = None,
             recognition: str = AUTO, subjects: str = "all", split_seed: int = 0,
             overwrite: bool = False) -> ClassificationResult:
    """Recognise ``dataset``'s activities zero-shot (``auto`` recognition: with the sentence mode the
    model was pre-trained with); write ``metrics.json`` and ``confusion.png`` to ``out``."""
    check_output(out, "zeroshot", overwrite, ZEROSHOT_FILES)
    classes = _chosen(dataset, activities)
    check_recognition(classes, recognition, dataset.name)  # an unknown mode fails before the model loads
    model = WearClip.from_pretrained(checkpoint)
    recognition = model.config.recognition_mode(recognition)
    sentences = class_sentences(classes, recognition, dataset.name)
    windows = dataset_windows(dataset, model.config.window, subjects, split_seed, classes)
    result = evaluate_predictions(windows.labels, ZeroShotClassifier(model, sentences).predict(windows.x), classes)
    with atomic_directory(out, "zeroshot", overwrite) as tmp:
        write_json(tmp / "metrics.json", {"checkpoint": str(checkpoint), "dataset": dataset.name,
                                          "subjects": subjects, "recognition": recognition,
                                          "sentences": sentences} | result.to_dict())
        plot_confusion(result, tmp / "confusion.png", f"{dataset.name}: zero-shot ({recognition})")
    return result


def adapt(checkpoint: str | Path, dataset: HarDataset, out: str | Path, shots: int | None = None,
          mode: str = "base", recognition: str = "base", objective: str = "clip", epochs: int = 150, seed: int = 0,
          split_seed: int = 0, overwrite: bool = False) -> dict:
    """Freeze both encoders and train the projection heads on ``dataset``'s train split (or ``shots``
    windows per class); score the test subjects before and after. Writes ``checkpoint/``,
    ``metrics.json`` and ``confusion.png`` to ``out`` and returns the metrics."""
    from ..config.objective import ObjectiveConfig
    from ..train.adapt import ADAPT_CONFIG, fit_heads

    check_output(out, "adapt", overwrite, ADAPT_FILES)
    if objective not in OBJECTIVES:
        raise UsageError(f"objective {objective!r}: choose one of {', '.join(OBJECTIVES)}")
    if shots is not None and shots < 1:
        raise UsageError(f"shots must be at least 1, got {shots}")
    if epochs < 1:
        raise UsageError(f"epochs must be at least 1, got {epochs}")
    recognise = class_sentences(dataset.classes, recognition, dataset.name)
    class_sentences(dataset.classes, mode, dataset.name, seed)  # an unknown mode fails before any training
    model = WearClip.from_pretrained(checkpoint)
    parts = {s: dataset_windows(dataset, model.config.window, s, split_seed) for s in ("train", "val", "test")}
    train, capped = draw_shots(parts["train"], shots, seed) if shots else (parts["train"], {})
    test = parts["test"]
    before = evaluate_predictions(test.labels, ZeroShotClassifier(model, recognise).predict(test.x), test.classes)
    config = ADAPT_CONFIG.model_copy(update={"epochs": epochs, "seed": seed})
    result = fit_heads(model, train, parts["val"], config,
                       class_sentences=class_sentences(train.classes, mode, dataset.name, seed),
                       objective=ObjectiveConfig(name=objective))
    after = evaluate_predictions(test.labels, ZeroShotClassifier(result.model, recognise).predict(test.x), test.classes)
    adapted = result.model
    adapted.config = adapted.config.with_provenance(  # its heads now speak the adaptation's sentences
        pretrained_on=[*adapted.config.pretrained_on, f"{dataset.name} (heads adapted)"], sentence_mode=mode)
    metrics = {"checkpoint": str(checkpoint), "dataset": dataset.name, "shots": shots, "train_windows": len(train),
               "capped": capped, "best_epoch": result.best_epoch, "before": before.to_dict(),
               "after": after.to_dict(), "history": result.history}
    with atomic_directory(out, "adapt", overwrite) as tmp:
        adapted.save_pretrained(tmp / "checkpoint")
        write_json(tmp / "metrics.json", metrics)
        plot_confusion(after, tmp / "confusion.png", f"{dataset.name}: after head adaptation")
    return metrics

