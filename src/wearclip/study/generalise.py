"""The ``generalise`` experiment: zero-shot recognition on a dataset never trained on.

Leave-one-dataset-out over the run's datasets (by default the five real ones at hand: uci-hapt,
mobifall, seglearn-watch, dsads, wisdm): pre-train on the others, recognise the held-out one's test
subjects by text alone. Rows switch on, one at a time and then together, what should carry a model
across devices and placements:

* random rotation of every pre-training window (uniform over SO(3), or about gravity only);
* the gravity-aligned frame (gravity along +z; heading left free) or orientation-free channels;
* sentences that say where the sensor is worn (each source's placement in pre-training, the
  target's at recognition);
* each source dataset (the full recipe without it);

and, reported apart from pure zero-shot, label-free self-training on the target: the zero-shot
model's most confident predictions on the target's unlabelled train (and validation) windows become
pseudo-labels for head adaptation. Rows pre-trained on the target's own train subjects give the
same-dataset zero-shot figure each change must not cost. The report adds per-class F1 for the
activities the datasets share (walking, stairs, sitting, standing, lying).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import torch
from pydantic import Field

from ..config.augment import AugmentConfig, RotationMode
from ..config.model import WearClipConfig
from ..config.objective import ObjectiveConfig
from ..data.windows import Windows
from ..metrics import evaluate_predictions
from ..models.zeroshot import ZeroShotClassifier
from ..text import class_sentences
from ..train.adapt import fit_heads
from .protocols import ProtocolRunner, Setup

DATASETS = ("uci-hapt", "mobifall", "seglearn-watch", "dsads", "wisdm")
SHARED = {
    "walking": ("walking",),
    "stairs": ("walking upstairs", "walking downstairs", "climbing stairs"),
    "sitting": ("sitting",),
    "standing": ("standing",),
    "lying": ("lying down", "lying on the back", "lying on the right side"),
}
"""The activities several sources share, by the phrases each dataset gives them."""
PER_CLASS = 250
"""Pre-training (and validation) windows per class per source, drawn with the split seed: WISDM alone
has 64k windows, five times any other source, and would otherwise decide what the encoder learns;
the cap also bounds the CPU time of the many pre-trainings of this experiment."""
CONFIDENT = 0.3
"""Self-training keeps this fraction of each predicted class's windows, the most confident."""
TAG = " @ "
ALL_UNITS = "The UniCL + all-units recipe"
"""How the rows built on :func:`all_units_setup` name it."""
PAIR_AUGMENT = AugmentConfig(permutation=None, rotation=None)
"""What differs between devices and people besides orientation: gain (scaling, sd 10 %), noise (jitter,
sd 0.05 g) and cadence (time warp, sd 20 %), each on half the windows; no permutation (it breaks the
movement's order) and no extra rotation (the setup's own covers it)."""
INTENSITY = AugmentConfig(time_warp=None, permutation=None, rotation=None, scaling=None, jitter=None,
                          intensity={"p": 1.0, "max_factor": 2.0})
"""The movement of every window scaled about its gravity by a factor from 1/2 to 2: the chest moves
less than the waist, the waist less than the wrist (DSADS's chest unit walking: vertical sd 0.15 g;
UCI HAPT's waist 0.23 g; WISDM's wrist 0.30 g)."""
BAND_HZ = 8.0
"""The common band's cut-off: with the filter's 3 Hz transition nothing above 10 Hz, the Nyquist rate
of a 20-Hz device (WISDM's watch), passes."""


