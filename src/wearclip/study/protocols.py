"""The study's evaluation protocols: run one :class:`Setup` on one target dataset with one seed.

Data rules, the same for every protocol:

* Every dataset is split by subject with ``split_seed`` (train / val / test = 60 / 20 / 20 % of its
  subjects). Scores are always on the target's **test** subjects, model selection always on
  validation subjects.
* Pre-training data (NLS and self-supervised) is the union of the setup's ``pretrain_on`` datasets:
  the run's **source corpus** (``EvalSettings.source``: named datasets such as Capture-24, the
  study's, or ``others``: every other dataset of the run, leave-one-dataset-out), the target's own
  train split (``target``, as the study's Tab. 3), or explicit names. The target contributes only
  its train subjects; any other dataset its train and test subjects (its test subjects are never
  scored), and the val subjects of all of them drive early stopping. Each dataset keeps its own
  activity phrases; one phrase shared by two datasets is one class. Loader options (Capture-24's
  ``label_scheme``) and the class set (``official`` or the study's Tab. 2 ``study``) apply to
  every dataset wherever it is read.
* Labelled target data (supervised training, the MLP of self-supervised baselines, head
  adaptation) is the target's train split, or ``shots`` windows per class drawn from it with the
  seed (a class with fewer windows gives all it has; the report says so). Every method trained on
  it follows one rule (:class:`LabelledBudget`): the same number of optimiser steps, batch size
  min(batch, n), and validation on ``shots`` windows per class of the validation subjects (the
  whole validation split without ``shots``).
* Unseen activities: the target's classes are partitioned into groups (``unseen_groups.yaml``);
  for each group, pre-training drops every window whose phrase is in the group (from every
  source) and recognition is among the group's phrases alone; the score is the mean over groups.

A seed fixes the whole pipeline of a cell: pre-training, k-shot draw, adaptation or classifier.
Pre-trained models are cached on disk by a hash of everything that determines them, so setups and
experiments that share a pre-training (and an interrupted run) reuse it.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..config.compat import AddedOptions
from ..config.model import WearClipConfig
from ..config.objective import ObjectiveConfig
from ..config.train import TrainConfig
from ..config.window import WindowConfig
from ..data import datasets
from ..data.splits import SubjectSplit, k_shot, subject_split
from ..data.windows import Windows, pool
from ..errors import UnknownNameError, UsageError
from ..io import write_json
from ..metrics import evaluate_predictions, random_guesses
from ..models.wearclip import WearClip
from ..models.zeroshot import ZeroShotClassifier, window_features
from ..runtime import seed_everything
from ..text import class_sentences, default_text_encoder, sentences_by_phrase, shipped_templates, vocabulary_tag
from ..train.adapt import ADAPT_CONFIG, fit_heads
from ..train.baselines import SSL_METHODS, FeatureClassifier, build_ssl, fit_classifier, fit_ssl
from ..train.loop import n_batches
from ..train.pretrain import fit_pretraining
from ..train.supervised import SupervisedClassifier, fit_supervised

Method = Literal["chance", "supervised", "nls", "autoencoder", "simclr", "cpc", "enhanced-cpc"]
RECOGNITION = ("best-template", "matching", "mean-all")
"""Recognition modes beyond the sentence modes: the template with the best validation macro-F1, the
pre-training mode's own sentences, and the mean of every template sentence (no paraphrases)."""


@cache
def class_set(name: str, dataset: str) -> list[str] | None:
    """The activities of ``dataset`` in the named class set (None: all of the loader's classes)."""
    if name == "official":
        return None
    sets = yaml.safe_load(resources.files("wearclip.study").joinpath("class_sets.yaml").read_text(encoding="utf-8"))
    if name not in sets:
        raise UnknownNameError(f"unknown class set {name!r}; choose official or one of {', '.join(sorted(sets))}")
    classes = sets[name]["datasets"].get(dataset)
    return list(classes) if classes else None


def loader_options(values: Sequence[str]) -> dict[str, dict[str, str]]:
    """``['capture24.label_scheme=WillettsSpecific2018']`` -> ``{'capture24': {'label_scheme': 'WillettsSpecific2018'}}``."""
    out: dict[str, dict[str, str]] = {}
    for value in values:
        key, sep, setting = value.partition("=")
        dataset, dot, option = key.partition(".")
        if not (sep and dot and dataset.strip() and option.strip() and setting.strip()):
            raise UsageError(f"--option: expected DATASET.OPTION=VALUE (e.g. capture24.label_scheme=Willetts2018), "
                             f"got {value!r}")
        out.setdefault(dataset.strip(), {})[option.strip()] = setting.strip()
    return out


