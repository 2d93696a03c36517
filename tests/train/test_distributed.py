"""DDP: two CPU processes (gloo on 127.0.0.1) sharing a global batch compute the loss and gradients
one process computes on that batch, and the replicas take identical optimiser steps. The objective is UniCL + SimCLR
(SLIP), so both gathered embeddings (sensor and SimCLR projections) and the augmentation draws are
covered. Real UCI HAPT windows (embedded copy).

This file is also the worker: ``python test_engine_distributed.py DATA OUT`` under RANK/WORLD_SIZE.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BATCH = 32


def run_steps(data: Path, steps: int = 2) -> dict:
    """Build the model and objective from a fixed seed, take ``steps`` trainer steps; return the
    first step's loss and gradients and the parameters after the last step."""
    import torch

    torch.set_num_threads(1)
    from wearclip.config.augment import AugmentConfig
    from wearclip.config.model import WearClipConfig
    from wearclip.config.objective import ObjectiveConfig
    from wearclip.config.train import TrainConfig
    from wearclip.data.windows import Windows
    from wearclip.models import WearClip
    from wearclip.train import ContrastiveObjective, Trainer, distributed, epoch_batches
    from wearclip.train.pretrain import PretrainBatches, sentence_table

    arrays = np.load(data)
    n = len(arrays["y"])
    windows = Windows(arrays["x"], arrays["y"], np.array(["s"] * n), np.array(["r"] * n), np.zeros(n),
                      [str(c) for c in arrays["classes"]])
    torch.manual_seed(0)
    model = WearClip(WearClipConfig(simclr_dim=16, imu_kwargs={"dropout": 0.0}))  # dropout masks differ per process
    model.set_normalization(arrays["x"].mean(axis=(0, 2)), arrays["x"].std(axis=(0, 2)))
    sentences = [[f"{c} {k}" for k in range(3)] for c in windows.classes]
    unique, table, counts = sentence_table(sentences)
    features = torch.randn(len(unique), 384, generator=torch.Generator().manual_seed(1))
    objective = ContrastiveObjective(model, features, ObjectiveConfig(name="unicl", simclr_weight=0.5))
    make_batch = PretrainBatches(windows.x, windows.labels, table, counts, AugmentConfig())
    trainer = Trainer(objective, n, make_batch, TrainConfig(batch_size=BATCH, seed=0, device="cpu", grad_clip=5.0),
                      model=model)
    batches = epoch_batches(n, BATCH, 0, 0, distributed.world_size(), distributed.rank())
    out = {}
    for step, batch in zip(range(steps), batches):
        logs = trainer.train_step(batch)
        if step == 0:
            out["loss"] = logs["loss"].reshape(1)
            out |= {f"grad.{k}": p.grad.clone() for k, p in objective.named_parameters() if p.grad is not None}
    out |= {f"param.{k}": p.detach().clone() for k, p in objective.named_parameters()}
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def windows_file(tmp_path_factory):
    from wearclip.data import datasets
    from wearclip.data.windows import make_windows

    hapt = datasets.load("uci-hapt")
    windows = make_windows(hapt.recordings(), hapt.classes)
    pick = np.random.default_rng(0).choice(np.flatnonzero(np.isin(windows.subjects, ["1", "2"])), 4 * BATCH, replace=False)
    path = tmp_path_factory.mktemp("ddp") / "windows.npz"
    np.savez(path, x=windows.x[pick], y=windows.labels[pick], classes=np.array(windows.classes))
    return path


@pytest.mark.slow
def test_two_processes_equal_one_process_on_the_global_batch(windows_file, tmp_path):
    import torch
    from safetensors.torch import load_file

    port = free_port()
    workers = []
    for rank in range(2):
        env = os.environ | {"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                            "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
        workers.append(subprocess.Popen([sys.executable, __file__, str(windows_file), str(tmp_path / f"rank{rank}.safetensors")],
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for worker in workers:
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output[-3000:]

    single = run_steps(windows_file)
    ranks = [load_file(str(tmp_path / f"rank{r}.safetensors")) for r in range(2)]
    assert set(ranks[0]) == set(single)
    assert any(k.startswith("grad.model.simclr_head") for k in single) and "grad.model.logit_scale" in single
    # The claim is the gathered loss and the gradients before the optimiser step (the first step's), and
    # that both processes apply the same update. Parameters after AdamW steps are not compared with the
    # single process: AdamW moves a weight by about lr * g / (|g| + eps), so for a gradient near zero a
    # last-bit difference flips the step's sign, whatever the tolerance.
    #
    # Tolerance from float32 summation: 1 and 2 processes add the same terms in another order. A reordered
    # sum of n float32 terms differs by at most (n - 1) * u * sum|terms| with u = 2**-24 ~ 6e-8 (Higham,
    # Accuracy and Stability of Numerical Algorithms, 2nd ed., section 4.2). Sums over the global batch have
    # n <= 32 terms, and a gradient goes through at most ~20 of them in sequence (loss rows, logits, the
    # gathered embeddings' gradient, then each layer's weight gradient summing over the batch), so the
    # difference is below 20 * 31 * u ~ 4e-5 of the largest term of that tensor; we allow 1e-4 of the
    # tensor's largest magnitude (bounding sum|terms| by n * max|term| would be looser still).
    bound = 1e-4
    for key, value in single.items():
        if key.startswith("param."):
            continue
        atol = bound * float(value.abs().max())
        for rank in ranks:
            torch.testing.assert_close(rank[key], value, rtol=bound, atol=atol, msg=lambda m, key=key: f"{key}: {m}")
    for key in (k for k in single if k.startswith("param.")):
        # every process applies the same all-reduced gradient: the replicas stay identical
        torch.testing.assert_close(ranks[0][key], ranks[1][key], rtol=0, atol=0, msg=lambda m, key=key: f"{key}: {m}")

if __name__ == "__main__":
    from safetensors.torch import save_file

    from wearclip.train import distributed

    distributed.setup("cpu")
    result = run_steps(Path(sys.argv[1]))
    save_file({k: v.contiguous() for k, v in result.items()}, sys.argv[2])
    distributed.teardown()
