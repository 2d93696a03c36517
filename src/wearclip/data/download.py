"""``wearclip data download``: fetch a dataset's official archive, check it, and say where it went.

Archives are streamed to a temporary file and renamed into place only when complete and verified, so
an interrupted download never looks finished. Where the publisher gives a SHA-256 it is checked;
none of the current sources publishes one, so the digest of the first download is recorded beside the
file (``<file>.sha256``) and every later run verifies the file against it. Without network access the
command fails at once and says where to get the files by hand and where to put them.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..errors import WearClipError
from ..io import atomic_path, write_text
from . import datasets

DATA_ENV = "WEARCLIP_DATA"
CHUNK = 1 << 20


class DownloadError(WearClipError, RuntimeError):
    """A dataset could not be fetched or verified; the message says what to do instead."""


def default_data_dir() -> Path:
    """``$WEARCLIP_DATA`` if set, else ``~/.cache/wearclip/datasets``."""
    return Path(os.environ.get(DATA_ENV) or "~/.cache/wearclip/datasets").expanduser()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _manual(spec: datasets.DatasetSpec, dest: Path) -> str:
    files = ", ".join(d.filename for d in spec.downloads) or "the dataset's files"
    how = spec.manual_download or f"Download {files} from {spec.url}"
    return (f"{how}\nPut {files} (or the extracted folder) in {dest}, then run:\n"
            f"  wearclip data prepare {spec.name} --root {dest}")


def _verify(path: Path, expected: str | None) -> str:
    """Check ``path`` against the published digest, else against the one recorded at first download."""
    actual = sha256_file(path)
    recorded = path.with_name(path.name + ".sha256")
    wanted = expected or (recorded.read_text().split()[0] if recorded.is_file() else None)
    if wanted and actual != wanted:
        source = "published digest" if expected else f"digest recorded in {recorded}"
        raise DownloadError(f"{path}: SHA-256 {actual} does not match the {source} ({wanted}); "
                            "delete the file and download it again")
    if not recorded.is_file():
        write_text(recorded, f"{actual}  {path.name}\n")
    return actual


def download(
    name: str,
    dest: str | Path | None = None,
    force: bool = False,
    timeout: float = 20.0,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Path:
    """Fetch every official archive of dataset ``name`` into ``dest/<name>`` and return that folder.

    ``progress(filename, bytes_done, bytes_total)`` is called as data arrive. Files already present are
    verified, not fetched again, unless ``force``.
    """
    spec = datasets.get(name)
    folder = Path(dest).expanduser() if dest else default_data_dir() / name
    if not spec.downloads:
        raise DownloadError(f"{name} has no public download.\n{_manual(spec, folder)}")
    folder.mkdir(parents=True, exist_ok=True)
    for item in spec.downloads:
        target = folder / item.filename
        if target.is_file() and not force:
            _verify(target, item.sha256)
            continue
        try:
            response = urllib.request.urlopen(item.url, timeout=timeout)  # noqa: S310 (https/http URLs from the registry)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DownloadError(f"cannot download {item.url} ({reason}).\n{_manual(spec, folder)}") from None
        total = response.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        digest, done = hashlib.sha256(), 0
        try:
            with response, atomic_path(target) as tmp:
                with open(tmp, "wb") as out:
                    while block := response.read(CHUNK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(item.filename, done, total)
                if total is not None and done != total:
                    raise DownloadError(f"{item.url}: connection closed after {done} of {total} bytes")
                if item.sha256 and digest.hexdigest() != item.sha256:
                    raise DownloadError(f"{item.url}: SHA-256 {digest.hexdigest()} does not match the published "
                                        f"{item.sha256}; nothing was kept")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise DownloadError(f"download of {item.url} failed ({error}); nothing was kept.\n"
                                f"{_manual(spec, folder)}") from None
        write_text(folder / (item.filename + ".sha256"), f"{digest.hexdigest()}  {item.filename}\n")
    return folder