class GeneraliseSetup(Setup):
    """A setup with the orientation options and the source ablation of this experiment."""

    rotation: RotationMode = "none"
    frame: Literal["sensor", "gravity", "invariant"] = "sensor"
    without: tuple[str, ...] = ()
    self_train: bool = False
    source_placements: tuple[tuple[str, str], ...] = ()
    """(dataset, placement) pairs read in pre-training instead of the run's placement, e.g. every
    unit of dsads (``all``); a dataset recognised as the target keeps the run's."""
    lowpass_hz: float | None = None
    """The common band (:mod:`wearclip.data.band`) every input is filtered to; None: the full band."""
    pair_augment: AugmentConfig | None = None
    """Augmentations of every pre-training window (e.g. :data:`PAIR_AUGMENT`, :data:`INTENSITY`)."""
    text_head_depth: int | None = Field(None, ge=1)
    """Layers of the text projection head (None: the model default, two); one keeps the text encoder's
    geometry up to a linear map, so that a phrase no source used lands near the phrases it resembles."""
    per_class: int = Field(PER_CLASS, ge=1)
    """Pre-training and validation windows per class per source."""

    def sources(self, target: str, run_datasets: Sequence[str], source: Sequence[str] = ()) -> tuple[str, ...]:
        return tuple(d for d in super().sources(target, run_datasets, source) if d not in self.without)


def gravity_setup() -> GeneraliseSetup:
    """The gravity row: gravity frame, rotation about gravity, base sentences."""
    return GeneraliseSetup(method="nls", frame="gravity", rotation="yaw")


def all_units_setup() -> GeneraliseSetup:
    """The gravity row with UniCL targets (every pair of windows of one activity positive, across
    datasets) and dsads pre-trained with all five units: the base of the text and signal variants."""
    return gravity_setup().model_copy(update={"objective": "unicl", "source_placements": (("dsads", "all"),)})


def shipped_setup() -> GeneraliseSetup:
    """The best row measured (wearclip-base's recipe): :func:`all_units_setup` with its classes described
    by the 33 templates, each followed by the activity's movement description, and the activity's
    paraphrases, in pre-training (a random one per window) and recognition (their mean)."""
    return all_units_setup().model_copy(update={"mode": "ensemble+movement", "recognition": "ensemble+movement"})


def recipe_setup() -> GeneraliseSetup:
    """All three parts together: gravity frame, rotation about gravity, placement sentences."""
    return gravity_setup().model_copy(update={"mode": "random-template+placement", "recognition": "base+placement"})


