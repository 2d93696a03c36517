"""The study's experiments by name: rows of setups x columns of datasets, run cell by cell, resumable.

An experiment run lives in a folder (default ``runs/<experiment>``): ``run.json`` (what defines it:
experiment, datasets, settings), one JSON file per finished cell (``cells/<row>/<dataset>/seed<k>.json``),
and the outputs rebuilt after every cell: ``report.md``, ``results.csv`` (one line per cell and
seed), ``table.csv`` (mean and std per row and dataset) and the experiment's plots. A cell that
exists is never recomputed, so an interrupted run resumes where it stopped; pre-trained models are
shared through the checkpoint cache (see :mod:`wearclip.study.protocols`).

Every run names its source corpus (``EvalSettings.source``: the study's Capture-24, any registered
datasets, or ``others``, leave-one-dataset-out); rows that pre-train on it say "source corpus".

Experiments (the study's tables and figures; rows are setups):

* ``table1``: NLS against chance, supervised and self-supervised baselines; NLS pre-trained on the
  target's train subjects, on the source corpus, and adapted.
* ``table3``: text diversity: the sentence mode of pre-training (on the target's train split, as the
  study) x the recognition sentences, with plain CLIP and UniCL.
* ``table4``: improvements: UniCL, SLIP, other text encoders, adaptation with improved sentences.
* ``table5``: unseen activities, per sentence mode and recognition.
* ``fig2``: sensor heterogeneity: zero-shot macro-F1 of every (pre-training dataset, target) pair.
* ``fig3``: head adaptation with k labelled windows per class against supervised training on them.
* ``encoders``: IMU encoders (conv, ResNet-1D, DeepConvLSTM) and text encoders (Sec. 7.1).
* ``generalise``: zero-shot on a dataset never trained on, with orientation and placement remedies
  (see :mod:`wearclip.study.generalise`).

A cell's command comes from :func:`run_flags`, the one rendering of a run's settings as flags.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from ..errors import OutputError, UnknownNameError
from ..io import claim_directory, write_json
from ..progress import track
from . import generalise
from .protocols import EvalSettings, ProtocolRunner, Setup
from .report import render_report, results_frame, summary_table

SHOTS = (2, 5, 10, 25, 50, 100)
"""Labelled windows per class of the study's adaptation curve (Fig. 3)."""
PRETRAIN_MODES = ("base", "random-template", "paraphrase", "base+body-parts", "random-template+body-parts",
                  "random-template+movement")
"""Sentence modes of pre-training compared in Tab. 3 and Tab. 5."""
IMPROVED = "random-template+body-parts"
"""The improved sentences of Tab. 4 (templates plus body-part knowledge)."""


class Row(BaseModel):
    """One row of an experiment's table: an id for the command line, a label, the setup."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    setup: Setup


@dataclass(frozen=True)
class Options:
    """What shapes an experiment's rows besides the datasets."""

    shots: tuple[int, ...] = SHOTS
    text_encoders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    description: str
    rows: Callable[[Sequence[str], Options], list[Row]]
    plots: Sequence[str] = field(default_factory=tuple)
    runner: type[ProtocolRunner] = ProtocolRunner
    appendix: Callable[[pd.DataFrame], str] | None = None
    """Markdown appended to the report, from the finished cells."""


SOURCE = Setup(method="nls")
"""NLS pre-trained on the run's source corpus (``--source``)."""


