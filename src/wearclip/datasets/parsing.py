"""Reading numeric text tables with errors that name the file and the offending line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import DataFormatError


def _first_bad_line(path: Path, ncols: int, sep: str | None) -> str:
    """Scan a text table and describe its first malformed line (slow path, errors only)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            stripped = line.strip()
            if not stripped:
                continue
            fields = stripped.split(sep) if sep else stripped.split()
            fields = [x for x in fields if x != ""] if sep is None or sep == " " else fields
            if len(fields) != ncols:
                return f"line {lineno}: expected {ncols} fields, found {len(fields)}"
            for i, value in enumerate(fields, 1):
                try:
                    float(value)
                except ValueError:
                    return f"line {lineno}, field {i}: expected a number, found {value!r}"
    return "unreadable content"


def read_numeric(
    path: Path, ncols: int, sep: str | None = None, dtype=np.float64, allow_nan: bool = False
) -> np.ndarray:
    """Read a headerless numeric text table of exactly ``ncols`` columns (whitespace if ``sep`` is None).

    ``allow_nan`` accepts literal ``NaN`` cells (PAMAP2 writes dropouts so); empty cells are always errors.
    """
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise DataFormatError(f"{path}: file is empty, expected {ncols} numeric columns per line")
    try:
        frame = pd.read_csv(path, sep=sep or r"\s+", header=None, dtype=dtype, keep_default_na=allow_nan,
                            na_values=["NaN"] if allow_nan else None)
    except (ValueError, pd.errors.ParserError):
        raise DataFormatError(f"{path}: {_first_bad_line(path, ncols, sep)}") from None
    if frame.shape[1] != ncols or (not allow_nan and frame.isna().to_numpy().any()):
        raise DataFormatError(f"{path}: {_first_bad_line(path, ncols, sep)}")
    return frame.to_numpy(dtype=dtype)
