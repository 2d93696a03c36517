"""Reading the text tables of official layouts with errors that name the file and the offending line.

The fast path hands each file to pandas' C parser; only when that fails (or a value is missing) is the
file scanned again to describe the first bad line, so well-formed data pay nothing for good messages.
Files are given as a path or as an ``opener`` (a callable returning a binary file object, as
:class:`~wearclip.data.datasets.archive.Tree` provides for files inside archives) plus the name to report.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from ...errors import DataFormatError

Opener = Callable[[], BinaryIO]

_CORRUPT = (EOFError, zlib.error, OSError, UnicodeDecodeError)
"""What a truncated or damaged (compressed) file raises while being read."""


def _lines(opener: Opener, compression: str | None) -> Iterator[str]:
    with opener() as raw:
        stream = gzip.GzipFile(fileobj=raw) if compression == "gzip" else raw
        with io.TextIOWrapper(stream, encoding="utf-8", errors="replace") as text:
            yield from text


def _first_bad_line(opener: Opener, ncols: int, sep: str | None, first_line: int = 1, allow_nan: bool = False,
                    integer: bool = False) -> str:
    """Scan a headerless numeric table and describe its first malformed line (slow path, errors only)."""
    try:
        for lineno, line in enumerate(_lines(opener, None), first_line):
            stripped = line.strip()
            if not stripped:
                continue
            fields = [x.strip() for x in stripped.split(sep)] if sep not in (None, " ") else stripped.split()
            if len(fields) != ncols:
                return f"line {lineno}: expected {ncols} fields, found {len(fields)}"
            for i, value in enumerate(fields, 1):
                try:
                    number = float(value)
                except ValueError:
                    return f"line {lineno}, field {i}: expected a number, found {value!r}"
                if not math.isfinite(number) and not (allow_nan and value == "NaN"):
                    return f"line {lineno}, field {i}: expected a finite number, found {value!r}"
                if integer and math.isfinite(number) and not number.is_integer():
                    return f"line {lineno}, field {i}: expected an integer, found {value!r}"
    except _CORRUPT as error:
        return f"truncated or corrupt file ({error})"
    return "unreadable content"


def read_numeric(
    path: Path | None,
    ncols: int,
    sep: str | None = None,
    dtype=np.float64,
    allow_nan: bool = False,
    opener: Opener | None = None,
    name: str | None = None,
    first_line: int = 1,
) -> np.ndarray:
    """Read a headerless numeric text table of exactly ``ncols`` columns (whitespace if ``sep`` is None).

    ``allow_nan`` accepts literal ``NaN`` cells (PAMAP2 writes dropouts so); empty cells are always errors.
    Pass ``path``, or ``opener`` and ``name`` for a file inside an archive; ``first_line`` is the line
    number of the table's first row in that file (for tables after a header block).
    """
    if opener is None:
        if not path.is_file():
            raise DataFormatError(f"{path}: file not found")
        opener = lambda: open(path, "rb")  # noqa: E731
    name = name or str(path)
    last = ncols - 1
    integer = np.issubdtype(dtype, np.integer)
    bad_line = lambda: f"{name}: {_first_bad_line(opener, ncols, sep, first_line, allow_nan, integer)}"  # noqa: E731
    try:
        with opener() as f:
            # The last column is read as text: a line cut short leaves it empty (NaN) even where literal
            # NaN cells are allowed, so truncation is never mistaken for a dropout.
            frame = pd.read_csv(f, sep=sep or r"\s+", header=None, keep_default_na=False,
                                dtype={i: (str if i == last else np.float64) for i in range(ncols)},
                                na_values={i: ["NaN"] for i in range(last)} if allow_nan else None)
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{name}: file is empty, expected {ncols} numeric columns per line") from None
    except (ValueError, pd.errors.ParserError, *_CORRUPT):
        raise DataFormatError(bad_line()) from None
    if frame.shape[1] != ncols or frame[last].isna().any():
        raise DataFormatError(bad_line())
    values = pd.to_numeric(frame[last], errors="coerce")
    if values.isna().to_numpy().any() and not (allow_nan and frame[last][values.isna()].eq("NaN").all()):
        raise DataFormatError(bad_line())
    frame[last] = values
    table = frame.to_numpy(dtype=np.float64)
    if not allow_nan and np.isnan(table).any():
        raise DataFormatError(bad_line())
    if integer:
        if not (np.isfinite(table) & (table == np.round(table))).all():
            raise DataFormatError(bad_line())
        return table.astype(dtype)
    return table


def _describe_csv_error(opener: Opener, name: str, columns: dict, sep: str, compression, error,
                        names: list[str] | None = None, **options) -> DataFormatError:
    """Find the first line of a CSV whose numeric fields do not parse (slow path, errors only)."""
    message = str(error)
    offset = 1 if names else 2
    options = {k: v for k, v in options.items() if k not in ("keep_default_na", "na_values", "na_filter")}
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        expected, line, saw = found.groups()
        return DataFormatError(f"{name}: line {line}: expected {expected} fields, found {saw}")
    if isinstance(error, _CORRUPT):
        return DataFormatError(f"{name}: truncated or corrupt file ({error})")
    numeric = [c for c, t in columns.items() if t not in (str, object, "category")]
    try:
        with opener() as f:
            reader = pd.read_csv(f, sep=sep, dtype=str, keep_default_na=False, compression=compression,
                                 chunksize=1 << 20, header=None if names else "infer", **options)
            for chunk in reader:
                if names:
                    chunk.columns = names[: chunk.shape[1]]
                for column in numeric:
                    values = chunk[column].str.strip()
                    bad = pd.to_numeric(values, errors="coerce").isna() & (values != "")
                    if bad.any():
                        row = bad.idxmax()
                        return DataFormatError(
                            f"{name}: line {row + offset}, field {column!r}: expected a number, found {values[row]!r}"
                        )
    except (ValueError, pd.errors.ParserError, *_CORRUPT) as again:
        return DataFormatError(f"{name}: unreadable ({again})")
    return DataFormatError(f"{name}: unreadable ({message})")


def read_header(opener: Opener, name: str, sep: str = ",", compression: str | None = None) -> list[str]:
    """The column names on the first line of a CSV."""
    try:
        with closing(_lines(opener, compression)) as lines:
            first = next(lines, "")
    except _CORRUPT as error:
        raise DataFormatError(f"{name}: truncated or corrupt file ({error})") from None
    if not first.strip():
        raise DataFormatError(f"{name}: file is empty, expected a header line")
    return [c.strip().lstrip("\ufeff") for c in first.rstrip("\r\n").split(sep)]


def read_csv(
    opener: Opener,
    name: str,
    columns: dict[str, object],
    sep: str = ",",
    compression: str | None = None,
    chunksize: int | None = None,
    names: list[str] | None = None,
    **options,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read the named ``columns`` (name -> dtype) of a CSV with a header line (or, given ``names``, without).

    Missing columns, rows with the wrong number of fields, non-numeric values in numeric columns and
    truncated (compressed) files raise :class:`DataFormatError` naming the file, line and field. Frames
    keep the row number as index, so a data row's line number is ``index + 2`` (``index + 1`` without a
    header line). With ``chunksize``, an iterator of frames is returned.
    """
    if names is None:
        header = read_header(opener, name, sep, compression)
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataFormatError(
                f"{name}: line 1: missing column(s) {', '.join(map(repr, missing))} (found {', '.join(header)})"
            )

    def frames() -> Iterator[pd.DataFrame]:
        # All columns are parsed (no usecols), so that a line with an extra field is an error, not ignored.
        dtypes = dict(enumerate(columns.values())) if names else columns
        try:
            with opener() as f:
                result = pd.read_csv(f, sep=sep, dtype=dtypes, compression=compression, chunksize=chunksize,
                                     header=None if names else "infer", **options)
                for frame in result if chunksize else [result]:
                    if names:
                        if frame.shape[1] != len(names):
                            raise DataFormatError(f"{name}: line 1: expected {len(names)} fields, found {frame.shape[1]}")
                        frame.columns = names
                    yield frame[list(columns)]
        except pd.errors.EmptyDataError:
            raise DataFormatError(f"{name}: file is empty, expected a header line") from None
        except (ValueError, pd.errors.ParserError, *_CORRUPT) as error:
            if isinstance(error, DataFormatError):
                raise
            raise _describe_csv_error(opener, name, columns, sep, compression, error, names, **options) from None

    if chunksize:
        return frames()
    [frame] = frames()  # exhausting the generator closes the file
    return frame


