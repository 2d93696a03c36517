"""The loaded model's card: training data, recipe, input contract and measured figures, from the files
beside the checkpoint where present (a README or report, a run's metrics.json), else from its config."""

from __future__ import annotations

import json
from pathlib import Path

from ..models.wearclip import WearClip

DOCUMENTS = ("README.md", "card.md", "report.md")
METRICS = "metrics.json"


def beside(checkpoint: Path | None, name: str) -> Path | None:
    """``name`` in the checkpoint folder, else in the run folder around it (``runs/demo/checkpoint`` ->
    ``runs/demo``)."""
    if checkpoint is None:
        return None
    for folder in (checkpoint, checkpoint.parent):
        if (folder / name).is_file():
            return folder / name
    return None


def figures(metrics: dict) -> list[dict]:
    """Every entry of a metrics file that carries a macro-F1 (e.g. the demo's zeroshot and supervised)."""
    keys = ("macro_f1", "accuracy", "weighted_f1", "n")
    return [{"name": name} | {k: value[k] for k in keys if k in value}
            for name, value in metrics.items() if isinstance(value, dict) and "macro_f1" in value]


def model_card(model: WearClip, name: str, checkpoint: Path | None) -> dict:
    config = model.config
    window = config.window
    card = {
        "name": name,
        "training data": ", ".join(config.pretrained_on) or "not recorded in config.json",
        "recipe": {"IMU encoder": config.imu_encoder, "encoder options": config.imu_kwargs or "defaults",
                   "text encoder": config.text_encoder + (" (fine-tuned)" if config.text_trainable else " (frozen)"),
                   "embedding": f"{config.embed_dim}-d, heads {config.head_depth} x {config.head_hidden}",
                   "vocabulary": config.vocabulary_version or "-"},
        "input": {"signal": "3-axis acceleration x, y, z in g (1 g = 9.80665 m/s²)",
                  "rate": f"{window.rate:g} Hz (other rates are resampled)",
                  "window": f"{window.seconds:g} s = {window.size} samples, {100 * window.overlap:g} % overlap",
                  "label rule": window.label_rule},
        "figures": [], "document": None, "sources": ["config.json"],
    }
    if path := beside(checkpoint, METRICS):
        shown = f"{path.parent.name}/{path.name}"
        try:
            metrics = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            card["sources"].append(f"{shown} (not valid JSON, skipped)")
        else:
            card["figures"] = figures(metrics) if isinstance(metrics, dict) else []
            card["sources"].append(shown)
    for document in DOCUMENTS:
        if path := beside(checkpoint, document):
            card["document"] = path.read_text(encoding="utf-8", errors="replace")
            card["sources"].append(f"{path.parent.name}/{path.name}")
            break
    return card
