"""Experiments: their rows follow the study's protocols, and a cell's command parses back to its run."""

import shlex

import pytest
from typer.testing import CliRunner

from wearclip.study import experiments
from wearclip.study.experiments import IMU_ENCODERS, RunSpec, experiment, run_flags
from wearclip.study.protocols import DataSettings, EvalSettings, LabelledBudget, ProtocolRunner

DATASETS = ["uci-hapt", "mobifall", "seglearn-watch"]


def test_table3_pre_trains_on_the_targets_train_split_with_clip_and_unicl():
    rows = experiment("table3").rows(DATASETS, experiments.Options())
    runner = ProtocolRunner(EvalSettings(source=("capture24",)), DATASETS)
    assert {runner.sources(r.setup, "mobifall") for r in rows} == {("mobifall",)}
    assert {r.setup.objective for r in rows} == {"clip", "unicl"}
    assert {r.setup.recognition for r in rows} == {"base", "best-template", "matching", "mean-all"}


def test_source_rows_follow_the_source_corpus():
    runner = ProtocolRunner(EvalSettings(source=("capture24",)), DATASETS)
    for name in ("table1", "table4", "fig3", "encoders"):
        nls = [r for r in experiment(name).rows(DATASETS, experiments.Options()) if r.setup.method == "nls"
               and r.setup.pretrain_on == "source"]
        assert nls and {runner.sources(r.setup, "uci-hapt") for r in nls} == {("capture24",)}


def test_the_encoder_experiment_covers_the_three_imu_encoders():
    rows = experiment("encoders").rows(DATASETS, experiments.Options(text_encoders=("some/text-model",)))
    assert {r.setup.encoder for r in rows} == set(IMU_ENCODERS)
    assert any(r.setup.text_encoder == "some/text-model" for r in rows)


def test_a_cells_command_parses_back_to_the_same_run(monkeypatch, tmp_path):
    from wearclip.cli import app

    settings = EvalSettings(
        source=("capture24",), checkpoints=str(tmp_path / "ckpt"),
        data=DataSettings(roots={"capture24": "/data/c24", "uci-hapt": "/data/hapt"}, placements={"mobifall": "pocket"},
                          options={"capture24": {"label_scheme": "Walmsley2020"}}, class_set="study", split_seed=3),
        labelled=LabelledBudget(steps=500))
    settings = settings.model_copy(update={"pretrain": settings.pretrain.model_copy(update={"epochs": 7}),
                                           "ssl": settings.ssl.model_copy(update={"epochs": 7})})
    spec = RunSpec(experiment="fig3", datasets=DATASETS, seeds=2, settings=settings,
                   options=experiments.Options(shots=(3, 7)), targets=["mobifall"], rows=["nls/3"])
    captured = {}
    monkeypatch.setattr(experiments, "run_experiment", lambda s, out, log: captured.setdefault("spec", s) and tmp_path)
    command = shlex.split(spec.command("nls/3", "mobifall"))
    assert command[:3] == ["wearclip", "experiment", "fig3"]
    result = CliRunner().invoke(app, [*command[1:], "--checkpoints", str(tmp_path / "ckpt")])
    assert result.exit_code == 0, result.output
    parsed = captured["spec"]
    assert parsed.identity() == spec.identity()
    assert (parsed.options, parsed.targets, parsed.rows, parsed.seeds) == (spec.options, ["mobifall"], ["nls/3"], 2)
    assert run_flags(parsed) == run_flags(spec)


def test_bad_source_and_option_are_one_line_errors():
    from wearclip.cli import app

    out = CliRunner().invoke(app, ["experiment", "fig3", "--datasets", "uci-hapt", "--source", "nope"])
    assert out.exit_code == 2 and "unknown dataset 'nope'" in out.output
    out = CliRunner().invoke(app, ["experiment", "fig3", "--datasets", "uci-hapt", "--option", "label_scheme=x"])
    assert out.exit_code == 2 and "DATASET.OPTION=VALUE" in out.output
    out = CliRunner().invoke(app, ["experiment", "fig3", "--datasets", "uci-hapt", "--class-set", "paper"])
    assert out.exit_code == 2 and "unknown class set" in out.output


@pytest.mark.parametrize("name", list(experiments.EXPERIMENTS))
def test_every_row_id_is_unique(name):
    ids = [r.id for r in experiment(name).rows(DATASETS, experiments.Options(text_encoders=("x",)))]
    assert len(ids) == len(set(ids))
