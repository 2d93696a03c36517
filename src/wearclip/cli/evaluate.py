"""``wearclip zeroshot | predict | adapt | evaluate | experiment``: recognition, adaptation, protocols."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from . import app

console = Console()

SPLITS = ("all", "train", "val", "test")


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``['mobifall=../data/mobifall-v2']`` -> ``{'mobifall': '../data/mobifall-v2'}``."""
    out = {}
    for value in values or []:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise typer.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        out[name.strip()] = rest.strip()
    return out


def _names(text: str | None) -> list[str]:
    """A comma-separated list, stripped, empty items dropped."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _score_table(title: str, rows: list[tuple[str, dict]]) -> Table:
    table = Table(title=title)
    for column in ("", "macro-F1", "accuracy", "weighted F1", "windows"):
        table.add_column(column)
    for name, m in rows:
        table.add_row(name, f"{100 * m['macro_f1']:.1f}", f"{100 * m['accuracy']:.1f}",
                      f"{100 * m['weighted_f1']:.1f}", str(m["n"]))
    return table


def _dataset_windows(dataset: str, root: Path | None, placement: str | None, window, activities: str | None,
                     subjects: str, split_seed: int):
    """The dataset's windows of ``subjects`` (a split or all), restricted to ``activities`` if given."""
    from ..data import datasets
    from ..data.splits import subject_split
    from ..data.store import WindowStore
    from ..study.protocols import restrict

    if subjects not in SPLITS:
        raise typer.BadParameter(f"choose one of {', '.join(SPLITS)}", param_hint="--subjects")
    windows = WindowStore().open(datasets.load(dataset, root, placement), window)
    if subjects != "all":
        windows = windows.of_subjects(getattr(subject_split(windows.subjects, split_seed), subjects))
    if activities:
        try:
            windows = restrict(windows, _names(activities))
        except KeyError as error:
            raise typer.BadParameter(str(error.args[0]), param_hint="--activities") from None
    return windows


def zeroshot(
    checkpoint: Path = typer.Argument(..., help="WearClip checkpoint folder (or Hugging Face id)."),
    dataset: str = typer.Option(..., "--dataset", "-d", help="Registered dataset name."),
    root: Path | None = typer.Option(None, help="The dataset's folder (default: its embedded copy)."),
    placement: str | None = typer.Option(None, help="Sensor placement (default: the dataset's)."),
    activities: str | None = typer.Option(None, help="Comma-separated subset of the dataset's activities to recognise."),
    recognition: str = typer.Option("base", help="Sentences per class: base, ensemble, or any sentence mode."),
    subjects: str = typer.Option("all", help="Windows of: all subjects, or the train / val / test split."),
    split_seed: int = typer.Option(0, help="Seed of the subject split (with --subjects)."),
    out: Path | None = typer.Option(None, help="Folder for metrics.json and confusion.png (default runs/zeroshot/DATASET)."),
) -> None:
    """Recognise a dataset's activities zero-shot: macro-F1, accuracy, weighted F1, per-class F1, confusion PNG."""
    from ..io import write_json
    from ..metrics import evaluate_predictions, plot_confusion
    from ..models.wearclip import WearClip
    from ..models.zeroshot import ZeroShotClassifier
    from ..text import class_sentences

    model = WearClip.from_pretrained(checkpoint)
    windows = _dataset_windows(dataset, root, placement, model.config.window, activities, subjects, split_seed)
    sentences = class_sentences(windows.classes, recognition, dataset)
    result = evaluate_predictions(windows.labels, ZeroShotClassifier(model, sentences).predict(windows.x), windows.classes)
    out = out or Path("runs") / "zeroshot" / dataset
    write_json(out / "metrics.json", {"checkpoint": str(checkpoint), "dataset": dataset, "subjects": subjects,
                                      "recognition": recognition, "sentences": sentences} | result.to_dict())
    plot_confusion(result, out / "confusion.png", f"{dataset}: zero-shot ({recognition})")
    console.print(_score_table(f"{dataset} ({subjects} subjects), zero-shot", [("zero-shot", result.to_dict())]))
    per_class = Table(title="per-class F1")
    per_class.add_column("activity")
    per_class.add_column("F1")
    for name, f1 in result.per_class_f1.items():
        per_class.add_row(name, f"{100 * f1:.1f}")
    console.print(per_class)
    console.print(f"wrote {out}/metrics.json and {out}/confusion.png")


