"""Analysts' merges and splits: rows move, an audit record is kept, re-ingest keeps them."""

from __future__ import annotations

from datetime import date

import pytest

from conflictmap.ingest.dedup import text_hash
from conflictmap.model import Attribution, Document, Entity, Event, Evidence, Extraction, Relation
from conflictmap.store.curation import CurationError
from conflictmap.store.repository import Store


def _evidence(text: str) -> Evidence:
    return Evidence(text, 0, len(text), Attribution())


def _report(store: Store, doc_id: str, text: str, group: str, leader: str) -> None:
    """A report in which ``leader`` leads ``group`` and ``group`` attacks a convoy."""
    entities = [
        Entity(
            group, "ARMED_GROUP", [], [(text.index(group), text.index(group) + len(group), group)]
        ),
        Entity(
            leader, "PERSON", [], [(text.index(leader), text.index(leader) + len(leader), leader)]
        ),
    ]
    extraction = Extraction(
        doc_id,
        text,
        date(2012, 6, 1),
        entities,
        [Relation(leader, "leader_of", group, _evidence(text))],
        [Event("Battles", "Armed clash", _evidence(text), actors=(group,))],
    )
    document = Document(id=doc_id, text=text, date=date(2012, 6, 1))
    store.add(document, extraction, text_hash=text_hash(text))


@pytest.fixture
def two_spellings(db_store: Store) -> Store:
    """Two reports spelling one group two ways, on SQLite and on PostgreSQL (conftest.py)."""
    store = db_store
    _report(
        store, "a", "Katiba Nour led by Sidi Walet attacked a convoy.", "Katiba Nour", "Sidi Walet"
    )
    _report(
        store,
        "b",
        "Brigade Annour led by Sidi Walet raided a camp.",
        "Brigade Annour",
        "Sidi Walet",
    )
    return store


def test_merge_moves_everything_and_records_the_decision(two_spellings: Store) -> None:
    store = two_spellings
    assert len(store.actors("ARMED_GROUP")) == 2
    decision = store.merge("Katiba Nour", "Brigade Annour", note="same katiba")
    [group] = store.actors("ARMED_GROUP")
    assert group["name"] == "Katiba Nour" and "Brigade Annour" in group["aliases"]
    profile = store.entity("Brigade Annour")  # the absorbed name now finds the kept entity
    assert profile["id"] == group["id"] and profile["documents"] == 2
    assert len([r for r in profile["relations"] if r["predicate"] == "leader_of"]) == 2
    assert len(profile["events"]) == 2
    [record] = store.decisions()
    assert record["kind"] == "merge" and record["note"] == "same katiba"
    assert record["id"] == decision["id"] and "Brigade Annour" in record["names"]


def test_split_takes_the_names_and_their_documents(two_spellings: Store) -> None:
    store = two_spellings
    store.merge("Katiba Nour", "Brigade Annour")
    store.split("Katiba Nour", ["Brigade Annour"], note="two different units")
    groups = {g["name"]: g for g in store.actors("ARMED_GROUP")}
    assert set(groups) == {"Katiba Nour", "Brigade Annour"}
    annour = store.entity("Brigade Annour")
    assert annour["documents"] == 1
    assert [r["evidence"]["document_id"] for r in annour["relations"]] == ["b"]
    assert [e["document_id"] for e in annour["events"]] == ["b"]
    assert [d["kind"] for d in store.decisions()] == ["merge", "split"]


def test_decisions_survive_reingest(two_spellings: Store) -> None:
    store = two_spellings
    store.merge("Katiba Nour", "Brigade Annour")
    _report(
        store,
        "c",
        "Brigade Annour fighters led by Sidi Walet shelled a base.",
        "Brigade Annour",
        "Sidi Walet",
    )
    [group] = store.actors("ARMED_GROUP")
    assert store.entity(group["id"])["documents"] == 3  # the new report joined the merged entity


def test_refused_corrections_change_nothing(two_spellings: Store) -> None:
    store = two_spellings
    before = store.export()
    with pytest.raises(CurationError):
        store.merge("Katiba Nour", "Katiba Nour")
    with pytest.raises(CurationError, match="not a name"):
        store.split("Katiba Nour", ["Sidi Walet"])
    with pytest.raises(CurationError, match="at least one"):
        store.split("Katiba Nour", ["Katiba Nour"])
    assert store.export() == before and store.decisions() == []


def test_a_new_report_does_not_undo_a_split(two_spellings: Store) -> None:
    store = two_spellings
    store.merge("Katiba Nour", "Brigade Annour")
    store.split("Katiba Nour", ["Brigade Annour"])
    text = "Katiba Nour (Brigade Annour) fighters led by Sidi Walet ambushed a patrol."
    entity = Entity(
        "Katiba Nour", "ARMED_GROUP", ["Brigade Annour"], [(0, len("Katiba Nour"), "Katiba Nour")]
    )
    document = Document(id="d", text=text, date=date(2012, 7, 1))
    store.add(document, Extraction("d", text, document.date, [entity]), text_hash=text_hash(text))
    nour = store.entity("Katiba Nour")
    assert "Brigade Annour" not in nour["aliases"]
    assert store.entity("Brigade Annour")["id"] != nour["id"]
