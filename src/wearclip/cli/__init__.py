"""The ``wearclip`` command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from .common import DEBUG_ENV, Boundary, console, set_debug

app = typer.Typer(help="Natural language supervision for wearable-sensor activity recognition.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=Boundary)


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help=f"Show the traceback of an internal error (also {DEBUG_ENV}=1)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or progress lines."),
) -> None:
    """wearclip: train, evaluate and search wearable-sensor models with natural language.

    Exit codes: 0 done, 2 a problem with the input, files or options (one line on stderr), 1 an internal
    error (a bug), 130 interrupted."""
    from ..progress import configure

    set_debug(debug)
    configure(quiet=quiet)


@app.command()
def demo(
    out: Path = typer.Option(Path("runs/demo"), "--out", "-o", help="Output folder."),
    seed: int = typer.Option(0, help="Seed for the subject split, initialisation and data order."),
    epochs: int = typer.Option(40, help="Maximum epochs (early stopping on validation macro-F1)."),
    root: Path | None = typer.Option(None, help="Official UCI HAPT folder instead of the embedded copy."),
) -> None:
    """Pre-train on UCI HAPT train subjects, zero-shot the test subjects, compare with supervised."""
    from ..config.train import TrainConfig
    from ..progress import TrainingProgress
    from ..study.demo import DemoConfig, run_demo

    config = DemoConfig(seed=seed, root=str(root) if root else None, train=TrainConfig(epochs=epochs, seed=seed))
    metrics = run_demo(out, config, log=console.print, callbacks=[TrainingProgress()])
    table = Table(title=f"UCI HAPT, test subjects {', '.join(metrics['split']['test'])} (seed {seed})")
    for column in ("method", "macro-F1", "accuracy", "weighted F1"):
        table.add_column(column)
    for key, name in (("zeroshot", "NLS zero-shot"), ("supervised", "supervised")):
        m = metrics[key]
        table.add_row(name, f"{100 * m['macro_f1']:.1f}", f"{100 * m['accuracy']:.1f}", f"{100 * m['weighted_f1']:.1f}")
    console.print(table)
    console.print(f"wrote {out}/ (checkpoint, metrics.json, report.md, confusion PNGs) in {metrics['wall_seconds']:.0f} s")


from .text import app as text_app  # noqa: E402

app.add_typer(text_app, name="text")

from .data import app as data_app  # noqa: E402

app.add_typer(data_app, name="data")

from . import evaluate as _evaluate  # noqa: E402,F401  (registers zeroshot, predict, adapt, evaluate, experiment)
from . import search as _search  # noqa: E402,F401  (registers index, search, search-video, retrieval-metrics)
from . import serve as _serve  # noqa: E402,F401  (registers serve)
from . import train as _train  # noqa: E402,F401  (registers pretrain)


def main() -> None:
    app()  # the Boundary group turns every error into one line and an exit code