def predict(
    checkpoint: Path = typer.Argument(..., help="WearClip checkpoint folder (or Hugging Face id)."),
    recording: Path = typer.Argument(..., help="CSV (optionally .gz) with x, y, z and a time column, or --rate."),
    activities: str = typer.Option(..., help="Comma-separated free-text activities, e.g. 'walking, cycling'."),
    rate: float | None = typer.Option(None, help="Sampling rate in Hz when the file has no time column."),
    units: str = typer.Option("g", help="Units of x, y, z: g or m/s2."),
    recognition: str = typer.Option("base", help="Sentences per activity: base, ensemble, or any sentence mode."),
    out: Path | None = typer.Option(None, help="Folder for predictions.csv and timeline.png (default runs/predict/NAME)."),
) -> None:
    """A timeline of predicted activities over a long recording, for any free-text activities."""
    from ..study.timeline import predict_recording

    names = _names(activities)
    if len(names) < 2:
        raise typer.BadParameter("give at least two activities, separated by commas", param_hint="--activities")
    out = out or Path("runs") / "predict" / recording.name.split(".")[0]
    summary = predict_recording(checkpoint, recording, names, out, rate=rate, units=units, recognition=recognition)
    table = Table(title=f"{recording.name}: {summary['windows']} windows, {summary['hours']:.2f} h")
    table.add_column("activity")
    table.add_column("windows")
    table.add_column("share")
    for name, count in summary["counts"].items():
        table.add_row(name, str(count), f"{100 * count / max(1, summary['windows']):.1f} %")
    console.print(table)
    console.print(f"wrote {out}/predictions.csv and {out}/timeline.png")


def adapt(
    checkpoint: Path = typer.Argument(..., help="WearClip checkpoint folder (or Hugging Face id)."),
    dataset: str = typer.Option(..., "--dataset", "-d", help="Registered dataset name (the target)."),
    root: Path | None = typer.Option(None, help="The dataset's folder (default: its embedded copy)."),
    placement: str | None = typer.Option(None, help="Sensor placement (default: the dataset's)."),
    shots: int | None = typer.Option(None, min=1, help="Labelled windows per class (default: the whole train split)."),
    mode: str = typer.Option("base", help="Sentence mode of the adaptation sentences."),
    recognition: str = typer.Option("base", help="Sentences per class at test time."),
    objective: str = typer.Option("clip-dedup", help="clip (plain), clip-dedup or unicl."),
    epochs: int = typer.Option(150, min=1, help="Maximum epochs (early stopping on validation macro-F1)."),
    seed: int = typer.Option(0, help="Seed of the k-shot draw and of training."),
    split_seed: int = typer.Option(0, help="Seed of the subject split."),
    out: Path | None = typer.Option(None, help="Folder for the adapted checkpoint and metrics (default runs/adapt/DATASET)."),
) -> None:
    """Freeze both encoders and train the two projection heads on the target's train split (or k per class)."""
    from ..io import write_json
    from ..metrics import evaluate_predictions, plot_confusion
    from ..models.wearclip import WearClip
    from ..models.zeroshot import ZeroShotClassifier
    from ..study.protocols import draw_shots
    from ..text import class_sentences
    from ..train.adapt import ADAPT_CONFIG, adapt_heads

    if objective not in ("clip", "clip-dedup", "unicl"):
        raise typer.BadParameter("choose clip, clip-dedup or unicl", param_hint="--objective")
    model = WearClip.from_pretrained(checkpoint)
    parts = {s: _dataset_windows(dataset, root, placement, model.config.window, None, s, split_seed)
             for s in ("train", "val", "test")}
    train, capped = draw_shots(parts["train"], shots, seed) if shots else (parts["train"], {})
    test = parts["test"]
    recognise = class_sentences(test.classes, recognition, dataset)
    before = evaluate_predictions(test.labels, ZeroShotClassifier(model, recognise).predict(test.x), test.classes)
    config = ADAPT_CONFIG.model_copy(update={"epochs": epochs, "seed": seed})
    result = adapt_heads(model, train, parts["val"], class_sentences(train.classes, mode, dataset, seed), config, objective)
    after = evaluate_predictions(test.labels, ZeroShotClassifier(result.model, recognise).predict(test.x), test.classes)
    out = out or Path("runs") / "adapt" / dataset
    adapted = result.model
    adapted.config.pretrained_on = [*adapted.config.pretrained_on, f"{dataset} (heads adapted)"]
    adapted.save_pretrained(out / "checkpoint")
    write_json(out / "metrics.json", {"checkpoint": str(checkpoint), "dataset": dataset, "shots": shots,
                                      "train_windows": len(train), "capped": capped, "best_epoch": result.best_epoch,
                                      "before": before.to_dict(), "after": after.to_dict(), "history": result.history})
    plot_confusion(after, out / "confusion.png", f"{dataset}: after head adaptation")
    label = f"k = {shots}" if shots else "all train windows"
    console.print(_score_table(f"{dataset} test subjects: head adaptation ({label}, {len(train)} windows)",
                               [("zero-shot before", before.to_dict()), ("after adaptation", after.to_dict())]))
    if capped:
        console.print(f"classes with fewer than k windows (all used): {capped}")
    console.print(f"wrote {out}/checkpoint, metrics.json, confusion.png")