def _table1(datasets: Sequence[str], options: Options) -> list[Row]:
    return [
        Row(id="chance", label="Chance (uniformly random guesses)", setup=Setup(method="chance")),
        Row(id="supervised-conv", label="Supervised: conv classifier, end-to-end", setup=Setup(method="supervised")),
        Row(id="supervised-deepconvlstm", label="Supervised: DeepConvLSTM, end-to-end",
            setup=Setup(method="supervised", encoder="deepconvlstm")),
        Row(id="autoencoder", label="Self-supervised (source corpus): conv autoencoder + MLP",
            setup=Setup(method="autoencoder")),
        Row(id="simclr", label="Self-supervised (source corpus): SimCLR + MLP", setup=Setup(method="simclr")),
        Row(id="cpc", label="Self-supervised (source corpus): CPC + MLP", setup=Setup(method="cpc")),
        Row(id="enhanced-cpc", label="Self-supervised (source corpus): Enhanced CPC + MLP",
            setup=Setup(method="enhanced-cpc")),
        Row(id="nls-target", label="NLS zero-shot, pre-trained on the target's train subjects",
            setup=Setup(method="nls", pretrain_on="target")),
        Row(id="nls-source", label="NLS zero-shot, pre-trained on the source corpus", setup=SOURCE),
        Row(id="nls-source-adapt", label="NLS pre-trained on the source corpus + head adaptation (all train windows)",
            setup=SOURCE.model_copy(update={"adapt": True})),
    ]


RECOGNITIONS = {"base": "base template", "best-template": "best template on validation subjects",
                "matching": "the pre-training mode's own sentences", "mean-all": "mean of all template sentences"}
"""Recognition rows of Tab. 3 and Tab. 5."""


def _table3(datasets: Sequence[str], options: Options) -> list[Row]:
    rows = []
    for objective in ("clip", "unicl"):
        for mode in PRETRAIN_MODES:
            nls = Setup(method="nls", pretrain_on="target", mode=mode, objective=objective)
            rows += [Row(id=f"{objective}/{mode}/{recognition}", label=f"{objective}, {mode}: zero-shot ({words})",
                         setup=nls.model_copy(update={"recognition": recognition}))
                     for recognition, words in RECOGNITIONS.items()]
    return rows


def _table4(datasets: Sequence[str], options: Options) -> list[Row]:
    base = SOURCE
    improved = base.model_copy(update={"mode": IMPROVED, "recognition": "matching"})
    rows = [
        Row(id="clip", label="CLIP, base sentences: zero-shot", setup=base),
        Row(id="clip/random-template", label="CLIP, random templates: zero-shot (mean of all templates)",
            setup=base.model_copy(update={"mode": "random-template", "recognition": "mean-all"})),
        Row(id="unicl/random-template", label="UniCL, random templates: zero-shot (mean of all templates)",
            setup=base.model_copy(update={"mode": "random-template", "objective": "unicl", "recognition": "mean-all"})),
        Row(id="slip", label="SLIP (CLIP + SimCLR): zero-shot", setup=base.model_copy(update={"objective": "slip"})),
        Row(id="improved", label=f"improved sentences ({IMPROVED}, recognised with its own sentences): zero-shot",
            setup=improved),
        Row(id="clip/target-stats", label="CLIP, inputs normalised with the target's own statistics: zero-shot",
            setup=base.model_copy(update={"target_statistics": True})),
        Row(id="clip/adapt", label="CLIP + head adaptation", setup=base.model_copy(update={"adapt": True})),
        Row(id="clip/target-stats/adapt", label="CLIP, target statistics + head adaptation",
            setup=base.model_copy(update={"target_statistics": True, "adapt": True})),
        Row(id="improved/adapt", label="improved sentences + head adaptation",
            setup=improved.model_copy(update={"adapt": True})),
        Row(id="slip/improved/adapt", label="SLIP + improved sentences + head adaptation",
            setup=improved.model_copy(update={"adapt": True, "objective": "slip"})),
    ]
    rows += [Row(id=f"text:{name}", label=f"text encoder {name}: zero-shot",
                 setup=base.model_copy(update={"text_encoder": name})) for name in options.text_encoders]
    return rows


def _table5(datasets: Sequence[str], options: Options) -> list[Row]:
    rows = [Row(id="chance", label="Chance (uniformly random guesses among the held-out group)",
                setup=Setup(method="chance", unseen=True))]
    for mode in PRETRAIN_MODES:
        nls = Setup(method="nls", pretrain_on="target", mode=mode, unseen=True)
        rows += [Row(id=f"{mode}/{recognition}", label=f"{mode}: zero-shot on unseen activities ({words})",
                     setup=nls.model_copy(update={"recognition": recognition}))
                 for recognition, words in RECOGNITIONS.items()]
    return rows


