"""Pre-training step throughput against the IMU encoder alone, per encoder.

On the same batches of real UCI HAPT windows (embedded copy, training subjects) in the same process,
alternating round by round:

* encoder only: forward + backward of the IMU encoder on the batch (already a tensor);
* full step: ``Trainer.train_step`` — load the batch from the window array, draw a sentence per window,
  look up the cached frozen text features, sensor and text heads, the contrastive loss (+ SimCLR with
  ``--simclr-weight``), backward, AdamW and scheduler step.

Prints windows/s (median over rounds) of both, their ratio (the target: full >= 0.9 x encoder only with
a frozen text encoder), parameter counts and peak RSS.

    python benchmarks/bench_train.py                                  # conv, resnet1d, deepconvlstm
    python benchmarks/bench_train.py --encoders conv --mode random-template --rounds 7
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

import numpy as np
import torch

from wearclip.config.model import WearClipConfig
from wearclip.config.objective import ObjectiveConfig
from wearclip.config.train import TrainConfig
from wearclip.data import datasets
from wearclip.data.splits import subject_split
from wearclip.data.windows import make_windows
from wearclip.models import WearClip
from wearclip.text import class_sentences
from wearclip.train import ContrastiveObjective, Trainer, epoch_batches
from wearclip.train.loop import to_device
from wearclip.train.pretrain import PretrainBatches, sentence_table


def timed(function, batch) -> float:
    """Seconds one call of ``function`` on ``batch`` takes (device work included)."""
    started = time.perf_counter()
    function(batch)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - started


def bench(encoder: str, train, sentences, args) -> dict:
    torch.manual_seed(0)
    device = torch.device(args.device) if args.device else None
    model = WearClip(WearClipConfig(imu_encoder=encoder, simclr_dim=128 if args.simclr_weight else 0))
    unique, table, counts = sentence_table(sentences)
    features = model.frozen_text_encoder().encode(unique)
    objective = ContrastiveObjective(model, features, ObjectiveConfig(simclr_weight=args.simclr_weight))
    make_batch = PretrainBatches(train.x, train.labels, table, counts,
                                 objective.config.augment if args.simclr_weight else None)
    trainer = Trainer(objective, len(train), make_batch,
                      TrainConfig(batch_size=args.batch_size, device=device and str(device)), model=model)
    batches = list(epoch_batches(len(train), args.batch_size, 0, 0))[: args.steps]
    tensors = {id(b): to_device(train.x[b.local], trainer.device) for b in batches}

    def encoder_only(batch):
        model.zero_grad(set_to_none=True)
        model.imu(tensors[id(batch)]).sum().backward()

    model.train()
    for batch in batches[:2]:  # warm-up
        timed(encoder_only, batch)
        timed(trainer.train_step, batch)
    # Alternate the two on every batch, so a change in the machine's load hits both alike.
    alone, full = [], []
    for _ in range(args.rounds):
        seconds = np.array([(timed(encoder_only, b), timed(trainer.train_step, b)) for b in batches]).sum(0)
        alone.append(seconds[0])
        full.append(seconds[1])
    windows = sum(len(b.local) for b in batches)
    return {
        "encoder": encoder,
        "params": sum(p.numel() for p in model.imu.parameters()),
        "alone": windows / statistics.median(alone),
        "full": windows / statistics.median(full),
        "ratio": statistics.median(a / f for a, f in zip(alone, full)),
        "device": str(trainer.device),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoders", nargs="+", default=["conv", "resnet1d", "deepconvlstm"])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8, help="batches per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mode", default="random-template", help="sentence mode (random-template: many unique sentences)")
    parser.add_argument("--simclr-weight", type=float, default=0.0, help="> 0: SLIP (augmentations + SimCLR head)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    hapt = datasets.load("uci-hapt")
    windows = make_windows(hapt.recordings(), hapt.classes)
    train = windows.of_subjects(subject_split(windows.subjects, 0).train)
    sentences = class_sentences(train.classes, args.mode, "uci-hapt")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"UCI HAPT train subjects: {len(train)} windows; batch {args.batch_size}, {args.steps} batches x "
          f"{args.rounds} rounds; sentence mode {args.mode} ({sum(map(len, sentences))} sentences); "
          f"objective {'SLIP' if args.simclr_weight else 'CLIP'}")
    print(f"{'encoder':<14}{'params':>10}{'encoder only':>16}{'full step':>14}{'ratio':>8}  device")
    for encoder in args.encoders:
        r = bench(encoder, train, sentences, args)
        print(f"{r['encoder']:<14}{r['params']:>10,}{r['alone']:>12,.0f} w/s{r['full']:>10,.0f} w/s"
              f"{r['ratio']:>8.2f}  {r['device']}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