def rows(datasets: Sequence[str]) -> list[tuple[str, str, Setup]]:
    """(id, label, setup) of every row: chance, the baseline, each part alone, the recipe, its ablations."""
    base = GeneraliseSetup(method="nls")
    rotation = base.model_copy(update={"rotation": "so3"})
    gravity = gravity_setup()
    invariant = base.model_copy(update={"frame": "invariant"})
    placement = base.model_copy(update={"mode": "random-template+placement", "recognition": "base+placement"})
    recipe = recipe_setup()
    all_units = all_units_setup()
    movement = all_units.model_copy(update={"mode": "random-template+movement", "recognition": "random-template+movement"})
    out = [
        ("chance", "Chance (uniformly random guesses)", Setup(method="chance")),
        ("baseline", "Baseline: NLS, device axes, base sentences (Tab. 1's recipe)", base),
        ("rotation", "+ random SO(3) rotation per window per step", rotation),
        ("gravity", "+ gravity-aligned frame, random rotation about gravity", gravity),
        ("gravity/unicl", "+ gravity frame, yaw rotation, UniCL targets (every pair of one activity positive, "
                          "across datasets)", gravity.model_copy(update={"objective": "unicl"})),
        ("gravity/dsads-all", "+ gravity frame, yaw rotation; dsads pre-trained with all five units (torso, arms, legs)",
         gravity.model_copy(update={"source_placements": (("dsads", "all"),)})),
        ("gravity/unicl/dsads-all", "+ gravity frame, yaw rotation, UniCL targets; dsads pre-trained with all five "
                                    "units", all_units),
        ("gravity/unicl/dsads-all/mean-all", f"{ALL_UNITS}, recognised with the mean of all 33 template sentences",
         all_units.model_copy(update={"recognition": "mean-all"})),
        ("gravity/unicl/dsads-all/1000", f"{ALL_UNITS} with 1,000 windows per class per source (not 250)",
         all_units.model_copy(update={"per_class": 1000})),
        ("gravity/unicl/dsads-all/templates", f"{ALL_UNITS} pre-trained with the 33 templates (a random one per "
                                              "window), recognised with their mean",
         all_units.model_copy(update={"mode": "random-template", "recognition": "mean-all"})),
        ("gravity/unicl/dsads-all/ensemble", f"{ALL_UNITS} pre-trained with the 33 templates and the paraphrases (a "
                                             "random one per window), recognised with their mean",
         all_units.model_copy(update={"mode": "ensemble", "recognition": "ensemble"})),
        ("gravity/unicl/dsads-all/movement", f"{ALL_UNITS} pre-trained and recognised with the 33 templates, each "
                                             "followed by the activity's movement description",
         movement),
        ("gravity/unicl/dsads-all/movement+paraphrases", f"{ALL_UNITS} pre-trained and recognised with the 33 "
                                                         "templates each followed by the movement description, and "
                                                         "the paraphrases (shipped)", shipped_setup()),
        ("gravity/unicl/dsads-all/movement/base", "The movement-text model, recognised with the base sentence alone",
         movement.model_copy(update={"recognition": "base"})),
        ("gravity/unicl/dsads-all/movement+paraphrases/base", "The shipped model, recognised with the base sentence alone",
         shipped_setup().model_copy(update={"recognition": "base"})),
        ("gravity/unicl/dsads-all/movement/intensity", "The shipped recipe with the movement of every pre-training "
                                                       "window scaled about gravity by a factor from 1/2 to 2",
         shipped_setup().model_copy(update={"pair_augment": INTENSITY})),
        ("gravity/unicl/dsads-all/linear-text", f"{ALL_UNITS} with a linear text projection head (one layer, not two)",
         all_units.model_copy(update={"text_head_depth": 1})),
        ("gravity/unicl/dsads-all/augment", f"{ALL_UNITS} with every pre-training window also time-warped, scaled "
                                            "and jittered (each with p 0.5)",
         all_units.model_copy(update={"pair_augment": PAIR_AUGMENT})),
        ("gravity/unicl/dsads-all/band", f"{ALL_UNITS} with every input low-passed at {BAND_HZ:g} Hz (a band every "
                                         "device has)", all_units.model_copy(update={"lowpass_hz": BAND_HZ})),
        ("invariant", "+ orientation-free channels (norm, vertical, horizontal)", invariant),
        ("placement", "+ sentences naming the sensor placement (random templates)", placement),
        ("recipe", "All three: gravity frame + yaw rotation + placement sentences", recipe),
        ("baseline/ensemble", "Baseline, recognised with the ensemble of templates and paraphrases",
         base.model_copy(update={"recognition": "ensemble"})),
        ("recipe/ensemble", "All three, recognised with the ensemble of templates and paraphrases (+ placement)",
         recipe.model_copy(update={"recognition": "ensemble+placement"})),
    ]
    out += [(f"recipe-without:{name}", f"All three, without {name} in pre-training",
             recipe.model_copy(update={"without": (name,)})) for name in datasets]
    out += [(f"shipped-without:{name}", f"The shipped recipe without {name} in pre-training",
             shipped_setup().model_copy(update={"without": (name,)})) for name in datasets]
    out += [
        ("recipe+self-train", "All three + self-training on the target's unlabelled windows (label-free, not zero-shot)",
         recipe.model_copy(update={"self_train": True})),
        ("gravity+self-train", "Gravity frame + self-training on the target's unlabelled windows (label-free, not "
                               "zero-shot)", gravity.model_copy(update={"self_train": True})),
        ("gravity/unicl/dsads-all+self-train",
         f"{ALL_UNITS} + self-training on the target's unlabelled windows (label-free, not zero-shot)",
         all_units.model_copy(update={"self_train": True})),
        ("gravity/unicl/dsads-all+target-statistics",
         f"{ALL_UNITS}, inputs normalised with the target's own statistics (its unlabelled train windows; label-free, "
         "not zero-shot)", all_units.model_copy(update={"target_statistics": True})),
        ("gravity/unicl/dsads-all/movement+self-train",
         "The movement-text recipe + self-training on the target's unlabelled windows (label-free, not zero-shot)",
         movement.model_copy(update={"self_train": True})),
        ("gravity/unicl/dsads-all/movement+paraphrases+self-train",
         "The shipped recipe + self-training on the target's unlabelled windows (label-free, not zero-shot)",
         shipped_setup().model_copy(update={"self_train": True})),
        ("target/baseline", "Same-dataset zero-shot (pre-trained on the target's train subjects): baseline",
         base.model_copy(update={"pretrain_on": "target"})),
        ("target/recipe", "Same-dataset zero-shot (pre-trained on the target's train subjects): all three",
         recipe.model_copy(update={"pretrain_on": "target"})),
    ]
    return out