def _fig2(datasets: Sequence[str], options: Options) -> list[Row]:
    return [Row(id="chance", label="Chance", setup=Setup(method="chance"))] + [
        Row(id=f"from:{name}", label=f"pre-trained on {name}", setup=Setup(method="nls", pretrain_on=(name,)))
        for name in datasets
    ]


def _fig3(datasets: Sequence[str], options: Options) -> list[Row]:
    supervised = Setup(method="supervised")
    rows = [Row(id="chance", label="Chance", setup=Setup(method="chance")),
            Row(id="nls/0", label="NLS zero-shot (k = 0)", setup=SOURCE)]
    for k in options.shots:
        rows.append(Row(id=f"nls/{k}", label=f"NLS + head adaptation, k = {k}",
                        setup=SOURCE.model_copy(update={"adapt": True, "shots": k})))
    rows.append(Row(id="nls/all", label="NLS + head adaptation, all train windows",
                    setup=SOURCE.model_copy(update={"adapt": True})))
    for k in options.shots:
        rows.append(Row(id=f"supervised/{k}", label=f"Supervised conv classifier, k = {k}",
                        setup=supervised.model_copy(update={"shots": k})))
    rows.append(Row(id="supervised/all", label="Supervised conv classifier, all train windows", setup=supervised))
    return rows


def _generalise(datasets: Sequence[str], options: Options) -> list[Row]:
    return [Row(id=i, label=label, setup=setup) for i, label, setup in generalise.rows(datasets)]
IMU_ENCODERS = ("conv", "resnet1d", "deepconvlstm")
"""The sensor encoders of the study's encoder ablation (Sec. 7.1)."""


def _encoders(datasets: Sequence[str], options: Options) -> list[Row]:
    rows = []
    for encoder in IMU_ENCODERS:
        nls = SOURCE.model_copy(update={"encoder": encoder})
        rows += [Row(id=f"{encoder}/nls", label=f"{encoder}: NLS zero-shot", setup=nls),
                 Row(id=f"{encoder}/nls-adapt", label=f"{encoder}: NLS + head adaptation (all train windows)",
                     setup=nls.model_copy(update={"adapt": True})),
                 Row(id=f"{encoder}/supervised", label=f"{encoder}: supervised, end-to-end",
                     setup=Setup(method="supervised", encoder=encoder))]
    rows += [Row(id=f"text:{name}", label=f"conv, text encoder {name}: NLS zero-shot",
                 setup=SOURCE.model_copy(update={"text_encoder": name})) for name in options.text_encoders]
    return rows


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in (
        Experiment("table1", "NLS against supervised and self-supervised baselines (the study's Tab. 1)",
                   "Zero-shot NLS pre-trained on the target's own train subjects and on the source corpus, head "
                   "adaptation, and the baselines on the same splits and metric.", _table1),
        Experiment("table3", "Text diversity: sentences for pre-training and recognition (the study's Tab. 3)",
                   "NLS pre-trained on the target's own train subjects (as the study) with each sentence mode, "
                   "with plain CLIP and with UniCL; recognised zero-shot with the base template, the best "
                   "template (chosen on validation subjects), the mode's own sentences, and the mean of all "
                   "template sentences.", _table3),
        Experiment("table4", "Improvements: objectives, text encoders, adaptation with improved sentences (Tab. 4)",
                   "NLS pre-trained on the source corpus with UniCL, SLIP, other text encoders, and "
                   "adaptation combined with improved sentences.", _table4),
        Experiment("table5", "Unseen activities (the study's Tab. 5)",
                   "For each group of the dataset's partition, pre-train on the target's train subjects without "
                   "the group's activities and recognise the group's activities on the test subjects; mean over "
                   "groups.", _table5),
        Experiment("fig2", "Sensor heterogeneity: pre-training dataset x target (cf. the study's Fig. 2)",
                   "Zero-shot macro-F1 on each target's test subjects after pre-training on one dataset (the "
                   "target itself: its train subjects). The diagonal is target-split pre-training.", _fig2,
                   plots=("transfer",)),
        Experiment("fig3", "Head adaptation with k labelled windows per class (the study's Fig. 3)",
                   "NLS pre-trained on the source corpus, heads adapted on k windows per class of the target's "
                   "train split, against the supervised conv classifier trained on the same windows under the "
                   "same budget rule (docs/evaluation.md).", _fig3, plots=("shots",)),
        Experiment("encoders", "Sensor and text encoders (the study's Sec. 7.1)",
                   "NLS pre-trained on the source corpus with each IMU encoder (conv, ResNet-1D, DeepConvLSTM), "
                   "zero-shot and head-adapted, beside supervised training of the same encoder; text encoders "
                   "from --text-encoders.", _encoders),
        Experiment("generalise", "Zero-shot on a dataset never trained on: orientation, placement, more sources",
                   "Leave-one-dataset-out zero-shot with random rotation, a gravity-aligned frame, placement "
                   "sentences and each source removed; self-training on the target's unlabelled windows "
                   "reported apart; same-dataset zero-shot for comparison.", _generalise,
                   runner=generalise.GeneraliseRunner, appendix=generalise.shared_activity_table),
    )
}


