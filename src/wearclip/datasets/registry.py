"""Dataset registry: name -> :class:`DatasetSpec`, and ``load`` to open one."""

from __future__ import annotations

from pathlib import Path

from .base import DatasetSpec, HarDataset

_REGISTRY: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset spec under its name (loader modules call this at import)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"dataset {spec.name!r} registered twice")
    if spec.default_placement not in spec.placements:
        raise ValueError(f"dataset {spec.name!r}: default placement not in {spec.placements}")
    _REGISTRY[spec.name] = spec
    return spec


def names() -> list[str]:
    """Registered dataset names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> DatasetSpec:
    """The spec of a registered dataset; unknown names list the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; registered datasets: {', '.join(names())}") from None


def load(name: str, root: str | Path | None = None, placement: str | None = None) -> HarDataset:
    """Open a dataset: the embedded copy when ``root`` is None, else the official layout under ``root``."""
    spec = get(name)
    placement = placement or spec.default_placement
    if placement not in spec.placements:
        raise ValueError(f"dataset {name!r} has no placement {placement!r}; choose one of {spec.placements}")
    if root is not None:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"{root}: dataset folder for {name!r} not found")
    return HarDataset(spec=spec, placement=placement, root=root, classes=spec.classes)
