"""On-disk caches of the text side: sentence embeddings per encoder configuration, LLM replies.

Everything lives under ``$WEARCLIP_CACHE`` (default ``~/.cache/wearclip``). Writes are atomic, and
several processes may share a cache: each write adds a new shard, nothing is edited in place.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from ..io import atomic_path, cache_root, write_json

MAX_SHARDS = 32
"""Shards kept before they are merged into one, so a long-lived cache stays quick to open."""


def digest(obj) -> str:
    """A stable SHA-256 of a JSON-serialisable object."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class EmbeddingCache:
    """Sentence embeddings of one encoder configuration (``key``: model, revision, pooling, ...).

    A folder ``<root>/text/<digest of key>/`` holds ``key.json`` for people to read and safetensors
    shards, each a float32 ``(n, dim)`` tensor with its n sentences in the file's metadata.
    """

    def __init__(self, key: dict, root: str | Path | None = None) -> None:
        self.key = key
        self.directory = Path(root or cache_root() / "text") / digest(key)[:24]

    def shards(self) -> list[Path]:
        return sorted(self.directory.glob("*.safetensors"))

    def load(self) -> dict[str, torch.Tensor]:
        """Every cached sentence -> embedding (unreadable shards are skipped with a warning)."""
        table: dict[str, torch.Tensor] = {}
        for shard in self.shards():
            try:
                with safe_open(str(shard), framework="pt") as f:
                    sentences = json.loads(f.metadata()["sentences"])
                    vectors = f.get_tensor("embeddings")
            except FileNotFoundError:
                continue  # merged away by another process meanwhile
            except (SafetensorError, KeyError, ValueError, OSError) as error:
                warnings.warn(f"{shard}: unreadable embedding cache shard skipped ({error})", stacklevel=2)
                continue
            if len(sentences) != len(vectors):
                warnings.warn(f"{shard}: {len(sentences)} sentences for {len(vectors)} rows; skipped", stacklevel=2)
                continue
            table.update(zip(sentences, vectors))
        return table

    def save(self, sentences: list[str], vectors: torch.Tensor) -> None:
        """Add one shard; merge all shards into one once there are more than :data:`MAX_SHARDS`."""
        if not sentences:
            return
        if not (self.directory / "key.json").exists():
            write_json(self.directory / "key.json", self.key)
        self._write(sentences, vectors)
        old = self.shards()
        if len(old) > MAX_SHARDS:
            table = self.load()
            merged = self._write(list(table), torch.stack(list(table.values())))
            for shard in old:
                if shard != merged:
                    shard.unlink(missing_ok=True)

    def _write(self, sentences: list[str], vectors: torch.Tensor) -> Path:
        path = self.directory / f"{digest(sentences)[:24]}.safetensors"
        with atomic_path(path) as tmp:
            save_file(
                {"embeddings": vectors.detach().to(torch.float32).cpu().contiguous()},
                str(tmp),
                metadata={"sentences": json.dumps(sentences, ensure_ascii=False)},
            )
        return path
