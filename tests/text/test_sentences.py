"""Templates, vocabularies and sentence modes: the shipped text data and the errors on bad input."""

import csv
import warnings

import pytest
import yaml

from tests.support.shared import shared_dataset
from wearclip.config.run import SENTENCE_MODES
from wearclip.data import datasets
from wearclip.errors import DataFormatError
from wearclip.text import (
    BASE_TEMPLATE,
    MissingKnowledgeWarning,
    base_sentence,
    class_sentences,
    load_vocabulary,
    shipped_templates,
    vocabulary_tag,
)
from wearclip.text.sentences import with_body_parts, with_movement
from wearclip.text.templates import fill, template_error
from wearclip.text.vocabularies import COMMON, Entry, VocabularyFile, read_vocabulary_file, write_vocabulary

HAPT = datasets.get("uci-hapt").classes


def test_base_template_is_the_studys_verbatim():
    assert BASE_TEMPLATE == "This is wearable sensor data for a person engaged in {activity}"
    assert base_sentence("walking") == "This is wearable sensor data for a person engaged in walking"


def test_33_distinct_valid_templates_base_first():
    templates = shipped_templates()
    assert len(templates) == 33
    assert templates[0] == BASE_TEMPLATE
    assert len({t.casefold() for t in templates}) == 33
    assert all(template_error(t) is None for t in templates)
    assert all("bench press" in fill(t, "bench press") for t in templates)


@pytest.mark.parametrize("bad", ["no placeholder here", "{activity} and {activity}", "{activity} by {person}", "{activity"])
def test_template_errors(bad):
    assert template_error(bad)
    with pytest.raises(ValueError):
        fill(bad, "walking")


def test_every_registered_class_has_full_knowledge():
    """Every class of every registered dataset (generic's come from the user): >= 15 paraphrases, body
    parts and a movement description, and no two classes of one dataset share their knowledge."""
    names = [n for n in datasets.names() if n != "generic"]
    assert len(names) >= 13
    for name in names:
        vocabulary = load_vocabulary(name)
        assert vocabulary.dataset == name
        seen = {}
        for activity in datasets.get(name).classes:
            known = vocabulary.get(activity)
            assert known is not None, f"{name}: no vocabulary entry for {activity!r}"
            assert len(known.paraphrases) >= 15, f"{name}: {activity!r} has {len(known.paraphrases)} paraphrases"
            assert known.body_parts and known.movement and known.movement.endswith(".")
            assert id(known) not in seen, f"{name}: {activity!r} shares its knowledge with {seen.get(id(known))!r}"
            seen[id(known)] = activity


def test_capture24_covers_every_label_scheme_and_annotation():
    from wearclip.data.datasets.capture24 import SCHEMES, annotation_phrase

    vocabulary = load_vocabulary("capture24")
    for scheme, activities in SCHEMES.items():
        for phrase in activities.values():
            known = vocabulary.get(phrase)
            assert known and len(known.paraphrases) >= 15 and known.body_parts and known.movement, (scheme, phrase)
        groups = class_sentences(list(activities.values()), "paraphrase", "capture24")
        assert len({s for g in groups for s in g}) == sum(len(g) for g in groups), f"{scheme}: classes share sentences"
    path = shared_dataset("capture24-format") / "annotation-label-dictionary.csv"
    with open(path, encoding="utf-8") as f:
        phrases = {annotation_phrase(row["annotation"]) for row in csv.DictReader(f)}
    assert len(phrases) > 90
    for phrase in phrases:
        known = vocabulary.get(phrase)
        assert known and len(known.paraphrases) >= 15 and known.body_parts and known.movement, phrase


def test_physiology_spot_checks():
    """The facts the issue names: walking downstairs loads the knees in flexion, it is not arm swinging."""
    down = load_vocabulary("uci-hapt").get("walking downstairs")
    assert "knees" in down.body_parts and "arms" not in down.body_parts
    assert "knee" in down.movement and "bend" in down.movement and "swing" not in down.movement
    curl = load_vocabulary("myogym").get("concentration curl")
    assert curl.body_parts[0] == "biceps" and "elbow" in curl.movement


