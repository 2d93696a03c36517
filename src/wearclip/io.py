"""Safe writes: a crash never leaves a half-written report, cache or checkpoint behind, and wearclip never
removes or replaces a file it did not write.

Every folder wearclip writes carries a small ``.wearclip`` marker (JSON: the kind of output and the files
it holds). Writing onto an existing folder follows one rule (:func:`atomic_directory`):

- missing or empty: the new folder is renamed into place;
- an output of the same kind holding only its own files: replaced whole;
- a folder written before markers existed whose files are exactly the new output's file names (e.g. a
  checkpoint's ``config.json`` + ``model.safetensors`` and nothing else): treated as an output of that kind;
- anything else: :class:`~wearclip.errors.OutputError` naming the folder, unless ``overwrite``, which
  replaces only the files the marker says we wrote and refuses to replace any other file.

Temporary files and folders are named after the writing process (``.NAME.HOST-PID-RANDOM.tmp``); the next
writer of the same target removes those of dead processes, under a lock on the parent folder so that
several processes (torchrun ranks) starting at once do not race.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

CACHE_ENV = "WEARCLIP_CACHE"
MARKER = ".wearclip"
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


def cache_root() -> Path:
    """Where wearclip caches windows, text embeddings and LLM replies: ``$WEARCLIP_CACHE``, else
    ``~/.cache/wearclip``."""
    return Path(os.environ.get(CACHE_ENV) or "~/.cache/wearclip").expanduser()


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``folder`` itself (no lock file is left behind)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(path: Path) -> None:
    """Remove temporary siblings of ``path`` left by dead processes of this host (call under the lock)."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.{_HOST}-(\d+)-[0-9a-f]+\.(tmp|old)$")
    for entry in path.parent.iterdir():
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.{suffix}")


