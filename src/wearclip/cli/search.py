"""``wearclip index | search | search-video | retrieval-metrics``: search sensor archives with words and videos."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from . import app
from .common import DEFAULT_MODEL, MODEL_HELP, console, errors, loader_option, overwrite_option, pairs

BACKEND_HELP = "exact (chunked float16 products, rescored in float32) or faiss (needs faiss-cpu); same results."


def check_backend(value: str) -> str:
    from ..retrieval.index import BACKENDS

    if value not in BACKENDS:
        raise typer.BadParameter(f"{value!r}; choose one of {', '.join(BACKENDS)}")
    return value


def hits_table(hits, title: str, columns: tuple[str, ...] = ("rank", "id", "similarity")) -> Table:
    """A rich table of search results with their manifest entries."""
    table = Table(title=title, title_justify="left")
    for name in (*columns, "subject", "recording", "time (s)", "label"):
        table.add_column(name, justify="right" if name in ("rank", "id", "similarity") else "left")
    for _, row in hits.iterrows():
        values = [f"{row[c]:.3f}" if c == "similarity" else str(row[c]) for c in columns]
        label = row.label if isinstance(row.label, str) else "-"
        table.add_row(*values, str(row.subject), str(row.recording), f"{row.start:.1f}-{row.end:.1f}", label)
    return table


@app.command("index")
def index_command(
    checkpoint: str = typer.Argument(DEFAULT_MODEL, help=MODEL_HELP, show_default=False),
    dataset: str = typer.Option(..., "--dataset", "-d", help="Registered dataset name (see `wearclip data list`)."),
    root: Path | None = typer.Option(None, help="Dataset folder in its official layout; default: the embedded copy."),
    placement: str | None = typer.Option(None, help="Sensor placement; default: the dataset's default."),
    option: list[str] = loader_option(),
    subject: list[str] = typer.Option([], "--subject", help="Index only this subject (repeatable)."),
    recording: list[str] = typer.Option([], "--recording", help="Index only this recording (repeatable)."),
    overlap: float | None = typer.Option(None, min=0.0, max=0.99, help="Window overlap; default: the model's."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Index folder; default runs/index-DATASET."),
    batch_size: int = typer.Option(1024, min=1, help="Windows embedded per batch."),
    overwrite: bool = overwrite_option(),
) -> None:
    """Embed every window of a dataset (or some subjects/recordings) into an on-disk index."""
    from ..data import datasets
    from ..models.saving import checkpoint_folder
    from ..models.wearclip import WearClip
    from ..retrieval.index import index_dataset

    started = time.perf_counter()
    source = datasets.load(dataset, root, placement, **pairs(option, "--option"))
    checkpoint = checkpoint_folder(checkpoint)  # a shipped name or hub id: the folder the index records
    model = WearClip.from_pretrained(checkpoint)
    out = out or Path("runs") / f"index-{dataset}"
    with console.status(f"embedding windows of {dataset} ..."):
        index = index_dataset(model, source, out, checkpoint=checkpoint, subjects=subject, recordings=recording,
                              overlap=overlap, batch_size=batch_size, overwrite=overwrite)
    seconds = time.perf_counter() - started
    labelled = int(index.manifest.label.notna().sum())
    console.print(f"indexed {len(index)} windows ({labelled} labelled, {index.dim}-d) of {dataset} into {out} "
                  f"in {seconds:.1f} s ({len(index) / seconds:,.0f} windows/s)")


@app.command("search")
def search_command(
    index: Path = typer.Argument(..., help="Index folder built by `wearclip index`."),
    queries: list[str] = typer.Argument(..., help="One or more activity descriptions, e.g. \"someone climbing stairs\"."),
    k: int = typer.Option(10, "-k", min=1, help="Windows per query."),
    backend: str = typer.Option("exact", help=BACKEND_HELP, callback=check_backend),
    checkpoint: Path | None = typer.Option(None, help="Model folder, if it moved since indexing."),
    plot: Path | None = typer.Option(None, help="Write a PNG of the retrieved signals (one per query: NAME-2.png, ...)."),
    csv: Path | None = typer.Option(None, help="Also write the results as CSV."),
) -> None:
    """Find the windows that best match sentences describing an activity."""
    from ..io import check_file, write_text
    from ..retrieval.index import EmbeddingIndex
    from ..retrieval.plot import plot_hits

    for path in (p for p in (csv, plot) if p):
        check_file(path)
    store = EmbeddingIndex(index)
    model = store.load_model(checkpoint)
    hits = store.search_text(model, queries, k, backend)
    for n, (query, group) in enumerate(hits.groupby("query", sort=False), 1):
        console.print(hits_table(group, f"\"{query}\" - top {len(group)} of {len(store)} windows"))
        if plot:
            path = plot if len(queries) == 1 else plot.with_name(f"{plot.stem}-{n}{plot.suffix}")
            plot_hits(group, store.windows(group.id.to_numpy()), store.info.window.rate, path, f"\"{query}\"")
            console.print(f"wrote {path}")
    if csv:
        write_text(csv, hits.to_csv(index=False))
        console.print(f"wrote {csv}")


@app.command("search-video")
def search_video_command(
    index: Path = typer.Argument(..., help="Index built with a checkpoint pre-trained against an X-CLIP text tower."),
    videos: list[Path] = typer.Option([], "--videos", help="Video files or folders of videos (repeatable)."),
    video_embeddings: Path | None = typer.Option(None, help="Precomputed X-CLIP video embeddings (.npz: names, embeddings)."),
    window: list[int] = typer.Option([], "--window", help="Window id to find videos for (repeatable); "
                                                            "without any, each video finds its windows."),
    k: int = typer.Option(5, "-k", min=1, help="Results per query."),
    video_model: str | None = typer.Option(None, help="X-CLIP model for the videos; default: the checkpoint's text encoder."),
    save_video_embeddings: Path | None = typer.Option(None, help="Write the computed video embeddings (.npz) for reuse."),
    checkpoint: Path | None = typer.Option(None, help="Model folder, if it moved since indexing."),
    backend: str = typer.Option("exact", help=BACKEND_HELP, callback=check_backend),
    batch_size: int = typer.Option(8, min=1, help="Videos per X-CLIP batch."),
) -> None:
    """Sensor windows -> top-k videos (with --window), or each video -> its top-k windows."""
    from ..retrieval.index import EmbeddingIndex
    from ..retrieval.video import VideoEmbeddings, VideoEncoder, sensor_to_video, video_files, video_to_sensor

    if bool(videos) == bool(video_embeddings):
        raise typer.BadParameter("give either --videos or --video-embeddings")
    store = EmbeddingIndex(index)
    if outside := [w for w in window if not 0 <= w < len(store)]:
        raise typer.BadParameter(f"{outside} not in [0, {len(store)}) for {index}", param_hint="--window")
    model = store.load_model(checkpoint)
    if video_embeddings:
        embedded = VideoEmbeddings.load(video_embeddings)
    else:
        files = video_files(videos)
        encoder = VideoEncoder(video_model or model.config.text_encoder)
        with console.status(f"embedding {len(files)} videos with {encoder.name} ({encoder.num_frames} frames each) ..."):
            embedded = encoder.encode(files, batch_size)
        if save_video_embeddings:
            console.print(f"wrote {embedded.save(save_video_embeddings)}")
    if embedded.model not in ("unknown", model.config.text_encoder):
        errors.print(f"warning: videos embedded with {embedded.model}, the model was pre-trained against "
                     f"{model.config.text_encoder}", markup=False)
    if window:
        hits = sensor_to_video(store, model, embedded, window, k)
        for window_id, group in hits.groupby("id", sort=False):
            first = group.iloc[0]
            label = first.label if isinstance(first.label, str) else "unlabelled"
            table = Table(title=f"window {window_id}: subject {first.subject}, {first.recording} "
                                f"{first.start:.1f}-{first.end:.1f} s, {label}",
                          title_justify="left")
            for name in ("rank", "video", "similarity"):
                table.add_column(name)
            for _, row in group.iterrows():
                table.add_row(str(row["rank"]), str(row.video), f"{row.similarity:.3f}")
            console.print(table)
    else:
        hits = video_to_sensor(store, model, embedded, k, backend)
        for video, group in hits.groupby("query", sort=False):
            console.print(hits_table(group, f"{video} - top {len(group)} windows"))


@app.command("retrieval-metrics")
def retrieval_metrics_command(
    index: Path = typer.Argument(..., help="Index folder built by `wearclip index` on a labelled dataset."),
    checkpoint: Path | None = typer.Option(None, help="Model folder, if it moved since indexing."),
    sentences: str = typer.Option("base", help="How classes are described (see `wearclip text show`); several "
                                               "sentences per class are averaged into one query."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the metrics as JSON."),
) -> None:
    """Text <-> sensor retrieval over the index's labelled windows: R@1/5/10, MRR (and mAP for text -> sensor)."""
    from ..io import check_file, write_json
    from ..retrieval.index import EmbeddingIndex
    from ..retrieval.metrics import index_retrieval

    if json_out:
        check_file(json_out)
    store = EmbeddingIndex(index)
    with console.status("scoring ..."):
        results = index_retrieval(store, store.load_model(checkpoint), sentences)
    labelled = int(store.manifest.label.isin(store.info.classes).sum())
    table = Table(title=f"retrieval on {store.info.dataset}: {labelled} labelled windows, "
                        f"{len(store.info.classes)} classes, sentences '{sentences}'", title_justify="left")
    for name in ("direction", "queries", "R@1", "R@5", "R@10", "MRR", "mAP"):
        table.add_column(name)
    for direction, r in results.items():
        mean_ap = "-" if r.mean_average_precision is None else f"{100 * r.mean_average_precision:.1f}"
        table.add_row(direction.replace("_", " "), str(r.queries), *(f"{100 * r.recall[k]:.1f}" for k in (1, 5, 10)),
                      f"{100 * r.mrr:.1f}", mean_ap)
    console.print(table)
    if json_out:
        write_json(json_out, {name: r.to_dict() for name, r in results.items()})
        console.print(f"wrote {json_out}")
