"""``wearclip serve``: the local web app (label recordings, search archives, read the model's card)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from . import app, console
from .search import BACKEND_HELP, check_backend

DEMO_CHECKPOINT = Path("runs/demo/checkpoint")


def default_model() -> str:
    """The demo's checkpoint where `make demo` left one, else the shipped base model."""
    from ..models.registry import list_models

    if DEMO_CHECKPOINT.is_dir():
        return str(DEMO_CHECKPOINT)
    if "wearclip-base" in list_models():
        return "wearclip-base"
    raise typer.BadParameter("no runs/demo/checkpoint and no shipped model: pass a checkpoint folder", param_hint="--model")


@app.command("serve")
def serve(
    model: str | None = typer.Option(None, help="Checkpoint folder or shipped model name (default: runs/demo/checkpoint "
                                                "after `make demo`, else wearclip-base)."),
    index: list[Path] = typer.Option([], "--index", help="Index folder to search (repeatable; built by `wearclip index`). "
                                                         "Without one, the embedded UCI HAPT copy is indexed at start."),
    root: list[str] = typer.Option([], "--root", help="Dataset folder whose recordings the page may open: NAME=DIR, or a "
                                                      "DIR with dataset.yaml or named after its dataset (repeatable)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (the default is reachable from this machine only)."),
    port: int = typer.Option(8765, min=1, max=65535, help="Port."),
    max_upload_mb: int = typer.Option(256, min=1, help="Largest accepted upload, in MiB."),
    backend: str = typer.Option("exact", help=BACKEND_HELP, callback=check_backend),
) -> None:
    """A local web app: label a recording with free-text activities, search archives with words."""
    import uvicorn

    from ..app import create_app
    from ..app.sources import Source, parse_root
    from ..data import datasets
    from ..models.registry import load
    from ..retrieval.index import EmbeddingIndex, index_dataset

    try:
        sources = [parse_root(r) for r in root]
    except (ValueError, KeyError, FileNotFoundError) as error:
        raise typer.BadParameter(str(error.args[0]), param_hint="--root") from None
    name = model or default_model()
    loaded = load(name)
    checkpoint = Path(name) if Path(name).is_dir() else None
    indexes = [EmbeddingIndex(path) for path in index]
    scratch = None
    if not indexes:
        scratch = tempfile.TemporaryDirectory(prefix="wearclip-index-")
        with console.status("indexing the embedded UCI HAPT copy (no --index given) ..."):
            indexes = [index_dataset(loaded, datasets.load("uci-hapt"), Path(scratch.name) / "uci-hapt", checkpoint)]
    sources.append(Source("uci-hapt"))
    console.print(f"wearclip serve: model {name}, {len(indexes)} index(es), open http://{host}:{port}/")
    try:
        uvicorn.run(create_app(loaded, name, checkpoint, sources, indexes, max_upload_mb << 20, backend), host=host,
                    port=port, log_level="warning")
    finally:
        if scratch is not None:
            scratch.cleanup()
