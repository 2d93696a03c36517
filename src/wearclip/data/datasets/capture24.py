"""Capture-24 (Oxford): 151 participants, ~24 h each of wrist Axivity AX3 data at 100 Hz in g, free-living.

Official layout (the ORA archive ``capture24.zip``, extracted or not)::

    capture24/P001.csv.gz ... P151.csv.gz     time,x,y,z,annotation  (one row per 10 ms)
    capture24/annotation-label-dictionary.csv annotation,label:<scheme>,...
    capture24/metadata.csv                    pid,age,sex

Labels. ``label_scheme`` selects what a sample's label is:

* ``"Willetts2018"`` (default; the registered ``activities``): the dictionary's coarse 6-class scheme;
  likewise ``"WillettsSpecific2018"``, ``"Doherty2018"``, ``"Walmsley2020"`` and any other
  ``label:<scheme>`` column of the user's dictionary.
* ``"annotation"``: the fine-grained annotation itself, the label the study uses for language
  supervision. Each annotation becomes a natural phrase (:func:`annotation_phrase`:
  ``7030 sleeping;MET 0.95`` -> ``sleeping``); annotations that read the same after dropping codes and
  MET values share one class. ``read_dictionary`` keeps the raw strings and every scheme's value.

The dictionary is read from the user's download (it is under Oxford's academic licence, so the package
does not ship it) and is the label table: empty annotations, annotations a coarse scheme leaves empty,
and (as in the official code, which maps unknown annotations to NaN) annotations the dictionary does not
list are unlabelled; the last are reported once per file as a
:class:`~wearclip.data.quality.DataQualityWarning`. Timestamps are naive local times; they are
interpolated onto a uniform grid at the file's rate (100 Hz in the release), and pauses longer than
:data:`~wearclip.data.datasets.timeline.MAX_GAP` or rows without x, y, z split a participant's day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataFormatError
from .. import quality
from .archive import Tree
from .base import UNLABELLED, DatasetSpec, Download, Recording
from .parsing import read_csv, read_header, require_complete_rows
from .registry import register
from .timeline import check_increasing, to_recordings

RATE = 100.0
SCHEMES: dict[str, dict[str, str]] = {
    "Willetts2018": {
        "sleep": "sleeping",
        "sit-stand": "sitting or standing",
        "vehicle": "riding in a vehicle",
        "mixed": "mixed light activities",
        "walking": "walking",
        "bicycling": "riding a bicycle",
    },
    "WillettsSpecific2018": {
        "sleep": "sleeping",
        "sitting": "sitting",
        "standing": "standing",
        "walking": "walking",
        "bicycling": "riding a bicycle",
        "vehicle": "riding in a vehicle",
        "household-chores": "doing household chores",
        "manual-work": "doing manual work",
        "mixed-activity": "mixed light activities",
        "sports": "playing sports",
    },
    "Doherty2018": {
        "sleep": "sleeping",
        "sedentary": "sedentary activity",
        "tasks-light": "light tasks",
        "walking": "walking",
        "moderate": "moderate-intensity activity",
    },
    "Walmsley2020": {
        "sleep": "sleeping",
        "sedentary": "sedentary activity",
        "light": "light-intensity activity",
        "moderate-vigorous": "moderate-to-vigorous activity",
    },
}
"""Natural phrases of the coarse schemes' values (vocabularies from the official tutorial and code)."""
DEFAULT_SCHEME = "Willetts2018"
ANNOTATION = "annotation"


PARTICIPANT = r"(^|/)(P\d{3})\.csv(\.gz)?$"
DICTIONARY = r"(^|/)annotation-label-dictionary\.csv$"
_TOKENS = {"sitstand": "sitting or standing", "lowactivity": "low activity", "+": " with ", "-": " ", "/": " or "}


