"""An on-disk index of window embeddings: float16 vectors, a manifest, exact top-k in bounded memory.

Layout of an index folder::

    index.json        IndexInfo: count, dim, checkpoint (+ sha256 of its weights), source dataset, window config
    embeddings.npy    (count, dim) float16, L2-normalised, opened memory-mapped
    manifest.parquet  one row per window: subject, recording, start, end (s from recording start), label

Exact search is one pass over the vectors, chunk by chunk, so memory stays at one chunk. A few queries
score every stored vector with a float16 matrix-vector product (fast on CPUs with F16C, accumulated in
float32) and rescore each chunk's best candidates in float32. A batch of queries is scored in two
stages: one int8 matrix product per block of rows (int32 sums, exact) against an int8 copy of the
vectors held in memory (one byte a number, built once per open index), then an exact float32 rescoring
of only the rows that a derived bound on the int8 error leaves able to enter a query's running top-k
(a few per query and block once every query has k results); 64 queries cost about one pass over the int8
copy plus the product. Either way the results equal a float32 brute force over the stored vectors. The
FAISS backend (``faiss-cpu``) holds the same float16 vectors in a flat scalar-quantiser index and
returns the same results.
Ties in similarity are broken by the lower window id.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, ValidationError

from ..config.window import WindowConfig
from ..data.datasets.base import UNLABELLED, HarDataset
from ..data.windows import Windows, make_windows, resample
from ..errors import CheckpointError, IndexFormatError, MissingFileError, UsageError, validation_message
from ..io import atomic_directory, check_output
from ..models.saving import WEIGHTS_NAME
from ..models.wearclip import WearClip
from ..progress import track

FORMAT_VERSION = 1
INFO_NAME = "index.json"
EMBEDDINGS_NAME = "embeddings.npy"
MANIFEST_NAME = "manifest.parquet"
MANIFEST_COLUMNS = ("subject", "recording", "start", "end", "label")
CHUNK_ROWS = 1 << 18
INT8_BLOCK_ROWS = 1 << 15
"""Rows per int8 block, each with its own scale: small enough that one large component coarsens only its
block, large enough that per-block work is negligible; its (rows, queries) int32 product is 8 MB for 64."""
APPROX_ERROR = 2.0**-9
"""Bound on |float16 score - float32 score| for unit vectors: rounding the query to float16 moves a score by
at most 2^-11, rounding the float32-accumulated product to float16 by at most 2^-11; twice their sum."""

GROUP_ROWS = 64
"""Rows per group whose largest int8 score decides whether its rows are scanned one by one."""

INT8_QUERIES = 8
"""From this many queries on, an array is searched in int8 blocks quantised on the way: there one int8
pass plus quantising costs about what as many float16 matrix-vector passes do (a little more at 8, less
from about 12 queries on, in benchmarks/bench_search.py)."""
CACHED_INT8_QUERIES = 3
"""From this many queries on, an index searches its cached int8 copy: one int8 pass (queries padded to 8)
cost 1.2-1.5x one float16 pass in benchmarks/bench_search.py (3 and 8 queries, 1 M x 128, one thread)."""

Backend = Literal["exact", "faiss"]
BACKENDS = ("exact", "faiss")


class IndexInfo(BaseModel):
    """What an index holds and where it came from (``index.json``)."""

    model_config = ConfigDict(extra="forbid")

    format: int = FORMAT_VERSION
    count: int = 0
    dim: int = 0
    checkpoint: str | None = None
    checkpoint_sha256: str | None = None
    dataset: str | None = None
    root: str | None = None
    placement: str | None = None
    options: dict = {}
    window: WindowConfig | None = None
    classes: list[str] = []


def file_sha256(path: str | Path) -> str:
    """Hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalized_float16(embeddings) -> np.ndarray:
    """Rows L2-normalised in float32, then stored as float16; non-finite values are an error."""
    x = torch.as_tensor(np.asarray(embeddings), dtype=torch.float32)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be (n, dim), got shape {tuple(x.shape)}")
    norms = torch.linalg.vector_norm(x, dim=1, keepdim=True)
    if not torch.isfinite(norms).all():  # a NaN or infinity anywhere in a row makes its norm non-finite
        raise ValueError("embeddings contain NaN or infinite values")
    return (x / norms.clamp_min(1e-12)).numpy().astype(np.float16)


