"""Experiment reports in the study's layout: rows = setups, columns = datasets, mean ± std macro-F1."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import write_text
from ..metrics import format_mean_std

SCORES = ("macro_f1", "accuracy", "weighted_f1")


def results_frame(cells: Sequence[dict]) -> pd.DataFrame:
    """Finished cells (as written by the experiment runner) as one row per (row, dataset, seed)."""
    columns = ["row", "label", "dataset", "seed", *SCORES, "n", "seconds", "command", "details"]
    return pd.DataFrame([{k: cell.get(k) for k in columns} for cell in cells], columns=columns)


def summary_table(cells: pd.DataFrame, rows: Sequence[str], datasets: Sequence[str]) -> pd.DataFrame:
    """One line per row (in ``rows`` order, finished rows only): for each dataset the formatted
    'mean ± std' macro-F1 and its numbers (``<dataset>:mean``, ``:std``, ``:seeds``), in percent."""
    lines = []
    for row in rows:
        mine = cells[cells["row"] == row]
        if mine.empty:
            continue
        line = {"row": row, "label": mine["label"].iloc[0]}
        for dataset in datasets:
            scores = mine.loc[mine["dataset"] == dataset, "macro_f1"].astype(float).tolist()
            line[dataset] = format_mean_std(scores) if scores else ""
            line[f"{dataset}:mean"] = 100 * float(np.mean(scores)) if scores else np.nan
            line[f"{dataset}:std"] = 100 * float(np.std(scores)) if scores else np.nan
            line[f"{dataset}:seeds"] = len(scores)
        lines.append(line)
    return pd.DataFrame(lines)


def markdown_table(table: pd.DataFrame, datasets: Sequence[str]) -> str:
    """The summary as a Markdown table (setup, then one column per dataset with any result)."""
    shown = [d for d in datasets if table[d].astype(bool).any()]
    out = ["| setup | " + " | ".join(shown) + " |", "|---|" + "---|" * len(shown)]
    for _, line in table.iterrows():
        out.append(f"| {line['label']} | " + " | ".join(line[d] or "–" for d in shown) + " |")
    return "\n".join(out)


def _details(cells: pd.DataFrame) -> list[str]:
    """Notes the table cannot carry: k-shot classes with fewer windows than k, unseen-activity groups."""
    lines = []
    capped = {}
    for _, cell in cells.iterrows():
        for name, count in ((cell["details"] or {}).get("capped") or {}).items():
            capped.setdefault((cell["row"], cell["dataset"]), {})[name] = count
    if capped:
        lines += ["## Classes with fewer windows than k", "",
                  "These classes contributed all their train windows (fewer than k) to the k-shot rows:", ""]
        lines += [f"- `{row}` on {dataset}: " + ", ".join(f"{n} ({c})" for n, c in sorted(names.items()))
                  for (row, dataset), names in sorted(capped.items())]
        lines.append("")
    chosen = cells[cells["details"].map(lambda d: bool(d) and d.get("template") is not None)]
    if not chosen.empty:
        lines += ["## Best templates", "", ("Rows recognised with the best template: its index (0-based, in the "
                                            "order of the shipped templates.yaml) chosen on validation subjects, "
                                            "per seed:"), ""]
        for (row, dataset), part in chosen.groupby(["row", "dataset"], sort=False):
            picks = ", ".join(f"seed {seed}: {d['template']} (val {100 * d['template_val_macro_f1']:.1f})"
                              for seed, d in zip(part["seed"], part["details"]))
            lines.append(f"- `{row}` on {dataset}: {picks}")
        lines.append("")
    groups = cells[cells["details"].map(lambda d: bool(d and d.get("groups")))]
    if not groups.empty:
        lines += ["## Unseen-activity groups", "",
                  ("Each group is held out of pre-training in turn and recognised among its own activities; "
                   "macro-F1 per group (mean ± std over seeds):"), ""]
        for (row, dataset), part in groups.groupby(["row", "dataset"], sort=False):
            lines.append(f"- `{row}` on {dataset}:")
            for i, group in enumerate(part["details"].iloc[0]["groups"]):
                scores = [d["groups"][i]["macro_f1"] for d in part["details"]]
                lines.append(f"    - group {i + 1} ({', '.join(group['classes'])}; {group['n']} test windows): "
                             f"{format_mean_std(scores)}")
        lines.append("")
    return lines


def render_report(path: Path, experiment, spec, rows, table: pd.DataFrame, cells: pd.DataFrame,
                  figures: Sequence[Path]) -> None:
    """Write the experiment's report.md: table, notes, figures and the command of every cell."""
    s = spec.settings
    total = len(rows) * len(spec.selected_targets()) * spec.seeds
    lines = [
        f"# {experiment.title}", "",
        experiment.description, "",
        (f"Macro-F1 (%) on each dataset's test subjects, mean ± std over {spec.seeds} seed(s) "
         f"({len(cells)} of {total} cells finished). Subject split seed {s.data.split_seed} (60/20/20 % of "
         f"subjects); {s.data.window.seconds:g} s windows at {s.data.window.rate:g} Hz, "
         f"{int(100 * s.data.window.overlap)} % overlap, label rule `{s.data.window.label_rule}`; "
         f"pre-training at most {s.pretrain.epochs} epochs (patience {s.pretrain.patience}), IMU encoder "
         f"`{s.model.imu_encoder}` unless a row names another, text encoder `{s.model.text_encoder}` (frozen). "
         f"Training on labelled target windows (supervised, head adaptation, MLP of self-supervised "
         f"baselines): {s.labelled.steps} optimiser steps at batch min({s.labelled.batch_size}, n), "
         f"early stopping after {s.labelled.patience_steps} steps without gain on k windows per class of the "
         f"validation subjects (the whole validation split without k). Datasets of the run: "
         f"{', '.join(spec.datasets)}."), "",
        (f"**Source corpus** of pre-training (rows that say so): {s.source_label()}. Class set "
         f"`{s.data.class_set}`" + (f"; loader options {s.data.options}" if s.data.options else "") + "."), "",
        f"Whole run: `{spec.command()}`", "",
        markdown_table(table, spec.datasets), "",
    ]
    lines += _details(cells)
    if figures:
        lines += ["## Figures", ""] + [f"![{f.stem}]({f.name})" for f in figures] + [""]
    lines += ["## Commands", "", ("Each cell (row x dataset, all seeds) is recomputed, or resumed, by its command; "
                                  "wall time is the sum over its finished seeds (cached pre-training counted once, "
                                  "by the first cell that needed it)."), "",
              "| row | dataset | seeds | wall time | command |", "|---|---|---|---|---|"]
    for row in rows:
        for dataset in spec.selected_targets():
            mine = cells[(cells["row"] == row.id) & (cells["dataset"] == dataset)]
            if len(mine):
                lines.append(f"| `{row.id}` | {dataset} | {len(mine)} | {mine['seconds'].astype(float).sum():.0f} s | "
                             f"`{spec.command(row.id, dataset)}` |")
    write_text(path, "\n".join(lines) + "\n")
