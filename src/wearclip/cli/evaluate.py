"""``wearclip zeroshot | predict | adapt | evaluate | experiment``: recognition, adaptation, protocols."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from . import app
from .common import DEFAULT_MODEL, MODEL_HELP, console, loader_option, names, out_option, overwrite_option, pairs


def _score_table(title: str, rows: list[tuple[str, dict]]) -> Table:
    table = Table(title=title)
    for column in ("", "macro-F1", "accuracy", "weighted F1", "windows"):
        table.add_column(column)
    for name, m in rows:
        table.add_row(name, f"{100 * m['macro_f1']:.1f}", f"{100 * m['accuracy']:.1f}",
                      f"{100 * m['weighted_f1']:.1f}", str(m["n"]))
    return table


def zeroshot(
    checkpoint: str = typer.Argument(DEFAULT_MODEL, help=MODEL_HELP, show_default=False),
    dataset: str = typer.Option(..., "--dataset", "-d", help="Registered dataset name."),
    root: Path | None = typer.Option(None, help="The dataset's folder (default: its embedded copy)."),
    placement: str | None = typer.Option(None, help="Sensor placement (default: the dataset's)."),
    option: list[str] = loader_option(),
    activities: str | None = typer.Option(None, help="Comma-separated subset of the dataset's activities to recognise."),
    recognition: str = typer.Option("auto", help="Sentences per class: auto (the mode the model was pre-trained with), "
                                                 "base, ensemble, or any sentence mode."),
    subjects: str = typer.Option("all", help="Windows of: all subjects, or the train / val / test split."),
    split_seed: int = typer.Option(0, help="Seed of the subject split (with --subjects)."),
    out: Path | None = out_option("runs/zeroshot/DATASET"),
    overwrite: bool = overwrite_option(),
) -> None:
    """Recognise a dataset's activities zero-shot: macro-F1, accuracy, weighted F1, per-class F1, confusion PNG."""
    from ..data import datasets
    from ..study import recognition as jobs

    source = datasets.load(dataset, root, placement, **pairs(option, "--option"))
    chosen = names(activities, "--activities") if activities is not None else None
    out = out or Path("runs") / "zeroshot" / dataset
    result = jobs.zeroshot(checkpoint, source, out, chosen, recognition, subjects, split_seed, overwrite)
    console.print(_score_table(f"{dataset} ({subjects} subjects), zero-shot", [("zero-shot", result.to_dict())]))
    per_class = Table(title="per-class F1")
    per_class.add_column("activity")
    per_class.add_column("F1")
    for name, f1 in result.per_class_f1.items():
        per_class.add_row(name, f"{100 * f1:.1f}")
    console.print(per_class)
    console.print(f"wrote {out}/metrics.json and {out}/confusion.png")


def predict(
    checkpoint: str = typer.Argument(..., metavar="[CHECKPOINT] RECORDING", show_default=False,
                                     help=f"{MODEL_HELP} Given alone, the argument is the recording."),
    recording: Path | None = typer.Argument(None, metavar="", show_default=False,
                                            help="CSV or Parquet with x, y, z and a time column, or --rate."),
    activities: str = typer.Option(..., help="Comma-separated free-text activities, e.g. 'walking, cycling'."),
    rate: float | None = typer.Option(None, help="Sampling rate in Hz when the file has no time column."),
    units: str = typer.Option("g", help="Units of x, y, z: g or m/s2."),
    recognition: str = typer.Option("auto", help="Sentences per activity: auto (the mode the model was pre-trained "
                                                 "with), base, ensemble, or any sentence mode."),
    out: Path | None = out_option("runs/predict/NAME"),
    overwrite: bool = overwrite_option(),
    smooth: str = typer.Option("none", help="none, or hmm: Viterbi over the windows' probabilities (activity_raw keeps "
                                            "the per-window label)."),
    stickiness: float = typer.Option(0.95, help="With --smooth hmm: chance of the same activity in the next window."),
    min_bout: int = typer.Option(1, help="With --smooth hmm: shortest bout, in windows."),
) -> None:
    """A timeline of predicted activities over a long recording, for any free-text activities."""
    from ..study.smoothing import smoother
    from ..study.timeline import predict_recording

    if recording is None:  # `wearclip predict RECORDING`: the shipped model
        checkpoint, recording = DEFAULT_MODEL, Path(checkpoint)
    chosen = names(activities, "--activities")
    out = out or Path("runs") / "predict" / recording.name.split(".")[0]
    summary = predict_recording(checkpoint, recording, chosen, out, rate=rate, units=units, recognition=recognition,
                                smoother=smoother(smooth, stickiness, min_bout), overwrite=overwrite)
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
    option: list[str] = loader_option(),
    shots: int | None = typer.Option(None, min=1, help="Labelled windows per class (default: the whole train split)."),
    mode: str = typer.Option("base", help="Sentence mode of the adaptation sentences."),
    recognition: str = typer.Option("base", help="Sentences per class at test time."),
    objective: str = typer.Option("clip-dedup", help="clip (plain), clip-dedup or unicl."),
    epochs: int = typer.Option(150, min=1, help="Maximum epochs (early stopping on validation macro-F1)."),
    seed: int = typer.Option(0, help="Seed of the k-shot draw and of training."),
    split_seed: int = typer.Option(0, help="Seed of the subject split."),
    out: Path | None = out_option("runs/adapt/DATASET"),
    overwrite: bool = overwrite_option(),
) -> None:
    """Freeze both encoders and train the two projection heads on the target's train split (or k per class)."""
    from ..data import datasets
    from ..study import recognition as jobs

    source = datasets.load(dataset, root, placement, **pairs(option, "--option"))
    out = out or Path("runs") / "adapt" / dataset
    metrics = jobs.adapt(checkpoint, source, out, shots, mode, recognition, objective, epochs, seed, split_seed,
                         overwrite)
    label = f"k = {shots}" if shots else "all train windows"
    console.print(_score_table(f"{dataset} test subjects: head adaptation ({label}, {metrics['train_windows']} windows)",
                               [("zero-shot before", metrics["before"]), ("after adaptation", metrics["after"])]))
    if metrics["capped"]:
        console.print(f"classes with fewer than k windows (all used): {metrics['capped']}")
    console.print(f"wrote {out}/checkpoint, metrics.json, confusion.png")


