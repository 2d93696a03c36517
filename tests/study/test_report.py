"""Experiment reports: the summary table, its Markdown, notes and plots, from hand-made cells."""

import numpy as np
import pytest

from wearclip.io import write_json
from wearclip.study import plots
from wearclip.study.experiments import RunSpec, experiment, write_outputs
from wearclip.study.protocols import EvalSettings
from wearclip.study.report import markdown_table, results_frame, summary_table


def cell(row, dataset, seed, f1, details=None):
    return {"row": row, "label": f"label of {row}", "dataset": dataset, "seed": seed, "macro_f1": f1,
            "accuracy": f1, "weighted_f1": f1, "n": 10, "seconds": 1.0, "command": "wearclip ...",
            "details": details or {}}


def test_summary_table_means_and_stds_in_percent():
    cells = results_frame([cell("a", "d1", 0, 0.5), cell("a", "d1", 1, 0.7), cell("a", "d2", 0, 0.25),
                           cell("b", "d2", 0, 0.9)])
    table = summary_table(cells, ["b", "a", "missing"], ["d1", "d2"])
    assert list(table["row"]) == ["b", "a"]
    a = table.set_index("row").loc["a"]
    assert a["d1"] == "60.0 ± 10.0" and a["d1:mean"] == pytest.approx(60) and a["d1:seeds"] == 2
    assert a["d2"] == "25.0"
    assert np.isnan(table.set_index("row").loc["b", "d1:mean"])
    text = markdown_table(table, ["d1", "d2"])
    assert "| setup | d1 | d2 |" in text and "| label of b | – | 90.0 |" in text


def test_plots_write_pngs(tmp_path):
    datasets = ["d1", "d2"]
    cells = [cell("chance", d, 0, 0.2) for d in datasets]
    cells += [cell(f"from:{a}", b, 0, 0.8 if a == b else 0.3) for a in datasets for b in datasets]
    table = summary_table(results_frame(cells), ["chance", "from:d1", "from:d2"], datasets)
    assert plots.plot_transfer(table, datasets, tmp_path / "t.png").stat().st_size > 5000
    shots = (2, 5)
    cells = [cell(f"{p}/{k}", d, s, 0.3 + 0.1 * i + 0.01 * s) for d in datasets for s in range(2)
             for p in ("nls", "supervised") for i, k in enumerate([*shots, "all"])]
    cells += [cell("nls/0", d, 0, 0.25) for d in datasets]
    table = summary_table(results_frame(cells), [f"{p}/{k}" for p in ("nls", "supervised") for k in (0, *shots, "all")],
                          datasets)
    assert plots.plot_shots(table, datasets, shots, tmp_path / "s.png").stat().st_size > 5000
    assert plots.plot_shots(table.iloc[0:0], datasets, shots, tmp_path / "none.png") is None


def test_report_prints_unseen_groups_and_capped_classes(tmp_path):
    spec = RunSpec(experiment="table5", datasets=["uci-hapt"], seeds=2, settings=EvalSettings())

    def groups(f):
        return {"groups": [{"classes": ["walking", "sitting"], "n": 7, "macro_f1": f},
                           {"classes": ["standing", "lying down"], "n": 5, "macro_f1": 1 - f}]}

    for seed, f1 in enumerate([0.6, 0.8]):
        write_json(tmp_path / "cells" / "base" / "uci-hapt" / f"seed{seed}.json", cell("base", "uci-hapt", seed, 0.5, groups(f1)))
    write_json(tmp_path / "cells" / "chance" / "uci-hapt" / "seed0.json",
               cell("chance", "uci-hapt", 0, 0.1, {"capped": {"jumping": 3}}))
    write_outputs(spec, tmp_path)
    report = (tmp_path / "report.md").read_text()
    assert "group 1 (walking, sitting; 7 test windows): 70.0 ± 10.0" in report
    assert "group 2 (standing, lying down; 5 test windows): 30.0 ± 10.0" in report
    assert "`chance` on uci-hapt: jumping (3)" in report
    assert "3 of " in report and (tmp_path / "table.csv").is_file() and (tmp_path / "results.csv").is_file()
    assert experiment("table5").title in report


def test_curves_plot_one_line_per_row_and_the_report_names_source_and_wall_time(tmp_path):
    curve = [[10, 0.2], [20, 0.5], [30, 0.55]]
    cells = results_frame([cell("nls/2", "d1", 0, 0.5, {"pretraining": {"curve": curve}, "curve": curve}),
                           cell("supervised/2", "d1", 0, 0.4, {"curve": curve}),
                           cell("chance", "d1", 0, 0.1)])
    assert plots.plot_curves(cells, tmp_path / "curves.png").stat().st_size > 0
    assert plots.plot_curves(results_frame([cell("chance", "d1", 0, 0.1)]), tmp_path / "none.png") is None
    spec = RunSpec(experiment="fig3", datasets=["d1"], seeds=1, settings=EvalSettings(source=("capture24",)))
    for c in [cell("supervised/2", "d1", 0, 0.4, {"curve": curve}), cell("nls/2", "d1", 0, 0.5)]:
        write_json(tmp_path / "run" / "cells" / c["row"].replace("/", "__") / "d1" / "seed0.json", c)
    write_outputs(spec, tmp_path / "run")
    report = (tmp_path / "run" / "report.md").read_text()
    assert "**Source corpus** of pre-training (rows that say so): capture24" in report
    assert "| `supervised/2` | d1 | 1 | 1 s | `wearclip experiment fig3" in report and "curves.png" in report