def _settings(datasets: list[str], roots: list[str] | None, placements: list[str] | None, epochs: int | None,
              split_seed: int, checkpoints: Path, source: str = "others", options: list[str] | None = None,
              class_set: str = "official", steps: int | None = None):
    from ..data.datasets import get
    from ..study.protocols import DataSettings, EvalSettings, LabelledBudget, loader_options
    from ..study.protocols import class_set as study_class_set

    sources = "others" if source == "others" else tuple(_names(source))
    try:
        for name in () if sources == "others" else sources:
            get(name)  # an unknown name fails here, listing the registered ones
        study_class_set(class_set, "")  # an unknown class set fails here
        option_map = loader_options(options or [])
    except (KeyError, ValueError) as error:
        hint = "--option" if isinstance(error, ValueError) else "--source/--class-set"
        raise typer.BadParameter(str(error.args[0]), param_hint=hint) from None
    known = set(datasets) | (set(sources) if sources != "others" else set())
    root_map, placement_map = _pairs(roots, "--root"), _pairs(placements, "--placement")
    for option, mapping in (("--root", root_map), ("--placement", placement_map), ("--option", option_map)):
        stray = sorted(set(mapping) - known)
        if stray:
            raise typer.BadParameter(f"{stray} are not among --datasets {datasets} or --source", param_hint=option)
    settings = EvalSettings(data=DataSettings(roots=root_map, placements=placement_map, options=option_map,
                                              class_set=class_set, split_seed=split_seed),
                            source=sources, checkpoints=str(checkpoints))
    if epochs is not None:
        update = {"epochs": epochs}
        settings = settings.model_copy(update={name: getattr(settings, name).model_copy(update=update)
                                               for name in ("pretrain", "ssl")})
    if steps is not None:
        settings = settings.model_copy(update={"labelled": LabelledBudget(steps=steps)})
    return settings


SOURCE_HELP = ("Source corpus of pre-training: capture24 (the study), comma-separated dataset names, or others "
               "(leave-one-dataset-out among --datasets).")
OPTION_HELP = "DATASET.OPTION=VALUE loader option, e.g. capture24.label_scheme=WillettsSpecific2018; repeatable."
CLASS_SET_HELP = "official (every class of each loader) or study (the study's Tab. 2 class sets)."
STEPS_HELP = "Optimiser steps of every training on labelled target windows (default 3000)."


def evaluate(
    method: str = typer.Option("nls", help="chance, supervised, nls, autoencoder, simclr or cpc."),
    datasets: str = typer.Option(..., help="Comma-separated datasets of the run (the 'others' of LODO)."),
    target: str = typer.Option(..., help="The dataset scored (on its test subjects)."),
    pretrain_on: str = typer.Option("source", help="source, target, others, all, or comma-separated dataset names."),
    source: str = typer.Option("others", help=SOURCE_HELP),
    option: list[str] = typer.Option(None, help=OPTION_HELP),
    class_set: str = typer.Option("official", help=CLASS_SET_HELP),
    steps: int | None = typer.Option(None, min=1, help=STEPS_HELP),
    encoder: str = typer.Option("conv", help="IMU encoder (supervised and NLS)."),
    mode: str = typer.Option("base", help="Sentence mode of pre-training (and adaptation)."),
    recognition: str = typer.Option("base", help="Sentences per class at test time: a sentence mode, best-template, "
                                                 "matching or mean-all."),
    objective: str = typer.Option("clip", help="clip (plain, the study's), clip-dedup, unicl or slip."),
    text_encoder: str | None = typer.Option(None, help="Text encoder id or folder (default: the model's)."),
    adapt: bool = typer.Option(False, help="Adapt the projection heads on the target's labelled windows."),
    shots: int | None = typer.Option(None, min=1, help="Labelled windows per class (default: the whole train split)."),
    unseen: bool = typer.Option(False, help="Unseen-activity protocol (groups held out of pre-training)."),
    target_statistics: bool = typer.Option(False, help="Normalise inputs with the target's own statistics "
                                                       "(its unlabelled train windows) instead of the sources'."),
    preset: str | None = typer.Option(None, help="Pre-training preset or YAML (see wearclip pretrain): its model, "
                                                 "objective and sentence mode replace --mode/--objective/--text-encoder."),
    seeds: int = typer.Option(5, min=1, help="Seeds 0..N-1, each a full run of the pipeline."),
    root: list[str] = typer.Option(None, help="NAME=DIR of a dataset's folder; repeatable."),
    placement: list[str] = typer.Option(None, help="NAME=PLACEMENT; repeatable."),
    epochs: int | None = typer.Option(None, min=1, help="Maximum epochs of pre-training."),
    split_seed: int = typer.Option(0, help="Seed of the subject splits."),
    checkpoints: Path = typer.Option(Path("runs/checkpoints"), help="Cache of pre-trained models."),
) -> None:
    """Run one protocol setup on one target for several seeds and print mean ± std."""
    from ..metrics import format_mean_std
    from ..study.protocols import ProtocolRunner, Setup

    names = _names(datasets)
    if target not in names:
        raise typer.BadParameter(f"{target!r} is not among --datasets {names}", param_hint="--target")
    sources = pretrain_on if pretrain_on in ("source", "target", "others", "all") else tuple(_names(pretrain_on))
    setup = Setup(method=method, pretrain_on=sources, encoder=encoder, mode=mode, recognition=recognition,
                  objective=objective, text_encoder=text_encoder, adapt=adapt, shots=shots, unseen=unseen,
                  target_statistics=target_statistics, preset=preset)
    settings = _settings(names, root, placement, epochs, split_seed, checkpoints, source, option, class_set, steps)
    runner = ProtocolRunner(settings, names, log=console.print)
    results = []
    for seed in range(seeds):
        results.append(runner.run(setup, target, seed))
        console.print(f"seed {seed}: macro-F1 {100 * results[-1]['macro_f1']:.1f}")
    console.print(f"{target}: macro-F1 {format_mean_std([r['macro_f1'] for r in results])}, accuracy "
                  f"{format_mean_std([r['accuracy'] for r in results])} over {seeds} seed(s)")


