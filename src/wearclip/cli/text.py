"""``wearclip text show|generate``: the sentences of each class, and LLM-written vocabulary."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import UsageError
from .common import console, names, out_option

app = typer.Typer(help="Activity sentences: show them per class, or generate vocabulary with an LLM.", no_args_is_help=True)
CLASSES = typer.Option(None, help="Comma-separated activity phrases instead of the dataset's classes.")


def _classes(dataset: str, classes: str | None) -> list[str]:
    from ..data import datasets

    spec = datasets.get(dataset)
    chosen = names(classes, "--classes") if classes is not None else spec.classes
    if not chosen:
        raise UsageError(f"--classes: dataset {dataset!r} has no fixed classes; list them with --classes 'a,b,c'")
    return chosen


@app.command()
def show(
    dataset: str = typer.Argument(..., help="Registered dataset name (wearclip data list)."),
    mode: str = typer.Option("base", help="Sentence mode: base, random-template, paraphrase, base+body-parts, "
                             "random-template+body-parts, random-template+movement, ensemble, or template:K."),
    vocabulary: Path | None = typer.Option(None, help="A vocabulary file (e.g. from `wearclip text generate`) read first."),
    classes: str | None = CLASSES,
    limit: int | None = typer.Option(None, help="At most this many sentences per class, chosen with --seed."),
    seed: int = typer.Option(0, help="Seed for --limit."),
) -> None:
    """Print the sentences of each class of DATASET under a sentence mode."""
    from ..text import class_sentences, vocabulary_tag

    phrases = _classes(dataset, classes)
    groups = class_sentences(phrases, mode, dataset, seed, vocabulary=vocabulary, limit=limit)  # warnings: stderr
    console.print(f"[bold]{dataset}[/bold], mode [bold]{mode}[/bold], text {vocabulary_tag(dataset, vocabulary)}")
    for name, sentences in zip(phrases, groups):
        console.print(f"\n[bold cyan]{name}[/bold cyan] ({len(sentences)} sentence{'s' * (len(sentences) != 1)})")
        for sentence in sentences:
            console.print(f"  - {sentence}", highlight=False, markup=False)


@app.command()
def generate(
    dataset: str = typer.Argument(..., help="Registered dataset whose classes to write about."),
    kind: str = typer.Option(..., help="paraphrases, body-parts, movement or templates."),
    endpoint: str = typer.Option(..., help="OpenAI-compatible API base, e.g. https://api.openai.com/v1 or "
                                 "http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama)."),
    model: str = typer.Option(..., help="Model name the endpoint serves."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", help="Environment variable holding the API key (unset: no key sent)."),
    out: Path | None = out_option("DATASET-vocabulary.yaml", "Vocabulary file to write or update"),
    classes: str | None = CLASSES,
    count: int | None = typer.Option(None, min=1, help="Items to ask for: rewrites of each template sentence "
                                     "(paraphrases; default 15, the study's 15 x 33 = 495 per activity) or templates (20)."),
    minimum: int | None = typer.Option(None, min=1, help="Fewest valid distinct items per reply (default 15)."),
    temperature: float = typer.Option(0.7, min=0.0, help="Sampling temperature."),
    timeout: float = typer.Option(60.0, min=1.0, help="Seconds to wait for one reply."),
    retries: int = typer.Option(4, min=0, help="Retries (with exponential backoff) on timeouts, 429 and 5xx."),
) -> None:
    """Write paraphrases, body parts, movement descriptions or templates with an LLM into a vocabulary file.

    Replies are validated, deduplicated and cached ($WEARCLIP_CACHE/llm): a rerun makes no call.
    """
    from ..text.llm import KINDS, ChatClient, generate, write_generated
    from ..text.vocabularies import dataset_activities

    if kind not in KINDS:
        raise UsageError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    phrases = _classes(dataset, classes)
    out = out or Path(f"{dataset}-vocabulary.yaml")
    client = ChatClient(endpoint, model, os.environ.get(api_key_env) or None, timeout=timeout, retries=retries,
                        temperature=temperature)
    results = generate(client, kind, phrases, count=count, minimum=minimum,
                       progress=lambda activity: console.print(f"  {kind} for {activity!r}", highlight=False))
    known = dataset_activities(dataset)
    own = dataset if known is None or set(phrases) <= known else None
    write_generated(out, kind, results, own, f"{model} at {client.url}")
    console.print(f"wrote {kind} to {out} ({client.calls} call{'s' * (client.calls != 1)}, the rest from cache); "
                  f"use it with `wearclip text show {dataset} --vocabulary {out} --mode ...`")