def write_index(path: str | Path, batches: Iterable[tuple[np.ndarray, pd.DataFrame]],
                info: IndexInfo | None = None, overwrite: bool = False) -> EmbeddingIndex:
    """Write an index from ``(embeddings (n, dim), manifest rows (n))`` batches, streaming the vectors to
    disk; the folder appears only once complete. ``info`` carries provenance; count and dim are filled in."""
    path = Path(path)
    frames: list[pd.DataFrame] = []
    count, dim = 0, None
    with atomic_directory(path, "index", overwrite) as tmp:
        part = tmp / (EMBEDDINGS_NAME + ".part")
        with open(part, "wb") as f:
            for embeddings, rows in batches:
                block = normalized_float16(embeddings)
                dim = block.shape[1] if dim is None else dim
                if block.shape[1] != dim:
                    raise ValueError(f"a batch of dimension {block.shape[1]} after batches of dimension {dim}")
                if len(rows) != len(block):
                    raise ValueError(f"{len(rows)} manifest rows for {len(block)} embeddings")
                if missing := set(MANIFEST_COLUMNS) - set(rows.columns):
                    raise ValueError(f"manifest rows lack columns {sorted(missing)}")
                f.write(block.tobytes())
                frames.append(rows[list(MANIFEST_COLUMNS)])
                count += len(block)
        if dim is None or count == 0:
            raise ValueError("nothing to index: no embeddings were given")
        with open(tmp / EMBEDDINGS_NAME, "wb") as f, open(part, "rb") as source:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype("<f2")), "fortran_order": False,
                      "shape": (count, dim)}
            np.lib.format.write_array_header_1_0(f, header)
            shutil.copyfileobj(source, f, 1 << 24)
        part.unlink()
        manifest = pd.concat(frames, ignore_index=True)
        manifest = manifest.astype({"subject": str, "recording": str, "start": float, "end": float})
        manifest.to_parquet(tmp / MANIFEST_NAME, index=False)
        info = (info or IndexInfo()).model_copy(update={"count": count, "dim": dim})
        (tmp / INFO_NAME).write_text(info.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return EmbeddingIndex(path)


def window_rows(windows: Windows, seconds: float) -> pd.DataFrame:
    """Manifest rows of windows lasting ``seconds`` each (label names; None where unlabelled)."""
    labels = np.asarray(windows.labels)
    names = np.asarray([*windows.classes, None], dtype=object)
    starts = np.asarray(windows.starts, dtype=float)
    return pd.DataFrame({
        "subject": np.asarray(windows.subjects, dtype=str),
        "recording": np.asarray(windows.recordings, dtype=str),
        "start": starts,
        "end": starts + seconds,
        "label": names[np.where(labels == UNLABELLED, len(windows.classes), labels)],
    })


def embedded_batches(model: WearClip, windows: Iterable[Windows], batch_size: int = 1024,
                     ) -> Iterator[tuple[np.ndarray, pd.DataFrame]]:
    """``(embeddings, manifest rows)`` batches of every window of a stream of window sets."""
    seconds = model.config.window.seconds
    for part in windows:
        for i in range(0, len(part), batch_size):
            chunk = part.subset(np.arange(i, min(i + batch_size, len(part))))
            yield model.encode_windows(chunk.x, batch_size), window_rows(chunk, seconds)


def recording_windows(dataset: HarDataset, window: WindowConfig, subjects: Sequence[str] = (),
                      recordings: Sequence[str] = ()) -> Iterator[Windows]:
    """The windows of each recording of ``dataset`` in turn (optionally only some subjects/recordings)."""
    for recording in dataset.recordings():
        if (subjects and recording.subject not in subjects) or (recordings and recording.recording not in recordings):
            continue
        windows = make_windows([recording], dataset.classes, window)
        if len(windows):
            yield windows


def index_window_config(model: WearClip, overlap: float | None = None) -> WindowConfig:
    """The model's own window length and rate, keeping unlabelled windows (an archive is searched whole)."""
    update: dict = {"keep_unlabelled": True}
    if overlap is not None:
        update["overlap"] = overlap
    return WindowConfig.model_validate(model.config.window.model_dump() | update)


def index_dataset(model: WearClip, dataset: HarDataset, path: str | Path, checkpoint: str | Path | None = None,
                  subjects: Sequence[str] = (), recordings: Sequence[str] = (), overlap: float | None = None,
                  batch_size: int = 1024, overwrite: bool = False) -> EmbeddingIndex:
    """Embed every window of a dataset (or of chosen subjects/recordings), one recording at a time.

    ``checkpoint`` is the folder ``model`` was loaded from; the index records it (and a hash of its
    weights) so that a search reloads the same model."""
    check_output(path, "index", overwrite, frozenset({EMBEDDINGS_NAME, MANIFEST_NAME, INFO_NAME}))
    window = index_window_config(model, overlap)
    info = IndexInfo(dataset=dataset.name, root=str(Path(dataset.root).resolve()) if dataset.root else None,
                     placement=dataset.placement, options=dict(dataset.options), window=window,
                     classes=list(dataset.classes))
    if checkpoint is not None:
        checkpoint = Path(checkpoint).resolve()
        info.checkpoint, info.checkpoint_sha256 = str(checkpoint), file_sha256(checkpoint / WEIGHTS_NAME)
    stream = track(recording_windows(dataset, window, subjects, recordings), f"indexing {dataset.name} (recordings)")
    try:
        return write_index(path, embedded_batches(model, stream, batch_size), info, overwrite)
    except ValueError as error:
        if "nothing to index" in str(error):
            raise UsageError(f"{dataset.name}: no windows match subjects {list(subjects) or 'any'} and recordings "
                             f"{list(recordings) or 'any'}") from None
        raise


def exact_top_k(embeddings: np.ndarray, queries, k: int, chunk_rows: int | None = None,
                blocks: Sequence[Int8Block] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` rows of float16 ``embeddings`` (n, d) by inner product with each unit-norm query (q, d).

    Returns float32 scores and int64 ids (q, k), best first (ties: the lower id), equal to a float32
    brute force. Given int8 ``blocks`` of the rows (an index's cached copy), or from INT8_QUERIES queries
    on (each chunk of ``chunk_rows`` rows then quantised on the way), the queries are scored together by
    :func:`int8_candidates` and only their candidates are rescored in float32; fewer queries go through
    :func:`rescored_top_k` one at a time, chunk by chunk."""
    queries = torch.as_tensor(np.asarray(queries), dtype=torch.float32)
    n, k = len(embeddings), min(k, len(embeddings))
    best_scores = torch.full((len(queries), k), -math.inf)
    best_ids = torch.full((len(queries), k), n, dtype=torch.long)
    if blocks is None and len(queries) < INT8_QUERIES:
        chunk_rows = chunk_rows or CHUNK_ROWS
        for lo in range(0, n, chunk_rows):
            block = torch.from_numpy(np.asarray(embeddings[lo : lo + chunk_rows]))
            found = [rescored_top_k(block, q, k) for q in queries]
            owners = torch.cat([torch.full((len(rows),), i) for i, (_, rows) in enumerate(found)])
            best_scores, best_ids = merged(best_scores, best_ids, owners, torch.cat([s for s, _ in found]),
                                           torch.cat([rows for _, rows in found]) + lo)
        return best_scores.numpy(), best_ids.numpy()
    quantised = Int8Queries.of(queries)
    lo = 0
    for block in int8_blocks(embeddings, chunk_rows or INT8_BLOCK_ROWS) if blocks is None else blocks:
        rows16 = torch.from_numpy(np.asarray(embeddings[lo : lo + block.count]))
        owners, rows = int8_candidates(block, quantised, best_scores[:, -1], k)
        scores = (rows16.index_select(0, rows).float() * queries.index_select(0, owners)).sum(1)  # (faster than [])
        best_scores, best_ids = merged(best_scores, best_ids, owners, scores, rows + lo)
        lo += block.count
    return best_scores.numpy(), best_ids.numpy()


class Int8Block(NamedTuple):
    """``count`` rows as int8 codes with one scale for the block (``rows ~ scale * codes``), zero rows
    padding the codes to a multiple of GROUP_ROWS, and a bound on the L1 norms of the block's rows, which
    the error bound needs: their largest float32 sum of d non-negative terms, which is at least
    ``(1 - gamma_(d-1))`` times the exact one, divided by ``1 - 2du`` (``gamma_(d-1) <= 2du``, u = 2^-24)."""

    codes: torch.Tensor
    count: int
    scale: float
    l1: float

    @classmethod
    def of(cls, rows: torch.Tensor) -> Int8Block:
        x = rows.float()
        low, high = torch.aminmax(x)
        codes, scale = int8_codes(x, torch.maximum(high, -low))
        l1 = float(x.abs_().sum(1).amax()) / (1 - 2 * x.shape[1] * 2.0**-24)
        return cls(F.pad(codes, (0, 0, 0, -len(codes) % GROUP_ROWS)), len(rows), float(scale), l1)


class Int8Queries(NamedTuple):
    """Queries as int8 codes with one scale per query and their L1 and max norms (float64); the codes are
    padded to a multiple of 8 queries with zero rows, a shape the int8 kernels run fast on."""

    codes: torch.Tensor
    scales: torch.Tensor
    l1: torch.Tensor
    largest: torch.Tensor

    @classmethod
    def of(cls, queries: torch.Tensor) -> Int8Queries:
        largest = queries.abs().amax(1, keepdim=True)
        codes, scales = int8_codes(queries, largest)
        padded = codes.new_zeros((-len(codes) % 8 + len(codes), codes.shape[1]))
        padded[: len(codes)] = codes
        return cls(padded, scales[:, 0].double(), queries.double().abs().sum(1), largest[:, 0].double())


def int8_codes(x: torch.Tensor, largest: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``round(x / scale)`` as int8 with ``scale = largest / 127`` (1 where ``largest`` is 0)."""
    scale = torch.where(largest > 0, largest / 127, 1.0)
    return (x / scale).round_().to(torch.int8), scale


def int8_blocks(embeddings: np.ndarray, block_rows: int) -> Iterator[Int8Block]:
    """:class:`Int8Block` of each ``block_rows`` rows of float16 ``embeddings``, in order."""
    for lo in range(0, len(embeddings), block_rows):
        yield Int8Block.of(torch.from_numpy(np.asarray(embeddings[lo : lo + block_rows])))


def int8_error_bound(block: Int8Block, queries: Int8Queries, dim: int) -> torch.Tensor:
    """Per query, a bound on ``|q.e - scale_q * scale_e * (q8 . e8)|`` for every row ``e`` of the block.

    With ``e = s_e*e8 + delta`` and ``q = s_q*q8 + gamma``, ``q.e - (q - gamma).(e - delta) = q.delta +
    gamma.e - gamma.delta``, so the error is at most ``h*s_e*|q|_1 + h*s_q*|e|_1 + d*h^2*s_e*s_q`` where
    ``h*s`` bounds each rounding error: ``|x/s| <= 127/(1 - u) < 128`` and the float32 quotient is off
    by at most ``128u = 2^-17`` (u = 2^-24) before rounding to the nearest integer, so ``h = 1/2 + 2^-17``.
    The int32 product is exact (``|q8 . e8| <= 127^2 d``)."""
    h = 0.5 + 2.0**-17
    s_e, s_q = block.scale, queries.scales
    return h * (s_e * queries.l1 + s_q * block.l1) + dim * h * h * s_e * s_q


def rounding_bound(block: Int8Block, queries: Int8Queries, dim: int) -> torch.Tensor:
    """Per query, a bound on the float32 rounding of ``q.e`` for every row of the block, in any order of
    summation: ``gamma_d * sum |q_i e_i| <= gamma_d * max|q| * |e|_1`` with ``gamma_d = du / (1 - du)``."""
    du = dim * 2.0**-24
    return du / (1 - du) * queries.largest * block.l1


def int8_candidates(block: Int8Block, queries: Int8Queries, kth: torch.Tensor, k: int,
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """(query, row) pairs of a block that can still enter the top-``k`` of their query, whose running
    k-th best exact score is ``kth`` (-inf while it has fewer than k results).

    With ``beta`` the int8 error bound and ``rho`` the float32 rounding bound of an exact score, a row
    can enter only if its exact score reaches ``kth``, so its real score reaches ``kth - rho`` and its
    int8 score ``I`` (times ``s = s_q * s_e``) reaches ``kth - rho - beta``: ``I >= (kth - rho - beta) / s``.
    While a query has fewer than k results, the block's own k-th best int8 score ``I_k`` bounds its final
    k-th from below (k rows with real scores of at least ``s*I_k - beta``), which gives ``I >= I_k -
    2(beta + rho)/s``. The thresholds are rounded down to integers, a margin far above their float64
    rounding. Only groups of GROUP_ROWS rows whose maximum passes are scanned row by row."""
    products = torch._int_mm(block.codes, queries.codes.T)  # (rows, padded queries) int32
    beta = int8_error_bound(block, queries, block.codes.shape[1])
    rho = rounding_bound(block, queries, block.codes.shape[1])
    scale = queries.scales * block.scale
    threshold = (kth.double() - rho - beta) / scale
    grouped = products.view(-1, GROUP_ROWS, products.shape[1])
    maxima = grouped.amax(1)[:, : len(kth)]
    if block.count >= k and torch.isinf(kth).any():
        # the k-th best maximum of k groups of real rows (or k-th best row) is at most the block's k-th best
        whole = maxima[: block.count // GROUP_ROWS]  # the last group may hold padding rows, scored 0
        own = (whole if len(whole) >= k else products[: block.count, : len(kth)]).topk(k, dim=0).values[-1]
        own = own.double() - 2 * (beta + rho) / scale
        threshold = torch.maximum(threshold, torch.where(torch.isinf(kth), own, -math.inf))
    threshold = threshold.floor().clamp(-(2.0**31), 2.0**31 - 1).to(torch.int32)
    groups, owners = (maxima >= threshold).nonzero(as_tuple=True)
    pairs, offsets = (grouped[groups, :, owners] >= threshold[owners, None]).nonzero(as_tuple=True)
    rows = groups[pairs] * GROUP_ROWS + offsets
    inside = rows < block.count
    return owners[pairs][inside], rows[inside]


def merged(scores: torch.Tensor, ids: torch.Tensor, owners: torch.Tensor, new_scores: torch.Tensor,
           new_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The (q, k) best (scores, ids) per query after adding (score, id) pairs owned by queries ``owners``."""
    q, k = scores.shape
    counts = torch.bincount(owners, minlength=q)
    order = torch.argsort(owners, stable=True)
    owners = owners[order]
    places = torch.arange(len(owners)) - (torch.cumsum(counts, 0) - counts)[owners]
    width = int(counts.max()) if len(owners) else 0
    more_scores = torch.full((q, width), -math.inf)
    more_ids = torch.zeros((q, width), dtype=torch.long)
    more_scores[owners, places], more_ids[owners, places] = new_scores[order], new_ids[order]
    return ranked(torch.cat([scores, more_scores], 1), torch.cat([ids, more_ids], 1), k)


def rescored_top_k(block: torch.Tensor, query: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Candidates for the exact top-``k`` (scores, rows) of a float16 block for one query: score every
    row with a float16 matrix-vector product, rescore the best in float32, and widen the candidate set
    until no row outside it can reach the k-th (see APPROX_ERROR); all candidates are returned, with
    exact scores, so ties at the k-th are settled by :func:`ranked`."""
    approx = torch.mv(block, query.half())
    m = min(len(block), k + 32)
    while True:
        values, rows = approx.topk(m)
        exact = block[rows].float() @ query
        if m == len(block) or float(exact.topk(min(k, m)).values[-1]) > float(values[-1]) + APPROX_ERROR:
            return exact, rows
        m = min(len(block), 4 * m)


def ranked(scores: torch.Tensor, ids: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` best (score, id) pairs per row, by score descending then id ascending."""
    order = torch.from_numpy(np.lexsort((ids.numpy(), -scores.numpy()), axis=1)[:, :k].copy())
    return scores.gather(1, order), ids.gather(1, order)


class EmbeddingIndex:
    """A finished index folder, opened read-only (embeddings memory-mapped)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        info_path = self.path / INFO_NAME
        if not info_path.is_file():
            raise MissingFileError(f"{info_path}: missing; not a wearclip index folder (build one with `wearclip index`)")
        try:
            self.info = IndexInfo.model_validate(json.loads(info_path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as error:
            raise IndexFormatError(f"{info_path}: not valid JSON ({error})") from None
        except ValidationError as error:
            raise IndexFormatError(f"{info_path}: not a valid index description ({validation_message(error)})") from None
        if self.info.format != FORMAT_VERSION:
            raise IndexFormatError(f"{info_path}: index format {self.info.format}, this wearclip reads {FORMAT_VERSION}")
        embeddings_path = self.path / EMBEDDINGS_NAME
        # copy-on-write mapping: torch can wrap it without a copy, and nothing is ever written back.
        try:
            self.embeddings = np.load(embeddings_path, mmap_mode="c", allow_pickle=False)
        except (OSError, ValueError) as error:
            raise IndexFormatError(f"{embeddings_path}: not a readable .npy array ({error}); rebuild the index") from None
        expected = (self.info.count, self.info.dim)
        if self.embeddings.dtype != np.float16 or self.embeddings.shape != expected:
            raise IndexFormatError(f"{embeddings_path}: {self.embeddings.dtype} {self.embeddings.shape}, "
                                  f"expected float16 {expected} as in {INFO_NAME}")
        manifest_path = self.path / MANIFEST_NAME
        try:
            self.manifest = pd.read_parquet(manifest_path)
        except (OSError, ValueError) as error:  # pyarrow's errors derive from these
            raise IndexFormatError(f"{manifest_path}: not a readable Parquet file ({str(error).splitlines()[0]})") from None
        if len(self.manifest) != self.info.count or set(MANIFEST_COLUMNS) - set(self.manifest.columns):
            raise IndexFormatError(f"{manifest_path}: {len(self.manifest)} rows with columns {list(self.manifest.columns)}, "
                                  f"expected {self.info.count} rows with {list(MANIFEST_COLUMNS)}")
        self._faiss = None
        self._int8: list[Int8Block] | None = None

    def __len__(self) -> int:
        return self.info.count

    @property
    def dim(self) -> int:
        return self.info.dim

    def vectors(self, ids) -> np.ndarray:
        """Stored embeddings of the given window ids, as float32."""
        return np.asarray(self.embeddings[np.asarray(ids)], dtype=np.float32)

    def search(self, queries, k: int = 10, backend: Backend = "exact") -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` windows per query embedding (q, dim): cosine similarities and window ids, best first."""
        queries = torch.as_tensor(np.asarray(queries), dtype=torch.float32)
        queries = queries[None] if queries.ndim == 1 else queries
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries must be (q, {self.dim}) for this index, got {tuple(queries.shape)}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        queries = F.normalize(queries, dim=1)
        if backend == "exact":
            return exact_top_k(self.embeddings, queries, k,
                               blocks=self.int8_blocks() if len(queries) >= CACHED_INT8_QUERIES else None)
        if backend == "faiss":
            scores, ids = self.faiss_index().search(queries.numpy(), min(k, len(self)))
            scores, ids = ranked(torch.from_numpy(scores), torch.from_numpy(ids), k)
            return scores.numpy(), ids.numpy()
        raise ValueError(f"unknown search backend {backend!r}; choose one of {', '.join(BACKENDS)}")

    def faiss_index(self):
        """A FAISS flat inner-product index over the same float16 vectors (built once, in memory)."""
        if self._faiss is None:
            try:
                import faiss
            except ImportError:
                raise ImportError("the FAISS backend needs faiss-cpu: pip install 'wearclip[faiss]'") from None
            index = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
            for lo in range(0, len(self), CHUNK_ROWS):
                index.add(np.asarray(self.embeddings[lo : lo + CHUNK_ROWS], dtype=np.float32))
            self._faiss = index
        return self._faiss

    def int8_blocks(self) -> list[Int8Block]:
        """The vectors as int8 blocks for batched search (built once, in memory: one byte per number,
        half the float16 file, plus 16 bytes per block of INT8_BLOCK_ROWS rows)."""
        if self._int8 is None:
            self._int8 = list(int8_blocks(self.embeddings, INT8_BLOCK_ROWS))
        return self._int8

    def hits(self, scores: np.ndarray, ids: np.ndarray, queries: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per result: query, rank, window id, similarity and the window's manifest entry."""
        q, k = ids.shape
        names = list(queries) if queries is not None else [str(i) for i in range(q)]
        table = self.manifest.iloc[ids.ravel()].reset_index(drop=True)
        table.insert(0, "similarity", scores.ravel())
        table.insert(0, "id", ids.ravel())
        table.insert(0, "rank", np.tile(np.arange(1, k + 1), q))
        table.insert(0, "query", np.repeat(np.asarray(names, dtype=object), k))
        return table

    def load_model(self, checkpoint: str | Path | None = None) -> WearClip:
        """The model that built the index, refusing a checkpoint whose weights differ from the recorded ones."""
        checkpoint = checkpoint or self.info.checkpoint
        if checkpoint is None:
            raise UsageError(f"{self.path / INFO_NAME}: records no checkpoint; pass the model's folder with --checkpoint")
        if checkpoint == self.info.checkpoint and not Path(checkpoint).is_dir():
            raise MissingFileError(f"{checkpoint}: the checkpoint {self.path / INFO_NAME} was built with is gone; "
                                   "pass the model's folder with --checkpoint")
        weights = Path(checkpoint) / WEIGHTS_NAME
        if self.info.checkpoint_sha256 and weights.is_file() and file_sha256(weights) != self.info.checkpoint_sha256:
            raise CheckpointError(f"{weights}: not the weights this index was built with ({self.path / INFO_NAME} "
                             f"records sha256 {self.info.checkpoint_sha256[:12]}...); rebuild the index")
        return WearClip.from_pretrained(checkpoint)

    def search_text(self, model: WearClip, sentences: Sequence[str], k: int = 10, backend: Backend = "exact",
                    ) -> pd.DataFrame:
        """Windows best matching each sentence."""
        if not sentences or any(not str(s).strip() for s in sentences):
            raise UsageError(f"queries {list(sentences)!r}: every query must describe an activity, e.g. 'someone walking'")
        with torch.no_grad():
            queries = model.embed_text(list(sentences)).cpu()
        return self.hits(*self.search(queries, k, backend), queries=sentences)

    def windows(self, ids: Sequence[int]) -> np.ndarray:
        """The raw (n, 3, T) signals in g of the given windows, read again from the source dataset."""
        from ..data import datasets

        info = self.info
        if info.dataset is None or info.window is None:
            raise ValueError(f"{self.path / INFO_NAME}: records no source dataset to read signals from")
        rows = self.manifest.iloc[np.asarray(ids)]
        wanted = set(zip(rows.subject, rows.recording))
        size, rate = info.window.size, info.window.rate
        out = np.full((len(rows), 3, size), np.nan, dtype=np.float32)
        dataset = datasets.load(info.dataset, info.root, info.placement, **info.options)
        for recording in dataset.recordings():
            if (recording.subject, recording.recording) not in wanted:
                continue
            wanted.discard((recording.subject, recording.recording))
            signal = resample(recording, rate)
            for i, (subject, name, start) in enumerate(zip(rows.subject, rows.recording, rows.start)):
                if (subject, name) == (recording.subject, recording.recording):
                    first = int(round((start - signal.start) * rate))
                    out[i] = signal.signal[first : first + size].T
            if not wanted:
                break
        if wanted:
            raise ValueError(f"{info.dataset}: recordings {sorted(wanted)} not found; has the dataset changed?")
        return out
