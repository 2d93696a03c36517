"""The main job: pre-train NLS on the embedded UCI HAPT, zero-shot it, and compare with supervised training."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict

from ..config.model import WearClipConfig
from ..config.train import TrainConfig
from ..config.window import WindowConfig
from ..data import datasets
from ..data.splits import subject_split
from ..data.windows import make_windows
from ..io import claim_directory, write_json, write_text
from ..metrics import ClassificationResult, evaluate_predictions, plot_confusion
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..runtime import seed_everything
from ..text.templates import base_sentence
from ..train.pretrain import fit_pretraining
from ..train.supervised import SupervisedClassifier, fit_supervised


class DemoConfig(BaseModel):
    """Settings of the demo run (all recorded in ``metrics.json``)."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = "uci-hapt"
    root: str | None = None
    seed: int = 0
    window: WindowConfig = WindowConfig()
    train: TrainConfig = TrainConfig()
    model: WearClipConfig = WearClipConfig()


def report_markdown(config: DemoConfig, split, counts, zeroshot: ClassificationResult,
                    supervised: ClassificationResult, seconds: float) -> str:
    """The demo's report: headline macro-F1 side by side, then per-class F1."""
    lines = [
        f"# wearclip demo: NLS zero-shot vs supervised on {config.dataset}",
        "",
        f"Dataset `{config.dataset}` ({'embedded copy' if config.root is None else config.root}), "
        f"{config.window.seconds:g} s windows at {config.window.rate:g} Hz, {int(config.window.overlap * 100)} % overlap, "
        f"label rule `{config.window.label_rule}`; subject split seed {config.seed}: "
        f"{len(split.train)} train / {len(split.val)} val / {len(split.test)} test subjects "
        f"(test: {', '.join(split.test)}); windows train/val/test {counts['train']}/{counts['val']}/{counts['test']}. "
        f"Encoder `{config.model.imu_encoder}`, text encoder `{config.model.text_encoder}` (frozen), "
        f"base template. Wall time {seconds:.0f} s. Regenerate: `wearclip demo --seed {config.seed}`.",
        "",
        "| method | macro-F1 | accuracy | weighted F1 |",
        "|---|---|---|---|",
        f"| NLS zero-shot (pre-trained on train subjects) | {100 * zeroshot.macro_f1:.1f} | "
        f"{100 * zeroshot.accuracy:.1f} | {100 * zeroshot.weighted_f1:.1f} |",
        f"| supervised (same encoder, end-to-end) | {100 * supervised.macro_f1:.1f} | "
        f"{100 * supervised.accuracy:.1f} | {100 * supervised.weighted_f1:.1f} |",
        "",
        "## Per-class F1 on the test subjects",
        "",
        "| activity | test windows | NLS zero-shot | supervised |",
        "|---|---|---|---|",
    ]
    for i, name in enumerate(zeroshot.classes):
        if name in zeroshot.per_class_f1:
            lines.append(f"| {name} | {sum(zeroshot.confusion[i])} | {100 * zeroshot.per_class_f1[name]:.1f} | "
                         f"{100 * supervised.per_class_f1[name]:.1f} |")
    lines += ["", "![NLS zero-shot](confusion_zeroshot.png) ![supervised](confusion_supervised.png)", ""]
    return "\n".join(lines)


DEMO_FILES = frozenset({"checkpoint", "metrics.json", "report.md", "confusion_zeroshot.png", "confusion_supervised.png"})
"""What a demo folder holds (folders written before markers existed are recognised by these names)."""


def run_demo(out: str | Path = "runs/demo", config: DemoConfig | None = None, log=print,
             callbacks: Sequence[object] = ()) -> dict:
    """Run steps 1-8 of the spine and write checkpoint, metrics, report and plots into ``out``;
    ``callbacks`` follow both trainings (see :class:`~wearclip.train.loop.Trainer`)."""
    config = config or DemoConfig()
    out = claim_directory(out, "demo", DEMO_FILES)
    started = time.perf_counter()
    torch.set_num_threads(max(1, torch.get_num_threads()))

    dataset = datasets.load(config.dataset, config.root)
    windows = make_windows(dataset.recordings(), dataset.classes, config.window)
    split = subject_split(windows.subjects, config.seed)
    train, val, test = (windows.of_subjects(s) for s in (split.train, split.val, split.test))
    counts = {"train": len(train), "val": len(val), "test": len(test)}
    log(f"{config.dataset}: {len(windows)} windows, {len(dataset.classes)} classes; "
        f"train/val/test windows {counts['train']}/{counts['val']}/{counts['test']}")

    sentences = [[base_sentence(activity)] for activity in dataset.classes]
    seed_everything(config.seed)
    model = WearClip(config.model.with_provenance(window=config.window, pretrained_on=[config.dataset],
                                                  sentence_mode="base"))
    nls = fit_pretraining(model, train, val, config.train, class_sentences=sentences, callbacks=callbacks)
    checkpoint = nls.model.save_pretrained(out / "checkpoint")
    model = WearClip.from_pretrained(checkpoint)
    zeroshot = evaluate_predictions(test.labels, ZeroShotClassifier(model, sentences).predict(test.x), test.classes)

    torch.manual_seed(config.train.seed)
    sup = fit_supervised(SupervisedClassifier(len(train.classes)), train, val, config.train, callbacks=callbacks)
    supervised = evaluate_predictions(test.labels, sup.model.predict(test.x), test.classes)
    seconds = time.perf_counter() - started

    plot_confusion(zeroshot, out / "confusion_zeroshot.png", "NLS zero-shot")
    plot_confusion(supervised, out / "confusion_supervised.png", "Supervised")
    metrics = {
        "config": config.model_dump(),
        "split": split.as_dict(),
        "windows": counts,
        "zeroshot": zeroshot.to_dict() | {"best_epoch": nls.best_epoch, "history": nls.history},
        "supervised": supervised.to_dict() | {"best_epoch": sup.best_epoch, "history": sup.history},
        "wall_seconds": seconds,
    }
    write_json(out / "metrics.json", metrics)
    write_text(out / "report.md", report_markdown(config, split, counts, zeroshot, supervised, seconds))
    return metrics