def experiment(name: str) -> Experiment:
    """An experiment by name; unknown names list the known ones."""
    if name not in EXPERIMENTS:
        raise UnknownNameError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


@dataclass
class RunSpec:
    """What defines an experiment run: its cells and how they are computed."""

    experiment: str
    datasets: list[str]
    seeds: int
    settings: EvalSettings
    options: Options = field(default_factory=Options)
    targets: list[str] | None = None
    rows: list[str] | None = None

    def identity(self) -> dict:
        """The part of the run a finished cell depends on (checked when resuming)."""
        return {"experiment": self.experiment, "datasets": self.datasets,
                "settings": json.loads(self.settings.model_dump_json())}

    def selected_rows(self) -> list[Row]:
        rows = experiment(self.experiment).rows(self.datasets, self.options)
        if self.rows is None:
            return rows
        known = {r.id for r in rows}
        unknown = [r for r in self.rows if r not in known]
        if unknown:
            raise UnknownNameError(f"{self.experiment} has no rows {unknown}; its rows: {', '.join(r.id for r in rows)}")
        return [r for r in rows if r.id in self.rows]

    def selected_targets(self) -> list[str]:
        targets = self.targets or self.datasets
        unknown = [t for t in targets if t not in self.datasets]
        if unknown:
            raise UnknownNameError(f"targets {unknown} are not among the run's datasets {self.datasets}")
        return targets

    def command(self, row: str | None = None, target: str | None = None) -> str:
        """The command that (re)computes this run, or one of its cells."""
        extra = [("--targets", target), ("--rows", row)]
        return shlex.join(["wearclip", "experiment", self.experiment,
                           *(part for flag, value in [*run_flags(self), *extra] if value for part in (flag, value))])


def run_flags(spec: RunSpec) -> list[tuple[str, str]]:
    """The ``wearclip experiment`` flags that set every part of ``spec`` differing from the defaults:
    the one place a run's settings are written as a command line (the CLI parses them back)."""
    s, default = spec.settings, EvalSettings()
    flags = [("--datasets", ",".join(spec.datasets)), ("--seeds", str(spec.seeds))]
    if s.source != default.source:
        flags.append(("--source", ",".join(s.source)))
    flags += [("--root", f"{name}={root}") for name, root in sorted(s.data.roots.items())]
    flags += [("--placement", f"{name}={placement}") for name, placement in sorted(s.data.placements.items())]
    flags += [("--option", f"{name}.{key}={value}") for name, options in sorted(s.data.options.items())
              for key, value in sorted(options.items())]
    if s.data.class_set != default.data.class_set:
        flags.append(("--class-set", s.data.class_set))
    if s.pretrain.epochs != default.pretrain.epochs:
        flags.append(("--epochs", str(s.pretrain.epochs)))
    if s.labelled.steps != default.labelled.steps:
        flags.append(("--steps", str(s.labelled.steps)))
    if s.data.split_seed:
        flags.append(("--split-seed", str(s.data.split_seed)))
    if spec.options.shots != SHOTS and spec.experiment == "fig3":
        flags.append(("--shots", ",".join(map(str, spec.options.shots))))
    if spec.options.text_encoders and spec.experiment in ("table4", "encoders"):
        flags.append(("--text-encoders", ",".join(spec.options.text_encoders)))
    return flags


