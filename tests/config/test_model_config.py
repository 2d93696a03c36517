"""The model config: typed encoder options, provenance apart from architecture, dumps (and so cache
keys and saved config.json files) as before, and presets listed without torch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from wearclip.config.encoders import ConvOptions, encoder_options
from wearclip.config.model import Provenance, WearClipConfig
from wearclip.config.presets import load_config
from wearclip.config.window import WindowConfig
from wearclip.errors import ConfigError

FIXTURE = Path(__file__).parents[1] / "models" / "fixtures" / "v0" / "checkpoint" / "config.json"

# WearClipConfig().model_dump() as the code at commit 9bf1bfe wrote it: the protocols hash this dump
# into their cache keys, so it must not change while no option is switched on.
DEFAULT_DUMP = {
    "imu_encoder": "conv", "imu_kwargs": {}, "text_encoder": "sentence-transformers/all-MiniLM-L6-v2",
    "text_pooling": "auto", "text_dim": 384, "embed_dim": 128, "head_hidden": 256, "head_depth": 2,
    "head_dropout": 0.0, "text_head_hidden": None, "text_head_depth": None, "simclr_dim": 0,
    "logit_scale_init": 2.659260036932778, "logit_scale_max": 4.605170185988092,
    "window": {"rate": 50.0, "seconds": 2.0, "overlap": 0.5, "label_rule": "pure", "min_fraction": 0.5,
               "keep_unlabelled": False},
    "vocabulary_version": None, "pretrained_on": [],
}


def test_the_default_dump_is_unchanged():
    assert WearClipConfig().model_dump() == DEFAULT_DUMP
    assert json.loads(WearClipConfig().model_dump_json()) == DEFAULT_DUMP


def test_a_saved_config_of_the_flat_layout_loads_and_dumps_back_identically():
    saved = json.loads(FIXTURE.read_text())
    config = WearClipConfig.model_validate(saved)
    assert config.provenance == Provenance(window=WindowConfig(seconds=1.0, overlap=0.25),
                                           vocabulary_version="uci-hapt@1+abc", pretrained_on=["uci-hapt", "mobifall"])
    assert json.loads(config.model_dump_json()) == saved  # imu_kwargs kept as given, not filled with defaults


def test_encoder_options_are_typed_and_unknown_ones_named():
    assert encoder_options("conv", {"channels": [4, 4]}) == dict(ConvOptions(channels=(4, 4)))
    assert encoder_options("deepconvlstm", {})["hidden"] == 128
    with pytest.raises(ValidationError, match="dropuot: unknown option.*accepted: in_channels, channels"):
        WearClipConfig(imu_kwargs={"dropuot": 0.2})
    with pytest.raises(ValidationError, match="filters: Input should be greater than or equal to 1"):
        WearClipConfig(imu_encoder="deepconvlstm", imu_kwargs={"filters": 0})
    with pytest.raises(ValidationError, match="filters: unknown option"):  # options of another encoder
        WearClipConfig(imu_encoder="resnet1d", imu_kwargs={"filters": 8})
    with pytest.raises(ConfigError, match="model.imu_kwargs: Value error, conv encoder options: dropuot: unknown"):
        load_config("nls-base", ["model.imu_kwargs={dropuot: 0.2}"])


def test_provenance_is_set_by_the_run_not_by_hand():
    config = WearClipConfig(embed_dim=64).with_provenance(pretrained_on=["mobifall"], vocabulary_version="v1")
    assert config.embed_dim == 64 and config.pretrained_on == ["mobifall"] and config.vocabulary_version == "v1"
    with pytest.raises(ValidationError, match="colour"):
        WearClipConfig().with_provenance(colour="blue")
    with pytest.raises(ConfigError, match="model.pretrained_on is filled in by the run"):
        load_config("nls-base", ["model.pretrained_on=[uci-hapt]"])
    with pytest.raises(ConfigError, match="model.window is filled in by the run .from data.window"):
        load_config("nls-base", ["model.window.seconds=3"])
    same = load_config("nls-base", ["data.window.seconds=3", "model.window.seconds=3"])  # agreeing is harmless
    assert same.model.window == same.data.window


def test_listing_presets_imports_neither_torch_nor_transformers():
    code = ("import sys; from wearclip.config.presets import presets; names = presets(); "
            "assert 'nls-base' in names, names; "
            "print(' '.join(m for m in ('torch', 'transformers') if m in sys.modules))")
    src = Path(__file__).parents[2] / "src"
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