def _parent(path: Path) -> Path:
    """Create ``path``'s parent folder, as an :class:`OutputError` naming it when that is impossible."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next(p for p in path.parents if p.exists())
        raise OutputError(f"{path}: cannot write here, {blocker} is a file") from None
    except OSError as error:
        raise OutputError(f"{path}: cannot create its folder ({error.strerror})") from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {path.parent} is not writable")
    return path.parent


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """OS errors on the temporary files of ``path`` become an :class:`OutputError` naming ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        if error.filename and str(error.filename).startswith(str(path.parent / f".{path.name}.")):
            raise OutputError(f"{path}: cannot write it ({error.strerror or error})") from None
        raise


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling path to write; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    parent = _parent(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, expected a file name")
    tmp = _sibling(path, "tmp")
    try:
        with _naming(path):
            with _locked(parent):
                _remove_stale(path)
            yield tmp
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, obj) -> None:
    """Write JSON atomically, indented for people to read."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def read_marker(path: Path) -> dict | None:
    """The ``.wearclip`` marker of a folder (``{"kind": ..., "files": [...]}``), or None."""
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("kind"), str) else None


def _write_marker(folder: Path, kind: str, files: list[str]) -> None:
    (folder / MARKER).write_text(json.dumps({"kind": kind, "files": sorted(files)}) + "\n", encoding="utf-8")


def _entries(path: Path) -> set[str]:
    return {entry.name for entry in path.iterdir()} - {MARKER}


def _owned(path: Path, kind: str, new: set[str], legacy=None) -> set[str] | None:
    """The entries of the existing folder ``path`` that are ours to replace by an output of ``kind`` with
    entries ``new``; None where the folder is not such an output. Without a marker, the folder is a
    previous output if ``legacy(entries)`` (default: its entries are exactly ``new``)."""
    entries = _entries(path)
    if not entries:
        return set()
    marker = read_marker(path)
    if marker is not None:
        return set(marker.get("files", [])) & entries if marker["kind"] == kind else None
    recognised = legacy(entries) if legacy else entries == new  # an output written before markers existed
    return entries if recognised else None


@contextmanager
def atomic_directory(path: str | Path, kind: str, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling folder to fill; it becomes ``path`` only if the block succeeds, following
    the rule of this module's docstring. ``kind`` names the output (``checkpoint``, ``index``, ...)."""
    path = Path(path)
    parent = _parent(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    tmp = _sibling(path, "tmp")
    with _naming(path), _locked(parent):
        _remove_stale(path)
        tmp.mkdir()
    try:
        yield tmp
        new = _entries(tmp)
        _write_marker(tmp, kind, list(new))
        with _locked(parent):
            _install(tmp, path, kind, new, overwrite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_file(path: str | Path) -> None:
    """Raise the :class:`OutputError` that writing the file ``path`` would raise, writing nothing."""
    path = Path(path)
    existing = next(p for p in (path, *path.parents) if p.exists())
    if existing == path and path.is_dir():
        raise OutputError(f"{path}: is a folder, expected a file name")
    if existing != path and not existing.is_dir():
        raise OutputError(f"{path}: cannot write here, {existing} is a file")
    folder = path.parent if existing == path else existing
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {folder} is not writable")


def check_output(path: str | Path, kind: str, overwrite: bool = False, files: frozenset[str] = frozenset()) -> None:
    """Raise the :class:`OutputError` that writing an output of ``kind`` (with entries ``files``) to
    ``path`` would raise, without writing anything: commands call it before hours of work."""
    path = Path(path)
    existing = next(p for p in (path, *path.parents) if p.exists())
    if existing != path and not existing.is_dir():
        raise OutputError(f"{path}: cannot write here, {existing} is a file")
    if existing != path and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {existing} is not writable")
    if existing == path and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    if existing == path and not overwrite:
        owned = _owned(path, kind, set(files), legacy=lambda entries: entries <= set(files))
        if owned is None or _entries(path) - owned:
            what = f"a {read_marker(path)['kind']} output" if read_marker(path) else "files wearclip did not write"
            raise OutputError(f"{path}: folder holds {what} (e.g. {sorted(_entries(path) - (owned or set()))[0]!r}); "
                              "choose an empty or new folder, or pass --overwrite to replace only wearclip's own files there")


def _install(tmp: Path, path: Path, kind: str, new: set[str], overwrite: bool) -> None:
    if not path.exists():
        os.replace(tmp, path)
        return
    owned = _owned(path, kind, new)
    foreign = _entries(path) - (owned or set())
    if owned is not None and not foreign:
        old = _sibling(path, "old")
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
        return
    if not overwrite:
        check_output(path, kind, overwrite, frozenset(new))
    if clash := sorted(foreign & new):
        raise OutputError(f"{path}: would replace {clash[0]!r}, which wearclip did not write; move it or choose "
                          "another folder")
    for name in sorted((owned or set()) | new):  # ours only: a foreign name in ``new`` was refused above
        target = path / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder of ours (e.g. a checkpoint inside a report)
        elif name not in new:
            target.unlink(missing_ok=True)
        if name in new:
            os.replace(tmp / name, target)
    marker = read_marker(path)
    kept = set(marker.get("files", [])) - new if marker and marker["kind"] == kind else set()
    _write_marker(path, kind, list(new | (kept & _entries(path))))


def claim_directory(path: str | Path, kind: str, known: frozenset[str] = frozenset()) -> Path:
    """Make ``path`` a folder for an output of ``kind`` that is written file by file (run and report
    folders, resumed in place): allowed if missing, empty, already of that kind, or unmarked with only
    entries among ``known`` (the names such a folder held before markers existed); an
    :class:`OutputError` naming the folder otherwise. Files written there later keep fixed names."""
    path = Path(path)
    check_claim(path, kind, known)
    _parent(path)
    path.mkdir(exist_ok=True)
    if read_marker(path) is None:
        _write_marker(path, kind, [])
    return path


def check_claim(path: str | Path, kind: str, known: frozenset[str] = frozenset()) -> None:
    """Raise the :class:`OutputError` that :func:`claim_directory` would raise, writing nothing."""
    path = Path(path)
    if not path.exists():
        check_output(path, kind)
        return
    if not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    marker = read_marker(path)
    if marker is None and (foreign := sorted(_entries(path) - known)):
        raise OutputError(f"{path}: folder holds files wearclip did not write (e.g. {foreign[0]!r}); choose an "
                          "empty or new folder")
    if marker is not None and marker["kind"] != kind:
        raise OutputError(f"{path}: folder holds a {marker['kind']} output, not a {kind}; choose another folder")
