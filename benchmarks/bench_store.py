"""WindowStore benchmark: UCI HAPT cold and warm, and synthetic free-living days streamed into a store.

Run from the repository root:

    python benchmarks/bench_store.py                   # UCI HAPT + 10 h, 100 h, 1000 h synthetic
    python benchmarks/bench_store.py --hours 10 100    # smaller synthetic sizes only
    python benchmarks/bench_store.py --processes 2     # resample and window in 2 processes

UCI HAPT is read from its official RawData layout (``../shared/data/uci-hapt``, or ``--hapt DIR``).
The synthetic set is Capture-24-like: 24 h recordings at 100 Hz in g with activity blocks, resampled
to 50 Hz and cut into 2 s windows with 50 % overlap. Each synthetic size runs in a fresh process, so
its peak RSS (``ru_maxrss``) is its own; if memory is bounded by one recording, the peak stays flat
as the hours grow.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RECORDING_HOURS = 24.0
RATE = 100.0
CLASSES = ["sleeping", "sitting or standing", "riding in a vehicle", "mixed light activities", "walking",
           "riding a bicycle"]


def synthetic_recordings(hours: float):
    """Days of 100 Hz wrist-like data: gravity plus activity-dependent motion, labels in 1-20 min blocks."""
    from wearclip.data.datasets import Recording

    rng = np.random.default_rng(0)
    remaining, day = hours, 0
    while remaining > 1e-9:
        n = int(min(remaining, RECORDING_HOURS) * 3600 * RATE)
        lengths = rng.integers(6000, 120000, n // 6000 + 1)
        lengths = lengths[: np.searchsorted(np.cumsum(lengths), n) + 1]
        labels = np.repeat(rng.integers(-1, len(CLASSES), len(lengths)).astype(np.int32), lengths)[:n]
        t = np.arange(n, dtype=np.float32) / RATE
        signal = np.empty((n, 3), np.float32)
        signal[:, 0] = 0.3 * np.sin(2 * np.pi * 1.7 * t)
        signal[:, 1] = 0.05 * rng.standard_normal(n, dtype=np.float32)
        signal[:, 2] = 1.0
        yield Recording(f"P{day:04d}", f"day{day}", signal, labels.astype(np.int32), RATE)
        remaining -= n / RATE / 3600
        day += 1


def synthetic_dataset(hours: float):
    from wearclip.data.datasets import DatasetSpec, HarDataset

    spec = DatasetSpec(name="synthetic", title="synthetic free-living days", rate=RATE, units="g",
                       placements=("wrist",), default_placement="wrist",
                       activities={str(i): c for i, c in enumerate(CLASSES)}, subjects=(), licence="-",
                       citation="-", url="-", read=lambda root, placement: iter(()),
                       embedded=lambda: synthetic_recordings(hours))
    return HarDataset(spec=spec, placement="wrist", root=None, classes=list(CLASSES))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_synthetic(hours: float, cache: Path, processes: int = 1) -> dict:
    """Build one synthetic store in this process (windowing in ``processes`` processes), then open it;
    report times, size and peak RSS of each."""
    from wearclip.config.window import WindowConfig
    from wearclip.data.store import WindowStore, build, read_windows

    dataset = synthetic_dataset(hours)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    path = build(dataset, WindowConfig(), WindowStore(cache).path(dataset), processes=processes)
    seconds = time.perf_counter() - started
    after_build = peak_rss_mb()
    started = time.perf_counter()
    windows = read_windows(path)
    open_seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    return {"hours": hours, "windows": len(windows), "seconds": seconds, "open_s": open_seconds,
            "store_gb": size / 1e9, "baseline_mb": baseline, "build_peak_mb": after_build,
            "open_peak_mb": peak_rss_mb()}


def run_hapt(root: Path, cache: Path) -> dict:
    from wearclip.data import datasets
    from wearclip.data.store import WindowStore

    dataset = datasets.load("uci-hapt", root)
    started = time.perf_counter()
    windows = WindowStore(cache).open(dataset)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    warm_windows = WindowStore(cache).open(datasets.load("uci-hapt", root))
    warm = time.perf_counter() - started
    assert len(warm_windows) == len(windows)
    return {"windows": len(windows), "cold_s": cold, "warm_s": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hapt", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/uci-hapt")
    parser.add_argument("--hours", type=float, nargs="*", default=[10, 100, 1000])
    parser.add_argument("--processes", type=int, default=1, help="processes resampling and windowing")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_synthetic(args.child, args.cache, args.processes)))
        return

    if args.hapt.is_dir():
        with tempfile.TemporaryDirectory() as cache:
            hapt = run_hapt(args.hapt, Path(cache))
        print(f"UCI HAPT official layout -> WindowStore: {hapt['windows']} windows, cold {hapt['cold_s']:.2f} s, "
              f"warm {hapt['warm_s']:.3f} s")
    else:
        print(f"UCI HAPT not found at {args.hapt}; skipped (pass --hapt DIR)")

    print(f"synthetic 24 h days at 100 Hz -> store, {args.processes} windowing process(es) "
          "(peak RSS of the main process: after imports / after build / after opening)")
    print(f"{'hours':>7} {'windows':>10} {'build s':>8} {'open s':>7} {'store GB':>9} {'RSS MB: imports':>16} "
          f"{'build':>6} {'open':>6}")
    for hours in args.hours:
        cache = Path(tempfile.mkdtemp(prefix="wearclip-bench-"))
        try:
            out = subprocess.run([sys.executable, __file__, "--child", str(hours), "--cache", str(cache),
                                  "--processes", str(args.processes)],
                                 check=True, capture_output=True, text=True).stdout
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['hours']:>7g} {r['windows']:>10} {r['seconds']:>8.1f} {r['open_s']:>7.2f} {r['store_gb']:>9.2f} "
              f"{r['baseline_mb']:>16.0f} {r['build_peak_mb']:>6.0f} {r['open_peak_mb']:>6.0f}")


if __name__ == "__main__":
    main()