def annotation_phrase(annotation: str) -> str:
    """A natural phrase for one fine-grained annotation: its Compendium description, else its categories.

    ``7030 sleeping;MET 0.95`` -> ``sleeping``; ``...;11580 office/computer work general;MET 1.5`` ->
    ``office/computer work general``; ``sitting;sitstand+activity;social;MET 1.8`` ->
    ``sitting, sitting or standing with activity, social``.
    """
    parts = [p.strip() for p in annotation.split(";") if p.strip() and not p.strip().startswith("MET ")]
    coded = [p for p in parts if re.match(r"^\d{4,5}\s", p)]
    if coded:
        phrase = re.sub(r"^\d{4,5}\s+", "", coded[-1]).replace("(generic)", "")
    else:
        phrase = ", ".join(parts)
        for token, words in _TOKENS.items():
            phrase = phrase.replace(token, words)
    return re.sub(r"\s+", " ", phrase).strip()


def _dictionary_path(tree: Tree) -> str:
    return tree.require(DICTIONARY, "annotation-label-dictionary.csv (it ships inside capture24.zip)")[0]


def read_dictionary(root: Path) -> pd.DataFrame:
    """The user's ``annotation-label-dictionary.csv``: indexed by annotation, one column per scheme."""
    with Tree(root) as tree:
        return _read_dictionary(tree)


def _read_dictionary(tree: Tree) -> pd.DataFrame:
    path = _dictionary_path(tree)
    opener, name = (lambda: tree.open(path)), tree.describe(path)
    header = read_header(opener, name)
    frame = read_csv(opener, name, {c: str for c in header}, keep_default_na=False)
    if header[0] != "annotation" or len(header) < 2:
        raise DataFormatError(f"{name}: line 1: expected 'annotation,label:<scheme>,...', found {','.join(header)}")
    duplicated = frame["annotation"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataFormatError(f"{name}: line {row + 2}: annotation {frame['annotation'].iloc[row]!r} listed twice")
    frame = frame.set_index("annotation")
    frame.columns = [c.removeprefix("label:") for c in frame.columns]
    return frame


def _class_map(dictionary: pd.DataFrame, scheme: str, name: str) -> tuple[dict[str, str], dict[str, int]]:
    """(activities, annotation -> class index) for one scheme."""
    if scheme == ANNOTATION:
        phrases = [annotation_phrase(a) for a in dictionary.index]
        activities = {p: p for p in dict.fromkeys(phrases)}
        index = {p: i for i, p in enumerate(activities)}
        return activities, {a: index[p] for a, p in zip(dictionary.index, phrases)}
    if scheme not in dictionary.columns:
        schemes = ", ".join([ANNOTATION, *dictionary.columns])
        raise DataFormatError(f"{name}: no column 'label:{scheme}'; label_scheme must be one of {schemes}")
    values = [v for v in dict.fromkeys(dictionary[scheme]) if v]
    known = SCHEMES.get(scheme, {})
    order = [v for v in known if v in values] + sorted(v for v in values if v not in known)
    activities = {v: known.get(v) or annotation_phrase(v) for v in order}
    index = {v: i for i, v in enumerate(order)}
    return activities, {a: index.get(v, UNLABELLED) for a, v in dictionary[scheme].items()}


def resolve(root: Path, placement: str, options: dict) -> tuple[dict[str, str], str]:
    """The classes of the chosen ``label_scheme``, read from the user's dictionary."""
    scheme = options.get("label_scheme", DEFAULT_SCHEME)
    with Tree(root) as tree:
        activities, _ = _class_map(_read_dictionary(tree), scheme, tree.describe(_dictionary_path(tree)))
    return activities, placement


def _participant(tree: Tree, path: str, mapping: dict[str, int]) -> Iterator[Recording]:
    name = tree.describe(path)
    subject = re.search(PARTICIPANT, path).group(2)
    opener = lambda: tree.open(path)  # noqa: E731
    gzip = "gzip" if path.endswith(".gz") else None
    header = read_header(opener, name, compression=gzip)
    columns = {"time": str, "x": np.float32, "y": np.float32, "z": np.float32}
    has_annotation = "annotation" in header
    if has_annotation:
        columns["annotation"] = "category"
    frame = read_csv(opener, name, columns, compression=gzip)
    if frame.empty:
        raise DataFormatError(f"{name}: no data rows for participant {subject}")
    require_complete_rows(frame, ["x", "y", "z"], name)
    try:
        times = pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M:%S.%f")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataFormatError(
            f"{name}: line {row + 2}, field 'time': expected 'YYYY-MM-DD HH:MM:SS.ffffff', found {frame['time'].iloc[row]!r}"
        ) from None
    seconds = (times - times.iloc[0]).dt.total_seconds().to_numpy()
    check_increasing(seconds, name, lambda i: i + 2)
    labels = np.full(len(frame), UNLABELLED, dtype=np.int32)
    if has_annotation:
        annotations = frame["annotation"].cat
        unknown = [a for a in annotations.categories if a not in mapping]
        if unknown:
            rows = frame["annotation"].isin(unknown).to_numpy()
            quality.contradiction(name, f"{rows.sum()} rows carry {len(unknown)} annotation(s) that "
                                        f"annotation-label-dictionary.csv, the label table, does not list (first "
                                        f"{unknown[0]!r}, line {int(np.argmax(rows)) + 2}); unlabelled, as the official code "
                                        "treats them")
        lookup = np.array([mapping.get(a, UNLABELLED) for a in annotations.categories] + [UNLABELLED], dtype=np.int32)
        labels = lookup[annotations.codes]  # code -1 (empty annotation) picks the trailing UNLABELLED
    signal = frame[["x", "y", "z"]].to_numpy(dtype=np.float32)
    del frame
    yield from to_recordings(subject, subject, signal, labels, times=seconds, source=name,
                             line_of=lambda i: f"line {i + 2}", gaps=True)


