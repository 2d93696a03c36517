"""Shipped presets and YAML files of run configurations, with ``key.path=value`` overrides."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ConfigError, MissingFileError, validation_message, yaml_message
from .run import PretrainConfig


def presets() -> list[str]:
    """Names of the shipped presets (one per setup of the study)."""
    folder = resources.files("wearclip.config") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read_yaml(source: str | Path) -> tuple[dict, str]:
    """(mapping, where it came from) for a preset name or a YAML path."""
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise MissingFileError(f"{path}: config file not found")
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif str(source) in presets():
        text = (resources.files("wearclip.config") / "presets").joinpath(f"{source}.yaml").read_text(encoding="utf-8")
        where = f"preset {source}"
    else:
        raise MissingFileError(f"{source}: neither a YAML file nor a preset ({', '.join(presets())})")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{where}: not valid YAML ({yaml_message(error)})") from None
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
        raise ConfigError(f"override {assignment!r}: value is not valid YAML ({yaml_message(error)})") from None
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
        raise ConfigError(f"{where}: invalid configuration: {validation_message(error)}") from None


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
