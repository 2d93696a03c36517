"""wearclip: natural language supervision for wearable-sensor human activity recognition."""

from . import datasets
from .models import WearClip, WearClipConfig
from .preprocess import WindowConfig, Windows, make_windows
from .splits import SubjectSplit, subject_split

__version__ = "0.1.0"

__all__ = [
    "WearClip",
    "WearClipConfig",
    "WindowConfig",
    "Windows",
    "SubjectSplit",
    "datasets",
    "make_windows",
    "subject_split",
    "__version__",
]
