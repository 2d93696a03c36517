"""The web app's server times, and what HMM smoothing does to macro-F1 on continuous recordings.

``speed``: through the app's own API (Starlette's TestClient, in process), p50/p90 of
  * a text search over a 1 M-window index: the real embedded UCI HAPT windows (22 364 at the model's
    2 s / 1 s step) embedded by the model, tiled with small seeded noise to the requested count, so each
    hit points at a real recording whose signal the response carries; ``search_ms`` is the server's own
    time for encoding the query and ranking the index, ``request`` the whole round trip with the
    hits' signals;
  * labelling an uploaded 1-hour recording at 50 Hz (UCI HAPT experiments written one after another as
    the generic CSV until an hour is full), 6 free-text activities, raw and HMM-smoothed.
``smoothing``: macro-F1 of raw and HMM-smoothed zero-shot labels over the continuous recordings of the
  subject split's validation and test subjects (every window is labelled and smoothed in recording order;
  the labelled windows are scored), for several stickiness values and minimum bout lengths.

    python benchmarks/bench_app.py speed --checkpoint runs/demo/checkpoint        # 1 M windows, 2 threads
    python benchmarks/bench_app.py speed --checkpoint runs/demo/checkpoint --backend faiss
    python benchmarks/bench_app.py smoothing --checkpoint runs/demo/checkpoint    # the demo's split (seed 0)
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from starlette.testclient import TestClient

from wearclip.app import create_app
from wearclip.app.sources import Source
from wearclip.data import datasets
from wearclip.data.splits import subject_split
from wearclip.metrics import evaluate_predictions
from wearclip.models.registry import load
from wearclip.retrieval.index import (
    EmbeddingIndex,
    IndexInfo,
    embedded_batches,
    index_window_config,
    recording_windows,
    write_index,
)
from wearclip.study.smoothing import HmmSmoother
from wearclip.study.timeline import label_segments

QUERIES = ["walking", "someone climbing stairs", "lying in bed", "sitting at a desk", "standing still",
           "going down the stairs", "getting up from a chair", "lying down on a sofa", "a person walking fast",
           "sitting down", "standing up from lying", "walking downstairs slowly"]
ACTIVITIES = "walking, walking upstairs, walking downstairs, sitting, standing, lying down"


def tiled_index(model, path: Path, count: int, seed: int) -> EmbeddingIndex:
    """The embedded HAPT windows, repeated with seeded noise (sd 0.05 per coordinate) up to ``count`` rows."""
    window = index_window_config(model)
    dataset = datasets.load("uci-hapt")
    real = list(embedded_batches(model, recording_windows(dataset, window)))
    vectors = np.concatenate([v for v, _ in real])
    rows = pd.concat([r for _, r in real], ignore_index=True)

    def batches():
        rng = np.random.default_rng(seed)
        for lo in range(0, count, len(vectors)):
            size = min(len(vectors), count - lo)
            yield vectors[:size] + 0.05 * rng.standard_normal((size, vectors.shape[1]), dtype=np.float32), rows[:size]

    info = IndexInfo(dataset="uci-hapt", placement=dataset.placement, window=window, classes=list(dataset.classes))
    return write_index(path, batches(), info)


def hour_of_hapt(path: Path) -> Path:
    """One hour at 50 Hz: UCI HAPT recordings one after another (the embedded copy), as x, y, z, label."""
    classes = datasets.get("uci-hapt").classes
    frames, samples = [], 0
    for recording in datasets.load("uci-hapt").recordings():
        take = min(len(recording.signal), 3600 * 50 - samples)
        labels = np.asarray([*classes, ""], dtype=object)[np.where(recording.labels < 0, len(classes), recording.labels)]
        frames.append(pd.DataFrame(recording.signal[:take], columns=["x", "y", "z"]).assign(label=labels[:take]))
        samples += take
        if samples == 3600 * 50:
            break
    pd.concat(frames).to_csv(path, index=False, float_format="%.6g")
    return path


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):.1f}  p90 {values[int(0.9 * (len(values) - 1))]:.1f}  (n={len(values)})"


def speed(args) -> None:
    torch.set_num_threads(args.threads)
    model = load(args.checkpoint)
    print(f"{platform.processor() or platform.machine()}, torch threads {args.threads}, checkpoint {args.checkpoint}")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index = tiled_index(model, Path(tmp) / "index", args.windows, args.seed)
        print(f"index: {len(index):,} windows x {index.dim} ({time.perf_counter() - started:.0f} s to build)")
        recording = hour_of_hapt(Path(tmp) / "hour.csv")
        app = create_app(model, str(args.checkpoint), Path(args.checkpoint), [Source("uci-hapt")], [index],
                         backend=args.backend)
        index.search(model.encode_text(["warm-up"]), 12, args.backend)  # builds FAISS's in-memory index once
        with TestClient(app) as client:
            client.post("/api/search", json={"query": "warm-up", "k": 12})  # loads the text encoder once
            server, request = [], []
            for _ in range(args.repeats):
                for query in QUERIES:
                    started = time.perf_counter()
                    result = client.post("/api/search", json={"query": query, "k": 12}).json()
                    request.append(1000 * (time.perf_counter() - started))
                    server.append(result["search_ms"])
            scan = []
            for _ in range(args.repeats):
                for query in QUERIES:
                    vector = model.encode_text([query])
                    started = time.perf_counter()
                    index.search(vector, 12, args.backend)
                    scan.append(1000 * (time.perf_counter() - started))
            print(f"search ({args.backend}), 1 query, top 12 over {len(index):,} windows: server ms {percentiles(server)}; "
                  f"of which the index scan alone ms {percentiles(scan)}; request with signals ms {percentiles(request)}")
            upload = recording.read_bytes()
            times = []
            for _ in range(args.label_repeats):
                started = time.perf_counter()
                response = client.post("/api/label", data={"activities": ACTIVITIES, "rate": "50"},
                                       files={"file": ("hour.csv", io.BytesIO(upload), "text/csv")})
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text[:200]
            windows = len(response.json()["windows"]["start"])
            print(f"label a 1-hour 50 Hz upload ({len(upload) / 2**20:.1f} MiB CSV, {windows} windows, "
                  f"6 activities, raw + HMM): s {percentiles(times)}")


def smoothing(args) -> None:
    torch.set_num_threads(args.threads)
    model = load(args.checkpoint)
    dataset = datasets.load("uci-hapt", args.root)
    recordings = list(dataset.recordings())
    split = subject_split(sorted({r.subject for r in recordings}, key=int), args.split_seed)
    classes = list(dataset.classes)
    settings = [(None, 1)] + [(s, b) for s in args.stickiness for b in args.min_bout]
    print(f"uci-hapt ({args.root or 'embedded copy'}), split seed {args.split_seed}, checkpoint {args.checkpoint}, "
          f"activities: the 12 class phrases (base sentences)")
    print("| subjects | smoothing | stickiness | min bout (windows) | macro-F1 | accuracy | windows |")
    print("|---|---|---|---|---|---|---|")
    for part in ("val", "test"):
        chosen = [r for r in recordings if r.subject in getattr(split, part)]
        scores = label_segments(model, chosen, classes, classes=classes)  # probabilities once per window
        p = scores[[f"p:{c}" for c in classes]].to_numpy()
        truth = scores["label"].map(lambda v: classes.index(v) if isinstance(v, str) else -1).to_numpy()
        known = truth >= 0
        for stickiness, min_bout in settings:
            predicted = p.argmax(1)
            if stickiness is not None:  # smoothed within each recording, in time order
                smoother = HmmSmoother(stickiness, min_bout)
                for _, rows in scores.groupby("segment", sort=False).indices.items():
                    predicted[rows] = smoother(p[rows])
            result = evaluate_predictions(truth[known], predicted[known], classes)
            name = "none" if stickiness is None else "hmm"
            print(f"| {part} ({len(getattr(split, part))}) | {name} | {stickiness or '-'} | {min_bout if stickiness else '-'} "
                  f"| {100 * result.macro_f1:.1f} | {100 * result.accuracy:.1f} | {result.n} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fast = commands.add_parser("speed")
    fast.add_argument("--checkpoint", default="runs/demo/checkpoint")
    fast.add_argument("--windows", type=int, default=1_000_000)
    fast.add_argument("--threads", type=int, default=2)
    fast.add_argument("--backend", default="exact", choices=["exact", "faiss"])
    fast.add_argument("--repeats", type=int, default=3, help="Passes over the 12 queries.")
    fast.add_argument("--label-repeats", type=int, default=3)
    fast.add_argument("--seed", type=int, default=0)
    smooth = commands.add_parser("smoothing")
    smooth.add_argument("--checkpoint", default="runs/demo/checkpoint")
    smooth.add_argument("--root", default=None, help="Official UCI HAPT folder (default: the embedded copy).")
    smooth.add_argument("--split-seed", type=int, default=0)
    smooth.add_argument("--stickiness", type=float, nargs="+", default=[0.5, 0.9, 0.95, 0.99])
    smooth.add_argument("--min-bout", type=int, nargs="+", default=[1, 3])
    smooth.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    speed(args) if args.command == "speed" else smoothing(args)


if __name__ == "__main__":
    main()
