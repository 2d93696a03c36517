"""Pre-training configurations: the validated schema and the shipped YAML presets (one per setup of
the study; ``wearclip pretrain PRESET`` or a YAML file of your own)."""

from ..errors import ConfigError
from .presets import apply_override, dump_config, load_config, presets
from .run import DataConfig, DatasetRef, PretrainConfig, TextConfig

__all__ = [
    "ConfigError",
    "DataConfig",
    "DatasetRef",
    "PretrainConfig",
    "TextConfig",
    "apply_override",
    "dump_config",
    "load_config",
    "presets",
]
