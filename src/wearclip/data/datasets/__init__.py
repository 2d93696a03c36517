"""Dataset loaders: one module per official layout, each registering a :class:`DatasetSpec`."""

from ...errors import DataFormatError
from . import (  # noqa: F401  (each module registers its spec)
    capture24,
    dsads,
    generic,
    hhar,
    mhealth,
    mobiact,
    mobifall,
    motionsense,
    myogym,
    pamap2,
    realworld,
    seglearn_watch,
    uci_hapt,
    usc_had,
    wisdm,
)
from .base import UNLABELLED, DatasetSpec, Download, HarDataset, Recording
from .registry import get, load, names, register

__all__ = [
    "UNLABELLED",
    "DataFormatError",
    "DatasetSpec",
    "Download",
    "HarDataset",
    "Recording",
    "get",
    "load",
    "names",
    "register",
]