def _settings(datasets: list[str], roots: list[str] | None, placements: list[str] | None, epochs: int | None,
              split_seed: int, checkpoints: Path, source: str = "others", options: list[str] | None = None,
              class_set: str = "official", steps: int | None = None):
    from ..data.datasets import get
    from ..errors import UsageError
    from ..study.protocols import DataSettings, EvalSettings, LabelledBudget, loader_options
    from ..study.protocols import class_set as study_class_set

    sources = "others" if source == "others" else tuple(names(source, "--source"))
    for name in () if sources == "others" else sources:
        get(name)  # an unknown name fails here, listing the registered ones
    study_class_set(class_set, "")  # an unknown class set fails here
    option_map = loader_options(options or [])
    known = set(datasets) | (set(sources) if sources != "others" else set())
    root_map, placement_map = pairs(roots, "--root"), pairs(placements, "--placement")
    for option, mapping in (("--root", root_map), ("--placement", placement_map), ("--option", option_map)):
        stray = sorted(set(mapping) - known)
        if stray:
            raise UsageError(f"{option}: {stray} are not among --datasets {datasets} or --source")
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
    method: str = typer.Option("nls", help="chance, supervised, nls, autoencoder, simclr, cpc or enhanced-cpc."),
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
    from ..errors import UsageError
    from ..metrics import format_mean_std
    from ..study.protocols import ProtocolRunner, Setup

    run_datasets = names(datasets, "--datasets")
    if target not in run_datasets:
        raise UsageError(f"--target: {target!r} is not among --datasets {run_datasets}")
    sources = (pretrain_on if pretrain_on in ("source", "target", "others", "all")
               else tuple(names(pretrain_on, "--pretrain-on")))
    setup = Setup(method=method, pretrain_on=sources, encoder=encoder, mode=mode, recognition=recognition,
                  objective=objective, text_encoder=text_encoder, adapt=adapt, shots=shots, unseen=unseen,
                  target_statistics=target_statistics, preset=preset)
    settings = _settings(run_datasets, root, placement, epochs, split_seed, checkpoints, source, option, class_set, steps)
    runner = ProtocolRunner(settings, run_datasets, log=console.print)
    results = []
    for seed in range(seeds):
        results.append(runner.run(setup, target, seed))
        console.print(f"seed {seed}: macro-F1 {100 * results[-1]['macro_f1']:.1f}")
    console.print(f"{target}: macro-F1 {format_mean_std([r['macro_f1'] for r in results])}, accuracy "
                  f"{format_mean_std([r['accuracy'] for r in results])} over {seeds} seed(s)")


def experiment(
    name: str = typer.Argument(..., help="table1, table3, table4, table5, fig2, fig3, encoders or generalise."),
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
    out: Path | None = out_option("runs/NAME"),
    checkpoints: Path = typer.Option(Path("runs/checkpoints"), help="Cache of pre-trained models."),
    list_rows: bool = typer.Option(False, "--list-rows", help="Print the experiment's rows and exit."),
) -> None:
    """Run a named experiment of the study; resumes an interrupted run without recomputing finished cells."""
    from ..errors import UsageError
    from ..study.experiments import SHOTS, Options, RunSpec, run_experiment
    from ..study.experiments import experiment as get_experiment

    spec_experiment = get_experiment(name)
    run_datasets = names(datasets, "--datasets")
    ks = names(shots, "--shots")
    if not all(k.isdigit() and int(k) > 0 for k in ks):
        raise UsageError(f"--shots: expected positive whole numbers of windows per class, got {shots!r}")
    options = Options(shots=tuple(int(k) for k in ks) or SHOTS,
                      text_encoders=tuple(names(text_encoders, "--text-encoders")))
    if list_rows:
        for row in spec_experiment.rows(run_datasets, options):
            console.print(f"{row.id:40s} {row.label}")
        return
    spec = RunSpec(experiment=name, datasets=run_datasets, seeds=seeds,
                   settings=_settings(run_datasets, root, placement, epochs, split_seed, checkpoints, source, option,
                                      class_set, steps), options=options,
                   targets=names(targets, "--targets") or None, rows=names(rows, "--rows") or None)
    folder = run_experiment(spec, out, log=console.print)
    console.print(f"wrote {folder}/report.md, table.csv, results.csv")


for _command in (zeroshot, predict, adapt, evaluate, experiment):
    app.command()(_command)
