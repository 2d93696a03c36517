"""A PNG of retrieved windows: one panel per hit, the three accelerometer axes in g."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_path


def hit_title(hit: pd.Series) -> str:
    """``#rank  similarity  subject  recording start-end s  label`` for one row of search results."""
    label = hit.label if isinstance(hit.label, str) else "unlabelled"
    return (f"#{hit['rank']}  sim {hit.similarity:.3f}  subject {hit.subject}  {hit.recording} "
            f"{hit.start:.1f}-{hit.end:.1f} s  {label}")


def plot_hits(hits: pd.DataFrame, signals: np.ndarray, rate: float, path: str | Path, title: str = "") -> Path:
    """Plot ``signals`` (n, 3, T) in g, one panel per row of ``hits``, into a PNG (written atomically)."""
    from matplotlib.figure import Figure  # no pyplot: no global backend to switch

    if len(hits) != len(signals):
        raise ValueError(f"{len(hits)} hits but {len(signals)} signals to plot")
    fig = Figure(figsize=(8, 0.4 + 1.5 * len(hits)))
    axes = fig.subplots(len(hits), 1, sharex=True, squeeze=False)
    seconds = np.arange(signals.shape[-1]) / rate
    for ax, (_, hit), signal in zip(axes[:, 0], hits.iterrows(), signals):
        for axis, name in zip(signal, "xyz"):
            ax.plot(seconds, axis, linewidth=0.9, label=name)
        ax.set_title(hit_title(hit), fontsize=8, loc="left")
        ax.set_ylabel("g", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, ncol=3, loc="upper right")
    axes[-1, 0].set_xlabel("seconds from window start", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    return path