def experiment(
    name: str = typer.Argument(..., help="table1, table3, table4, table5, fig2, fig3 or encoders."),
    datasets: str = typer.Option(..., help="Comma-separated datasets (columns; the pool for leave-one-dataset-out)."),
    source: str = typer.Option("others", help=SOURCE_HELP),
    option: list[str] = typer.Option(None, help=OPTION_HELP),
    class_set: str = typer.Option("official", help=CLASS_SET_HELP),
    steps: int | None = typer.Option(None, min=1, help=STEPS_HELP),
    seeds: int = typer.Option(5, min=1, help="Seeds 0..N-1 per cell (the study: 5)."),
    targets: str | None = typer.Option(None, help="Only these datasets' columns (default: all)."),
    rows: str | None = typer.Option(None, help="Only these rows, by id (see --list-rows)."),
    root: list[str] = typer.Option(None, help="NAME=DIR of a dataset's folder; repeatable."),
    placement: list[str] = typer.Option(None, help="NAME=PLACEMENT; repeatable."),
    epochs: int | None = typer.Option(None, min=1, help="Maximum epochs of pre-training (default 60)."),
    split_seed: int = typer.Option(0, help="Seed of the subject splits."),
    shots: str | None = typer.Option(None, help="fig3: comma-separated k values (default 2,5,10,25,50,100)."),
    text_encoders: str | None = typer.Option(None, help="table4, encoders: extra text encoders (ids or folders)."),
    out: Path | None = typer.Option(None, help="Run folder (default runs/NAME)."),
    checkpoints: Path = typer.Option(Path("runs/checkpoints"), help="Cache of pre-trained models."),
    list_rows: bool = typer.Option(False, "--list-rows", help="Print the experiment's rows and exit."),
) -> None:
    """Run a named experiment of the study; resumes an interrupted run without recomputing finished cells."""
    from ..study.experiments import SHOTS, Options, RunSpec, run_experiment
    from ..study.experiments import experiment as get_experiment

    try:
        spec_experiment = get_experiment(name)
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0]), param_hint="NAME") from None
    names = _names(datasets)
    options = Options(shots=tuple(int(k) for k in _names(shots)) or SHOTS, text_encoders=tuple(_names(text_encoders)))
    if list_rows:
        for row in spec_experiment.rows(names, options):
            console.print(f"{row.id:40s} {row.label}")
        return
    spec = RunSpec(experiment=name, datasets=names, seeds=seeds,
                   settings=_settings(names, root, placement, epochs, split_seed, checkpoints, source, option,
                                      class_set, steps), options=options,
                   targets=_names(targets) or None, rows=_names(rows) or None)
    try:
        folder = run_experiment(spec, out, log=console.print)
    except (KeyError, FileExistsError) as error:
        raise typer.BadParameter(str(error.args[0] if error.args else error)) from None
    console.print(f"wrote {folder}/report.md, table.csv, results.csv")


for _command in (zeroshot, predict, adapt, evaluate, experiment):
    app.command()(_command)
