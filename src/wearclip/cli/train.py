"""``wearclip pretrain CONFIG``: run a pre-training preset or YAML file (also under torchrun)."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .common import console


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

    from ..progress import TrainingProgress
    from ..study.run import run_pretraining
    from ..train import distributed

    main = distributed.is_main() if distributed.active() else int(__import__("os").environ.get("RANK", "0")) == 0
    try:
        summary = run_pretraining(resolved, out, resume, callbacks=[TrainingProgress(resolved.name)] if main else [],
                                  log=console.print if main else lambda _: None)
    finally:
        distributed.teardown()
    if main:
        scores = ", ".join(f"{name} {100 * f1:.1f}" for name, f1 in summary["test_macro_f1"].items())
        console.print(f"best epoch {summary['best_epoch']} ({summary['monitor']} {summary['best_score']:.4f}); "
                      f"zero-shot test macro-F1: {scores}")
        console.print(f"wrote {summary['run_dir']}/ (best/, last/, metrics.jsonl, summary.json)")
