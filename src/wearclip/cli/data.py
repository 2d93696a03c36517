"""``wearclip data list|info|prepare|download``: the datasets, their windows, and where to get them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from .common import console, loader_option, pairs

app = typer.Typer(help="Datasets: list them, inspect one, download it, prepare its windows.", no_args_is_help=True)

ROOT = typer.Option(None, "--root", help="The dataset as downloaded: extracted folder or archive (default: "
                    "the embedded copy, for uci-hapt).")
PLACEMENT = typer.Option(None, help="Body position where the dataset has several (default: the study's).")
OPTION = loader_option()
CACHE = typer.Option(None, help="Window store folder (default: $WEARCLIP_CACHE or ~/.cache/wearclip/windows).")
SECONDS = typer.Option(2.0, help="Window length in seconds.")
OVERLAP = typer.Option(0.5, help="Overlap of consecutive windows, 0 <= overlap < 1.")
LABEL_RULE = typer.Option("pure", help="Window label rule: pure, majority or center.")
KEEP = typer.Option(False, "--keep-unlabelled", help="Keep windows without a label (for inference on whole recordings).")


def _open(name: str, root: Path | None, placement: str | None, option: list[str]):
    from ..data import datasets

    return datasets.load(name, root, placement, **pairs(option, "--option"))


def _windows(dataset, cache: Path | None, seconds: float, overlap: float, label_rule: str, keep: bool,
             rebuild: bool = False):
    """Open (building if needed) the dataset's window store, showing progress, and return (windows, path)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..config.window import WindowConfig
    from ..data.store import WindowStore

    config = WindowConfig(seconds=seconds, overlap=overlap, label_rule=label_rule, keep_unlabelled=keep)
    store = WindowStore(cache)
    path = store.path(dataset, config)
    columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"reading {dataset.name}")
        count = 0

        def seen(recording) -> None:
            nonlocal count
            count += 1
            progress.update(task, description=f"{dataset.name}: recording {count} (subject {recording.subject})")

        windows = store.open(dataset, config, rebuild=rebuild, progress=seen)
    return windows, path


@app.command("list")
def list_datasets() -> None:
    """The registered datasets and their facts."""
    from ..data import datasets

    table = Table(title="wearclip datasets")
    for column in ("name", "rate (Hz)", "units", "placements (default first)", "classes", "subjects", "download"):
        table.add_column(column)
    for name in datasets.names():
        spec = datasets.get(name)
        placements = [spec.default_placement] + [p for p in spec.placements if p != spec.default_placement]
        source = "embedded + public" if spec.embedded else "public" if spec.downloads else "by hand"
        table.add_row(name, f"{spec.rate:g}", spec.units, ", ".join(placements), str(len(spec.activities) or "yaml"),
                      str(len(spec.subjects) or "yours"), source)
    console.print(table)


@app.command()
def info(
    name: str = typer.Argument(..., help="Registered dataset name (wearclip data list)."),
    root: Path | None = ROOT,
    placement: str | None = PLACEMENT,
    option: list[str] = OPTION,
    cache: Path | None = CACHE,
    seconds: float = SECONDS,
    overlap: float = OVERLAP,
    label_rule: str = LABEL_RULE,
    keep_unlabelled: bool = KEEP,
) -> None:
    """Facts about a dataset; with its files (or the embedded copy), subjects, hours, windows per class and
    a data-quality summary (gaps, dropped streams, contradicting metadata)."""
    from ..data.quality import summarize
    from ..data.store import read_manifest

    dataset = _open(name, root, placement, option)
    spec = dataset.spec
    console.print(f"[bold]{spec.name}[/bold]: {spec.title}")
    console.print(f"rate {spec.rate:g} Hz ({spec.units}) -> windows at 50 Hz in g; placement {dataset.placement} "
                  f"(study group {spec.group(dataset.placement)}); placements: {', '.join(spec.placements)}")
    console.print(f"licence: {spec.licence}\ncite: {spec.citation}\nurl: {spec.url}")
    if spec.notes:
        console.print(spec.notes)
    if root is None and spec.embedded is None:
        console.print(f"{len(dataset.classes)} classes: {'; '.join(dataset.classes)}")
        console.print(f"pass --root with the downloaded files for subjects, hours and window counts "
                      f"(wearclip data download {name})")
        return
    windows, path = _windows(dataset, cache, seconds, overlap, label_rule, keep_unlabelled)
    manifest = read_manifest(path)
    subjects = sorted(manifest["subjects"], key=lambda s: (len(s), s))
    console.print(f"{len(subjects)} subjects: {', '.join(subjects)}")
    console.print(f"{manifest['recordings']} recordings, {manifest['hours']:.2f} h; {len(windows)} windows of "
                  f"{seconds:g} s ({label_rule} labels); store {path}")
    table = Table(title=f"{name}: windows per class")
    table.add_column("class")
    table.add_column("key")
    table.add_column("windows", justify="right")
    for key, (activity, count) in zip(dataset.label_keys, windows.class_counts().items()):
        table.add_row(activity, key, str(count))
    console.print(table)
    for line in summarize(dataset, key=path.name).lines():
        console.print(line, markup=False, highlight=False)


@app.command()
def prepare(
    name: str = typer.Argument(..., help="Registered dataset name (wearclip data list)."),
    root: Path | None = ROOT,
    placement: str | None = PLACEMENT,
    option: list[str] = OPTION,
    cache: Path | None = CACHE,
    seconds: float = SECONDS,
    overlap: float = OVERLAP,
    label_rule: str = LABEL_RULE,
    keep_unlabelled: bool = KEEP,
    rebuild: bool = typer.Option(False, help="Rebuild even if an up-to-date store exists."),
) -> None:
    """Read a dataset once and cache its windows on disk (reused by every later run)."""
    import time

    dataset = _open(name, root, placement, option)
    started = time.perf_counter()
    windows, path = _windows(dataset, cache, seconds, overlap, label_rule, keep_unlabelled, rebuild)
    console.print(f"{name}: {len(windows)} windows, {len(set(windows.subjects))} subjects, "
                  f"{len(dataset.classes)} classes in {time.perf_counter() - started:.1f} s -> {path}")


@app.command()
def download(
    name: str = typer.Argument(..., help="Registered dataset name (wearclip data list)."),
    dest: Path | None = typer.Option(None, help="Folder for the archives (default: $WEARCLIP_DATA/NAME or "
                                     "~/.cache/wearclip/datasets/NAME)."),
    force: bool = typer.Option(False, help="Download again even if the files are present."),
) -> None:
    """Fetch the official archive(s) of a public dataset and verify them."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from ..data.datasets import get
    from ..data.download import download as fetch

    get(name)  # an unknown name fails before any progress bar
    columns = [TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, int] = {}

        def advance(filename: str, done: int, total: int | None) -> None:
            if filename not in tasks:
                tasks[filename] = progress.add_task(filename, total=total)
            progress.update(tasks[filename], completed=done)

        folder = fetch(name, dest, force=force, progress=advance)
    console.print(f"{name}: files in {folder} (SHA-256 beside each); next: wearclip data prepare {name} --root {folder}")
