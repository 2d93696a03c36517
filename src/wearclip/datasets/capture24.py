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
  supervision. Each distinct annotation string of the dictionary is one class; its phrase is derived
  from the string (:func:`annotation_phrase`, e.g. ``7030 sleeping;MET 0.95`` -> ``sleeping``) and the
  raw string stays available as the dataset's ``label_keys``.

The dictionary is read from the user's download (it is under Oxford's academic licence, so the package
does not ship it); empty annotations are unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .base import DatasetSpec, Download, Recording
from .registry import register

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


def read(root: Path, placement: str = "wrist", label_scheme: str = DEFAULT_SCHEME) -> Iterator[Recording]:
    raise NotImplementedError("capture24 reader lands in the next commit")


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
            "Chan, Hang Yuan, Walmsley, ..., Doherty. CAPTURE-24: A large dataset of wrist-worn activity "
            "tracker data collected in the wild for human activity recognition. Scientific Data 11, 1135, 2024."
        ),
        url="https://ora.ox.ac.uk/objects/uuid:99d7c092-d865-4a19-b096-cc16440cd001",
        read=read,
        options=("label_scheme",),
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