class DataSettings(AddedOptions):
    """Where each dataset is read from, with which loader options and classes, and how it is windowed and split."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("options", "class_set")

    roots: dict[str, str] = Field(default_factory=dict, description="dataset -> folder (absent: embedded copy)")
    placements: dict[str, str] = Field(default_factory=dict, description="dataset -> placement (absent: default)")
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="dataset -> loader options, "
                                                                                 "e.g. capture24: {label_scheme: ...}")
    class_set: str = Field("official", description="official: every class of the loader; study: the study's Tab. 2")
    window: WindowConfig = Field(default_factory=WindowConfig)
    split_seed: int = 0


class LabelledBudget(BaseModel):
    """The one optimisation rule of every method trained on the target's labelled windows (supervised,
    head adaptation, the MLP of self-supervised baselines): ``steps`` optimiser steps at batch size
    min(its batch, n), stopping after ``patience_steps`` without a better validation macro-F1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int = Field(3000, ge=1)
    patience_steps: int = Field(1000, ge=1)
    batch_size: int = Field(64, ge=2)

    def apply(self, config: TrainConfig, n: int) -> TrainConfig:
        """``config`` with this budget for ``n`` labelled windows, in the epochs the trainer counts."""
        batch = min(self.batch_size, n)
        per_epoch = n_batches(n, batch)
        return config.model_copy(update={"batch_size": batch, "epochs": math.ceil(self.steps / per_epoch),
                                         "patience": math.ceil(self.patience_steps / per_epoch)})


class EvalSettings(AddedOptions):
    """Everything a protocol needs besides the setup: data, source corpus, model, optimisation, cache folder."""

    model_config = ConfigDict(extra="forbid")
    added_options = ("source",)

    data: DataSettings = Field(default_factory=DataSettings)
    source: Literal["others"] | tuple[str, ...] = Field(
        "others", description="the source corpus of pre-training: dataset names (the study: capture24), or others "
                              "(every other dataset of the run: leave-one-dataset-out)")
    model: WearClipConfig = Field(default_factory=WearClipConfig)
    pretrain: TrainConfig = Field(default_factory=lambda: TrainConfig(epochs=60, patience=10))
    labelled: LabelledBudget = Field(default_factory=LabelledBudget)
    adapt: TrainConfig = Field(default_factory=lambda: ADAPT_CONFIG.model_copy())
    supervised: TrainConfig = Field(default_factory=TrainConfig)
    ssl: TrainConfig = Field(default_factory=lambda: TrainConfig(epochs=60, patience=10))
    classifier: TrainConfig = Field(default_factory=TrainConfig)
    checkpoints: str = Field("runs/checkpoints", description="cache of pre-trained models")

    def source_of(self, target: str, run_datasets: Sequence[str]) -> tuple[str, ...]:
        """The source corpus for ``target``."""
        if self.source == "others":
            return tuple(d for d in run_datasets if d != target)
        return self.source

    def source_label(self) -> str:
        """The source corpus in words, for reports."""
        return ("the other datasets of the run (leave-one-dataset-out)" if self.source == "others"
                else ", ".join(self.source))


