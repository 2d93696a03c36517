"""The pre-training run configuration: a validated tree (unknown keys are errors naming their path),
read from YAML presets or files, with ``key.path=value`` overrides."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..models.wearclip import WearClipConfig
from ..preprocess import WindowConfig
from ..train.loop import TrainConfig
from ..train.pretrain import ObjectiveConfig


class ConfigError(ValueError):
    """A configuration that does not validate; the message lists each bad key by its path."""


class DatasetRef(BaseModel):
    """One dataset: its registered name, the folder of its official layout (``null``: the embedded
    copy, where one exists), sensor placement and loader options (e.g. Capture-24's label_scheme)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    root: str | None = None
    placement: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class DataConfig(BaseModel):
    """Which windows to train on. Several datasets are pooled: each is split by subject on its own,
    and one activity phrase is one class across datasets."""

    model_config = ConfigDict(extra="forbid")

    datasets: list[DatasetRef] = Field(default_factory=lambda: [DatasetRef(name="uci-hapt")], min_length=1)
    window: WindowConfig = Field(default_factory=WindowConfig)
    split_seed: int = 0
    split_fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    store: bool = Field(True, description="memory-mapped window cache (WindowStore); false: window in memory")
    cache_dir: str | None = Field(None, description="WindowStore folder; null: $WEARCLIP_CACHE/windows")


class TextConfig(BaseModel):
    """Sentences for training (``mode``, drawn per window per step) and for zero-shot validation
    and test (``eval_mode``), from ``wearclip.text.class_sentences``."""

    model_config = ConfigDict(extra="forbid")

    mode: str = "base"
    eval_mode: str = "base"
    vocabulary: str | None = Field(None, description="a vocabulary YAML of your own, consulted first")
    limit: int | None = Field(None, ge=1, description="at most this many training sentences per class")

    @field_validator("mode", "eval_mode")
    @classmethod
    def known_mode(cls, mode: str) -> str:
        from ..text import SENTENCE_MODES

        if mode not in SENTENCE_MODES and not re.fullmatch(r"template:\d+", mode):
            raise ValueError(f"unknown sentence mode {mode!r}; choose one of {', '.join(SENTENCE_MODES)} or template:K")
        return mode


class PretrainConfig(BaseModel):
    """Everything one pre-training run needs; ``wearclip pretrain CONFIG`` runs it."""

    model_config = ConfigDict(extra="forbid")

    name: str = "pretrain"
    description: str = ""
    out: str | None = Field(None, description="run folder; null: runs/<name>")
    data: DataConfig = Field(default_factory=DataConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    model: WearClipConfig = Field(
        default_factory=WearClipConfig,
        description="window, text_dim, pretrained_on and vocabulary_version are filled in by the run",
    )
    objective: ObjectiveConfig = Field(default_factory=ObjectiveConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)


def presets() -> list[str]:
    """Names of the shipped presets (one per setup of the study)."""
    folder = resources.files("wearclip.configs")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read_yaml(source: str | Path) -> tuple[dict, str]:
    """(mapping, where it came from) for a preset name or a YAML path."""
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise FileNotFoundError(f"{path}: config file not found")
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif str(source) in presets():
        text = resources.files("wearclip.configs").joinpath(f"{source}.yaml").read_text(encoding="utf-8")
        where = f"preset {source}"
    else:
        raise FileNotFoundError(f"{source}: neither a YAML file nor a preset ({', '.join(presets())})")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{where}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level, found {type(data).__name__}")
    return data, where


def apply_override(data: dict, assignment: str) -> None:
    """Apply ``a.b.c=value`` (value parsed as YAML; a number indexes a list) to a nested mapping."""
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r}: expected key.path=value")
    path, raw = assignment.split("=", 1)
    keys = path.strip().split(".")
    if not all(keys):
        raise ConfigError(f"override {assignment!r}: empty key in {path!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as error:
        raise ConfigError(f"override {assignment!r}: value is not valid YAML ({error})") from None
    node: Any = data
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ConfigError(f"override {assignment!r}: {where} is not an index of a {len(node)}-item list")
            key = int(key)
        elif not isinstance(node, dict):
            raise ConfigError(f"override {assignment!r}: {'.'.join(keys[:depth])} is not a mapping")
        if last:
            node[key] = value
        else:
            if isinstance(node, dict) and node.get(key) is None:
                node[key] = {}
            node = node[key]


def validate(data: dict, where: str = "config") -> PretrainConfig:
    """A PretrainConfig, or a ConfigError listing every problem as ``path: message``."""
    try:
        return PretrainConfig.model_validate(data)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            path = ".".join(str(part) for part in problem["loc"]) or "(top level)"
            message = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
            lines.append(f"  {path}: {message}")
        raise ConfigError(f"{where}: invalid configuration\n" + "\n".join(lines)) from None


def load_config(source: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> PretrainConfig:
    """A preset name or YAML file, with ``key.path=value`` overrides applied, validated."""
    data, where = _read_yaml(source)
    if overrides:
        data = validate(data, where).model_dump(mode="json")  # defaults filled in, for paths into them
        for assignment in overrides:
            apply_override(data, assignment)
        where += " with overrides " + " ".join(overrides)
    return validate(data, where)


def dump_config(config: PretrainConfig) -> str:
    """The complete configuration as YAML (what a run folder records)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