@pytest.mark.parametrize("mode", SENTENCE_MODES)
def test_mode_sizes(mode):
    groups = class_sentences(HAPT, mode, "uci-hapt")
    assert len(groups) == len(HAPT)
    vocabulary = load_vocabulary("uci-hapt")
    for activity, sentences in zip(HAPT, groups):
        known = vocabulary.get(activity)
        expected = {
            "base": 1,
            "random-template": 33,
            "paraphrase": len(known.paraphrases),
            "base+body-parts": 1,
            "random-template+body-parts": 33,
            "random-template+movement": 33,
            "ensemble": 33 + len(known.paraphrases),
            "ensemble+movement": 33 + len(known.paraphrases),
            "base+placement": 1,
            "random-template+placement": 33,
            "ensemble+placement": 33 + len(known.paraphrases),
        }[mode]
        assert len(sentences) == len(set(sentences)) == expected


def test_mode_contents():
    walking = HAPT.index("walking")
    known = load_vocabulary("uci-hapt").get("walking")
    assert class_sentences(HAPT, "base", "uci-hapt")[walking] == [base_sentence("walking")]
    assert class_sentences(HAPT, "paraphrase", "uci-hapt")[walking] == list(known.paraphrases)
    [sentence] = class_sentences(HAPT, "base+body-parts", "uci-hapt")[walking]
    assert sentence == with_body_parts(base_sentence("walking"), known.body_parts)
    assert sentence.endswith("are the hips, thighs, knees, lower legs, ankles, feet, arms and trunk.")
    movement = class_sentences(HAPT, "random-template+movement", "uci-hapt")[walking]
    assert movement[0] == with_movement(base_sentence("walking"), known.movement)
    assert class_sentences(HAPT, "ensemble+movement", "uci-hapt")[walking] == movement + list(known.paraphrases)
    assert class_sentences(["walking"], "template:3")[0] == [fill(shipped_templates()[3], "walking")]


def test_knowledge_is_found_without_naming_the_dataset():
    assert class_sentences(["walking upstairs", "bench press"], "paraphrase") == [
        list(load_vocabulary(COMMON).get("walking upstairs").paraphrases),
        list(load_vocabulary("myogym").get("bench press").paraphrases),
    ]