class GeneraliseRunner(ProtocolRunner):
    """The protocol runner with this experiment's options: the setup's frame and rotation in the
    recipe; with placement sentences, one class per (phrase, source placement) in pre-training, so
    that *walking* at the waist and on the wrist are described apart; self-training."""

    _active = GeneraliseSetup(method="nls")
    """The setup being pre-trained: its source options (placements, windows per class, placement
    sentences) apply while :meth:`pretrained_nls` runs."""

    def recipe_of(self, setup: Setup) -> tuple[WearClipConfig, ObjectiveConfig, str]:
        config, objective, mode = super().recipe_of(setup)
        if isinstance(setup, GeneraliseSetup):
            config.frame = setup.frame
            config.lowpass_hz = setup.lowpass_hz
            config.text_head_depth = setup.text_head_depth
            objective = objective.model_copy(update={"rotation": setup.rotation,
                                                     "pair_augment": setup.pair_augment})
        return config, objective, mode

    def pretrained_nls(self, setup: Setup, target: str, seed: int, exclude: Sequence[str] = ()):
        self._active = setup if isinstance(setup, GeneraliseSetup) else GeneraliseSetup(**setup.model_dump())
        try:
            return super().pretrained_nls(setup, target, seed, exclude)
        finally:
            del self._active

    def windows(self, name: str) -> Windows:
        placement = dict(self._active.source_placements).get(name)
        if placement is None:
            return super().windows(name)
        key = f"{name}{TAG}{placement}"
        if key not in self._windows:
            self._windows[key] = self._opened(name, placement)
        return self._windows[key]

    def placement(self, name: str) -> str:
        from ..data import datasets

        return self.settings.data.placements.get(name) or datasets.get(name).default_placement

    def _source_recipe(self, sources: Sequence[str], target: str) -> list[dict]:
        placements = dict(self._active.source_placements)
        return [part | {"per_class": self._active.per_class}
                | ({"placement": placements[part["dataset"]]} if part["dataset"] in placements else {})
                for part in super()._source_recipe(sources, target)]

    def pretraining_data(self, sources: Sequence[str], target: str, exclude: Sequence[str] = ()):
        train, val = super().pretraining_data(sources, target, exclude)
        seed = self.settings.data.split_seed
        train = {name: capped(w, self._active.per_class, seed) for name, w in train.items()}
        val = {name: capped(w, self._active.per_class, seed) for name, w in val.items()}
        if self.recipe_of(self._active)[2].endswith("+placement"):
            for parts in (train, val):
                for name, windows in parts.items():
                    windows.classes = [f"{c}{TAG}{self.placement(name)}" for c in windows.classes]
        return train, val

    def sentences(self, parts: dict[str, Windows], classes: Sequence[str], mode: str, seed: int) -> list[list[str]]:
        if not mode.endswith("+placement"):
            return super().sentences(parts, classes, mode, seed)
        found: dict[str, list[str]] = {}
        for name, windows in parts.items():
            todo = [c for c in windows.classes if c not in found]
            phrases = [c.split(TAG)[0] for c in todo]
            found |= dict(zip(todo, class_sentences(phrases, mode, name, seed, placement=self.placement(name))))
        return [found[c] for c in classes]

    def run(self, setup: Setup, target: str, seed: int) -> dict:
        if not (isinstance(setup, GeneraliseSetup) and setup.self_train):
            return super().run(setup, target, seed)
        return self.self_trained(setup, target, seed)

    def self_trained(self, setup: GeneraliseSetup, target: str, seed: int) -> dict:
        """Adapt the heads on the zero-shot model's confident predictions for the target's train and
        validation windows (their labels unread), then recognise its test windows."""
        parts = self.split(target)
        model = self.pretrained_nls(setup, target, seed)
        recognition = class_sentences(parts["test"].classes, setup.recognition, target, seed,
                                      placement=self.placement(target))
        zero_shot = ZeroShotClassifier(model, recognition)
        pseudo = {part: pseudo_labelled(zero_shot, parts[part]) for part in ("train", "val")}
        _, pretraining, mode = self.recipe_of(setup)
        sentences = class_sentences(parts["train"].classes, mode, target, seed, placement=self.placement(target))
        config = self.settings.adapt.model_copy(update={"seed": seed})
        adapted = fit_heads(model, pseudo["train"], pseudo["val"], config, class_sentences=sentences,
                            objective=ObjectiveConfig(name=pretraining.name)).model
        test = parts["test"]
        predictions = ZeroShotClassifier(adapted, recognition).predict(test.x)
        result = evaluate_predictions(test.labels, predictions, test.classes)
        details = {"pseudo_labelled": {part: len(w) for part, w in pseudo.items()},
                   "classification": result.to_dict()}
        return {"macro_f1": result.macro_f1, "accuracy": result.accuracy, "weighted_f1": result.weighted_f1,
                "n": result.n, "details": details}


