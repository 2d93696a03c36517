"""Scale benchmark: pre-training and a zero-shot pass over 10, 100 and 1,000 hours, memory bounded.

Run from the repository root (it writes ~2 GB of tables and ~2 GB of window store per 1,000 h in a
temporary folder, removed afterwards; ``--keep DIR`` keeps them there and reuses them):

    nice -n 10 python benchmarks/bench_scale.py                    # 10, 100, 1000 h
    nice -n 10 python benchmarks/bench_scale.py --hours 10 100     # smaller sizes only

Each size is a synthetic dataset in the generic folder format (docs/data.md): one Parquet table per
subject-hour, 50 Hz accelerometer-like signals in g (a gravity direction, a rhythm and noise per
activity) with labels in 20-120 s blocks of six activities. For each size, a fresh process builds the
window store (``WindowStore.open``), another runs what ``wearclip pretrain`` runs
(:func:`wearclip.study.run.run_pretraining`, store on, ``train.max_steps`` steps, subject split
0.9/0.05/0.05) and then a zero-shot pass over every window of the dataset (above ``--encoded-windows``,
1 M by default, a pass that reads every window through ``channel_stats`` instead: it touches the whole
store as the zero-shot pass does, without the encoder's hour on a shared 2-core machine). The 10 h dataset is also run
with ``data.store: false`` (windows in memory): the throughput reference. Printed per run: hours,
windows, peak RSS of that process (``wait4``'s ``ru_maxrss``), training windows/s (timed between the
first and the last step record) and zero-shot windows/s, each also per CPU-second of the process (one
torch thread: on a shared machine wall time measures the neighbours too), with the load average.
Goal: peak RSS flat in hours (1,000 h within 1.2x of 10 h, < 1.5 GB), throughput >= 0.8x of the
in-memory 10 h case.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RATE = 50
ENCODED_WINDOWS = 1_000_000
"""Above this many windows the pass over every window reads and sums them (``channel_stats``) instead of
running the encoder: on a shared 2-core machine, encoding 3.6 M windows takes about an hour."""
ACTIVITIES = {"walk": "walking", "sit": "sitting", "stand": "standing", "run": "running", "cycle": "cycling",
              "lie": "lying down"}
GRAVITY = np.array([[0, 0, 1], [0.7, 0, 0.7], [0, 0, 1], [0, 0.3, 0.95], [0.5, 0.5, 0.7], [1, 0, 0]], np.float32)
RHYTHM = np.array([[1.8, 0.3], [0, 0.02], [0, 0.03], [2.8, 0.8], [1.2, 0.4], [0, 0.01]], np.float32)  # Hz, g


def hours_table(subject: str, hour: int, seed: int):
    """One hour of one subject as a pyarrow table (subject, x, y, z, label)."""
    import pyarrow as pa

    rng = np.random.default_rng([seed, hour])
    n = 3600 * RATE
    lengths = rng.integers(20 * RATE, 120 * RATE, n // (20 * RATE) + 1)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), n) + 1]
    labels = np.repeat(rng.integers(0, len(ACTIVITIES), len(lengths)), lengths)[:n]
    t = np.arange(n, dtype=np.float32) / RATE
    frequency, amplitude = RHYTHM[labels].T
    signal = GRAVITY[labels] + (amplitude * np.sin(2 * np.pi * frequency * t))[:, None] \
        + 0.02 * rng.standard_normal((n, 3), dtype=np.float32)
    keys = np.array(list(ACTIVITIES))
    return pa.table({
        "subject": pa.array([subject] * n).dictionary_encode(),
        "x": signal[:, 0], "y": signal[:, 1], "z": signal[:, 2],
        "label": pa.DictionaryArray.from_arrays(labels.astype(np.int32), keys),
    })


def write_dataset(folder: Path, hours: int) -> None:
    """A generic dataset of ``hours`` hours: ``max(10, hours // 20)`` subjects, one table per hour."""
    import pyarrow.parquet as pq
    import yaml

    if (folder / "dataset.yaml").is_file():
        return
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    subjects = max(10, hours // 20)
    for h in range(hours):
        subject = f"s{h % subjects:03d}"
        pq.write_table(hours_table(subject, h, seed=hours), tmp / f"{subject}-h{h:04d}.parquet")
    (tmp / "dataset.yaml").write_text(yaml.safe_dump({"name": f"scale-{hours}h", "sampling_rate": RATE,
                                                       "units": "g", "activities": ACTIVITIES}))
    tmp.rename(folder)


def child_build(root: str, cache: str) -> dict:
    from wearclip.data import datasets
    from wearclip.data.store import WindowStore

    started = time.perf_counter()
    windows = WindowStore(cache).open(datasets.load("generic", root))
    return {"windows": len(windows), "seconds": time.perf_counter() - started}


def child_run(root: str, cache: str, out: str, store: bool, steps: int, batch: int,
              encoded: int = ENCODED_WINDOWS) -> dict:
    """Pre-train as ``wearclip pretrain`` does, then zero-shot every window of the dataset (or, above
    ``encoded`` windows, read every window through ``channel_stats``)."""
    import torch

    from wearclip.config.run import PretrainConfig
    from wearclip.data import datasets
    from wearclip.data.store import WindowStore
    from wearclip.data.windows import channel_stats, make_windows
    from wearclip.models.wearclip import WearClip
    from wearclip.models.zeroshot import ZeroShotClassifier
    from wearclip.study.run import run_pretraining

    torch.set_num_threads(1)
    config = PretrainConfig.model_validate({
        "name": "scale", "data": {"datasets": [{"name": "generic", "root": root}], "store": store,
                                  "cache_dir": cache, "split_fractions": [0.9, 0.05, 0.05]},
        "train": {"epochs": 1, "max_steps": steps, "batch_size": batch, "log_every": 1, "device": "cpu"},
    })
    times: list[tuple[int, float, float]] = []

    class StepTimes:
        def on_record(self, record: dict) -> None:
            if record["kind"] == "step":
                times.append((record["step"], time.perf_counter(), time.process_time()))

    started = time.perf_counter()
    run_pretraining(config, out, callbacks=[StepTimes()], log=lambda _: None)
    pretrain_seconds = time.perf_counter() - started
    (first, t0, c0), (last, t1, c1) = times[0], times[-1]

    dataset = datasets.load("generic", root)
    windows = WindowStore(cache).open(dataset) if store else make_windows(dataset.recordings(), dataset.classes)
    model = WearClip.from_pretrained(Path(out) / "best")
    started, cpu = time.perf_counter(), time.process_time()
    if len(windows) <= encoded:
        predictions = ZeroShotClassifier(model, windows.classes).predict(windows.x)
    else:
        channel_stats(windows.x)
        predictions = np.full(len(windows), -1)
    zeroshot_seconds, zeroshot_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"windows": len(windows), "pretrain_seconds": pretrain_seconds,
            "train_windows_per_s": (last - first) * batch / (t1 - t0),
            "train_windows_per_cpu_s": (last - first) * batch / (c1 - c0),
            "zeroshot_windows_per_s": len(windows) / zeroshot_seconds,
            "zeroshot_windows_per_cpu_s": len(windows) / zeroshot_cpu,
            "zeroshot_accuracy": float((predictions == windows.labels).mean()),
            "pass": "zero-shot" if len(windows) <= encoded else "read (channel_stats)"}


def measured(args: list[str], options: argparse.Namespace) -> tuple[dict, float]:
    """Run this script as a child with ``args``: its JSON answer and its peak RSS in GB."""
    env = os.environ | {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with tempfile.TemporaryFile() as out:
        command = [sys.executable, __file__, "--steps", str(options.steps), "--batch", str(options.batch),
                   "--encoded-windows", str(options.encoded_windows), "--child", *args]
        process = subprocess.Popen(command, stdout=out, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if process.returncode:
        raise SystemExit(f"child {args[0]} failed ({process.returncode})")
    return json.loads(text.strip().splitlines()[-1]), usage.ru_maxrss / 2**20  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--steps", type=int, default=100, help="train.max_steps of every run")
    parser.add_argument("--batch", type=int, default=256, help="train.batch_size")
    parser.add_argument("--encoded-windows", type=int, default=ENCODED_WINDOWS,
                        help="datasets with more windows are read through (channel_stats), not encoded, in the pass")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the datasets and stores in this folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            answer = child_build(*rest)
        else:
            root, cache, out, store = rest
            answer = child_run(root, cache, out, store == "store", args.steps, args.batch, args.encoded_windows)
        print(json.dumps(answer))
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="wearclip-scale-"))
    rows = []
    try:
        for hours in args.hours:
            root, cache = work / f"data-{hours}h", str(work / "cache")
            started = time.perf_counter()
            write_dataset(root, hours)
            print(f"{hours} h: dataset written in {time.perf_counter() - started:.0f} s", flush=True)
            built, build_rss = measured(["build", str(root), cache], args)
            print(f"{hours} h: store of {built['windows']} windows in {built['seconds']:.0f} s, "
                  f"peak RSS {build_rss:.2f} GB", flush=True)
            for store in (["memory"] if hours == min(args.hours) else []) + ["store"]:
                out = tempfile.mkdtemp(prefix="run-", dir=work)
                load = os.getloadavg()[0]
                answer, rss = measured(["run", str(root), cache, out, store], args)
                shutil.rmtree(out)
                rows.append({"hours": hours, "data": store, "rss_gb": rss, "load": (load + os.getloadavg()[0]) / 2,
                             "build_rss_gb": build_rss if store == "store" else None, **answer})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    reference = next((r for r in rows if r["data"] == "memory"), rows[0])

    def rate(r: dict, key: str) -> str:
        return f"{r[key]:,.0f} ({r[key] / reference[key]:.2f}x)"

    print("\n| hours | windows | data | peak RSS (GB) | train windows/s (per CPU-s) | pass over every window: "
          "windows/s (per CPU-s) | load avg |")
    print("|---:|---:|:---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['hours']:,} | {r['windows']:,} | {r['data']} | {r['rss_gb']:.2f} | "
              f"{rate(r, 'train_windows_per_s')} ({rate(r, 'train_windows_per_cpu_s')}) | "
              f"{r['pass']}: {rate(r, 'zeroshot_windows_per_s')} ({rate(r, 'zeroshot_windows_per_cpu_s')}) | "
              f"{r['load']:.1f} |")
    largest = max(rows, key=lambda r: r["hours"])
    small = min((r for r in rows if r["data"] == "store"), key=lambda r: r["hours"])
    print(f"\npeak RSS {largest['hours']} h / {small['hours']} h (store): {largest['rss_gb'] / small['rss_gb']:.2f}x, "
          f"/ {reference['hours']} h in memory: {largest['rss_gb'] / reference['rss_gb']:.2f}x; "
          f"machine: {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
