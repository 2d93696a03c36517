"""The ASGI app behind ``wearclip serve``: three static pages' worth of plain JS and a small JSON API.

Nothing comes from the network but the page's own files. The API takes no path from the browser: datasets
and indexes are numbers, recordings are (subject, recording) names listed by their loader, labelled
recordings are random keys held in memory, and an uploaded file is written to a private temporary folder
under a name of the app's choosing. Errors reach the page as ``{"error": one sentence}``, never a trace.
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from collections import OrderedDict
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import DataFormatError
from ..models.wearclip import WearClip
from ..retrieval.index import Backend, EmbeddingIndex
from ..study.smoothing import HmmSmoother
from ..study.timeline import UNITS, read_labelled_recording
from .archive import Archive
from .card import model_card
from .labelling import Labelled, label_recording, parse_activities
from .sources import Source, Sources

STATIC = Path(__file__).parent / "static"
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".parquet")
MAX_UPLOAD_BYTES = 256 << 20
KEPT_RECORDINGS = 8
log = logging.getLogger("wearclip.app")


class UserError(Exception):
    """A request the page can fix, with the sentence to show and the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def sentence(error: Exception) -> str:
    """The error's first line, as the page shows it."""
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return (text.strip().splitlines() or [error.__class__.__name__])[0]


def upload_suffix(filename: str) -> str:
    name = filename.lower()
    for suffix in UPLOAD_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    raise UserError(f"{Path(filename).name or 'the file'}: expected a .csv, .csv.gz or .parquet recording")


