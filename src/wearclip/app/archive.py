"""Searching one or more window indexes with words, or with a window ("more like this").

Each index is searched with the model that built it (its recorded checkpoint, where that folder still
exists) or else with the server's model; a window's neighbours are looked up in the indexes that share
its embedding space (the same recorded weights)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..models.saving import WEIGHTS_NAME
from ..models.wearclip import WearClip
from ..retrieval.index import Backend, EmbeddingIndex, file_sha256
from .sources import Source, Sources

MAX_K = 100


class Archive:
    """Numbered indexes, each tied to the number of its source dataset in ``sources``."""

    def __init__(self, indexes: list[EmbeddingIndex], model: WearClip, sources: Sources,
                 checkpoint: Path | None = None, backend: Backend = "exact") -> None:
        self.indexes = indexes
        self.backend = backend
        self.model = model
        self.sources = sources
        self.source_of = [sources.add(Source(i.info.dataset, Path(i.info.root) if i.info.root else None,
                                             i.info.placement, dict(i.info.options))) for i in indexes]
        weights = checkpoint / WEIGHTS_NAME if checkpoint else None
        self._models: dict[str, WearClip] = {file_sha256(weights): model} if weights and weights.is_file() else {}

    def describe(self) -> list[dict]:
        return [{"id": n, "dataset": self.sources.get(self.source_of[n]).title, "windows": len(index),
                 "source": self.source_of[n], "classes": index.info.classes} for n, index in enumerate(self.indexes)]

    def index(self, number) -> EmbeddingIndex:
        try:
            return self.indexes[int(number)]
        except (ValueError, TypeError, IndexError):
            raise LookupError(f"no index number {number!r}; the server has {len(self.indexes)}") from None

    def model_of(self, index: EmbeddingIndex) -> WearClip:
        """The model that built ``index`` (the server's own where it is the same folder)."""
        checkpoint, weights = index.info.checkpoint, index.info.checkpoint_sha256
        if weights in self._models:
            return self._models[weights]
        if checkpoint is None or not Path(checkpoint).is_dir():
            return self.model
        self._models[weights or checkpoint] = index.load_model()
        return self._models[weights or checkpoint]

    def search_text(self, query: str, k: int = 12, which: list[int] | None = None) -> dict:
        """The ``k`` best windows over the chosen indexes (all by default) for a sentence."""
        query = query.strip()
        if not query:
            raise ValueError("type what to look for, e.g. someone climbing stairs")
        started = time.perf_counter()
        encoded, found = {}, []  # one text encoding per model
        for n in self._chosen(which):
            model = self.model_of(self.indexes[n])
            if id(model) not in encoded:
                encoded[id(model)] = model.encode_text([query])
            scores, ids = self.indexes[n].search(encoded[id(model)], self._k(k), self.backend)
            found.append((n, scores[0], ids[0]))
        return self._merge(found, k, started)

    def search_window(self, number, window, k: int = 12) -> dict:
        """The ``k`` windows most like window ``window`` of index ``number`` (itself excluded)."""
        started = time.perf_counter()
        index = self.index(number)
        try:
            window = int(window)
        except (ValueError, TypeError):
            window = -1
        if not 0 <= window < len(index):
            raise LookupError(f"no such window in index {number}: it has windows 0 to {len(index) - 1}")
        vector = index.vectors([window])
        alike = [n for n, other in enumerate(self.indexes)
                 if other is index or (index.info.checkpoint_sha256 and
                                       other.info.checkpoint_sha256 == index.info.checkpoint_sha256)]
        found = []
        for n in alike:
            scores, ids = self.indexes[n].search(vector, self._k(k) + 1, self.backend)
            keep = ids[0] != window if self.indexes[n] is index else slice(None)
            found.append((n, scores[0][keep], ids[0][keep]))
        return self._merge(found, k, started)

    def _chosen(self, which: list[int] | None) -> list[int]:
        if not self.indexes:
            raise LookupError("the server has no index; start it with --index (build one with `wearclip index`)")
        for n in which or ():
            self.index(n)
        return sorted({int(n) for n in which}) if which else list(range(len(self.indexes)))

    @staticmethod
    def _k(k) -> int:
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise ValueError(f"ask for between 1 and {MAX_K} results, not {k}")
        return k

    def _merge(self, found: list[tuple[int, np.ndarray, np.ndarray]], k: int, started: float) -> dict:
        """The best ``k`` over all indexes, with their manifest rows, the server time and the signals."""
        rows = [(float(s), n, int(i)) for n, scores, ids in found for s, i in zip(scores, ids)]
        rows = sorted(rows, key=lambda r: (-r[0], r[1], r[2]))[: self._k(k)]
        search_ms = 1000 * (time.perf_counter() - started)
        hits = []
        for score, n, window in rows:
            entry = self.indexes[n].manifest.iloc[window]
            hits.append({"index": n, "id": window, "score": round(score, 4), "source": self.source_of[n],
                         "dataset": self.sources.get(self.source_of[n]).title, "subject": str(entry.subject),
                         "recording": str(entry.recording), "start": float(entry.start), "end": float(entry.end),
                         "label": entry.label if isinstance(entry.label, str) else None})
        self._attach_signals(hits)
        return {"hits": hits, "search_ms": round(search_ms, 2)}

    def _attach_signals(self, hits: list[dict]) -> None:
        """Each hit's window signal (x, y, z in g), read from its source recording."""
        by_source: dict[int, set] = {}
        for hit in hits:
            by_source.setdefault(hit["source"], set()).add((hit["subject"], hit["recording"]))
        recordings = {(n, *pair): rec for n, wanted in by_source.items()
                      for pair, rec in self.sources.recordings(n, wanted).items()}
        for hit in hits:
            recording = recordings[(hit["source"], hit["subject"], hit["recording"])]
            first = int(round((hit["start"] - recording.start) * recording.rate))
            last = int(round((hit["end"] - recording.start) * recording.rate))
            hit["signal"] = np.round(recording.signal[first:last].T, 3).tolist()
