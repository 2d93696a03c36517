"""Dataset loaders: one module per official layout, each registering a :class:`DatasetSpec`."""

from . import uci_hapt  # noqa: F401  (registers)
from .base import UNLABELLED, DataFormatError, DatasetSpec, HarDataset, Recording
from .registry import get, load, names, register

__all__ = [
    "UNLABELLED",
    "DataFormatError",
    "DatasetSpec",
    "HarDataset",
    "Recording",
    "get",
    "load",
    "names",
    "register",
]
