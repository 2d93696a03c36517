"""Progress of long work (store building, indexing, training, experiment cells): a rich bar saying what
is being done, plain lines now and then when the output is not a terminal (logs, CI), nothing when quiet.

Every command that can run for more than a few seconds wraps its loop in :class:`Bar` or :func:`track`;
the command line switches all of them off with ``--quiet`` (:func:`configure`). Training reports
through :class:`TrainingProgress`, a Trainer callback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

T = TypeVar("T")
PLAIN_EVERY = 10.0
"""Seconds between plain progress lines."""

_settings = {"quiet": False}


def configure(quiet: bool = False) -> None:
    """Switch progress display off (``quiet``) or on, for the rest of the process."""
    _settings["quiet"] = quiet


def quiet() -> bool:
    return _settings["quiet"]


class Bar:
    """One task's progress: ``with Bar("indexing pamap2", total=n) as bar: bar.advance(info=...)``.

    ``total=None`` when the amount of work is not known in advance (a count, no ETA). On a terminal a
    rich bar (done/total, elapsed, remaining, ``info``); otherwise a plain line every PLAIN_EVERY seconds
    and, after such lines, one at the end (work shorter than PLAIN_EVERY prints nothing); when quiet, nothing."""

    def __init__(self, description: str, total: int | None = None) -> None:
        self.description, self.total = description, total
        self.completed, self.info = 0, ""
        self.started = self.shown = time.monotonic()
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> Bar:
        if quiet():
            return self
        console = Console(file=sys.stderr)
        if console.is_terminal and sys.stdout.isatty():
            columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TimeRemainingColumn(), TextColumn("{task.fields[info]}")]
            self._progress = Progress(*columns, console=console, transient=False)
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=self.total, info="")
        return self

    def update(self, completed: int | None = None, total: int | None = None, info: str | None = None) -> None:
        """Set the work done (and the total, or the note shown beside the bar)."""
        self.completed = self.completed if completed is None else completed
        self.total = self.total if total is None else total
        self.info = self.info if info is None else info
        if quiet():
            return
        if self._progress is not None:
            self._progress.update(self._task, completed=self.completed, total=self.total, info=self.info)
        elif time.monotonic() - self.shown >= PLAIN_EVERY:
            self._plain()

    def advance(self, steps: int = 1, info: str | None = None) -> None:
        self.update(self.completed + steps, info=info)

    def log(self, message: str) -> None:
        """A line above the bar (or in the plain output)."""
        if quiet():
            return
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)

    def _plain(self) -> None:
        self.shown = time.monotonic()
        elapsed = self.shown - self.started
        done = f"{self.completed}/{self.total}" if self.total else f"{self.completed}"
        eta = ""
        if self.total and 0 < self.completed < self.total:
            eta = f", about {elapsed * (self.total - self.completed) / self.completed:.0f} s left"
        note = f"  {self.info}" if self.info else ""
        print(f"{self.description}: {done} ({elapsed:.0f} s{eta}){note}", file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
        elif not quiet() and exc[0] is None and self.shown > self.started:
            self._plain()  # the closing line of work long enough to have reported on its way


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """``items``, advancing a :class:`Bar` as each is taken."""
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    with Bar(description, total) as bar:
        for item in items:
            yield item
            bar.advance()


class TrainingProgress:
    """Trainer callback (``fit_*(..., callbacks=[TrainingProgress()])``): a bar over optimiser steps with
    the latest loss, the last validation score, and one line per epoch."""

    def __init__(self, description: str | None = None) -> None:
        self.description = description
        self.bar: Bar | None = None
        self.val = ""

    def on_start(self, total_steps: int, description: str) -> None:
        self.bar = Bar(self.description or description, total_steps).__enter__()

    def on_record(self, record: dict) -> None:
        if self.bar is None:
            return
        if record["kind"] == "step":
            self.bar.update(record["step"], info=f"loss {record['loss']:.3f}{self.val}")
        elif record["kind"] == "epoch":
            if "val_score" in record:
                self.val = f"  val {record['val_score']:.4f}"
            self.bar.update(record.get("step"), info=f"loss {record['loss']:.3f}{self.val}")
            self.bar.log(f"{self.bar.description}: epoch {record['epoch']}, loss {record['loss']:.4f}{self.val}")

    def on_end(self, result) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