def capped(windows: Windows, per_class: int, seed: int) -> Windows:
    """At most ``per_class`` windows of each class, drawn with ``seed`` (all of a smaller class)."""
    rng, labels = np.random.default_rng(seed), windows.labels
    chosen = [rng.permutation(members)[:per_class] if len(members) > per_class else members
              for members in (np.flatnonzero(labels == c) for c in range(len(windows.classes)))]
    return windows.subset(np.sort(np.concatenate(chosen)))


def pseudo_labelled(classifier: ZeroShotClassifier, windows: Windows, keep: float = CONFIDENT) -> Windows:
    """The windows whose zero-shot prediction is among the ``keep`` most confident of its predicted
    class (by the margin of the top similarity over the runner-up), labelled with that prediction."""
    scores = classifier.scores(windows.x)
    top = torch.topk(scores, 2, dim=1)
    predicted = top.indices[:, 0].numpy()
    margin = (top.values[:, 0] - top.values[:, 1]).numpy()
    chosen = []
    for c in np.unique(predicted):
        members = np.flatnonzero(predicted == c)
        count = max(1, int(round(keep * len(members))))
        chosen.append(members[np.argsort(-margin[members], kind="stable")[:count]])
    index = np.sort(np.concatenate(chosen))
    return windows.subset(index).relabelled(predicted[index], windows.classes)


def shared_activity_table(cells: pd.DataFrame) -> str:
    """Markdown: per row and target, mean per-class F1 (%) of the shared activities the target has."""
    lines = ["", "## Per-class F1 on the shared activities", "",
             "F1 (%) of each shared activity on the target's test subjects, mean over seeds (phrases of one "
             "activity, e.g. upstairs and downstairs, averaged); the last column averages them.", "",
             "| row | target | " + " | ".join(SHARED) + " | shared mean |", "|---|---|" + "---|" * (len(SHARED) + 1)]
    for (row, dataset), part in cells.groupby(["row", "dataset"], sort=False):
        per_class = [((d or {}).get("classification") or {}).get("per_class_f1", {}) for d in part["details"]]
        values = []
        for phrases in SHARED.values():
            found = [100 * np.mean([f[p] for f in per_class if p in f]) for p in phrases if any(p in f for f in per_class)]
            values.append(float(np.mean(found)) if found else None)
        if all(v is None for v in values):
            continue
        present = [v for v in values if v is not None]
        cells_text = [f"{v:.1f}" if v is not None else "" for v in values]
        lines.append(f"| {row} | {dataset} | " + " | ".join(cells_text) + f" | {np.mean(present):.1f} |")
    return "\n".join(lines) + "\n"
