"""Exact resume: a SLIP pre-training run SIGKILLed mid-epoch and resumed ends with the same weights,
bit for bit, as an uninterrupted run (CPU, same seed). Real UCI HAPT windows (embedded copy).

This file is also the driver the test runs in subprocesses: ``python test_engine_resume.py DATA RUN KILL_AT RESUME``.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

KILL_AT = 14  # 10 steps per epoch, a checkpoint every 4: killed at epoch 1, batch 4; resumes from step 12


def driver(data: Path, run_dir: Path, kill_at: int, resume: bool) -> None:
    import torch

    torch.set_num_threads(1)
    from wearclip.config.model import WearClipConfig
    from wearclip.config.objective import ObjectiveConfig
    from wearclip.config.train import TrainConfig
    from wearclip.data.windows import Windows
    from wearclip.models import WearClip
    from wearclip.train import fit_pretraining

    arrays = np.load(data)
    classes = [str(c) for c in arrays["classes"]]

    def windows(part: str) -> Windows:
        n = len(arrays[f"{part}_y"])
        return Windows(arrays[f"{part}_x"], arrays[f"{part}_y"], np.array(["s"] * n), np.array(["r"] * n),
                       np.zeros(n), classes)

    class Kill:
        def on_record(self, record: dict) -> None:
            if record["kind"] == "step" and record["step"] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    torch.manual_seed(0)
    model = WearClip(WearClipConfig(simclr_dim=32))  # conv encoder with dropout: the torch RNG matters too
    sentences = [[f"This is wearable sensor data for a person engaged in {c}", f"A person is {c}"] for c in classes]
    config = TrainConfig(epochs=3, batch_size=64, checkpoint_every=4, log_every=1, seed=3, warmup_epochs=0.5,
                         grad_clip=1.0, patience=3)
    fit_pretraining(model, windows("train"), windows("val"), config, class_sentences=sentences,
                    objective=ObjectiveConfig(simclr_weight=0.5), callbacks=[Kill()], run_dir=run_dir, resume=resume)


def run_driver(data, run_dir, kill_at=-1, resume=False, env=None):
    return subprocess.run([sys.executable, __file__, str(data), str(run_dir), str(kill_at), str(int(resume))],
                          env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def hapt_windows(tmp_path_factory):
    from wearclip.data import datasets
    from wearclip.data.windows import make_windows

    hapt = datasets.load("uci-hapt")
    windows = make_windows(hapt.recordings(), hapt.classes)
    rng = np.random.default_rng(0)
    train = rng.choice(np.flatnonzero(np.isin(windows.subjects, ["1", "2", "3", "4"])), 640, replace=False)
    val = rng.choice(np.flatnonzero(np.isin(windows.subjects, ["5"])), 200, replace=False)
    path = tmp_path_factory.mktemp("resume") / "windows.npz"
    np.savez(path, train_x=windows.x[train], train_y=windows.labels[train], val_x=windows.x[val],
             val_y=windows.labels[val], classes=np.array(windows.classes))
    return path


def test_killed_run_resumes_to_identical_weights(hapt_windows, tmp_path):
    from safetensors.torch import load_file

    env = os.environ | {"WEARCLIP_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    whole = run_driver(hapt_windows, tmp_path / "whole", env=env)
    assert whole.returncode == 0, whole.stderr[-3000:]

    killed = run_driver(hapt_windows, tmp_path / "killed", KILL_AT, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    state = json.loads((tmp_path / "killed" / "last" / "state.json").read_text())
    assert (state["epoch"], state["batch"], state["step"]) == (1, 2, 12)  # mid-epoch checkpoint
    resumed = run_driver(hapt_windows, tmp_path / "killed", resume=True, env=env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    for name in ("last/objective.safetensors", "best/model.safetensors"):
        a, b = load_file(str(tmp_path / "whole" / name)), load_file(str(tmp_path / "killed" / name))
        assert a.keys() == b.keys()
        for key in a:
            assert np.array_equal(a[key].numpy(), b[key].numpy()), f"{name}: {key} differs"

    def records(run):
        lines = (tmp_path / run / "metrics.jsonl").read_text().splitlines()
        return [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in lines]

    whole_log, killed_log = records("whole"), records("killed")
    assert [r["step"] for r in killed_log if r["kind"] == "step"] == list(range(1, 31))  # each step once
    assert [r for r in killed_log if r["kind"] == "epoch"] == [r for r in whole_log if r["kind"] == "epoch"]
    assert killed_log == whole_log


if __name__ == "__main__":
    driver(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1")
