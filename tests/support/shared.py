"""Where the real datasets are: ../shared/data beside the project; tests skip where one is absent."""

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_dataset(name: str) -> Path:
    """Folder of a real dataset under ../shared/data; skip the test where it is absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"real dataset {name} not found at ../shared/data/{name}")
    return path
