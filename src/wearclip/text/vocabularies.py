"""Curated activity knowledge: paraphrases, body parts and a movement description for each activity.

Every registered dataset has a versioned YAML file in ``vocabulary/`` keyed by its activity phrases.
Activities that several datasets share ("walking", "walking upstairs") are written once in
``vocabulary/common.yaml`` and referenced with ``same_as``, so one fact has one home; ``same_as`` may
also name another activity of the same file (Capture-24's annotations spell one activity several ways). A user's file
(written by ``wearclip text generate``) has the same schema with every field optional, and may carry
its own ``templates``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import DataFormatError, MissingFileError, UnknownNameError
from ..io import write_text
from .templates import template_error

SCHEMA_VERSION = 1
COMMON = "common"
TEMPLATES = "templates"


def _clean_list(values: tuple[str, ...], what: str) -> tuple[str, ...]:
    cleaned = tuple(" ".join(v.split()) for v in values)
    if any(not v for v in cleaned):
        raise ValueError(f"{what} must not be empty")
    seen: dict[str, str] = {}
    for v in cleaned:
        if v.casefold() in seen:
            raise ValueError(f"duplicate {what.removesuffix('s')}: {v!r}")
        seen[v.casefold()] = v
    return cleaned


class Entry(BaseModel):
    """One activity as written in a file: its knowledge, or ``same_as`` another activity (of this file,
    else of ``common.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    same_as: str | None = None
    paraphrases: tuple[str, ...] = ()
    body_parts: tuple[str, ...] = ()
    movement: str | None = None

    @field_validator("paraphrases", "body_parts")
    @classmethod
    def _items(cls, values: tuple[str, ...], info) -> tuple[str, ...]:
        return _clean_list(values, info.field_name.replace("_", " "))

    @field_validator("movement", "same_as")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value if value is None else " ".join(value.split())

    @model_validator(mode="after")
    def _reference_alone(self) -> Entry:
        if self.same_as and (self.paraphrases or self.body_parts or self.movement):
            raise ValueError("an entry with same_as takes its knowledge from that activity and lists nothing else")
        return self


class VocabularyFile(BaseModel):
    """The schema of a vocabulary YAML file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_version: Literal[1] = Field(SCHEMA_VERSION, alias="schema")
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    dataset: str | None = None
    source: str = ""
    templates: tuple[str, ...] = ()
    activities: dict[str, Entry] = Field(default_factory=dict)

    @field_validator("templates")
    @classmethod
    def _templates(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for template in values:
            problem = template_error(template)
            if problem:
                raise ValueError(problem)
        return _clean_list(values, "templates")

    @field_validator("activities")
    @classmethod
    def _keys(cls, activities: dict[str, Entry]) -> dict[str, Entry]:
        if any(not key.strip() or key != " ".join(key.split()) for key in activities):
            raise ValueError("activity phrases must be non-empty, without leading, trailing or double spaces")
        return activities


@dataclass(frozen=True)
class Knowledge:
    """What a vocabulary knows about one activity (any field may be empty in a user's file)."""

    paraphrases: tuple[str, ...] = ()
    body_parts: tuple[str, ...] = ()
    movement: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """A loaded vocabulary with ``same_as`` references resolved."""

    name: str
    version: str
    path: Path
    digest: str
    dataset: str | None = None
    templates: tuple[str, ...] = ()
    activities: Mapping[str, Knowledge] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        """``name@version+digest`` -- what a checkpoint records to name the exact text it was trained on."""
        return f"{self.name}@{self.version}+{self.digest[:10]}"

    def get(self, activity: str) -> Knowledge | None:
        """The knowledge of ``activity`` (exact phrase, else case-insensitive), or None."""
        if activity in self.activities:
            return self.activities[activity]
        folded = {key.casefold(): value for key, value in self.activities.items()}
        return folded.get(" ".join(activity.split()).casefold())


def package_dir() -> Path:
    """The folder of shipped vocabulary files."""
    return Path(str(resources.files("wearclip.text") / "vocabulary"))


def shipped_names() -> list[str]:
    """Names of the shipped vocabularies (datasets, plus ``common`` and ``templates``)."""
    return sorted(p.stem for p in package_dir().glob("*.yaml"))


def _line(text: str, loc: tuple) -> int | None:
    """1-based line of the YAML node at pydantic location ``loc`` (the deepest node that exists)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == ("schema" if key == "schema_version" else str(key))]
            if not match:
                break
            node = match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _where(path: Path, text: str, loc: tuple) -> str:
    line = _line(text, loc)
    return f"{path}:{line}" if line else str(path)


def dataset_activities(name: str) -> set[str] | None:
    """The activity phrases of a registered dataset, or None where the classes depend on the user's files
    or options (the spec has ``resolve``: Capture-24's label schemes, the generic folder)."""
    from ..data import datasets

    spec = datasets.get(name)
    return None if spec.resolve is not None else set(spec.activities.values())


def read_vocabulary_file(path: str | Path) -> VocabularyFile:
    """Parse and validate one vocabulary file; errors name the file, the line and the field."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: vocabulary file not found")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DataFormatError(f"{where}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(data, dict):
        raise DataFormatError(f"{path}: expected a mapping with schema, name, version, templates, activities")
    try:
        parsed = VocabularyFile.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{_where(path, text, e['loc'])}: {'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
            for e in error.errors()[:5]
        ]
        raise DataFormatError("vocabulary file does not follow the schema:\n  " + "\n  ".join(problems)) from None
    if parsed.dataset is not None:
        try:
            known = dataset_activities(parsed.dataset)
        except KeyError as error:
            raise DataFormatError(f"{_where(path, text, ('dataset',))}: dataset: {error.args[0]}") from None
        for activity in parsed.activities:
            if known is not None and activity not in known:
                raise DataFormatError(
                    f"{_where(path, text, ('activities', activity))}: activities: {activity!r} is not a class of "
                    f"dataset {parsed.dataset!r}; its classes are: {', '.join(sorted(known))}"
                )
    return parsed


def load_vocabulary(name_or_path: str | Path) -> Vocabulary:
    """Load a shipped vocabulary by name (a dataset, ``common``, ``templates``) or a file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.is_file():  # a folder named like a dataset is not a vocabulary
        return _load(path.resolve())
    if str(name_or_path) in shipped_names():
        return _load_shipped(str(name_or_path))
    raise UnknownNameError(f"no vocabulary {str(name_or_path)!r}: not a file, and not shipped ({', '.join(shipped_names())})")


@cache
def _load_shipped(name: str) -> Vocabulary:
    return _load(package_dir() / f"{name}.yaml")


def _load(path: Path) -> Vocabulary:
    parsed = read_vocabulary_file(path)
    digest = hashlib.sha256(path.read_bytes())
    own = {a: Knowledge(e.paraphrases, e.body_parts, e.movement) for a, e in parsed.activities.items() if not e.same_as}
    activities: dict[str, Knowledge] = {}
    common = None
    for activity, entry in parsed.activities.items():
        if entry.same_as is None or entry.same_as in own:
            activities[activity] = own[entry.same_as or activity]
            continue
        if path == package_dir() / f"{COMMON}.yaml":
            raise DataFormatError(f"{path}: activities.{activity}.same_as: {entry.same_as!r} is not an entry with knowledge")
        common = common or _load_shipped(COMMON)
        if entry.same_as not in common.activities:
            where = _where(path, path.read_text(encoding="utf-8"), ("activities", activity, "same_as"))
            raise DataFormatError(
                f"{where}: activities.{activity}.same_as: {entry.same_as!r} is neither an entry with knowledge "
                f"in this file nor an activity of common.yaml ({', '.join(sorted(common.activities))})"
            )
        activities[activity] = common.activities[entry.same_as]
    if common is not None:
        digest.update(common.digest.encode())
    return Vocabulary(
        name=parsed.name,
        version=parsed.version,
        path=path,
        digest=digest.hexdigest(),
        dataset=parsed.dataset,
        templates=parsed.templates,
        activities=activities,
    )


def write_vocabulary(path: str | Path, vocabulary: VocabularyFile, header: str = "") -> Path:
    """Write a vocabulary file atomically (validated first, so what is written loads back)."""
    VocabularyFile.model_validate(vocabulary.model_dump(by_alias=True))
    data = vocabulary.model_dump(by_alias=True, exclude_none=True)
    data["activities"] = {
        activity: {k: list(v) if isinstance(v, tuple) else v for k, v in entry.items() if v not in ((), None)}
        for activity, entry in data["activities"].items()
    }
    data["templates"] = list(data["templates"])
    if not data["templates"]:
        del data["templates"]
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    write_text(path, comment + body)
    return Path(path)


def shipped_templates() -> tuple[str, ...]:
    """The 33 shipped templates, base template first."""
    return load_vocabulary("templates").templates