def cell_path(out: Path, row: str, target: str, seed: int) -> Path:
    safe = row.replace("/", "__").replace(":", "_")
    return out / "cells" / safe / target / f"seed{seed}.json"


RUN_FILES = frozenset({"run.json", "cells", "report.md", "table.csv", "results.csv", "transfer.png", "shots.png"})
"""What an experiment folder holds (folders written before markers existed are recognised by these names)."""


def run_experiment(spec: RunSpec, out: str | Path | None = None, log=print) -> Path:
    """Compute every missing cell of ``spec`` (rows x targets x seeds) and rewrite the report after each."""
    out = Path(out or Path("runs") / spec.experiment)
    identity = spec.identity()
    rows, targets = spec.selected_rows(), spec.selected_targets()  # unknown rows or targets: before any write
    run_file = out / "run.json"
    claim_directory(out, "experiment", RUN_FILES)
    if run_file.is_file():
        existing = json.loads(run_file.read_text(encoding="utf-8"))
        if existing != identity:
            raise OutputError(
                f"{out} holds a run of {existing.get('experiment')} on {existing.get('datasets')} with other settings; "
                f"pass another --out, or delete the folder to start again")
    else:
        write_json(run_file, identity)
    runner = experiment(spec.experiment).runner(spec.settings, spec.datasets, log=log)
    todo = [(row, target, seed) for row in rows for target in targets for seed in range(spec.seeds)
            if not cell_path(out, row.id, target, seed).is_file()]
    log(f"{spec.experiment}: {len(rows) * len(targets) * spec.seeds - len(todo)} cells done, {len(todo)} to compute")
    for i, (row, target, seed) in enumerate(track(todo, f"{spec.experiment} cells"), 1):
        started = time.perf_counter()
        scores = runner.run(row.setup, target, seed)
        seconds = time.perf_counter() - started
        write_json(cell_path(out, row.id, target, seed), {
            "row": row.id, "label": row.label, "setup": row.setup.model_dump(mode="json"), "dataset": target,
            "seed": seed, "seconds": seconds, "command": spec.command(row.id, target)} | scores)
        log(f"[{i}/{len(todo)}] {row.id} on {target}, seed {seed}: macro-F1 {100 * scores['macro_f1']:.1f} ({seconds:.0f} s)")
        write_outputs(spec, out)
    write_outputs(spec, out)
    return out


def load_cells(out: Path) -> pd.DataFrame:
    """Every finished cell of a run folder as one row per (row, dataset, seed)."""
    return results_frame([json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "cells").rglob("seed*.json"))])


def write_outputs(spec: RunSpec, out: Path) -> None:
    """Rewrite results.csv, table.csv, the plots and report.md from the finished cells."""
    from ..io import atomic_path, write_text
    from . import plots

    cells = load_cells(out)
    if cells.empty:
        return
    rows = experiment(spec.experiment).rows(spec.datasets, spec.options)
    table = summary_table(cells, [r.id for r in rows], spec.datasets)
    with atomic_path(out / "results.csv") as tmp:
        cells.drop(columns=["details"]).to_csv(tmp, index=False)
    with atomic_path(out / "table.csv") as tmp:
        table.to_csv(tmp, index=False)
    figures = []
    for kind in experiment(spec.experiment).plots:
        if kind == "transfer":
            figures.append(plots.plot_transfer(table, spec.datasets, out / "transfer.png"))
        elif kind == "shots":
            figures.append(plots.plot_shots(table, spec.datasets, spec.options.shots, out / "shots.png"))
    figures.append(plots.plot_curves(cells, out / "curves.png"))
    render_report(out / "report.md", experiment(spec.experiment), spec, rows, table, cells,
                  [f for f in figures if f is not None])
    appendix = experiment(spec.experiment).appendix
    if appendix is not None:
        write_text(out / "report.md", (out / "report.md").read_text(encoding="utf-8") + appendix(cells))
