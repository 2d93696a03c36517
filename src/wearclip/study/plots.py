"""Figures of the experiments (written atomically as PNG): transfer matrix, k-shot curves, prediction timelines.

Figures are built on :class:`matplotlib.figure.Figure` directly: no pyplot, no global backend, so plotting
works headless and never switches a notebook's backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_path


def figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """(figure, axes) like ``pyplot.subplots``, on a figure that belongs to no backend."""
    from matplotlib.figure import Figure

    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save_png(fig, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` as a PNG atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    return path


def _value(table: pd.DataFrame, row: str, dataset: str, stat: str = "mean") -> float:
    line = table[table["row"] == row]
    return float(line[f"{dataset}:{stat}"].iloc[0]) if len(line) else np.nan


def plot_transfer(table: pd.DataFrame, datasets: Sequence[str], path: Path) -> Path | None:
    """Heatmap of zero-shot macro-F1: pre-training dataset (rows) x target (columns), chance below."""
    matrix = np.array([[_value(table, f"from:{a}", b) for b in datasets] for a in datasets])
    if np.isnan(matrix).all():
        return None
    chance = [_value(table, "chance", b) for b in datasets]
    n = len(datasets)
    fig, ax = figure(figsize=(2.2 + 1.4 * n, 1.6 + 1.0 * n))
    ax.imshow(np.nan_to_num(matrix, nan=0), cmap="viridis", vmin=0, vmax=100)
    for i in range(n):
        for j in range(n):
            if not np.isnan(matrix[i, j]):
                ax.text(j, i, f"{matrix[i, j]:.1f}", ha="center", va="center",
                        color="white" if matrix[i, j] < 60 else "black", fontsize=9)
    labels = [f"{d}\n(chance {c:.1f})" if not np.isnan(c) else d for d, c in zip(datasets, chance)]
    ax.set_xticks(range(n), labels, fontsize=8)
    ax.set_yticks(range(n), datasets, fontsize=8)
    ax.set_xlabel("target (zero-shot on its test subjects)")
    ax.set_ylabel("pre-trained on")
    ax.set_title("Zero-shot macro-F1 (%)", fontsize=10)
    fig.tight_layout()
    return save_png(fig, path)


def plot_shots(table: pd.DataFrame, datasets: Sequence[str], shots: Sequence[int], path: Path) -> Path | None:
    """Macro-F1 against labelled windows per class: head adaptation vs supervised, per dataset."""
    shown = [d for d in datasets if not np.isnan([_value(table, f"nls/{k}", d) for k in shots]).all()]
    if not shown:
        return None
    fig, axes = figure(1, len(shown), figsize=(4.2 * len(shown), 3.4), squeeze=False)
    x = np.arange(len(shots) + 1)
    ticks = [str(k) for k in shots] + ["all"]
    for ax, dataset in zip(axes[0], shown):
        for prefix, name, color in (("nls", "NLS + head adaptation", "tab:blue"),
                                    ("supervised", "supervised conv", "tab:orange")):
            keys = [f"{prefix}/{k}" for k in shots] + [f"{prefix}/all"]
            mean = np.array([_value(table, key, dataset) for key in keys])
            std = np.array([_value(table, key, dataset, "std") for key in keys])
            ax.plot(x, mean, marker="o", color=color, label=name)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2)
        for row, name, style in (("nls/0", "NLS zero-shot", "--"), ("chance", "chance", ":")):
            level = _value(table, row, dataset)
            if not np.isnan(level):
                ax.axhline(level, color="gray", linestyle=style, label=name)
        ax.set_xticks(x, ticks)
        ax.set_xlabel("labelled windows per class (k)")
        ax.set_ylabel("macro-F1 (%)")
        ax.set_ylim(0, 100)
        ax.set_title(dataset, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return save_png(fig, path)


def plot_timeline(times: np.ndarray, magnitude: np.ndarray, window_starts: np.ndarray, window_seconds: float,
                  probabilities: np.ndarray, activities: Sequence[str], path: Path, title: str) -> Path:
    """Acceleration magnitude over time above a heatmap of per-window activity probabilities."""
    fig, (top, bottom) = figure(2, 1, figsize=(12, 2.2 + 0.35 * len(activities)), sharex=True,
                                      gridspec_kw={"height_ratios": [1, max(1.0, 0.3 * len(activities))]})
    top.plot(times, magnitude, linewidth=0.5, color="black")
    top.set_ylabel("|acc| (g)")
    top.set_title(title, fontsize=10)
    end = window_starts[-1] + window_seconds if len(window_starts) else 1.0
    bottom.imshow(probabilities.T, aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="nearest",
                  extent=(window_starts[0] if len(window_starts) else 0, end, len(activities) - 0.5, -0.5))
    best = probabilities.argmax(1)
    bottom.scatter(window_starts + window_seconds / 2, best, s=4, color="tab:red")
    bottom.set_yticks(range(len(activities)), activities, fontsize=8)
    bottom.set_xlabel("time (s)")
    fig.tight_layout()
    return save_png(fig, path)


def plot_curves(cells: pd.DataFrame, path: Path) -> Path | None:
    """Validation curves, one line per row (seed 0, the first dataset that has one): NLS pre-training
    (zero-shot macro-F1 on validation subjects) and training on labelled windows (validation macro-F1),
    against optimiser steps, to show whether each budget let the curve flatten."""
    panels: dict[str, dict[tuple, list[str]]] = {"pre-training": {}, "training on labelled windows": {}}
    for _, cell in cells[cells["seed"] == 0].iterrows():
        details = cell["details"] or {}
        for panel, found in (("pre-training", (details.get("pretraining") or {}).get("curve")),
                             ("training on labelled windows", details.get("curve"))):
            if found:  # rows that share one pre-training share one line
                panels[panel].setdefault((cell["dataset"], *map(tuple, found)), []).append(cell["row"])
    panels = {name: {f"{rows[0]}{f' (+{len(rows) - 1} rows)' if len(rows) > 1 else ''} ({key[0]})": key[1:]
                     for key, rows in lines.items()} for name, lines in panels.items() if lines}
    if not panels:
        return None
    fig, axes = figure(1, len(panels), figsize=(7 * len(panels), 4.5), squeeze=False)
    for ax, (name, lines) in zip(axes[0], panels.items()):
        for label, points in lines.items():
            steps, scores = zip(*points)
            ax.plot(steps, 100 * np.asarray(scores), label=label, linewidth=1)
        ax.set(title=f"{name}: validation macro-F1 (seed 0)", xlabel="optimiser step", ylabel="macro-F1 (%)")
        ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    return save_png(fig, path)
