"""wearclip: natural language supervision for wearable-sensor human activity recognition.

The public names below are imported on first use (PEP 562), so ``import wearclip`` and the command
line's ``--help`` do not pay for torch and transformers until a model or dataset is needed.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "WearClip": "wearclip.models",
    "WearClipConfig": "wearclip.models",
    "WindowConfig": "wearclip.preprocess",
    "Windows": "wearclip.preprocess",
    "make_windows": "wearclip.preprocess",
    "SubjectSplit": "wearclip.splits",
    "subject_split": "wearclip.splits",
}

__all__ = ["SubjectSplit", "WearClip", "WearClipConfig", "WindowConfig", "Windows", "__version__", "datasets",
           "make_windows", "subject_split"]


def __getattr__(name: str):
    if name == "datasets":
        return import_module("wearclip.datasets")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wearclip' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
