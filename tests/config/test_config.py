"""Pre-training configs: presets, unknown keys by path, overrides."""

import pytest

from wearclip.config.presets import apply_override, dump_config, load_config, presets
from wearclip.errors import ConfigError

STUDY = {
    "nls-base": ("base", "clip-dedup", 0.0, "sentence-transformers/all-MiniLM-L6-v2"),
    "nls-random-templates": ("random-template", "clip-dedup", 0.0, None),
    "nls-llm-sentences": ("paraphrase", "clip-dedup", 0.0, None),
    "nls-body-parts": ("random-template+body-parts", "clip-dedup", 0.0, None),
    "nls-movements": ("random-template+movement", "clip-dedup", 0.0, None),
    "unicl": ("random-template+body-parts", "unicl", 0.0, None),
    "slip": ("random-template+body-parts", "clip-dedup", 1.0, None),
    "clip-text-encoder": ("base", "clip-dedup", 0.0, "openai/clip-vit-base-patch32"),
    "nls-text-finetune": ("random-template", "clip-dedup", 0.0, None),
}


def test_one_preset_per_study_setup_each_valid():
    assert set(presets()) == set(STUDY)
    for name, (mode, objective, simclr, encoder) in STUDY.items():
        config = load_config(name)
        assert config.name == name and config.description
        assert (config.text.mode, config.objective.name, config.objective.simclr_weight) == (mode, objective, simclr)
        if encoder:
            assert config.model.text_encoder == encoder
    assert load_config("slip").model.simclr_dim > 0
    finetune = load_config("nls-text-finetune")
    assert finetune.model.text_trainable and finetune.train.text_lr == 2e-5
    assert not any(load_config(name).model.text_trainable for name in STUDY if name != "nls-text-finetune")


def test_unknown_keys_are_named_by_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("train:\n  lrr: 0.1\nobjective:\n  augment:\n    jitter: {sigmaa: 1}\nmodel:\n  head_depth: 0\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert "mine.yaml: invalid configuration" in message
    assert "train.lrr: unknown key" in message
    assert "objective.augment.jitter.sigmaa: unknown key" in message
    assert "model.head_depth: Input should be greater than or equal to 1" in message


def test_overrides_parse_values_and_reach_into_lists():
    config = load_config("nls-base", ["train.lr=3e-4", "train.grad_clip=1", "data.datasets.0.root=/data/hapt",
                                      "text.mode=random-template", "model.imu_kwargs={dropout: 0.2}",
                                      "data.split_fractions=[0.5, 0.25, 0.25]"])
    assert config.train.lr == 3e-4 and config.train.grad_clip == 1.0
    assert config.data.datasets[0].root == "/data/hapt"
    assert config.text.mode == "random-template" and config.model.imu_kwargs == {"dropout": 0.2}
    assert config.data.split_fractions == (0.5, 0.25, 0.25)
    assert load_config("nls-base").train.lr == 1e-3  # presets are not modified


def test_bad_overrides_and_values_are_explained(tmp_path):
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_config("nls-base", ["train.lr"])
    with pytest.raises(ConfigError, match=r"data.datasets.3 is not an index of a 1-item list"):
        load_config("nls-base", ["data.datasets.3.root=x"])
    with pytest.raises(ConfigError, match="train.lr: Input should be greater than 0"):
        load_config("nls-base", ["train.lr=-1"])
    with pytest.raises(ConfigError, match="text.mode: Value error, unknown sentence mode 'llm'"):
        load_config("nls-base", ["text.mode=llm"])
    with pytest.raises(ConfigError, match="train.epochs.x"):
        load_config("nls-base", ["train.epochs.x=1"])
    with pytest.raises(FileNotFoundError, match="neither a YAML file nor a preset"):
        load_config("nls-bsae")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping at the top level, found list"):
        load_config(listing)


def test_dumped_config_loads_back_equal(tmp_path):
    config = load_config("slip", ["train.seed=7"])
    path = tmp_path / "config.yaml"
    path.write_text(dump_config(config))
    assert load_config(path) == config


def test_apply_override_creates_missing_mappings():
    data = {}
    apply_override(data, "train.lr=0.5")
    assert data == {"train": {"lr": 0.5}}
