"""Build the embedded UCI HAPT copy (src/wearclip/data/uci_hapt.npz) from the official RawData layout.

Usage: python scripts/build_embedded_hapt.py PATH/TO/uci-hapt OUT.npz

Stores accelerometer x/y/z as micro-g integers (exact for files with 6 decimals), first-differenced
and compressed, with per-sample activity indices (-1 = unlabelled) and experiment/user ids.
"""

import sys
from pathlib import Path

import numpy as np

from wearclip.data.datasets.uci_hapt import EMBEDDED_SCALE, read


def main(root: str, out: str) -> None:
    signals, labels, experiments, users, offsets = [], [], [], [], [0]
    for rec in read(Path(root)):
        # Re-read as float64 for exact rounding: float32 would lose the sixth decimal on large values.
        raw = np.loadtxt(Path(root) / "RawData" / f"acc_{rec.recording}_user{int(rec.subject):02d}.txt")
        signals.append(np.round(raw * EMBEDDED_SCALE).astype(np.int64))
        labels.append(rec.labels.astype(np.int8))
        experiments.append(int(rec.recording[3:]))
        users.append(int(rec.subject))
        offsets.append(offsets[-1] + len(raw))
    signal = np.concatenate(signals)
    deltas = np.diff(signal, axis=0, prepend=np.zeros((1, 3), dtype=np.int64)).astype(np.int32)
    tmp = Path(out).with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        signal=deltas,
        labels=np.concatenate(labels),
        offsets=np.asarray(offsets, dtype=np.int64),
        experiment=np.asarray(experiments, dtype=np.int16),
        user=np.asarray(users, dtype=np.int16),
    )
    tmp.replace(out)
    print(f"{out}: {len(experiments)} recordings, {len(signal)} samples, {Path(out).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
