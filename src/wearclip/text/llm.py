"""Generate vocabulary with an LLM behind any OpenAI-compatible chat-completions endpoint.

This is what the study did with ChatGPT, for users who run an LLM (OpenAI, vLLM, llama.cpp server,
Ollama): rewrites of each template sentence of a class (the study: 15 of each of the 33, 495 per
activity), the body parts an activity involves, a description of its movement, or new templates.
Prompts live in ``prompts/``; replies must be one JSON object, are validated and deduplicated, and
only replies that pass are cached (``$WEARCLIP_CACHE/llm``), so a rerun makes no call. The result is
written as a vocabulary file the sentence modes read.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import TypeVar

from .. import errors
from ..errors import WearClipError
from ..io import cache_root, write_json
from .cache import digest
from .templates import BASE_TEMPLATE, fill, template_error
from .vocabularies import Entry, VocabularyFile, read_vocabulary_file, shipped_templates, write_vocabulary

KINDS = ("paraphrases", "body-parts", "movement", "templates")
COUNTS = {"paraphrases": (15, 15), "templates": (20, 15)}
"""(items asked for, fewest valid distinct items accepted) per reply: 15 rewrites of each template
sentence as the study, 20 new templates of which at least 15 must be usable."""
T = TypeVar("T")


class LLMError(WearClipError, RuntimeError):
    """Generation failed; the message says where and why."""


class EndpointError(LLMError, errors.EndpointError):
    """The endpoint could not be reached or answered with an error, after retries where retrying helps."""


class MalformedOutputError(LLMError):
    """The model answered, but not with the JSON the prompt asked for."""


class RefusalError(LLMError):
    """The model declined to answer."""


_REFUSAL = re.compile(r"^\W*(i'?m sorry|i am sorry|sorry,|i can(no|')t|i am unable|i'?m unable|as an ai)", re.IGNORECASE)
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def prompt(name: str, **fields) -> str:
    """A prompt from ``prompts/<name>.md`` with ``$field`` placeholders filled."""
    text = (resources.files("wearclip.text") / "prompts" / f"{name}.md").read_text(encoding="utf-8")
    return Template(text).substitute(**fields).strip()


@dataclass
class ChatClient:
    """A minimal OpenAI-compatible chat-completions client with timeouts, retries and a reply cache.

    ``endpoint`` is the API base (``http://127.0.0.1:8080/v1``) or the full ``.../chat/completions``
    URL; ``api_key`` is sent as a bearer token when given (local servers usually need none).
    """

    endpoint: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    temperature: float = 0.7
    cache_dir: Path | None = field(default=None)
    calls: int = 0

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EndpointError(f"endpoint {self.endpoint!r}: not an http(s) URL, e.g. http://127.0.0.1:8080/v1")

    @property
    def url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"

    def _cache_path(self, messages: list[dict]) -> Path:
        key = {"url": self.url, "model": self.model, "messages": messages, "temperature": self.temperature}
        return Path(self.cache_dir or cache_root() / "llm") / f"{digest(key)[:32]}.json"

    def complete(self, messages: list[dict], parse: Callable[[str], T]) -> T:
        """``parse(reply text)`` of the model's reply; replies that ``parse`` accepts are cached."""
        path = self._cache_path(messages)
        if path.is_file():
            cached = json.loads(path.read_text(encoding="utf-8"))
            return parse(cached["content"])
        content = self._request(messages)
        result = parse(content)
        write_json(path, {"url": self.url, "model": self.model, "messages": messages, "content": content})
        return result

    def _request(self, messages: list[dict]) -> str:
        body = json.dumps({"model": self.model, "messages": messages, "temperature": self.temperature}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            wait = self.backoff * 2**attempt
            try:
                self.calls += 1
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    reply = response.read().decode("utf-8", errors="replace")
                return self._content(reply)
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", errors="replace")[:300]
                if error.code not in _RETRY_STATUS:
                    raise EndpointError(f"{self.url}: HTTP {error.code} {error.reason}: {detail}") from None
                problem = f"HTTP {error.code} {error.reason}: {detail}"
                retry_after = error.headers.get("Retry-After", "") if error.headers else ""
                wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else wait
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
                problem = f"unreachable ({getattr(error, 'reason', error)})"
            if attempt < self.retries:
                time.sleep(min(wait, 60.0))
        raise EndpointError(f"{self.url}: {problem}; gave up after {self.retries + 1} attempts")

    def _content(self, reply: str) -> str:
        try:
            message = json.loads(reply)["choices"][0]
            content, refusal = message["message"].get("content"), message["message"].get("refusal")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise MalformedOutputError(f"{self.url}: not a chat-completions reply: {reply[:300]!r}") from None
        if refusal or message.get("finish_reason") == "content_filter":
            raise RefusalError(f"{self.url}: model {self.model} refused: {refusal or 'content filter'}")
        if not isinstance(content, str) or not content.strip():
            raise MalformedOutputError(f"{self.url}: model {self.model} returned an empty message")
        return content


def reply_json(content: str, key: str) -> object:
    """The value under ``key`` of the JSON object in a reply (code fences and stray prose tolerated)."""
    start, end = content.find("{"), content.rfind("}")
    try:
        value = json.loads(content[start : end + 1]) if 0 <= start < end else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        if _REFUSAL.match(content):
            raise RefusalError(f"the model declined: {content[:200]!r}")
        raise MalformedOutputError(f"expected a JSON object with {key!r}, got: {content[:200]!r}")
    if key not in value:
        raise MalformedOutputError(f"the reply's JSON object has no {key!r} (keys: {sorted(value)})")
    return value[key]


def unique_texts(values: object, key: str, minimum: int, check: Callable[[str], str | None] = lambda s: None) -> list[str]:
    """Clean, deduplicated strings of a reply list, dropping invalid ones; at least ``minimum`` must remain."""
    if not isinstance(values, list):
        raise MalformedOutputError(f"{key!r} must be a JSON list of strings, got {type(values).__name__}")
    kept: dict[str, str] = {}
    for value in values:
        if isinstance(value, str):
            text = " ".join(value.split()).strip().strip('"')
            if text and check(text) is None:
                kept.setdefault(text.casefold().rstrip("."), text)
    if len(kept) < minimum:
        raise MalformedOutputError(f"{key!r}: {len(kept)} valid distinct items, at least {minimum} needed")
    return list(kept.values())


def generate(
    client: ChatClient,
    kind: str,
    activities: Sequence[str],
    count: int | None = None,
    minimum: int | None = None,
    progress: Callable[[str], None] | None = None,
    templates: Sequence[str] | None = None,
) -> dict:
    """Ask the model; returns ``{"templates": [...]}`` or ``{activity: value}`` for the other kinds.

    ``paraphrases``: for each activity, ``count`` rewrites (default 15) of the sentence of each of
    ``templates`` (default: the shipped 33), one request per sentence, at least ``minimum`` valid and
    distinct in each reply, deduplicated across the activity's sentences: 495 per activity as the study.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    count, minimum = count or COUNTS.get(kind, (0, 0))[0], minimum or COUNTS.get(kind, (0, 0))[1]
    if not activities and kind != "templates":
        raise ValueError("no activities to generate for")
    system = {"role": "system", "content": prompt("system")}

    def ask(text: str, parse: Callable[[str], T]) -> T:
        return client.complete([system, {"role": "user", "content": text}], parse)

    if kind == "templates":
        text = prompt("templates", base=BASE_TEMPLATE, count=count)
        return {"templates": ask(text, lambda c: unique_texts(reply_json(c, "templates"), "templates", minimum, template_error))}
    parse = {
        "paraphrases": lambda c: unique_texts(reply_json(c, "paraphrases"), "paraphrases", minimum, _paraphrase_problem),
        "body-parts": lambda c: unique_texts(reply_json(c, "body_parts"), "body_parts", 1, _body_part_problem),
        "movement": _movement,
    }[kind]
    templates = list(templates or shipped_templates())
    out = {}
    for activity in activities:
        if progress:
            progress(activity)
        try:
            if kind == "paraphrases":
                rewrites: dict[str, str] = {}
                for template in templates:
                    text = prompt("paraphrases", sentence=fill(template, activity), activity=activity, count=count)
                    for rewrite in ask(text, parse):
                        rewrites.setdefault(rewrite.casefold().rstrip("."), rewrite)
                out[activity] = list(rewrites.values())
            else:
                out[activity] = ask(prompt(kind, activity=activity), parse)
        except LLMError as error:
            raise type(error)(f"activity {activity!r}: {error}") from None
    return out


def _paraphrase_problem(text: str) -> str | None:
    return "braces" if "{" in text or "}" in text else ("length" if not 3 <= len(text.split()) <= 45 else None)


def _body_part_problem(text: str) -> str | None:
    return "braces" if "{" in text or "}" in text else ("length" if len(text.split()) > 4 else None)


def _movement(content: str) -> str:
    value = reply_json(content, "movement")
    if not isinstance(value, str) or len(value.split()) < 5:
        raise MalformedOutputError(f"'movement' must be a description of at least 5 words, got {value!r}")
    text = " ".join(value.split())
    return text if text.endswith((".", "!")) else text + "."


def write_generated(out: str | Path, kind: str, results: dict, dataset: str | None, source: str) -> Path:
    """Merge generated results into the vocabulary file ``out`` (created if absent; other kinds kept);
    ``source`` (model and endpoint) is recorded per kind in the file's ``source``."""
    out = Path(out)
    if out.exists():
        current = read_vocabulary_file(out)
    else:
        current = VocabularyFile(name=out.stem, version="1", dataset=dataset)
    if kind == "templates":
        updated = current.model_copy(update={"templates": tuple(results["templates"])})
    else:
        field_name = {"paraphrases": "paraphrases", "body-parts": "body_parts", "movement": "movement"}[kind]
        activities = dict(current.activities)
        for activity, value in results.items():
            entry = activities.get(activity, Entry())
            if entry.same_as:
                raise LLMError(f"{out}: {activity!r} is same_as {entry.same_as!r}; remove that line to generate for it")
            activities[activity] = entry.model_copy(update={field_name: tuple(value) if isinstance(value, list) else value})
        updated = current.model_copy(update={"activities": activities})
    kept = [s for s in current.source.split("; ") if s and not s.startswith(f"{kind}:")]
    updated = updated.model_copy(update={"source": "; ".join([*kept, f"{kind}: {source}"])})
    return write_vocabulary(out, VocabularyFile.model_validate(updated.model_dump(by_alias=True)),
                            header="Generated by `wearclip text generate`; validated and deduplicated.")
