"""A read-only view of a dataset as downloaded: an extracted folder, a .zip, or zips nested in either.

Loaders find their files by path pattern and open them without caring whether they sit on disk or
inside an archive, so ``root`` may be the official archive itself (HHAR and PAMAP2 nest a zip in the
UCI zip; RealWorld keeps one zip per sensor and activity). Inner zips are opened only when the loader
asks for them (``nested``), spooled to a temporary file when large. macOS archive litter
(``__MACOSX/``, ``._*``) is ignored.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ...errors import DataFormatError

SPOOL_BYTES = 64 << 20
"""Inner zips up to this size are held in memory; larger ones are spooled to a temporary file."""


def _spool(opener: Callable[[], BinaryIO]) -> BinaryIO:
    """A seekable copy of a stream: in memory up to :data:`SPOOL_BYTES`, on disk beyond."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with opener() as source:
        shutil.copyfileobj(source, spool, 1 << 20)
    spool.seek(0)
    return spool


def _litter(path: str) -> bool:
    parts = path.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


class Tree:
    """The files under ``root`` (a folder or a .zip) as posix paths; an inner zip's members appear below it.

    ``nested(path)`` says whether the zip at ``path`` should be opened and listed; a zip lying directly
    in a root folder (the download folder of ``wearclip data download``) always is. Inner zips are
    re-opened on demand and only the most recently used few stay open, so memory stays bounded by
    what one loader step reads. Use as a context manager so that open archives are closed.
    """

    KEEP_OPEN = 2

    def __init__(self, root: str | Path, nested: Callable[[str], bool] = lambda path: False) -> None:
        self.root = Path(root)
        self._openers: dict[str, Callable[[], BinaryIO]] = {}
        self._zips: dict[str, Callable[[], BinaryIO]] = {}
        self._open: OrderedDict[str, tuple[zipfile.ZipFile, BinaryIO]] = OrderedDict()
        self._nested = nested
        try:
            self._index()
        except BaseException:
            self.close()  # a damaged archive met while listing must not leave its file handles open
            raise

    def _index(self) -> None:
        if self.root.is_dir():
            for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
                relative = path.relative_to(self.root).as_posix()
                self._add(relative, lambda path=path: open(path, "rb"), True, top="/" not in relative)
        elif zipfile.is_zipfile(self.root):
            self._zips[""] = lambda: open(self.root, "rb")
            self._list("")
        elif self.root.exists():
            raise DataFormatError(f"{self.root}: neither a folder nor a zip archive")
        else:
            raise FileNotFoundError(f"{self.root}: not found")

    def _add(self, path: str, opener: Callable[[], BinaryIO], on_disk: bool = False, top: bool = False) -> None:
        if _litter(path):
            return
        if path.lower().endswith(".zip") and (top or self._nested(path)):
            self._zips[path + "/"] = opener if on_disk else lambda: _spool(opener)  # members are not cheaply seekable
            self._list(path + "/")
        else:
            self._openers[path] = opener

    def _list(self, prefix: str) -> None:
        for info in self._zip(prefix).infolist():
            if not info.is_dir():
                self._add(prefix + info.filename, lambda info=info: self._zip(prefix).open(info))

    def _zip(self, prefix: str) -> zipfile.ZipFile:
        """The open archive whose members are listed under ``prefix`` (re-opened if it was closed)."""
        if prefix in self._open:
            self._open.move_to_end(prefix)
            return self._open[prefix][0]
        handle = self._zips[prefix]()
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as error:
            handle.close()
            raise DataFormatError(f"{self.describe(prefix.rstrip('/'))}: not a readable zip archive ({error})") from None
        self._open[prefix] = (archive, handle)
        while len(self._open) > self.KEEP_OPEN:
            _, (old, old_handle) = self._open.popitem(last=False)
            old.close()
            old_handle.close()
        return archive

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        while self._open:
            _, (archive, handle) = self._open.popitem()
            archive.close()
            handle.close()

    @property
    def paths(self) -> list[str]:
        """Every file, sorted."""
        return sorted(self._openers)

    def match(self, pattern: str) -> list[str]:
        """Paths whose full posix path matches the regular expression ``pattern`` (``re.search``), sorted."""
        regex = re.compile(pattern)
        return [p for p in self.paths if regex.search(p)]

    def open(self, path: str) -> BinaryIO:
        """A binary file object for one path (close it, or use ``with``)."""
        try:
            return self._openers[path]()
        except KeyError:
            raise DataFormatError(f"{self.describe(path)}: missing") from None
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise DataFormatError(f"{self.describe(path)}: unreadable ({error})") from None

    def describe(self, path: str) -> str:
        """How error messages name a path: the root joined with the path inside it."""
        return f"{self.root}/{path}" if path else str(self.root)

    def require(self, pattern: str, what: str) -> list[str]:
        """``match``, failing with a message that says what was looked for when nothing matches."""
        found = self.match(pattern)
        if not found:
            raise DataFormatError(f"{self.root}: no {what} found (expected paths matching {pattern!r})")
        return found
