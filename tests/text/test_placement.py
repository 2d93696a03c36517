"""Placement-aware sentences: the same activity worn in two places gets two descriptions."""

import pytest

from wearclip.data import datasets
from wearclip.text import class_sentences
from wearclip.text.templates import LOCATIONS, placement_sentence


def test_every_registered_placement_with_one_place_has_a_location():
    for name in datasets.names():
        for placement in datasets.get(name).placements:
            if placement not in ("any", "all"):
                assert placement in LOCATIONS, f"{name}: placement {placement!r} has no location sentence"


def test_the_dataset_default_placement_or_the_given_one_is_named():
    [[pocket]] = class_sentences(["walking"], "base+placement", "mobifall")
    [[waist]] = class_sentences(["walking"], "base+placement", "uci-hapt")
    [[base]] = class_sentences(["walking"], "base", "uci-hapt")
    assert pocket == f"{base}. The sensor is worn in a trouser pocket."
    assert waist == f"{base}. The sensor is worn at the waist."
    [[arm]] = class_sentences(["walking"], "base+placement", "dsads", placement="left-arm")
    assert arm.endswith("worn on the left forearm, just above the wrist.")


@pytest.mark.parametrize("mode", ["random-template", "ensemble"])
def test_placement_modes_extend_every_sentence_of_their_base_mode(mode):
    plain = class_sentences(["sitting", "standing"], mode, "wisdm")
    placed = class_sentences(["sitting", "standing"], f"{mode}+placement", "wisdm")
    assert placed == [[f"{s.rstrip('.')}. {placement_sentence('wrist')}" for s in group] for group in plain]


def test_without_one_place_the_sentences_are_left_plain():
    assert class_sentences(["walking"], "base+placement") == class_sentences(["walking"], "base")
    assert class_sentences(["walking"], "base+placement", "dsads", placement="all") == class_sentences(["walking"], "base")
    assert placement_sentence("any") is None