def test_free_text_activity_falls_back_with_a_warning_or_fails_when_strict():
    classes = ["walking", "juggling three balls"]
    with pytest.warns(MissingKnowledgeWarning, match="juggling three balls"):
        groups = class_sentences(classes, "paraphrase")
    assert groups[1] == class_sentences(["juggling three balls"], "random-template")[0]
    with pytest.warns(MissingKnowledgeWarning):
        assert class_sentences(classes, "base+body-parts")[1] == [base_sentence("juggling three balls")]
    with pytest.raises(KeyError, match="wearclip text generate"):
        class_sentences(classes, "random-template+movement", strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # modes without knowledge never warn
        class_sentences(classes, "ensemble")


def test_limit_is_seeded_and_keeps_order():
    full = class_sentences(HAPT, "random-template")
    a = class_sentences(HAPT, "random-template", seed=1, limit=5)
    assert a == class_sentences(HAPT, "random-template", seed=1, limit=5)
    assert a != class_sentences(HAPT, "random-template", seed=2, limit=5)
    for kept, every in zip(a, full):
        assert len(kept) == 5 and kept == [s for s in every if s in kept]
    assert class_sentences(HAPT, "random-template", seed=7) == full  # without limit the seed changes nothing


@pytest.mark.parametrize(
    "classes, mode, error, match",
    [
        ([], "base", ValueError, "no classes"),
        (["walking", "Walking"], "base", ValueError, "more than once"),
        (["walking", " "], "base", ValueError, "class 1 is empty"),
        ("walking", "base", TypeError, "list"),
        (["walking"], "random", ValueError, "unknown sentence mode"),
        (["walking"], "template:33", ValueError, "33 templates"),
        (["walking"], "base", KeyError, "unknown dataset"),
    ],
)
def test_bad_requests(classes, mode, error, match):
    dataset = "no-such-dataset" if error is KeyError else None
    with pytest.raises(error, match=match):
        class_sentences(classes, mode, dataset)


def _write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _minimal(**extra):
    return {"schema": 1, "name": "mine", "version": "1", **extra}


def test_user_vocabulary_overrides_per_field_and_brings_templates(tmp_path):
    mine = _write(tmp_path / "mine.yaml", _minimal(
        dataset="uci-hapt",
        templates=["Accelerometer trace of {activity}", "Wrist data while {activity}"],
        activities={"walking": {"paraphrases": [f"walk number {i}" for i in range(3)]}},
    ))
    groups = class_sentences(HAPT, "paraphrase", "uci-hapt", vocabulary=mine)
    assert groups[0] == ["walk number 0", "walk number 1", "walk number 2"]
    assert groups[1] == list(load_vocabulary("uci-hapt").get("walking upstairs").paraphrases)
    body = class_sentences(["walking"], "random-template+body-parts", vocabulary=mine)[0]
    assert body[0].startswith("Accelerometer trace of walking. The body parts involved are the hips") and len(body) == 2
    assert vocabulary_tag("uci-hapt", mine).startswith("mine@1+")
    assert vocabulary_tag("uci-hapt", mine) != vocabulary_tag("uci-hapt")


@pytest.mark.parametrize(
    "data, match",
    [
        (_minimal(dataset="uci-hapt", activities={"moonwalking": {"movement": "Gliding backwards."}}),
         r"mine\.yaml:\d+: activities: 'moonwalking' is not a class of dataset 'uci-hapt'"),
        (_minimal(activities={"walking": {"paraphrase": ["typo in the field name"]}}),
         r"mine\.yaml:\d+: activities\.walking\.paraphrase: Extra inputs"),
        (_minimal(templates=["Data of a person"]), r"mine\.yaml:\d+: templates: .*exactly once"),
        (_minimal(activities={"walking": {"paraphrases": ["same", "Same"]}}), r"duplicate paraphrase: 'Same'"),
        (_minimal(activities={"walking": {"same_as": "flying"}}), r"mine\.yaml:\d+: .*'flying' is neither"),
        (_minimal(activities={"walking": {"same_as": "walking", "movement": "Steps."}}), "lists nothing else"),
        ({"name": "mine", "version": "1", "schema": 2}, r"mine\.yaml:\d+: schema"),
        (_minimal(dataset="no-such-dataset"), r"mine\.yaml:\d+: dataset: unknown dataset"),
        (["a", "list"], "expected a mapping"),
    ],
)
def test_bad_vocabulary_files_name_file_line_and_field(tmp_path, data, match):
    path = _write(tmp_path / "mine.yaml", data)
    with pytest.raises(DataFormatError, match=match):
        load_vocabulary(path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema: 1\nname: x\nactivities: {walking: [\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"broken.yaml:4: not valid YAML: expected the node content"):
        read_vocabulary_file(path)


def test_write_vocabulary_round_trips(tmp_path):
    original = VocabularyFile(
        name="roundtrip", version="2", dataset="uci-hapt", source="test",
        activities={"walking": Entry(body_parts=("hips", "knees"), movement="Steps."), "sitting": Entry(same_as="sitting")},
    )
    path = write_vocabulary(tmp_path / "out.yaml", original, header="a header")
    assert path.read_text(encoding="utf-8").startswith("# a header\n")
    assert read_vocabulary_file(path) == original
    assert load_vocabulary(path).get("sitting") == load_vocabulary(COMMON).get("sitting")


def test_cli_show():
    from typer.testing import CliRunner

    from wearclip.cli import app

    runner = CliRunner()
    shown = runner.invoke(app, ["text", "show", "uci-hapt", "--mode", "random-template", "--limit", "2"])
    assert shown.exit_code == 0 and "walking upstairs (2 sentences)" in shown.output
    assert "uci-hapt@1.0+" in shown.output
    free = runner.invoke(app, ["text", "show", "uci-hapt", "--mode", "paraphrase", "--classes", "walking,juggling"])
    assert free.exit_code == 0 and "warning:" in free.output and "juggling (33 sentences)" in free.output
    for args, message in [
        (["generic"], "no fixed classes"),
        (["no-such-dataset"], "unknown dataset"),
        (["uci-hapt", "--mode", "bogus"], "unknown sentence mode"),
    ]:
        failed = runner.invoke(app, ["text", "show", *args])
        assert failed.exit_code != 0 and message in failed.output.replace("\n", " ")


def test_sentences_by_phrase_takes_a_shared_phrase_from_the_first_dataset_that_has_it():
    from wearclip.text import sentences_by_phrase

    # the placement mode names each dataset's own placement (waist for uci-hapt, trouser pocket for mobifall)
    table = sentences_by_phrase([("uci-hapt", ["walking", "sitting"]), ("mobifall", ["walking", "jogging"])],
                                "base+placement")
    assert list(table) == ["walking", "sitting", "jogging"]
    assert table["walking"] == class_sentences(["walking"], "base+placement", "uci-hapt")[0]
    assert table["walking"] != class_sentences(["walking"], "base+placement", "mobifall")[0]
    assert table["jogging"] == class_sentences(["jogging"], "base+placement", "mobifall")[0]
