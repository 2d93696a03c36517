"""Dataset registry: name -> :class:`DatasetSpec`, and ``load`` to open one."""

from __future__ import annotations

from pathlib import Path

from ...errors import MissingFileError, UnknownNameError, UnknownOptionError, UsageError
from .base import DatasetSpec, HarDataset

_REGISTRY: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset spec under its name (loader modules call this at import)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"dataset {spec.name!r} registered twice")
    if spec.default_placement not in spec.placements:
        raise ValueError(f"dataset {spec.name!r}: default placement not in {spec.placements}")
    if len(set(spec.activities.values())) != len(spec.activities):
        raise ValueError(f"dataset {spec.name!r}: activity phrases must be unique")
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
        raise UnknownNameError(f"unknown dataset {name!r}; registered datasets: {', '.join(names())}") from None


def load(name: str, root: str | Path | None = None, placement: str | None = None, **options) -> HarDataset:
    """Open a dataset: the embedded copy when ``root`` is None, else the official layout under ``root``.

    ``root`` is the extracted folder or, where the loader supports it, the downloaded archive itself.
    ``options`` are loader options such as Capture-24's ``label_scheme`` (see each spec's ``options``).
    """
    spec = get(name)
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        accepted = ", ".join(spec.options) or "none"
        raise UnknownOptionError(f"dataset {name!r} has no option {', '.join(unknown)}; accepted options: {accepted}")
    placement = placement or spec.default_placement
    if placement not in spec.placements:
        raise UsageError(f"dataset {name!r} has no placement {placement!r}; choose one of {spec.placements}")
    if root is not None:
        root = Path(root).expanduser()
        if not root.exists():
            raise MissingFileError(f"{root}: dataset folder for {name!r} not found")
    activities = spec.activities
    if spec.resolve is not None and root is not None:
        activities, placement = spec.resolve(root, placement, options)
    return HarDataset(spec=spec, placement=placement, root=root, classes=list(activities.values()),
                      label_keys=list(activities), options=dict(options))
