"""Pre-training steps/s with three ways of getting the text side of each step, on the real MiniLM.

(a) naive: the text encoder runs on every row's sentence, every step;
(b) dedup: it runs on the batch's unique sentences, scattered back to the rows;
(c) cache: every unique sentence was encoded once (memory, then disk), a step only looks rows up.

The text encoder is frozen in (a)-(c), so all three must give the same losses (checked to 1e-5):
the paper's conv encoder, CLIP loss and AdamW on windows of the embedded UCI HAPT, same seed, same
batches, same sentence draws. A second table does the same for a trainable text encoder (gradients
into MiniLM at its own learning rate, 2e-5): naive per-row encoding vs ``TextEncoder.encode_trainable``
(dedup + scatter). Also prints the one-off cost of filling the cache and of reopening it from disk in
a fresh encoder.

    python benchmarks/bench_text.py                       # 8 timed steps, batch 256, 2 threads
    python benchmarks/bench_text.py --steps 8 --modes base paraphrase random-template
    python benchmarks/bench_text.py --skip-trainable      # the frozen table only
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wearclip.data import datasets  # noqa: E402
from wearclip.data.windows import make_windows  # noqa: E402
from wearclip.models.wearclip import WearClip  # noqa: E402
from wearclip.objectives import clip_loss  # noqa: E402
from wearclip.text import TextEncoder, class_sentences  # noqa: E402


def run(method, encoder, windows, unique, table, counts, steps, batch, seed, cache=None):
    """Time ``steps`` optimiser steps (after one warm-up); returns (steps/s, losses, mean unique per batch)."""
    torch.manual_seed(seed)
    model = WearClip()
    model.fit_normalization(windows.x)
    groups = [{"params": list(model.parameters()), "lr": 1e-3}]
    if encoder.trainable:  # the text encoder's own, fine-tuning learning rate
        groups.append({"params": [p for p in encoder.parameters() if p.requires_grad], "lr": 2e-5})
    optimizer = torch.optim.AdamW(groups)
    generator = torch.Generator().manual_seed(seed)
    labels = torch.as_tensor(windows.labels, dtype=torch.long)
    losses, uniques, started = [], [], None
    for step in range(steps + 1):
        if step == 1:
            started = time.perf_counter()
        rows = torch.randint(len(windows), (batch,), generator=generator)
        y = labels[rows]
        ids = table[y, (torch.rand(batch, generator=generator) * counts[y]).long()]
        sentences = [unique[i] for i in ids.tolist()]
        with torch.set_grad_enabled(encoder.trainable):
            if method == "naive":  # one text-encoder forward over every row
                features = encoder._embed(sentences).float()
            elif method == "dedup" and encoder.trainable:
                features = encoder.encode_trainable(sentences)
            elif method == "dedup":
                u, inverse = ids.unique(return_inverse=True)
                features = encoder._embed([unique[i] for i in u.tolist()]).float()[inverse]
            else:
                features = cache[ids]
        text = model.encode_text_features(features)
        sensor = model.encode_sensor(torch.from_numpy(np.asarray(windows.x[rows.numpy()])))
        loss = clip_loss(model.scale() * sensor @ text.T, ids)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        uniques.append(len(set(ids.tolist())))
    return steps / (time.perf_counter() - started), np.array(losses), float(np.mean(uniques))


def table_for(classes, mode):
    groups = class_sentences(classes, mode, "uci-hapt")
    unique = list(dict.fromkeys(s for g in groups for s in g))
    index = {s: i for i, s in enumerate(unique)}
    table = torch.zeros(len(groups), max(map(len, groups)), dtype=torch.long)
    for c, g in enumerate(groups):
        table[c, : len(g)] = torch.tensor([index[s] for s in g])
    return unique, table, torch.tensor([len(g) for g in groups])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", nargs="+", default=["base", "random-template"])
    parser.add_argument("--skip-trainable", action="store_true")
    parser.add_argument("--skip-frozen", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {args.threads} threads, "
          f"batch {args.batch}, {args.steps} timed steps after 1 warm-up, seed {args.seed}")

    dataset = datasets.load("uci-hapt")
    windows = make_windows(dataset.recordings(), dataset.classes)
    windows = windows.of_subjects(sorted(set(windows.subjects))[:10])
    print(f"UCI HAPT (embedded), 10 subjects: {len(windows)} windows, {len(dataset.classes)} classes")

    with tempfile.TemporaryDirectory() as cache_dir:
        if not args.skip_frozen:
            frozen = TextEncoder(cache_dir=cache_dir)
            print("\nfrozen MiniLM text encoder")
            print(f"{'mode':<16} {'unique/batch':>12} {'(a) naive':>10} {'(b) dedup':>10} {'(c) cache':>10} "
                  f"{'b/a':>6} {'c/a':>7} {'c/b':>6} {'max |loss diff|':>16} {'fill cache':>10} {'reopen':>7}")
            for mode in args.modes:
                unique, table, counts = table_for(dataset.classes, mode)
                started = time.perf_counter()
                cache = frozen.encode(unique)
                fill = time.perf_counter() - started
                started = time.perf_counter()
                reopened = TextEncoder(cache_dir=cache_dir).encode(unique)
                reopen = time.perf_counter() - started
                assert torch.equal(reopened, cache)
                results = {m: run(m, frozen, windows, unique, table, counts, args.steps, args.batch, args.seed, cache)
                           for m in ("naive", "dedup", "cache")}
                (a, la, u), (b, lb, _), (c, lc, _) = results["naive"], results["dedup"], results["cache"]
                diff = max(np.abs(la - lb).max(), np.abs(la - lc).max())
                print(f"{mode:<16} {u:>12.1f} {a:>10.2f} {b:>10.2f} {c:>10.2f} {b / a:>6.1f} {c / a:>7.1f} {c / b:>6.1f} "
                      f"{diff:>16.2e} {fill:>9.2f}s {reopen:>6.2f}s  {'OK' if diff < 1e-5 else 'LOSSES DIFFER'}")

        if not args.skip_trainable:
            print("\ntrainable MiniLM text encoder (gradients into the text encoder)")
            print(f"{'mode':<16} {'unique/batch':>12} {'(a) naive':>10} {'(b) dedup':>10} {'b/a':>6} {'max |loss diff|':>16}")
            for mode in args.modes:
                unique, table, counts = table_for(dataset.classes, mode)
                out = {}
                for method in ("naive", "dedup"):
                    out[method] = run(method, TextEncoder(trainable=True), windows, unique, table, counts,
                                      args.steps, args.batch, args.seed)
                (a, la, u), (b, lb, _) = out["naive"], out["dedup"]
                diff = np.abs(la - lb).max()
                print(f"{mode:<16} {u:>12.1f} {a:>10.2f} {b:>10.2f} {b / a:>6.1f} {diff:>16.2e}  "
                      f"{'OK' if diff < 1e-5 else 'LOSSES DIFFER'}")
    print("\nsteps/s: higher is better; ratios are speed-ups.")


if __name__ == "__main__":
    main()
