"""Sentence modes: the sentences that describe each class (the study's Tables 3-5).

Pre-training draws one sentence of its class per window per step, uniformly from the list that
:func:`class_sentences` returns; recognition embeds every sentence of a class and uses their mean
(one sentence for a single template, several for an ensemble).
"""

from __future__ import annotations

import hashlib
import random
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from ..config.model import AUTO
from ..config.run import SENTENCE_MODES
from ..errors import UnknownNameError, UsageError
from .templates import BASE_TEMPLATE, fill, placement_sentence
from .vocabularies import COMMON, TEMPLATES, Knowledge, Vocabulary, load_vocabulary, shipped_names, shipped_templates

"""Named modes; ``template:K`` (the K-th template, 0-based) is accepted too, for recognition."""

_NEEDS = {
    "paraphrase": "paraphrases",
    "base+body-parts": "body_parts",
    "random-template+body-parts": "body_parts",
    "random-template+movement": "movement",
    "ensemble+movement": "movement",
}
_FALLBACK = {
    "paraphrase": "random-template",
    "base+body-parts": "base",
    "random-template+body-parts": "random-template",
    "random-template+movement": "random-template",
    "ensemble+movement": "ensemble",
}
_KIND = {"paraphrases": "paraphrases", "body_parts": "body-parts", "movement": "movement"}


class MissingKnowledgeWarning(UserWarning):
    """A mode needed knowledge (paraphrases, body parts, movement) that no vocabulary has for a class."""


def knowledge_sources(dataset: str | None = None, vocabulary: str | Path | Vocabulary | None = None) -> list[Vocabulary]:
    """Vocabularies consulted in order: the user's file, the dataset's, ``common``, then every other dataset's."""
    sources = []
    if vocabulary is not None:
        sources.append(vocabulary if isinstance(vocabulary, Vocabulary) else load_vocabulary(vocabulary))
    if dataset is not None:
        from ..data import datasets

        datasets.get(dataset)  # an unknown name fails here, listing the registered ones
    names = shipped_names()
    first = [dataset] if dataset in names else []
    rest = [n for n in names if n not in (dataset, COMMON, TEMPLATES)]
    sources += [load_vocabulary(n) for n in [*first, COMMON, *rest]]
    return sources


def lookup(activity: str, sources: Sequence[Vocabulary]) -> Knowledge:
    """Each field from the first vocabulary that has it for ``activity`` (so a user's file of paraphrases
    still gets the shipped body parts); empty where none has it."""
    found = [k for k in (v.get(activity) for v in sources) if k is not None]
    return Knowledge(
        paraphrases=next((k.paraphrases for k in found if k.paraphrases), ()),
        body_parts=next((k.body_parts for k in found if k.body_parts), ()),
        movement=next((k.movement for k in found if k.movement), None),
    )


