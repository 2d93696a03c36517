"""``wearclip pretrain CONFIG``: run a pre-training preset or YAML file (also under torchrun)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from . import app
from .common import console


def step_info(record: dict) -> str:
    parts = [f"loss {record['loss']:.3f}", f"lr {record['lr']:.2e}"]
    if "temperature" in record:
        parts.append(f"T {record['temperature']:.4f}")
    return "  ".join(parts)


def epoch_line(record: dict) -> str:
    metrics = "  ".join(f"{k} {v:.4f}" for k, v in record.items() if k.startswith("val_") and k != "val_score")
    mark = "  [green]best[/green]" if record["best"] else ""
    return f"epoch {record['epoch']}: loss {record['loss']:.4f}  {metrics}  ({record['seconds']:.0f} s){mark}"


@app.command("pretrain")
def pretrain_command(
    config: str | None = typer.Argument(None, help="A preset name (see --list) or a YAML file."),
    set_: list[str] = typer.Option([], "--set", help="Override a key, e.g. --set train.lr=3e-4 (repeatable)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Run folder; default: the config's out, else runs/NAME."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in the folder from its last checkpoint."),
    show: bool = typer.Option(False, "--show", help="Print the complete configuration and exit."),
    list_: bool = typer.Option(False, "--list", help="List the shipped presets and exit."),
) -> None:
    """Contrastive pre-training (CLIP / UniCL / SLIP) from a validated config; best/ and last/
    checkpoints, metrics.jsonl and summary.json in the run folder. Runs under
    `torchrun --nproc_per_node N` as well (DDP; the global batch is train.batch_size)."""
    from ..config.presets import dump_config, load_config, presets  # no torch: --list and --show stay fast
    from ..errors import UsageError

    if list_:
        for name in presets():
            console.print(f"{name:<22} {load_config(name).description}")
        return
    if config is None:
        raise UsageError("CONFIG: give a preset name or a YAML file (see wearclip pretrain --list)")
    resolved = load_config(config, set_)
    if show:
        console.print(dump_config(resolved), end="", markup=False, highlight=False)
        return

    from ..study.run import run_pretraining
    from ..train import distributed

    main = distributed.is_main() if distributed.active() else int(__import__("os").environ.get("RANK", "0")) == 0
    columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[info]}")]
    progress = Progress(*columns, console=console, disable=not main)
    task = None

    def on_step(record: dict) -> None:
        nonlocal task
        total = record["steps_per_epoch"] * resolved.train.epochs
        if task is None:
            task = progress.add_task(resolved.name, total=total, info="")
        progress.update(task, completed=record["step"], info=step_info(record))

    def on_epoch(record: dict) -> None:
        if task is not None:
            progress.update(task, completed=record["step"])
        progress.console.print(epoch_line(record))

    try:
        with progress:
            bar = SimpleNamespace(on_record=lambda record: (on_step if record["kind"] == "step" else on_epoch)(record))
            summary = run_pretraining(resolved, out, resume, callbacks=[bar],
                                      log=progress.console.print if main else lambda _: None)
    finally:
        distributed.teardown()
    if main:
        scores = ", ".join(f"{name} {100 * f1:.1f}" for name, f1 in summary["test_macro_f1"].items())
        console.print(f"best epoch {summary['best_epoch']} ({summary['monitor']} {summary['best_score']:.4f}); "
                      f"zero-shot test macro-F1: {scores}")
        console.print(f"wrote {summary['run_dir']}/ (best/, last/, metrics.jsonl, summary.json)")
