"""Synthetic accelerometer windows for evaluation tests: each class a different sinusoid frequency and
axis, so a few training steps separate them; several subjects so that subject splits exist."""

import numpy as np

from wearclip.data.windows import Windows


def synthetic_windows(classes: list[str], subjects: int = 10, per_class: int = 12, seed: int = 0,
                      length: int = 100) -> Windows:
    """``per_class`` windows of every class for each of ``subjects`` subjects, in g."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / 50.0
    xs, labels, names = [], [], []
    for s in range(subjects):
        for c in range(len(classes)):
            phase = rng.uniform(0, 2 * np.pi, (per_class, 1))
            wave = np.sin(2 * np.pi * (0.8 + 0.9 * c) * t + phase)
            x = 0.05 * rng.standard_normal((per_class, 3, length))
            x[:, c % 3] += wave * (0.5 + 0.3 * (c // 3))
            x[:, 2] += 1.0  # gravity
            xs.append(x)
            labels += [c] * per_class
            names += [f"s{s}"] * per_class
    n = len(labels)
    return Windows(x=np.concatenate(xs).astype(np.float32), labels=np.array(labels, dtype=np.int32),
                   subjects=np.array(names), recordings=np.array(names), starts=np.zeros(n), classes=list(classes))