def join_parts(parts: Sequence[str]) -> str:
    """``['hips', 'knees', 'ankles']`` -> ``'hips, knees and ankles'``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def with_body_parts(sentence: str, parts: Sequence[str]) -> str:
    """A sentence followed by the body parts the activity involves."""
    return f"{sentence.rstrip('.')}. The body parts involved are the {join_parts(parts)}."


def with_movement(sentence: str, movement: str) -> str:
    """A sentence followed by the description of the movement."""
    return f"{sentence.rstrip('.')}. {movement}"


def _check_classes(classes: Sequence[str]) -> list[str]:
    if isinstance(classes, str):
        raise TypeError("classes must be a list of activity phrases, not one string")
    classes = list(classes)
    if not classes:
        raise UsageError("no classes: pass at least one activity phrase")
    for i, name in enumerate(classes):
        if not isinstance(name, str) or not name.strip():
            raise UsageError(f"class {i} is empty; every class needs an activity phrase")
    folded = [" ".join(c.split()).casefold() for c in classes]
    duplicates = sorted({c for c in classes if folded.count(" ".join(c.split()).casefold()) > 1})
    if duplicates:
        raise UsageError(f"classes {duplicates} appear more than once; each class needs its own phrase")
    return classes


def _sentences(activity: str, mode: str, knowledge: Knowledge, templates: Sequence[str]) -> list[str]:
    with_templates = [fill(t, activity) for t in templates]
    base = fill(BASE_TEMPLATE, activity)
    if mode == "base":
        return [base]
    if mode == "random-template":
        return with_templates
    if mode == "paraphrase":
        return list(knowledge.paraphrases)
    if mode == "base+body-parts":
        return [with_body_parts(base, knowledge.body_parts)]
    if mode == "random-template+body-parts":
        return [with_body_parts(s, knowledge.body_parts) for s in with_templates]
    if mode == "random-template+movement":
        return [with_movement(s, knowledge.movement) for s in with_templates]
    if mode == "ensemble":
        return with_templates + list(knowledge.paraphrases)
    if mode == "ensemble+movement":
        return [with_movement(s, knowledge.movement) for s in with_templates] + list(knowledge.paraphrases)
    index = int(mode.split(":")[1])
    return [fill(templates[index], activity)]


def class_sentences(
    classes: Sequence[str],
    mode: str,
    dataset: str | None = None,
    seed: int = 0,
    *,
    vocabulary: str | Path | Vocabulary | None = None,
    limit: int | None = None,
    strict: bool = False,
    placement: str | None = None,
) -> list[list[str]]:
    """For each class (an activity phrase), the sentences that describe it under ``mode``.

    ``base`` gives 1 sentence, ``random-template`` one per template (33 shipped), ``paraphrase`` the
    class's paraphrases, ``base+body-parts`` / ``random-template+body-parts`` / ``random-template+movement``
    the template sentences followed by the class's body parts or movement description, ``ensemble`` every
    template sentence plus the paraphrases (for recognition), ``ensemble+movement`` the movement
    sentences plus the paraphrases, ``template:K`` the K-th template alone.
    ``base+placement`` / ``random-template+placement`` / ``ensemble+placement`` add where the sensor is
    worn ("The sensor is worn on the wrist."): ``placement``, else the dataset's default placement, so
    that one activity from two places gets two descriptions; a placement with no one place (``any``,
    ``all``) or no dataset leaves the sentences without it.

    Knowledge comes from ``vocabulary`` (a user's file, e.g. from ``wearclip text generate``), then the
    dataset's shipped vocabulary, then ``common`` and the other datasets' (see :func:`knowledge_sources`).
    A class no vocabulary knows (a free-text activity) falls back to the mode without knowledge
    (``paraphrase`` -> ``random-template``, ``*+body-parts``/``*+movement`` -> the template part) with a
    :class:`MissingKnowledgeWarning`; ``strict=True`` raises instead. The vocabulary's ``templates``, if
    it has any, replace the shipped 33. ``limit`` keeps at most that many sentences per class, chosen
    with ``seed``; without ``limit`` the seed changes nothing (lists come in a fixed order).
    """
    classes = _check_classes(classes)
    if mode not in SENTENCE_MODES and not re.fullmatch(r"template:\d+", mode):
        raise UsageError(f"unknown sentence mode {mode!r}; choose one of {', '.join(SENTENCE_MODES)} or template:K")
    if limit is not None and limit < 1:
        raise UsageError(f"limit must be at least 1, got {limit}")
    sources = knowledge_sources(dataset, vocabulary)
    templates = next((v.templates for v in sources if v.templates), None) or shipped_templates()
    if mode.startswith("template:") and int(mode.split(":")[1]) >= len(templates):
        raise UsageError(f"{mode}: there are {len(templates)} templates (0-{len(templates) - 1})")

    mode, placed = mode.removesuffix("+placement"), mode.endswith("+placement")
    where = None
    if placed and (placement or dataset):
        from ..data import datasets

        where = placement_sentence(placement or datasets.get(dataset).default_placement)
    needed = _NEEDS.get(mode)
    knowledge = [lookup(c, sources) for c in classes]
    missing = [c for c, k in zip(classes, knowledge) if needed and not getattr(k, needed)]
    if missing:
        message = (
            f"no {needed.replace('_', ' ')} for {missing} in the vocabularies "
            f"({', '.join(v.name for v in sources)}); write them in a vocabulary file "
            f"(`wearclip text generate DATASET --kind {_KIND[needed]} ...`) and pass it as vocabulary"
        )
        if strict:
            raise UnknownNameError(message)
        warnings.warn(f"{message}; using mode {_FALLBACK[mode]!r} for these classes", MissingKnowledgeWarning, stacklevel=2)

    rng = random.Random(seed)
    out = []
    for activity, known in zip(classes, knowledge):
        sentences = list(dict.fromkeys(_sentences(activity, _FALLBACK[mode] if activity in missing else mode, known, templates)))
        if where:
            sentences = [f"{s.rstrip('.')}. {where}" for s in sentences]
        if limit is not None and len(sentences) > limit:
            keep = sorted(rng.sample(range(len(sentences)), limit))
            sentences = [sentences[i] for i in keep]
        out.append(sentences)
    return out


def check_recognition(classes: Sequence[str], recognition: str, dataset: str | None = None) -> None:
    """Fail on bad classes or an unknown recognition mode before a model loads; ``auto`` is a mode only
    the model can resolve (:meth:`~wearclip.config.model.WearClipConfig.recognition_mode`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingKnowledgeWarning)  # said again when the sentences are built
        class_sentences(classes, "base" if recognition == AUTO else recognition, dataset)


def sentences_by_phrase(datasets: Sequence[tuple[str, Sequence[str]]], mode: str, seed: int = 0, *,
                        vocabulary: str | Path | Vocabulary | None = None, limit: int | None = None
                        ) -> dict[str, list[str]]:
    """Sentences of each activity phrase of several datasets, given as (dataset name, its classes) pairs:
    pooled datasets make one class per phrase, so a phrase takes its sentences (:func:`class_sentences`)
    from the first dataset that has it."""
    table: dict[str, list[str]] = {}
    for name, classes in datasets:
        lists = class_sentences(classes, mode, name, seed, vocabulary=vocabulary, limit=limit)
        for phrase, sentences in zip(classes, lists):
            table.setdefault(phrase, sentences)
    return table


def vocabulary_tag(dataset: str | None = None, vocabulary: str | Path | Vocabulary | None = None) -> str:
    """``name@version+digest`` of the first vocabulary consulted, the digest covering every vocabulary
    and template that :func:`class_sentences` reads: what a checkpoint records as its text version."""
    sources = knowledge_sources(dataset, vocabulary)
    digest = hashlib.sha256(" ".join([load_vocabulary(TEMPLATES).digest, *(v.digest for v in sources)]).encode())
    return f"{sources[0].name}@{sources[0].version}+{digest.hexdigest()[:10]}"