def number(value, what: str, low: float, high: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{what}: expected a number, got {value!r}") from None
    if not low <= value <= high:
        raise UserError(f"{what}: expected a number from {low:g} to {high:g}, got {value:g}")
    return value


class WearClipApp:
    """The server's state: the model, the openable datasets, the indexes and recently labelled recordings."""

    def __init__(self, model: WearClip, name: str, checkpoint: Path | None = None, sources: list[Source] = (),
                 indexes: list[EmbeddingIndex] = (), max_upload_bytes: int = MAX_UPLOAD_BYTES,
                 backend: Backend = "exact") -> None:
        self.model, self.name, self.checkpoint = model, name, checkpoint
        self.sources = Sources(list(sources), model.config.window.rate)
        self.archive = Archive(list(indexes), model, self.sources, checkpoint, backend)
        self.max_upload_bytes = max_upload_bytes
        self.labelled: OrderedDict[str, Labelled] = OrderedDict()
        self.uploads = tempfile.TemporaryDirectory(prefix="wearclip-uploads-")

    # --- pages and descriptions
    async def page(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def info(self, request: Request) -> Response:
        return JSONResponse({"model": self.name, "units": list(UNITS), "max_upload_bytes": self.max_upload_bytes,
                             "sources": [{"id": n, "title": s.title} for n, s in enumerate(self.sources.sources)],
                             "indexes": self.archive.describe(), "stickiness": HmmSmoother.stickiness})

    async def source(self, request: Request) -> Response:
        n = request.path_params["n"]
        listing = await run_in_threadpool(self.sources.listing, n)
        return JSONResponse({"id": int(n), "title": self.sources.get(n).title, "classes": self.sources.classes(n),
                             "subjects": listing})

    async def card(self, request: Request) -> Response:
        return JSONResponse(model_card(self.model, self.name, self.checkpoint))

    # --- labelling
    async def label(self, request: Request) -> Response:
        declared = int(request.headers.get("content-length") or 0)
        if declared > self.max_upload_bytes:
            raise UserError(self.too_large(declared), 413)
        async with request.form(max_files=1, max_fields=16) as form:
            activities = parse_activities(str(form.get("activities", "")))
            smoother = HmmSmoother(number(form.get("stickiness", HmmSmoother.stickiness), "stickiness", 0.01, 0.9999),
                                   int(number(form.get("min_bout", 1), "minimum bout", 1, 600)))
            upload = form.get("file")
            if isinstance(upload, UploadFile) and upload.filename:
                path = await self.save_upload(upload)
                units = str(form.get("units", "g"))
                rate = number(form["rate"], "rate (Hz)", 1, 10_000) if str(form.get("rate", "")).strip() else None
                work = partial(self.label_upload, path, upload.filename, units, rate, activities, smoother)
            elif str(form.get("source", "")).strip():
                source, subject, name = (str(form.get(k, "")) for k in ("source", "subject", "recording"))
                work = partial(self.label_source, source, subject, name, activities, smoother)
            else:
                raise UserError("choose a recording: upload a file or pick one of a dataset")
        labelled = await run_in_threadpool(work)
        key = secrets.token_hex(8)
        self.labelled[key] = labelled
        while len(self.labelled) > KEPT_RECORDINGS:
            self.labelled.popitem(last=False)
        return JSONResponse({"key": key} | await run_in_threadpool(labelled.summary))

    def too_large(self, size: int) -> str:
        return f"the file has {size / 2**20:.1f} MiB; the server takes uploads up to {self.max_upload_bytes / 2**20:.0f} MiB"

    async def save_upload(self, upload: UploadFile) -> Path:
        """The upload in the app's temporary folder, under a fresh name with the upload's suffix."""
        suffix = upload_suffix(upload.filename)
        path = Path(self.uploads.name) / f"{secrets.token_hex(8)}{suffix}"
        size = 0
        with open(path, "wb") as f:
            while (block := await upload.read(1 << 20)) and size <= self.max_upload_bytes:
                size += len(block)
                f.write(block)
        if size > self.max_upload_bytes:
            path.unlink()
            raise UserError(self.too_large(size), 413)
        return path

    def label_upload(self, path: Path, filename: str, units: str, rate: float | None, activities, smoother) -> Labelled:
        shown = re.sub(r"[^\w.\- ]", "_", Path(filename).name)
        try:
            segments, classes = read_labelled_recording(path, rate, units)
        except (DataFormatError, ValueError) as error:
            message = sentence(error).replace(str(path), shown)
            raise UserError(message.replace("pass the sampling rate (--rate)", "enter the sampling rate")) from None
        finally:
            path.unlink(missing_ok=True)
        return label_recording(self.model, shown, segments, activities, smoother, classes if classes else None)

    def label_source(self, source, subject: str, name: str, activities, smoother) -> Labelled:
        recording = self.sources.recordings(source, {(subject, name)})[(subject, name)]
        title = f"{self.sources.get(source).title}, subject {subject}, {name}"
        return label_recording(self.model, title, [recording], activities, smoother, self.sources.classes(source))

    def recording(self, request: Request) -> Labelled:
        try:
            return self.labelled[request.path_params["key"]]
        except KeyError:
            raise UserError("that labelled recording is no longer held by the server; label it again", 404) from None

    async def signal(self, request: Request) -> Response:
        q = request.query_params
        start, end = (number(q[key], key, -1e12, 1e12) if key in q else None for key in ("start", "end"))
        points = int(number(q.get("points", 2000), "points", 10, 20_000))
        return JSONResponse(self.recording(request).envelope(start, end, points))

    async def timeline(self, request: Request) -> Response:
        labelled = self.recording(request)
        stem = re.sub(r"\W+", "-", labelled.name).strip("-") or "recording"
        return Response(labelled.csv(), media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="{stem}-timeline.csv"'})

    # --- search
    async def search(self, request: Request) -> Response:
        body = await self.json(request)
        which = body.get("indexes") or None
        result = await run_in_threadpool(self.archive.search_text, str(body.get("query", "")), body.get("k", 12), which)
        return JSONResponse(result)

    async def similar(self, request: Request) -> Response:
        body = await self.json(request)
        result = await run_in_threadpool(self.archive.search_window, body.get("index"), body.get("id"), body.get("k", 12))
        return JSONResponse(result)

    @staticmethod
    async def json(request: Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            raise UserError("the request body is not JSON") from None
        if not isinstance(body, dict):
            raise UserError("the request body must be a JSON object")
        return body


async def user_error(request: Request, error: Exception) -> Response:
    if isinstance(error, UserError):
        return JSONResponse({"error": str(error)}, status_code=error.status)
    if isinstance(error, HTTPException):
        message = "not found" if error.status_code == 404 else str(error.detail)
        return JSONResponse({"error": message}, status_code=error.status_code)
    status = 404 if isinstance(error, LookupError) and not isinstance(error, KeyError) else 400
    return JSONResponse({"error": sentence(error)}, status_code=status)


async def server_error(request: Request, error: Exception) -> Response:
    log.exception("request %s failed", request.url.path, exc_info=error)
    return JSONResponse({"error": f"the server failed ({error.__class__.__name__}); its log has the details"},
                        status_code=500)


def create_app(model: WearClip, name: str, checkpoint: Path | None = None, sources: list[Source] = (),
               indexes: list[EmbeddingIndex] = (), max_upload_bytes: int = MAX_UPLOAD_BYTES,
               backend: Backend = "exact") -> Starlette:
    """The Starlette app over a loaded model, the datasets it may open and the indexes it searches
    (with the ``exact`` or the ``faiss`` backend of :class:`~wearclip.retrieval.index.EmbeddingIndex`)."""
    state = WearClipApp(model, name, checkpoint, sources, indexes, max_upload_bytes, backend)
    routes = [
        Route("/", state.page),
        Route("/api/info", state.info),
        Route("/api/sources/{n:int}", state.source),
        Route("/api/model", state.card),
        Route("/api/label", state.label, methods=["POST"]),
        Route("/api/labelled/{key:str}/signal", state.signal),
        Route("/api/labelled/{key:str}/timeline.csv", state.timeline),
        Route("/api/search", state.search, methods=["POST"]),
        Route("/api/similar", state.similar, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    handled = {UserError: user_error, HTTPException: user_error, DataFormatError: user_error, ValueError: user_error,
               LookupError: user_error, FileNotFoundError: user_error, Exception: server_error}
    app = Starlette(routes=routes, exception_handlers=handled)
    app.state.wearclip = state
    return app