def read(root: Path, placement: str = "wrist", label_scheme: str = DEFAULT_SCHEME) -> Iterator[Recording]:
    """Yield each participant's day (split at gaps) from the official layout or ``capture24.zip``."""
    with Tree(root) as tree:
        files = tree.require(PARTICIPANT, "participant files P###.csv.gz")
        _, mapping = _class_map(_read_dictionary(tree), label_scheme, tree.describe(_dictionary_path(tree)))
        for path in files:
            yield from _participant(tree, path, mapping)


SPEC = register(
    DatasetSpec(
        name="capture24",
        title="Capture-24: free-living wrist accelerometer data with fine-grained annotations",
        rate=RATE,
        units="g",
        placements=("wrist",),
        default_placement="wrist",
        activities=SCHEMES[DEFAULT_SCHEME],
        subjects=tuple(f"P{i:03d}" for i in range(1, 152)),
        licence="CC BY 4.0 (data); annotation dictionary and code under the Oxford Academic Use Licence",
        citation=(
            "Chan, Yuan, Tong, Acquah, Schonfeldt, Gershuny, Doherty. CAPTURE-24: A large dataset of wrist-worn "
            "activity tracker data collected in the wild for human activity recognition. Scientific Data 11, 2024. "
            "doi:10.1038/s41597-024-03960-3"
        ),
        url="https://ora.ox.ac.uk/objects/uuid:99d7c092-d865-4a19-b096-cc16440cd001",
        read=read,
        options=("label_scheme",),
        resolve=resolve,
        downloads=(
            Download(
                url="https://ora.ox.ac.uk/objects/uuid:99d7c092-d865-4a19-b096-cc16440cd001/download_file"
                "?file_format=&safe_filename=capture24.zip&type_of_work=Dataset",
                filename="capture24.zip",
            ),
        ),
        groups={"wrist": "wrist"},
        notes="Axivity AX3 on the dominant wrist, ~24 h per participant; annotations from wearable cameras.",
    )
)