class Setup(BaseModel):
    """One row of a results table: a method and its options.

    ``pretrain_on``: ``"source"`` (the run's source corpus), ``"target"`` (its train subjects),
    ``"others"`` (every other dataset of the run: leave-one-dataset-out), ``"all"`` (target and
    others), or explicit dataset names. ``recognition``: a sentence mode, or ``best-template``,
    ``matching``, ``mean-all`` (:data:`RECOGNITION`). ``objective``: ``clip`` (the study's plain
    CLIP), ``clip-dedup``, ``unicl``, or ``slip`` (plain CLIP + SimCLR).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Method
    pretrain_on: Literal["source", "target", "others", "all"] | tuple[str, ...] = "source"
    encoder: str = "conv"
    mode: str = "base"
    recognition: str = "base"
    objective: Literal["clip", "clip-dedup", "unicl", "slip"] = "clip"
    text_encoder: str | None = None
    adapt: bool = False
    shots: int | None = Field(None, ge=1)
    unseen: bool = False
    target_statistics: bool = Field(False, description="normalise inputs with the target's own per-channel "
                                                       "statistics (its unlabelled train windows), not the sources'")
    preset: str | None = Field(None, description="a pre-training preset or YAML (wearclip pretrain): its model, "
                                                 "objective and sentence mode replace the fields above")

    def sources(self, target: str, run_datasets: Sequence[str], source: Sequence[str] = ()) -> tuple[str, ...]:
        """The datasets pre-training reads for this target (``source``: the run's source corpus)."""
        if isinstance(self.pretrain_on, tuple):
            return self.pretrain_on
        others = tuple(d for d in run_datasets if d != target)
        return {"source": tuple(source) or others, "target": (target,), "others": others,
                "all": (target, *others)}[self.pretrain_on]


@cache
def unseen_groups(dataset: str) -> list[list[str]]:
    """The shipped partition of a dataset's activity phrases into unseen-activity groups."""
    text = resources.files("wearclip.study").joinpath("unseen_groups.yaml").read_text(encoding="utf-8")
    groups = yaml.safe_load(text)["groups"]
    if dataset not in groups:
        raise UnknownNameError(f"no unseen-activity groups for {dataset!r}; groups exist for {', '.join(sorted(groups))}")
    return [list(g) for g in groups[dataset]]


def restrict(windows: Windows, classes: Sequence[str]) -> Windows:
    """The windows of ``classes`` only, relabelled to index ``classes`` (in that order)."""
    index = {c: i for i, c in enumerate(classes)}
    missing = [c for c in classes if c not in windows.classes]
    if missing:
        raise UnknownNameError(f"activities {missing} are not among {windows.classes}")
    mapping = np.array([index.get(c, -1) for c in windows.classes], dtype=np.int32)
    keep = mapping[windows.labels] >= 0
    part = windows.subset(np.flatnonzero(keep))
    return part.relabelled(mapping[part.labels], classes)


def draw_shots(windows: Windows, k: int, seed: int) -> tuple[Windows, dict[str, int]]:
    """``k`` windows per class with ``seed``; a class with fewer gives all of them (returned by name)."""
    labels = windows.labels  # read once: a view computes its columns when asked
    counts = np.bincount(labels, minlength=len(windows.classes))
    capped = {windows.classes[c]: int(n) for c, n in enumerate(counts) if 0 < n < k}
    chosen = [k_shot(labels, k, seed, classes=[c for c, n in enumerate(counts) if n >= k])] \
        if (counts >= k).any() else []
    chosen += [np.flatnonzero(labels == windows.classes.index(c)) for c in capped]
    return windows.subset(np.sort(np.concatenate(chosen))), capped


def curve(history: Sequence[dict]) -> list[list[float]]:
    """A training run's validation curve: [optimiser step, validation score] per epoch."""
    return [[int(r["step"]), float(r["val_score"])] for r in history if r.get("val_score") is not None]


def recipe_key(recipe: dict) -> str:
    """A short stable hash of a JSON-able recipe."""
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()[:16]


class ProtocolRunner:
    """Runs setups for the datasets of one run, caching windows (per process) and pre-trained models (on disk)."""

    def __init__(self, settings: EvalSettings, run_datasets: Sequence[str], log=print,
                 windows: Mapping[str, Windows] | None = None) -> None:
        """``windows``: datasets already in memory, by name (the others are read through the window store)."""
        self.settings = settings
        self.run_datasets = list(run_datasets)
        self.log = log
        self._windows = {name: self._in_class_set(name, w) for name, w in (windows or {}).items()}
        self.last_pretraining: dict = {}

    # -- data ------------------------------------------------------------------------------------
    def windows(self, name: str) -> Windows:
        """All labelled windows of a dataset (through the on-disk window store)."""
        if name not in self._windows:
            self._windows[name] = self._opened(name, self.settings.data.placements.get(name))
        return self._windows[name]

    def _opened(self, name: str, placement: str | None) -> Windows:
        """A dataset's windows at ``placement`` (``None``: its default), in the run's class set."""
        from ..data.store import WindowStore

        data = self.settings.data
        dataset = datasets.load(name, data.roots.get(name), placement, **data.options.get(name, {}))
        return self._in_class_set(name, WindowStore().open(dataset, data.window))

    def _in_class_set(self, name: str, windows: Windows) -> Windows:
        chosen = class_set(self.settings.data.class_set, name)
        return restrict(windows, chosen) if chosen else windows

    def subjects(self, name: str) -> SubjectSplit:
        """The dataset's subject split."""
        return subject_split(self.windows(name).subjects, self.settings.data.split_seed)

    def split(self, name: str) -> dict[str, Windows]:
        """The dataset's train / val / test windows by subject."""
        windows, split = self.windows(name), self.subjects(name)
        return {part: windows.of_subjects(getattr(split, part)) for part in ("train", "val", "test")}

    def pretraining_data(self, sources: Sequence[str], target: str, exclude: Sequence[str] = ()
                         ) -> tuple[dict[str, Windows], dict[str, Windows]]:
        """Per source dataset, its pre-training windows and its validation windows (see module rules)."""
        train, val = {}, {}
        for name in sources:
            windows, split = self.windows(name), self.subjects(name)
            keep = [c for c in windows.classes if c not in set(exclude)]
            train[name] = restrict(windows.of_subjects(split.train if name == target else split.train + split.test), keep)
            held = restrict(windows.of_subjects(split.val), keep)
            found = set(np.unique(held.labels).tolist())
            present = [c for i, c in enumerate(keep) if i in found]
            if len(present) >= 2:
                val[name] = restrict(held, present)
        if not val:
            raise ValueError(f"pre-training on {list(sources)}: no validation subjects with two or more classes")
        return train, val

    # -- sentences -------------------------------------------------------------------------------
    @staticmethod
    def sentences(parts: dict[str, Windows], classes: Sequence[str], mode: str, seed: int) -> list[list[str]]:
        """Sentences of each class under ``mode``, from the vocabulary of the first dataset that has the phrase."""
        table = sentences_by_phrase([(name, windows.classes) for name, windows in parts.items()], mode, seed)
        return [table[c] for c in classes]

    # -- cached pre-training ---------------------------------------------------------------------
    def sources(self, setup: Setup, target: str) -> tuple[str, ...]:
        """The datasets the setup pre-trains on for ``target``."""
        return setup.sources(target, self.run_datasets, self.settings.source_of(target, self.run_datasets))

    def _source_recipe(self, sources: Sequence[str], target: str) -> list[dict]:
        """What identifies each source in a cache key (options and class sets only where they are set,
        so keys written before they existed stay valid)."""
        data = self.settings.data
        recipes = []
        for n in sources:
            recipe = {"dataset": n, "root": data.roots.get(n), "placement": data.placements.get(n),
                      "subjects": "train" if n == target else "train+test"}
            if data.options.get(n):
                recipe["options"] = data.options[n]
            if class_set(data.class_set, n):
                recipe["classes"] = class_set(data.class_set, n)
            recipes.append(recipe)
        return recipes

    @staticmethod
    def _objective_recipe(objective: ObjectiveConfig) -> dict:
        """The objective in a cache key. ``clip-dedup`` was called ``clip`` before plain CLIP existed:
        it keeps that key (cached models stay valid), and plain CLIP gets one of its own."""
        dump = objective.model_dump()
        if objective.name == "clip-dedup":
            return dump | {"name": "clip"}
        return dump | {"positives": "diagonal"} if objective.name == "clip" else dump

    def pretrained_nls(self, setup: Setup, target: str, seed: int, exclude: Sequence[str] = ()) -> WearClip:
        """A WearClip pre-trained as ``setup`` says (from the cache when it exists)."""
        sources = self.sources(setup, target)
        config, objective, mode = self.recipe_of(setup)
        train_config = self.settings.pretrain.model_copy(update={"seed": seed})
        recipe = {"kind": "nls", "sources": self._source_recipe(sources, target), "exclude": sorted(exclude),
                  "mode": mode, "objective": self._objective_recipe(objective), "model": config.model_dump(),
                  "train": train_config.model_dump(), "window": self.settings.data.window.model_dump(),
                  "split_seed": self.settings.data.split_seed}
        key = recipe_key(recipe)
        folder = Path(self.settings.checkpoints) / f"nls-{key}"
        if (folder / "recipe.json").is_file():
            return self._load_nls(folder)
        train_parts, val_parts = self.pretraining_data(sources, target, exclude)
        train = pool(train_parts)
        sentences = self.sentences(train_parts, train.classes, mode, seed)
        config = config.with_provenance(window=self.settings.data.window, pretrained_on=list(sources),
                                        vocabulary_version=vocabulary_tag(sources[0]), sentence_mode=mode)
        seed_everything(seed)
        started = time.perf_counter()
        self.log(f"pre-training NLS on {', '.join(sources)} ({len(train)} windows, {len(train.classes)} classes, "
                 f"mode {mode}, objective {objective.name}{' + SimCLR' if objective.simclr_weight else ''}, seed {seed})")
        result = fit_pretraining(WearClip(config), train, val_parts, train_config, class_sentences=sentences,
                                 objective=objective)
        result.model.save_pretrained(folder)
        write_json(folder / "recipe.json", recipe | {"best_epoch": result.best_epoch, "best_score": result.best_score,
                                                     "seconds": time.perf_counter() - started,
                                                     "windows": len(train), "curve": curve(result.history)})
        return self._load_nls(folder)

    def _load_nls(self, folder: Path) -> WearClip:
        """The cached model; its record (time, best epoch, validation curve) is kept for the cell's details."""
        record = json.loads((folder / "recipe.json").read_text(encoding="utf-8"))
        self.last_pretraining = {k: record.get(k) for k in ("seconds", "best_epoch", "windows", "curve")}
        return WearClip.from_pretrained(folder)

    def recipe_of(self, setup: Setup) -> tuple[WearClipConfig, ObjectiveConfig, str]:
        """The model config, objective and sentence mode of a setup's NLS pre-training."""
        if setup.preset:
            from ..config.presets import load_config

            preset = load_config(setup.preset)
            config, objective, mode = preset.model.model_copy(deep=True), preset.objective, preset.text.mode
        else:
            config = self.settings.model.model_copy(deep=True)
            if setup.text_encoder:
                config.text_encoder = setup.text_encoder
            if setup.objective == "slip" and not config.simclr_dim:
                config.simclr_dim = 128
            objective = ObjectiveConfig(name="clip" if setup.objective == "slip" else setup.objective,
                                        simclr_weight=1.0 if setup.objective == "slip" else 0.0)
            mode = setup.mode
        if setup.encoder != Setup.model_fields["encoder"].default:
            config.imu_encoder = setup.encoder
        if config.text_encoder != self.settings.model.text_encoder:
            config.text_dim = default_text_encoder(config.text_encoder, config.text_pooling).dim
        return config, objective, mode

    def pretrained_ssl(self, setup: Setup, target: str, seed: int):
        """A self-supervised encoder pre-trained on the setup's sources (from the cache when it exists)."""
        sources = self.sources(setup, target)
        train_config = self.settings.ssl.model_copy(update={"seed": seed})
        recipe = {"kind": setup.method, "sources": self._source_recipe(sources, target),
                  "train": train_config.model_dump(), "window": self.settings.data.window.model_dump(),
                  "split_seed": self.settings.data.split_seed}
        folder = Path(self.settings.checkpoints) / f"{setup.method}-{recipe_key(recipe)}"
        torch.manual_seed(seed)
        model = build_ssl(setup.method)
        if (folder / "recipe.json").is_file():
            return model.load_weights(folder)
        train_parts, val_parts = self.pretraining_data(sources, target)
        started = time.perf_counter()
        self.log(f"pre-training {setup.method} on {', '.join(sources)} (seed {seed})")
        result = fit_ssl(model, pool(train_parts), pool(val_parts), train_config)
        result.model.save_pretrained(folder)
        write_json(folder / "recipe.json", recipe | {"best_epoch": result.best_epoch,
                                                     "seconds": time.perf_counter() - started})
        return result.model

    # -- the protocols ---------------------------------------------------------------------------
    def labelled(self, setup: Setup, target: str, seed: int) -> tuple[Windows, Windows, dict[str, int]]:
        """The target's labelled training windows for this setup (all, or ``shots`` per class) and the
        validation windows that go with them (the validation split, or ``shots`` per class of it)."""
        parts = self.split(target)
        if not setup.shots:
            return parts["train"], parts["val"], {}
        train, capped = draw_shots(parts["train"], setup.shots, seed)
        val, _ = draw_shots(parts["val"], setup.shots, seed)
        return train, val, capped

    def recognition(self, setup: Setup, model: WearClip, classes: Sequence[str], target: str, seed: int,
                    val: Windows | None = None) -> tuple[list[list[str]], dict]:
        """The sentences each class is recognised by, and what the report should know of the choice."""
        _, _, mode = self.recipe_of(setup)
        if setup.recognition == "matching":
            return class_sentences(classes, mode, target, seed), {"recognition": mode}
        if setup.recognition == "mean-all":
            return class_sentences(classes, "random-template", target, seed), {}
        if setup.recognition != "best-template":
            return class_sentences(classes, setup.recognition, target, seed), {}
        val = restrict(val if val is not None else self.split(target)["val"], classes)
        features = window_features(model, val.x)
        scores = []
        for k in range(len(shipped_templates())):
            predictions = ZeroShotClassifier(model, class_sentences(classes, f"template:{k}", target)).predict_features(features)
            scores.append(evaluate_predictions(val.labels, predictions, val.classes).macro_f1)
        best = int(np.argmax(scores))
        return (class_sentences(classes, f"template:{best}", target),
                {"template": best, "template_val_macro_f1": scores[best]})

    def run(self, setup: Setup, target: str, seed: int) -> dict:
        """Score one setup on one target with one seed: macro-F1, accuracy, weighted F1 and details."""
        if setup.unseen:
            return self._unseen(setup, target, seed)
        parts = self.split(target)
        test = parts["test"]
        details: dict = {}
        budget = self.settings.labelled
        if setup.method == "chance":
            predictions = random_guesses(len(test), len(test.classes), seed)
        elif setup.method == "supervised":
            train, val, details["capped"] = self.labelled(setup, target, seed)
            config = budget.apply(self.settings.supervised.model_copy(update={"seed": seed}), len(train))
            torch.manual_seed(seed)
            result = fit_supervised(SupervisedClassifier(len(train.classes), setup.encoder), train, val, config)
            details["curve"] = curve(result.history)
            predictions = result.model.predict(test.x)
        elif setup.method in SSL_METHODS:
            encoder = self.pretrained_ssl(setup, target, seed)
            train, val, details["capped"] = self.labelled(setup, target, seed)
            config = budget.apply(self.settings.classifier.model_copy(update={"seed": seed}), len(train))
            torch.manual_seed(seed)
            result = fit_classifier(FeatureClassifier(encoder, len(train.classes)), train, val, config)
            details["curve"] = curve(result.history)
            predictions = result.model.predict(test.x)
        else:
            model = self.pretrained_nls(setup, target, seed)
            details["pretraining"] = self.last_pretraining
            val = parts["val"]
            if setup.target_statistics:
                model.fit_normalization(parts["train"].x)
            if setup.adapt:
                train, val, details["capped"] = self.labelled(setup, target, seed)
                _, pretraining, mode = self.recipe_of(setup)
                sentences = class_sentences(train.classes, mode, target, seed)
                config = budget.apply(self.settings.adapt.model_copy(update={"seed": seed}), len(train))
                result = fit_heads(model, train, val, config, class_sentences=sentences,
                                   objective=ObjectiveConfig(name=pretraining.name))
                details["curve"] = curve(result.history)
                model = result.model
            recognition, chosen = self.recognition(setup, model, test.classes, target, seed, val)
            details |= chosen
            predictions = ZeroShotClassifier(model, recognition).predict(test.x)
        result = evaluate_predictions(test.labels, predictions, test.classes)
        return {"macro_f1": result.macro_f1, "accuracy": result.accuracy, "weighted_f1": result.weighted_f1,
                "n": result.n, "details": details | {"classification": result.to_dict()}}

    def _unseen(self, setup: Setup, target: str, seed: int) -> dict:
        """Mean over the target's groups of recognising the held-out group after pre-training without it."""
        if setup.method not in ("nls", "chance") or setup.adapt:
            raise ValueError("the unseen-activity protocol applies to zero-shot NLS (and chance)")
        test_all = self.split(target)["test"]
        groups = []
        for group in unseen_groups(target):
            test = restrict(test_all, group)
            if setup.method == "chance":
                predictions = random_guesses(len(test), len(group), seed)
            else:
                model = self.pretrained_nls(setup, target, seed, exclude=group)
                recognition, _ = self.recognition(setup, model, group, target, seed)
                predictions = ZeroShotClassifier(model, recognition).predict(test.x)
            result = evaluate_predictions(test.labels, predictions, group)
            groups.append({"classes": group, "n": len(test), "macro_f1": result.macro_f1, "accuracy": result.accuracy,
                           "weighted_f1": result.weighted_f1, "per_class_f1": result.per_class_f1})
        mean = {k: float(np.mean([g[k] for g in groups])) for k in ("macro_f1", "accuracy", "weighted_f1")}
        return mean | {"n": len(test_all), "details": {"groups": groups}}