def require_values(frame: pd.DataFrame, columns: list[str], name: str, header: bool = True) -> None:
    """Fail at the first row where one of ``columns`` is empty (a truncated or damaged line)."""
    missing = frame[columns].isna().to_numpy()
    if missing.any():
        row, col = np.argwhere(missing)[0]
        raise DataFormatError(
            f"{name}: line {frame.index[row] + 1 + header}, field {columns[col]!r}: missing value (truncated line?)"
        )


def require_complete_rows(frame: pd.DataFrame, columns: list[str], name: str, header: bool = True) -> None:
    """Fail at the first row where some but not all of ``columns`` are empty (a truncated line).

    Rows where all are empty are explicit gaps and are left for the timeline to split at.
    """
    missing = frame[columns].isna().to_numpy()
    partial = missing.any(axis=1) & ~missing.all(axis=1)
    if partial.any():
        row = int(np.flatnonzero(partial)[0])
        col = columns[int(np.flatnonzero(missing[row])[0])]
        raise DataFormatError(
            f"{name}: line {frame.index[row] + 1 + header}, field {col!r}: missing value (truncated line?)"
        )


def read_mat(opener: Opener, name: str, **options) -> dict:
    """The variables of a MATLAB v5 file (``scipy.io.loadmat`` options pass through); a damaged file is an error."""
    import scipy.io

    try:
        with opener() as f:
            return scipy.io.loadmat(f, **options)
    except DataFormatError:
        raise
    except Exception as error:  # scipy raises many unrelated types (MatReadError, IndexError, ...) for damaged files
        raise DataFormatError(f"{name}: not a readable MATLAB v5 file ({type(error).__name__}: {error})") from None
