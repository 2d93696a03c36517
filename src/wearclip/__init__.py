"""wearclip: natural language supervision for wearable-sensor human activity recognition.

The public names below are imported on first use (PEP 562), so ``import wearclip`` and the command
line's ``--help`` do not pay for torch and transformers until a model or dataset is needed.
"""

from importlib import import_module

from .version import __version__

_EXPORTS = {
    "load": "wearclip.models.registry",
    "list_models": "wearclip.models.registry",
    "list_encoders": "wearclip.models.registry",
    "list_presets": "wearclip.models.registry",
    "list_datasets": "wearclip.models.registry",
    "Classification": "wearclip.models.wearclip",
    "WearClip": "wearclip.models",
    "WearClipConfig": "wearclip.config.model",
    "WindowConfig": "wearclip.config.window",
    "Windows": "wearclip.data.windows",
    "make_windows": "wearclip.data.windows",
    "SubjectSplit": "wearclip.data.splits",
    "subject_split": "wearclip.data.splits",
}

__all__ = ["Classification", "SubjectSplit", "WearClip", "WearClipConfig", "WindowConfig", "Windows", "__version__",
           "datasets", "list_datasets", "list_encoders", "list_models", "list_presets", "load", "make_windows",
           "subject_split"]


def __getattr__(name: str):
    if name == "datasets":
        return import_module("wearclip.data.datasets")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wearclip' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
