"""The published JSON shape (conflictmap/schema/extraction.schema.json) against real output.

Runs the extractor on short texts written for this test, validates every document object
against the schema, and checks the promises the schema cannot express: offsets index the
input text, and every name used by a relation or event is an entity of the document.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "conflictmap" / "schema" / "extraction.schema.json"
ANCHOR = date(2012, 7, 20)

TEXTS = {
    "clash": (
        "Ansar Dine fighters clashed with Malian soldiers near Gao on Tuesday, killing at least "
        "12 soldiers, a security source said. The group said in a statement that it had "
        "seized two army trucks."
    ),
    "acronym": (
        "The Movement for the Salvation of Azawad (MSA) said its fighters had repelled the "
        "assault. The MSA has controlled Menaka since late March. An MSA convoy later left "
        "the town, residents said."
    ),
    "relations": (
        "Ansar Dine leader Iyad Ag Ghaly arrived in Kidal on Monday with his deputy Cheikh Ag "
        "Aoussa. The Sahel Liberation Front, backed by the Kel Adagh Brotherhood, reportedly "
        "attacked Malian troops near Tessalit last week."
    ),
    "remote": (
        "An air strike by French warplanes killed eight Ansar Dine fighters near Kidal. Four "
        "Malian soldiers were killed when their truck hit a roadside bomb near Gao."
    ),
    "civilians": (
        "MUJAO militants kidnapped two aid workers near Menaka on Thursday. MUJAO militants "
        "released the two hostages on Sunday in exchange for a ransom of $5 million. Hundreds "
        "of residents of Gao held a peaceful protest against MUJAO on Saturday."
    ),
    "non_ascii": (
        "Des combattants d’Ansar Dine ont pris Kidal. “We are leaving,” said a trader in Gao, "
        "where Malian police arrested a MUJAO commander on Monday."
    ),
    "no_date": "Ansar Dine fighters attacked Malian soldiers near Gao, residents said.",
    "empty": "",
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def outputs() -> dict[str, tuple[str, dict]]:
    from conflictmap.extract.pipeline import Extractor

    extractor = Extractor()
    result = {}
    for doc_id, text in TEXTS.items():
        when = None if doc_id == "no_date" else ANCHOR
        extraction = extractor.extract(text, doc_id=doc_id, document_date=when)
        # Through a JSON round trip: the schema is about what a consumer reads.
        result[doc_id] = (text, json.loads(json.dumps(extraction.to_dict())))
    return result


def test_schema_is_valid_draft_2020_12(schema: dict) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {
        "id",
        "document_date",
        "entities",
        "mentions",
        "relations",
        "events",
    }


def test_schema_enums_match_the_model(schema: dict) -> None:
    from conflictmap.model import ATTRIBUTION_KINDS, ENTITY_TYPES, PREDICATES

    defs = schema["$defs"]
    assert set(defs["entity_type"]["enum"]) == set(ENTITY_TYPES)
    assert set(defs["predicate"]["enum"]) == set(PREDICATES)
    assert set(defs["attribution_kind"]["enum"]) == set(ATTRIBUTION_KINDS)
    assert len(defs["event_type"]["enum"]) == 6
    assert len(defs["sub_event_type"]["enum"]) == 25


def test_schema_knows_every_coding_the_event_stage_can_emit(schema: dict) -> None:
    from conflictmap.extract import events

    defs = schema["$defs"]
    codings = list(events.TRIGGERS.values()) + [c for _, c in events.PHRASE_TRIGGERS]
    for event_type, sub_event_type, _ in codings:
        assert event_type in defs["event_type"]["enum"]
        assert sub_event_type in defs["sub_event_type"]["enum"]


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", list(TEXTS))
def test_output_validates(doc_id: str, outputs: dict, validator: Draft202012Validator) -> None:
    _, out = outputs[doc_id]
    errors = sorted(validator.iter_errors(out), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert out["id"] == doc_id


@pytest.mark.slow
def test_texts_exercise_every_part_of_the_format(outputs: dict) -> None:
    """The validation above is only worth something if the output has content to validate."""
    docs = [out for _, out in outputs.values()]
    assert sum(len(d["entities"]) for d in docs) >= 20
    assert any(e["geo"] for d in docs for e in d["entities"])
    assert any(e["aliases"] for d in docs for e in d["entities"])
    assert any(r["valid_from"] for d in docs for r in d["relations"])
    assert any(ev["time"] for d in docs for ev in d["events"])
    assert any(ev["fatalities"] for d in docs for ev in d["events"])
    assert any(ev["amount"] for d in docs for ev in d["events"])
    kinds = {
        item["evidence"]["attribution"]["kind"]
        for d in docs
        for item in d["relations"] + d["events"]
    }
    assert {"anonymous_security", "unattributed"} <= kinds
    assert outputs["no_date"][1]["document_date"] is None
    assert outputs["empty"][1]["entities"] == []


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", list(TEXTS))
def test_offsets_index_the_input_text(doc_id: str, outputs: dict) -> None:
    text, out = outputs[doc_id]
    for mention in out["mentions"]:
        assert 0 <= mention["start"] < mention["end"] <= len(text)
        assert text[mention["start"] : mention["end"]] == mention["text"], mention
    for entity in out["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"], entity
    for item in out["relations"] + out["events"]:
        ev = item["evidence"]
        assert 0 <= ev["start"] < ev["end"] <= len(text)
        assert text[ev["start"] : ev["end"]] == ev["sentence"], ev


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", list(TEXTS))
def test_names_refer_to_entities_of_the_document(doc_id: str, outputs: dict) -> None:
    _, out = outputs[doc_id]
    types = {e["canonical"]: e["type"] for e in out["entities"]}
    assert len(types) == len(out["entities"]), "canonical names must be unique"
    for mention in out["mentions"]:
        assert types.get(mention["canonical"]) == mention["type"], mention
    counts: dict[str, int] = {}
    for mention in out["mentions"]:
        counts[mention["canonical"]] = counts.get(mention["canonical"], 0) + 1
    for entity in out["entities"]:
        assert entity["mention_count"] == counts.get(entity["canonical"], 0), entity
    for rel in out["relations"]:
        assert rel["subject"] in types, rel
        assert rel["object"] in types, rel
    for event in out["events"]:
        for name in event["actors"] + event["targets"]:
            assert name in types, (name, event)
        if event["location"] is not None:
            assert types.get(event["location"]) == "LOCATION", event


@pytest.mark.slow
def test_schema_rejects_broken_objects(outputs: dict, validator: Draft202012Validator) -> None:
    """Each mutation breaks one promise of the format; the schema must notice every one."""
    _, good = outputs["clash"]
    assert good["events"] and good["relations"] and good["entities"]

    def broken(mutate) -> dict:
        doc = copy.deepcopy(good)
        mutate(doc)
        return doc

    cases = {
        "missing id": lambda d: d.pop("id"),
        "entity type": lambda d: d["entities"][0].update(type="GROUP"),
        "predicate": lambda d: d["relations"][0].update(predicate="allied"),
        "event type": lambda d: d["events"][0].update(event_type="Clashes"),
        "sub-event under the wrong type": lambda d: d["events"][0].update(
            event_type="Protests", sub_event_type="Armed clash"
        ),
        "attribution kind": lambda d: d["events"][0]["evidence"]["attribution"].update(
            kind="rumour"
        ),
        "negative offset": lambda d: d["mentions"][0].update(start=-1),
        "bad date": lambda d: d.update(document_date="20 July 2012"),
        "bad precision": lambda d: d["events"][0]["time"].update(precision="hour"),
        "hedged not boolean": lambda d: d["events"][0]["evidence"].update(hedged="no"),
        "missing evidence": lambda d: d["relations"][0].pop("evidence"),
    }
    assert validator.is_valid(good)
    for name, mutate in cases.items():
        assert not validator.is_valid(broken(mutate)), name


@pytest.mark.slow
def test_schema_allows_added_fields(outputs: dict, validator: Draft202012Validator) -> None:
    _, good = outputs["clash"]
    doc = copy.deepcopy(good)
    doc["extractor_version"] = "9.9"
    doc["entities"][0]["wikidata"] = "Q1"
    doc["events"][0]["evidence"]["confidence"] = 0.5
    assert validator.is_valid(doc)


def test_documented_example_validates(validator: Draft202012Validator) -> None:
    page = (REPO_ROOT / "docs" / "extraction-format.md").read_text(encoding="utf-8")
    example = page.split("## Example", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    doc = json.loads(example)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors
    assert doc["events"] and doc["relations"]
