"""One pre-training run from a :class:`~wearclip.config.PretrainConfig`: datasets -> subject splits
-> sentences -> WearClip -> :func:`~wearclip.train.pretrain.fit_pretraining` -> zero-shot test
scores, all in one run folder.

Run folder: ``config.yaml`` (the complete configuration), ``metrics.jsonl``, ``best/`` (a WearClip
checkpoint: ``WearClip.from_pretrained(run/"best")``), ``last/`` (checkpoint + trainer state for
``--resume``) and ``summary.json`` (split, best epoch, zero-shot test macro-F1 per dataset).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from ..config.presets import dump_config
from ..config.run import PretrainConfig
from ..data import datasets
from ..data.splits import subject_split
from ..data.windows import Windows, make_windows, pool
from ..errors import ConfigError, OutputError
from ..io import check_claim, claim_directory, write_json, write_text
from ..metrics import evaluate_predictions
from ..models.imu import build_imu_encoder
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier
from ..runtime import seed_everything
from ..text import sentences_by_phrase, vocabulary_tag
from ..text.encoders import default_text_encoder
from ..train import distributed
from ..train.pretrain import fit_pretraining


def open_windows(config: PretrainConfig, log: Callable[[str], None]) -> dict[str, tuple[Windows, Windows, Windows, dict]]:
    """Per dataset: (train, val, test) windows split by subject, and the split itself."""
    out = {}
    for ref in config.data.datasets:
        dataset = datasets.load(ref.name, ref.root, ref.placement, **ref.options)
        if config.data.store:
            from ..data.store import WindowStore

            store = WindowStore(config.data.cache_dir)
            if not distributed.is_main():
                distributed.barrier()  # rank 0 builds the cache first
            windows = store.open(dataset, config.data.window)
            if distributed.is_main():
                distributed.barrier()
        else:
            windows = make_windows(dataset.recordings(), dataset.classes, config.data.window)
        split = subject_split(windows.subjects, config.data.split_seed, config.data.split_fractions)
        parts = tuple(windows.of_subjects(s) for s in (split.train, split.val, split.test))
        key = ref.name if ref.name not in out else f"{ref.name}:{ref.placement or len(out)}"
        out[key] = (*parts, split.as_dict())
        log(f"{key}: {len(windows)} windows, {len(dataset.classes)} classes; train/val/test windows "
            f"{'/'.join(str(len(p)) for p in parts)}")
    return out


def run_sentences(config: PretrainConfig, mode: str, parts: dict) -> dict[str, list[str]]:
    """Sentences per activity phrase under ``mode`` for the run's datasets (each warning shown)."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        return sentences_by_phrase([(ref.name, parts[name][0].classes) for name, ref in zip(parts, config.data.datasets)],
                                   mode, config.train.seed, vocabulary=config.text.vocabulary,
                                   limit=config.text.limit if mode == config.text.mode else None)


RUN_FILES = frozenset({"config.yaml", "metrics.jsonl", "best", "last", "summary.json"})
"""What a run folder holds (folders written before markers existed are recognised by these names)."""


def check_run_dir(config: PretrainConfig, run_dir: Path, resume: bool) -> None:
    """Refuse (without writing) to overwrite a run, to resume one with another config, or to write into a
    folder that is not a run."""
    saved = run_dir / "config.yaml"
    if resume and saved.is_file():
        before = yaml.safe_load(saved.read_text(encoding="utf-8"))
        now = config.model_dump(mode="json")
        changed = sorted(_differences(before, now))
        if changed:
            raise ConfigError(f"{saved}: the run was started with another configuration; differing keys: "
                              f"{', '.join(changed)}")
    elif not resume and (run_dir / "last").exists():
        raise OutputError(f"{run_dir} already holds a run: pass --resume to continue it, or choose another --out")
    check_claim(run_dir, "pretrain-run", RUN_FILES)


def prepare_run_dir(config: PretrainConfig, run_dir: Path) -> None:
    """Claim the run folder and record the configuration (once everything is validated)."""
    if distributed.is_main():
        claim_directory(run_dir, "pretrain-run", RUN_FILES)
        write_text(run_dir / "config.yaml", dump_config(config))


def _differences(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))]
    return [] if a == b else [path or "(top level)"]


def run_pretraining(
    config: PretrainConfig,
    out: str | Path | None = None,
    resume: bool = False,
    callbacks: Sequence[object] = (),
    log: Callable[[str], None] = print,
) -> dict:
    """Run (or resume) one pre-training and return its summary (also written to ``summary.json``);
    ``callbacks`` follow the training (see :class:`~wearclip.train.loop.Trainer`)."""
    distributed.setup(config.train.device)  # under torchrun: join the group before any collective
    run_dir = Path(out or config.out or Path("runs") / config.name)
    check_run_dir(config, run_dir, resume)
    for ref in config.data.datasets:  # names, folders, placements, options and the encoder: in a moment
        datasets.load(ref.name, ref.root, ref.placement, **ref.options)
    build_imu_encoder(config.model.imu_encoder, **config.model.imu_kwargs)
    parts = open_windows(config, log)  # every dataset read (or its cache opened) before anything is written
    classes = list(dict.fromkeys(c for train, _, _, _ in parts.values() for c in train.classes))
    train = pool({name: p[0] for name, p in parts.items()}, classes)
    training = run_sentences(config, config.text.mode, parts)
    evaluation = run_sentences(config, config.text.eval_mode, parts)

    text_dim = default_text_encoder(config.model.text_encoder, config.model.text_pooling).dim
    model_config = config.model.model_copy(update={"text_dim": text_dim}).with_provenance(
        window=config.data.window,
        pretrained_on=[ref.name for ref in config.data.datasets],
        vocabulary_version=",".join(dict.fromkeys(vocabulary_tag(ref.name, config.text.vocabulary)
                                                  for ref in config.data.datasets)),
        sentence_mode=config.text.mode,
    )
    seed_everything(config.train.seed)
    model = WearClip(model_config)
    prepare_run_dir(config, run_dir)
    result = fit_pretraining(
        model, train, {name: p[1] for name, p in parts.items()}, config.train,
        class_sentences=[training[c] for c in classes], eval_sentences=[evaluation[c] for c in classes],
        objective=config.objective, callbacks=callbacks, run_dir=run_dir, resume=resume,
    )

    test = {}
    for name, (_, _, windows, _) in parts.items():
        predictions = ZeroShotClassifier(result.model, [evaluation[c] for c in windows.classes]).predict(windows.x)
        test[name] = evaluate_predictions(windows.labels, predictions, windows.classes).to_dict()
    summary = {
        "name": config.name,
        "run_dir": str(run_dir),
        "best_epoch": result.best_epoch,
        "monitor": config.train.monitor,
        "best_score": result.best_score,
        "epochs_run": len(result.history),
        "test_macro_f1": {name: r["macro_f1"] for name, r in test.items()},
        "test": test,
        "splits": {name: p[3] for name, p in parts.items()},
        "windows": {name: {"train": len(p[0]), "val": len(p[1]), "test": len(p[2])} for name, p in parts.items()},
    }
    if distributed.is_main():
        write_json(run_dir / "summary.json", summary)
    return summary
