"""Search latency over a large index and index build throughput.

Synthetic unit-norm embeddings (seeded) stand in for embedded windows: search cost depends only on their
count and width. Prints: build throughput from embeddings (normalise, float16, stream to disk, manifest),
build throughput from raw windows through the paper's conv encoder, a plain read of the index (chunks
copied from the memory map, the speed limit of any one pass), the one-off build of the int8 copy that
batches are scored against, exact top-k latency for single queries (float16 pass) and a batch (int8
pass + float32 rescoring of the candidates) with queries/s and GB/s of the float16 index, the same for
the FAISS backend, and whether both backends agree. Goal: a batch of 64 queries in < 3x the time of
one query (one pass for all of them).

    python benchmarks/bench_search.py                      # 1 M x 128, 2 threads (the issue's target: < 50 ms)
    python benchmarks/bench_search.py --n 200000 --threads 1
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from wearclip.data.windows import Windows
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import CACHED_INT8_QUERIES, CHUNK_ROWS, EmbeddingIndex, IndexInfo, embedded_batches, write_index


def synthetic_batches(n: int, dim: int, batch: int, seed: int):
    """(embeddings, manifest rows) batches of random unit vectors, generated lazily."""
    for lo in range(0, n, batch):
        rng = np.random.default_rng([seed, lo])
        size = min(batch, n - lo)
        starts = np.arange(lo, lo + size, dtype=float)
        rows = pd.DataFrame({"subject": (lo + np.arange(size)) // 10_000, "recording": "r", "start": starts,
                             "end": starts + 2.0, "label": None})
        yield rng.standard_normal((size, dim), dtype=np.float32), rows


def latencies(fn, repeats: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    fn(0)
    times = []
    for i in range(1, repeats + 1):
        started = time.perf_counter()
        fn(i)
        times.append(1000 * (time.perf_counter() - started))
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   min {ordered[0]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="indexed windows")
    parser.add_argument("--dim", type=int, default=128, help="embedding width (WearClip's default is 128)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--queries", type=int, default=50, help="single-query repetitions")
    parser.add_argument("--batch", type=int, default=64, help="queries in the batched measurement")
    parser.add_argument("--windows", type=int, default=20_000, help="raw windows for the encoder build measurement")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}), "
          f"torch {torch.__version__}, {args.threads} threads; "
          f"index {args.n:,} x {args.dim} float16 ({args.n * args.dim * 2 / 2**20:,.0f} MiB)")

    with tempfile.TemporaryDirectory() as tmp:
        batches = list(synthetic_batches(args.n, args.dim, 65_536, args.seed))  # generated before timing
        started = time.perf_counter()
        index = write_index(Path(tmp) / "index", iter(batches), IndexInfo())
        seconds = time.perf_counter() - started
        print(f"build from embeddings:  {args.n / seconds:12,.0f} windows/s   ({seconds:.2f} s)")
        del batches

        torch.manual_seed(args.seed)
        model = WearClip().eval()
        x = np.random.default_rng(args.seed).standard_normal((args.windows, 3, model.config.window.size), dtype=np.float32)
        windows = Windows(x=x, labels=np.full(args.windows, -1), subjects=np.full(args.windows, "s"),
                          recordings=np.full(args.windows, "r"), starts=np.arange(args.windows, dtype=float), classes=[])
        started = time.perf_counter()
        write_index(Path(tmp) / "encoded", embedded_batches(model, [windows]), IndexInfo())
        seconds = time.perf_counter() - started
        print(f"build from raw windows: {args.windows / seconds:12,.0f} windows/s   "
              f"(conv encoder + write, {args.windows:,} windows)")

        index = EmbeddingIndex(index.path)
        size = index.embeddings.nbytes / 1e9
        buffer = np.empty((CHUNK_ROWS, args.dim), np.float16)

        def read(_):
            for lo in range(0, len(index), CHUNK_ROWS):
                block = index.embeddings[lo : lo + CHUNK_ROWS]
                np.copyto(buffer[: len(block)], block)

        reads = latencies(read, 5)
        plain = statistics.median(reads)
        print(f"plain read of the index: {summary(reads)}  ({size / plain * 1000:.1f} GB/s)")
        rng = np.random.default_rng(args.seed + 1)
        queries = rng.standard_normal((args.queries + 1, args.dim), dtype=np.float32)
        batch = rng.standard_normal((args.batch, args.dim), dtype=np.float32)
        results = {}
        for backend in ("exact", "faiss"):
            try:
                if backend == "exact":
                    started = time.perf_counter()
                    blocks = index.int8_blocks()
                    codes = sum(block.codes.nbytes for block in blocks) / 2**20
                    print(f"int8 copy build:        {time.perf_counter() - started:8.2f} s (in memory, {codes:,.0f} MiB; "
                          f"used from {CACHED_INT8_QUERIES} queries on)")
                if backend == "faiss":
                    import faiss

                    faiss.omp_set_num_threads(args.threads)
                    started = time.perf_counter()
                    index.faiss_index()
                    print(f"faiss index build:      {time.perf_counter() - started:8.2f} s (in memory, from the float16 file)")
            except ImportError:
                print("faiss: not installed (pip install 'wearclip[faiss]'), skipped")
                continue
            single = latencies(lambda i, b=backend: index.search(queries[i], args.k, b), args.queries)
            one = statistics.median(single)
            print(f"{backend:>5} top-{args.k}, 1 query:    {summary(single)}  ({1000 / one:,.0f} queries/s, "
                  f"{size / one * 1000:.2f} GB/s, {one / plain:.1f}x a plain read)")
            for count in sorted({min(c, args.batch) for c in (CACHED_INT8_QUERIES, 8, args.batch)}):
                many = latencies(lambda i, b=backend, c=count: index.search(batch[:c], args.k, b), 3)
                batched = statistics.median(many)
                print(f"{backend:>5} top-{args.k}, {count} queries: {summary(many)}  "
                      f"({1000 * count / batched:,.0f} queries/s, {size / batched * 1000:.2f} GB/s, "
                      f"{batched / plain:.1f}x a plain read, {batched / one:.1f}x one query)")
            results[backend] = index.search(queries, args.k, backend)[1]
        if len(results) == 2:
            agree = (results["exact"] == results["faiss"]).all(axis=1).mean()
            print(f"exact and faiss agree on {100 * agree:.0f} % of {len(queries)} queries (same ids, same order)")


if __name__ == "__main__":
    main()
