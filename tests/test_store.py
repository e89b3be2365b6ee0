"""The store: round trips, entity merging across documents, queries, migrations, transactions.

No model is loaded here: extractions are built by hand from short texts written for these
tests, so every span and date below is known exactly. Every test runs on SQLite and on
PostgreSQL (``store_url`` in conftest.py; PostgreSQL needs ``CONFLICTMAP_TEST_PG``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conflictmap.errors import EntityNotFoundError, StoreError
from conflictmap.ingest.dedup import signature, text_hash
from conflictmap.model import (
    Attribution,
    Document,
    Entity,
    Event,
    Evidence,
    Extraction,
    GeoRef,
    Relation,
    TimeValue,
)
from conflictmap.store.places import distance_km
from conflictmap.store.repository import MIGRATIONS, Store
from conflictmap.store.schema import AliasRow, MentionRow

HEAD = "0010"  # the latest migration

KIDAL = GeoRef(2455290, "Kidal", 18.44345, 1.40921, "ML", "10", "city", 1)
TIMBUKTU = GeoRef(2449067, "Timbuktu", 16.77348, -3.00742, "ML", "08", "city", 1)
TRIPOLI_LY = GeoRef(2210247, "Tripoli", 32.88743, 13.18733, "LY", "77", "city", 1)
TRIPOLI_LB = GeoRef(266826, "Tripoli", 34.43667, 35.84972, "LB", "09", "city", 1)

TEXT_1 = (
    "The Azawad Liberation Front (ALF) seized Kidal on Friday, residents said. "
    "ALF commander Musa Ag Kane said the town was calm. "
    "Two soldiers were killed when the army clashed with ALF fighters near Timbuktu on Saturday."
)
TEXT_2 = (
    "ALF gunmen, who call themselves the Azawad Liberation Front of Mali, looted a market in "
    "Tombouctou on Wednesday, a trader said. "
    "The Kane militia, loyal to Musa Ag Kane, was not involved."
)


def spans(text_: str, surface: str) -> list[tuple[int, int, str]]:
    """Every occurrence of ``surface`` in ``text_`` as (start, end, text) mentions."""
    found, start = [], text_.find(surface)
    while start != -1:
        found.append((start, start + len(surface), surface))
        start = text_.find(surface, start + 1)
    assert found, f"{surface!r} not in test text"
    return found


def evidence(text_: str, sentence: str, kind: str = "unattributed", phrase: str | None = None):
    start = text_.index(sentence)
    return Evidence(sentence, start, start + len(sentence), Attribution(kind, phrase))


def day(value: date, text_: str) -> TimeValue:
    return TimeValue(text_, value, value, "day")


def first_document() -> tuple[Document, Extraction]:
    t = TEXT_1
    doc = Document(
        id="d1",
        text=t,
        title="ALF takes Kidal",
        date=date(2012, 4, 2),
        date_origin="metadata",
        source="Test Wire",
        path="d1.txt",
    )
    alf_mentions = spans(t, "Azawad Liberation Front") + spans(t, "ALF")
    s1 = "The Azawad Liberation Front (ALF) seized Kidal on Friday, residents said."
    s2 = "ALF commander Musa Ag Kane said the town was calm."
    s3 = (
        "Two soldiers were killed when the army clashed with ALF fighters near Timbuktu "
        "on Saturday."
    )
    extraction = Extraction(
        document_id="d1",
        text=t,
        document_date=doc.date,
        entities=[
            Entity("Azawad Liberation Front", "ARMED_GROUP", ["ALF"], sorted(alf_mentions)),
            Entity("Kidal", "LOCATION", [], spans(t, "Kidal"), KIDAL),
            Entity("Musa Ag Kane", "PERSON", [], spans(t, "Musa Ag Kane")),
            Entity("Mali armed forces", "STATE_FORCE", ["army"], spans(t, "army")),
            Entity("Timbuktu", "LOCATION", [], spans(t, "Timbuktu"), TIMBUKTU),
        ],
        relations=[
            Relation(
                "Azawad Liberation Front",
                "controls",
                "Kidal",
                evidence(t, s1, "resident_or_witness", "residents said"),
                valid_from=TimeValue(
                    "on Friday", date(2012, 3, 30), date(2012, 3, 30), "day", open_end=True
                ),
            ),
            Relation("Musa Ag Kane", "leader_of", "Azawad Liberation Front", evidence(t, s2)),
        ],
        events=[
            Event(
                "Battles",
                "Non-state actor overtakes territory",
                evidence(t, s1),
                actors=("Azawad Liberation Front",),
                location="Kidal",
                date=day(date(2012, 3, 30), "on Friday"),
                trigger="seized",
            ),
            Event(
                "Battles",
                "Armed clash",
                evidence(t, s3, "unattributed"),
                actors=("Mali armed forces",),
                targets=("Azawad Liberation Front",),
                location="Timbuktu",
                date=day(date(2012, 3, 31), "on Saturday"),
                fatalities=2,
                trigger="clashed",
            ),
        ],
    )
    return doc, extraction


def second_document() -> tuple[Document, Extraction]:
    t = TEXT_2
    doc = Document(
        id="d2",
        text=t,
        title="Market looted",
        date=date(2012, 6, 28),
        date_origin="metadata",
        source="Other Wire",
        path="d2.txt",
    )
    s1 = t[: t.index("a trader said.") + len("a trader said.")]
    extraction = Extraction(
        document_id="d2",
        text=t,
        document_date=doc.date,
        entities=[
            # Same group, found under its acronym, with a new long form.
            Entity(
                "ALF",
                "ARMED_GROUP",
                ["Azawad Liberation Front of Mali"],
                spans(t, "ALF") + spans(t, "Azawad Liberation Front of Mali"),
            ),
            # Same place as "Timbuktu" in the first document: same GeoNames id.
            Entity("Tombouctou", "LOCATION", [], spans(t, "Tombouctou"), TIMBUKTU),
            # Same person as in the first document.
            Entity("Musa Ag Kane", "PERSON", ["Kane"], spans(t, "Musa Ag Kane")),
            # An armed group whose name is also a person's alias: must not merge with him.
            Entity("Kane", "ARMED_GROUP", ["Kane militia"], spans(t, "Kane militia")),
        ],
        events=[
            Event(
                "Strategic developments",
                "Looting/property destruction",
                evidence(t, s1, "resident_or_witness", "a trader said"),
                actors=("ALF",),
                location="Tombouctou",
                date=day(date(2012, 6, 27), "on Wednesday"),
                trigger="looted",
            ),
        ],
    )
    return doc, extraction


def add(store: Store, doc: Document, extraction: Extraction | None, **kw) -> bool:
    return store.add(doc, extraction, text_hash=text_hash(doc.text), extractor="test", **kw)


@pytest.fixture
def store(db_store: Store) -> Store:
    """This module's store: a fresh one on each backend."""
    return db_store


@pytest.fixture
def filled(store: Store) -> Store:
    for doc, extraction in (first_document(), second_document()):
        add(store, doc, extraction)
    return store


def mention_count(store: Store, document_id: str | None = None) -> int:
    with Session(store.engine) as session:
        query = select(func.count()).select_from(MentionRow)
        if document_id is not None:
            query = query.where(MentionRow.document_id == document_id)
        return session.scalar(query)


# -- round trip ---------------------------------------------------------------------------


def test_round_trip_entity_profile(store: Store) -> None:
    doc, extraction = first_document()
    add(store, doc, extraction)
    profile = store.entity("Azawad Liberation Front")
    assert profile["type"] == "ARMED_GROUP"
    assert profile["aliases"] == ["ALF"]
    assert profile["geo"] is None
    assert profile["mentions"] == len(extraction.entity("Azawad Liberation Front").mentions)
    assert profile["documents"] == 1
    # The alias finds the same entity, and so does the id.
    assert store.entity("alf")["id"] == profile["id"]
    assert store.entity(profile["id"])["name"] == "Azawad Liberation Front"

    controls = [r for r in profile["relations"] if r["predicate"] == "controls"]
    assert len(controls) == 1
    rel = controls[0]
    assert (rel["subject"], rel["object"], rel["object_type"]) == (
        "Azawad Liberation Front",
        "Kidal",
        "LOCATION",
    )
    assert rel["valid_from"] == {"date": "2012-03-30", "text": "on Friday", "precision": "day"}
    assert rel["valid_to"] is None
    ev = rel["evidence"]
    assert ev["document_id"] == "d1"
    assert ev["published"] == "2012-04-02"
    assert ev["source"] == "Test Wire"
    assert ev["attribution"] == {"kind": "resident_or_witness", "phrase": "residents said"}
    assert TEXT_1[ev["start"] : ev["end"]] == ev["sentence"]

    leaders = [r for r in profile["relations"] if r["predicate"] == "leader_of"]
    assert [(r["subject"], r["object"]) for r in leaders] == [
        ("Musa Ag Kane", "Azawad Liberation Front")
    ]
    assert {e["sub_event_type"] for e in profile["events"]} == {
        "Non-state actor overtakes territory",
        "Armed clash",
    }


def test_round_trip_place_and_event(store: Store) -> None:
    doc, extraction = first_document()
    add(store, doc, extraction)
    place = store.entity("Kidal")
    assert place["type"] == "LOCATION"
    assert place["geo"]["geonameid"] == KIDAL.geonameid
    assert place["geo"]["latitude"] == pytest.approx(KIDAL.latitude)
    assert place["geo"]["country_code"] == "ML"
    [event] = place["events"]
    assert event["sub_event_type"] == "Non-state actor overtakes territory"
    assert event["actors"] == ["Azawad Liberation Front"]
    assert event["location"] == "Kidal"
    assert event["latitude"] == pytest.approx(KIDAL.latitude)
    assert (event["date"], event["date_end"], event["date_precision"]) == (
        "2012-03-30",
        "2012-03-30",
        "day",
    )
    clash = store.events("Armed clash")[0]
    assert clash["actors"] == ["Mali armed forces"]
    assert clash["targets"] == ["Azawad Liberation Front"]
    assert clash["fatalities"] == 2
    assert clash["trigger"] == "clashed"


def test_documents_and_stats(store: Store) -> None:
    doc, extraction = first_document()
    add(store, doc, extraction)
    [row] = store.documents()
    assert row["id"] == "d1"
    assert row["date"] == "2012-04-02"
    assert row["date_origin"] == "metadata"
    assert row["duplicate_of"] is None
    assert row["extractor"] == "test"
    stats = store.stats()
    assert stats["documents"] == 1
    assert stats["relations"] == 2
    assert stats["events"] == 2
    assert stats["entities"] == 5
    assert stats["evidence"] == 4  # one row per relation and per event


def test_actors_lists_actors_only_most_mentioned_first(filled: Store) -> None:
    rows = filled.actors()
    names = [r["name"] for r in rows]
    assert "Kidal" not in names and "Timbuktu" not in names  # places are not actors
    assert {r["type"] for r in rows} <= {"PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE"}
    mentions = [r["mentions"] for r in rows]
    assert mentions == sorted(mentions, reverse=True)
    assert rows[0]["name"] == "Azawad Liberation Front"  # 4 mentions in d1 + 2 in d2
    assert {r["name"] for r in filled.actors("armed_group")} == {"Azawad Liberation Front", "Kane"}
    assert len(filled.actors(limit=2)) == 2


def test_event_filters(filled: Store) -> None:
    assert len(filled.events()) == 3
    # Newest first.
    dates = [e["date"] for e in filled.events()]
    assert dates == sorted(dates, reverse=True)
    # Type: event type or sub-event type, any case.
    assert {e["sub_event_type"] for e in filled.events("battles")} == {
        "Non-state actor overtakes territory",
        "Armed clash",
    }
    assert [e["event_type"] for e in filled.events("LOOTING/PROPERTY DESTRUCTION")] == [
        "Strategic developments"
    ]
    assert filled.events("Protests") == []
    # Place: by name or by any alias of the place.
    assert {e["sub_event_type"] for e in filled.events(place="Timbuktu")} == {
        "Armed clash",
        "Looting/property destruction",
    }
    assert len(filled.events(place="Tombouctou")) == 2
    assert [e["location"] for e in filled.events(place="Kidal")] == ["Kidal"]
    # Date range: inclusive on both ends.
    assert [e["date"] for e in filled.events(since=date(2012, 3, 31))] == [
        "2012-06-27",
        "2012-03-31",
    ]
    assert [e["date"] for e in filled.events(until=date(2012, 3, 30))] == ["2012-03-30"]
    assert [e["date"] for e in filled.events(since=date(2012, 3, 31), until=date(2012, 3, 31))] == [
        "2012-03-31"
    ]
    assert filled.events(since=date(2013, 1, 1)) == []
    # Actor: as actor or target, by alias; combined with other filters.
    assert len(filled.events(actor="ALF")) == 3
    assert len(filled.events(actor="Mali armed forces")) == 1
    assert len(filled.events("Battles", actor="ALF", until=date(2012, 4, 30))) == 2
    assert len(filled.events(limit=1)) == 1
    # Pages cut in SQL, with the number of matching events.
    everything = filled.events()
    assert filled.events(limit=2, offset=1) == everything[1:3]
    assert filled.events(offset=2) == everything[2:]
    page, total = filled.events_page("Battles", limit=1, offset=1)
    assert total == len(filled.events("Battles")) and page == filled.events("Battles")[1:2]
    assert filled.events(bbox=(-180.0, -90.0, 180.0, 90.0)) == [
        e for e in everything if e["latitude"] is not None
    ]
    assert filled.events(bbox=(100.0, 0.0, 101.0, 1.0)) == []


def test_event_filter_unknown_place_raises(filled: Store) -> None:
    with pytest.raises(EntityNotFoundError):
        filled.events(place="Atlantis")


def test_export_structure(filled: Store) -> None:
    data = filled.export()
    assert data["format"] == "conflictmap-graph"
    assert data["version"] == 1
    assert set(data) >= {"documents", "entities", "relations", "events"}
    stats = filled.stats()
    assert len(data["documents"]) == stats["documents"] == 2
    assert len(data["entities"]) == stats["entities"]
    assert len(data["relations"]) == stats["relations"]
    assert len(data["events"]) == stats["events"]
    doc_ids = {d["id"] for d in data["documents"]}
    texts = {"d1": TEXT_1, "d2": TEXT_2}
    for item in data["relations"] + data["events"]:
        ev = item["evidence"]
        assert ev["document_id"] in doc_ids
        assert texts[ev["document_id"]][ev["start"] : ev["end"]] == ev["sentence"]
    for entity in data["entities"]:
        assert set(entity) >= {"id", "name", "type", "aliases", "geo"}
        assert (entity["geo"] is not None) == (entity["type"] == "LOCATION")
    assert [e["id"] for e in data["events"]] == sorted(e["id"] for e in data["events"])


# -- merging across documents ---------------------------------------------------------------


def test_acronym_in_two_documents_is_one_entity_with_merged_aliases(filled: Store) -> None:
    profile = filled.entity("ALF")
    assert profile["name"] == "Azawad Liberation Front"  # first seen name stays canonical
    assert set(profile["aliases"]) == {"ALF", "Azawad Liberation Front of Mali"}
    assert profile["documents"] == 2
    assert filled.entity("Azawad Liberation Front of Mali")["id"] == profile["id"]
    groups = [a for a in filled.actors() if "ALF" in a["aliases"] or a["name"] == "ALF"]
    assert len(groups) == 1


def test_person_and_armed_group_with_same_name_stay_apart(filled: Store) -> None:
    person = filled.entity("Musa Ag Kane")
    assert person["type"] == "PERSON"
    assert person["documents"] == 2  # the person did merge across documents
    kanes = [a for a in filled.actors() if a["name"] == "Kane" or "Kane" in a["aliases"]]
    assert sorted(a["type"] for a in kanes) == ["ARMED_GROUP", "PERSON"]
    assert len({a["id"] for a in kanes}) == 2
    militia = filled.entity("Kane militia")
    assert militia["type"] == "ARMED_GROUP"
    assert militia["id"] != person["id"]


def test_place_matched_by_geonameid(filled: Store) -> None:
    timbuktu = filled.entity("Timbuktu")
    assert filled.entity("Tombouctou")["id"] == timbuktu["id"]
    assert "Tombouctou" in timbuktu["aliases"]
    assert timbuktu["geo"]["geonameid"] == TIMBUKTU.geonameid
    assert timbuktu["documents"] == 2
    places = [e for e in filled.export()["entities"] if e["type"] == "LOCATION"]
    assert len(places) == 2  # Kidal and Timbuktu


def test_organisation_seen_as_armed_later_becomes_armed_group(store: Store) -> None:
    t1, t2 = "Ganda Izo held a meeting in Gao.", "Ganda Izo fighters attacked a convoy."
    for doc_id, t, kind in (("o1", t1, "ORGANIZATION"), ("o2", t2, "ARMED_GROUP")):
        doc = Document(id=doc_id, text=t, date=date(2012, 5, 1))
        extraction = Extraction(
            doc_id, t, doc.date, [Entity("Ganda Izo", kind, [], spans(t, "Ganda Izo"))]
        )
        add(store, doc, extraction)
    [row] = store.actors()
    assert row["type"] == "ARMED_GROUP"
    assert row["mentions"] == 2


def test_places_with_same_name_and_different_geonameid_stay_apart(store: Store) -> None:
    for doc_id, geo, extra in (("t1", TRIPOLI_LY, "Libya"), ("t2", TRIPOLI_LB, "Lebanon")):
        t = f"Fighting was reported in Tripoli, {extra}."
        doc = Document(id=doc_id, text=t, date=date(2012, 5, 1))
        extraction = Extraction(
            doc_id, t, doc.date, [Entity("Tripoli", "LOCATION", [], spans(t, "Tripoli"), geo)]
        )
        add(store, doc, extraction)
    ids = {e["geo"]["geonameid"] for e in store.export()["entities"] if e["name"] == "Tripoli"}
    assert ids == {TRIPOLI_LY.geonameid, TRIPOLI_LB.geonameid}


# -- lookups ------------------------------------------------------------------------------


def test_find_entity_ignores_case_accents_and_spacing(filled: Store) -> None:
    entity_id = filled.find_entity("Azawad Liberation Front")
    assert filled.find_entity("azawad liberation FRONT") == entity_id
    assert filled.find_entity("  ALF ") == entity_id
    assert filled.find_entity("Azawad Libération Front") == entity_id


def test_find_entity_unknown_name_raises_helpful_error(filled: Store) -> None:
    with pytest.raises(EntityNotFoundError) as info:
        filled.find_entity("Boko Haram")
    message = str(info.value)
    assert "Boko Haram" in message
    assert "conflictmap actors" in message
    with pytest.raises(EntityNotFoundError):
        filled.entity("Boko Haram")


def test_empty_store_queries(store: Store) -> None:
    assert store.actors() == []
    assert store.events() == []
    assert store.documents() == []
    assert store.stats()["documents"] == 0
    data = store.export()
    assert data["entities"] == data["relations"] == data["events"] == []


# -- migrations ---------------------------------------------------------------------------

TABLES = {
    "documents",
    "entities",
    "aliases",
    "mentions",
    "evidence",
    "relations",
    "events",
    "participants",
    "alembic_version",
}


def test_migrations_create_tables_on_fresh_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    assert not path.exists()
    with Store(str(path)) as store:
        assert path.exists()
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1


def test_migrations_bring_an_empty_database_to_the_head_revision(store_url: str) -> None:
    with Store(store_url) as store:
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert versions.all() == [HEAD]


def test_reopening_existing_store_keeps_data(store_url: str) -> None:
    doc, extraction = first_document()
    with Store(store_url) as store:
        add(store, doc, extraction)
        before = store.stats()
        profile = store.entity("ALF")
    for _ in range(2):
        with Store(store_url) as reopened:
            assert reopened.stats() == before
            assert reopened.entity("ALF") == profile
            with reopened.engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            assert len(versions) == 1
    # A reopened store keeps working: the second document merges with the first.
    doc2, extraction2 = second_document()
    with Store(store_url) as reopened:
        add(reopened, doc2, extraction2)
        assert reopened.entity("ALF")["documents"] == 2


def test_sqlalchemy_url_is_accepted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'url.db'}"
    with Store(url) as store:
        assert store.url == url
        assert store.stats()["documents"] == 0
    assert (tmp_path / "url.db").exists()


def test_unopenable_store_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store(str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert "cannot open store" in str(info.value)


def test_a_missing_database_driver_is_named() -> None:
    with pytest.raises(StoreError, match="cannot open store.*pg8000.*conflictmap\\[postgres\\]"):
        Store("postgresql+pg8000://nobody@127.0.0.1:1/none")


# -- transactions -------------------------------------------------------------------------


def test_same_document_id_twice_leaves_one_copy(store: Store) -> None:
    doc, extraction = first_document()
    assert add(store, doc, extraction)
    before, mentions = store.stats(), mention_count(store)
    profile = store.entity("ALF")
    # Same id, other text and a bigger extraction (another writer's copy): nothing is written.
    doc2, extraction2 = second_document()
    clash = replace(doc2, id="d1")
    extraction2.document_id = "d1"
    assert not add(store, clash, extraction2)
    assert store.stats() == before
    assert mention_count(store) == mentions
    assert mention_count(store, "d1") == mentions
    assert [d["id"] for d in store.documents()] == ["d1"]
    assert store.entity("ALF") == profile
    with pytest.raises(EntityNotFoundError):
        store.find_entity("Tombouctou")


def test_failure_midway_through_a_document_leaves_nothing(store: Store) -> None:
    doc, extraction = first_document()
    add(store, doc, extraction)
    before, mentions = store.stats(), mention_count(store)
    with Session(store.engine) as session:
        aliases = session.scalar(select(func.count()).select_from(AliasRow))
    doc2, extraction2 = second_document()
    # The entities, mentions and first event are written before the broken event fails.
    broken = Event(None, "Other", extraction2.events[0].evidence)  # type: ignore[arg-type]
    extraction2.events.append(broken)
    with pytest.raises(IntegrityError):
        add(store, doc2, extraction2)
    assert store.stats() == before
    assert mention_count(store) == mentions
    assert mention_count(store, "d2") == 0
    with Session(store.engine) as session:
        assert session.scalar(select(func.count()).select_from(AliasRow)) == aliases
    assert "Azawad Liberation Front of Mali" not in store.entity("ALF")["aliases"]
    # The store is still usable, and the fixed document goes in.
    doc2, extraction2 = second_document()
    add(store, doc2, extraction2)
    assert store.stats()["documents"] == 2


def test_near_duplicate_is_stored_without_extraction(store: Store) -> None:
    doc, extraction = first_document()
    add(store, doc, extraction)
    copy = Document(id="d1-copy", text=doc.text + " Updated.", date=doc.date)
    add(store, copy, None, duplicate_of="d1")
    rows = {d["id"]: d for d in store.documents()}
    assert rows["d1-copy"]["duplicate_of"] == "d1"
    assert store.stats()["duplicates"] == 1
    assert mention_count(store, "d1-copy") == 0
    assert store.known_document("other-id", text_hash(doc.text + " Updated.")) == "d1-copy"
    assert store.known_document("d1", "0" * 40) == "d1"
    assert store.known_document("nope", "0" * 40) is None


def test_same_text_under_another_id_is_not_stored_twice(store: Store) -> None:
    doc, extraction = first_document()
    assert add(store, doc, extraction)
    before = store.stats()
    assert not add(store, replace(doc, id="d1-again"), extraction)
    assert store.stats() == before
    assert [d["id"] for d in store.documents()] == ["d1"]


def test_near_duplicate_index_learns_another_writers_documents(store: Store) -> None:
    """A writer skips what another stored meanwhile, yet must catch later copies of it."""
    index = store.near_duplicate_index()
    doc, extraction = first_document()
    with Store(store.url) as other:
        add(other, doc, extraction, minhash=signature(doc.text))
    copy = doc.text + " Updated at noon."
    assert index.query(signature(copy)) is None  # not stored when the index was made
    assert store.known_documents(["d1"], [text_hash(doc.text)]) == {
        "d1": "d1",
        text_hash(doc.text): "d1",
    }
    assert index.query(signature(copy)) == "d1"


def _store_names(store: Store, names: list[tuple[str, str]]) -> None:
    """One document per (name, type), each mentioning only that entity."""
    for number, (name, kind) in enumerate(names):
        text = f"{name} was named in report {number}."
        doc = Document(id=f"fz{number}", text=text, date=date(2012, 5, 1))
        add(
            store,
            doc,
            Extraction(doc.id, text, doc.date, [Entity(name, kind, [], spans(text, name))]),
        )


def test_spelling_variants_of_a_group_merge_across_documents(store: Store) -> None:
    _store_names(
        store, [("Jamaat Nasr ad-Din", "ARMED_GROUP"), ("Jamaat Nasreddine", "ARMED_GROUP")]
    )
    [row] = store.actors()
    assert row["mentions"] == 2
    assert "Jamaat Nasreddine" in row["aliases"] or row["name"] == "Jamaat Nasreddine"


def test_same_surname_different_people_stay_apart(store: Store) -> None:
    _store_names(store, [("Hamidou Traoreh", "PERSON"), ("Oumarou Traoreh", "PERSON")])
    assert len(store.actors()) == 2


def test_a_person_never_merges_with_a_group_of_similar_name(store: Store) -> None:
    _store_names(store, [("Kassim Badawi", "PERSON"), ("Kassim Badawi Brigade", "ARMED_GROUP")])
    assert sorted(a["type"] for a in store.actors()) == ["ARMED_GROUP", "PERSON"]


@contextmanager
def old_schema(url: str, revision: str) -> Iterator[Connection]:
    """A database migrated up to ``revision``, to write old rows into (committed on exit)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            yield connection
    finally:
        engine.dispose()


def test_upgrade_from_the_first_schema_backfills_entity_keys(store_url: str) -> None:
    name = "Jamaat Nasr ad-Din"
    with old_schema(store_url, "0001") as connection:
        old_id = connection.scalar(
            text("INSERT INTO entities (canonical, type) VALUES (:n, 'ARMED_GROUP') RETURNING id"),
            {"n": name},
        )
        connection.execute(
            text("INSERT INTO aliases (entity_id, name, key) VALUES (:i, :n, :k)"),
            {"i": old_id, "n": name, "k": "jamaat nasr ad din"},
        )
    with Store(store_url) as store:
        _store_names(store, [("Jamaat Nasreddine", "ARMED_GROUP")])
        [row] = store.actors()
    assert row["id"] == old_id  # the old entity was found through its backfilled keys


def test_type_is_voted_across_reports(store: Store) -> None:
    _store_names(
        store,
        [
            ("Sidi Ould Walet", "ORGANIZATION"),
            ("Sidi Ould Walet", "PERSON"),
            ("Sidi Ould Walet", "PERSON"),
        ],
    )
    [row] = store.actors()
    assert row["type"] == "PERSON" and row["mentions"] == 3


def test_armed_cues_in_one_report_outvote_person_labels(store: Store) -> None:
    _store_names(
        store,
        [("Katiba Serma", "PERSON"), ("Katiba Serma", "PERSON"), ("Katiba Serma", "ARMED_GROUP")],
    )
    [row] = store.actors()
    assert row["type"] == "ARMED_GROUP"


def test_mention_forms_are_stored(store: Store) -> None:
    t = "Malian officials said Bamako would send troops to Kidal."
    doc = Document(id="forms", text=t, date=date(2012, 4, 2), date_origin="metadata")
    mali = Entity("Mali", "LOCATION", [], spans(t, "Malian"), forms={0: "demonym"})
    bamako = Entity("Bamako", "LOCATION", [], spans(t, "Bamako"))
    bamako.forms[bamako.mentions[0][0]] = "metonym"
    kidal = Entity("Kidal", "LOCATION", [], spans(t, "Kidal"), KIDAL)
    add(store, doc, Extraction("forms", t, doc.date, entities=[mali, bamako, kidal]))
    with store.engine.connect() as conn:
        rows = conn.execute(select(MentionRow.text, MentionRow.form).order_by(MentionRow.start))
        assert rows.all() == [("Malian", "demonym"), ("Bamako", "metonym"), ("Kidal", "name")]


def test_upgrade_marks_existing_mentions_as_names(store_url: str) -> None:
    with old_schema(store_url, "0004") as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, text_hash, text, date_origin, ingested_at)"
                " VALUES ('d', 'h', 'Gao', 'none', '2012-04-02 00:00:00')"
            )
        )
        gao = connection.scalar(
            text("INSERT INTO entities (canonical, type) VALUES ('Gao', 'LOCATION') RETURNING id")
        )
        connection.execute(
            text(
                'INSERT INTO mentions (document_id, entity_id, start, "end", text, type)'
                " VALUES ('d', :gao, 0, 3, 'Gao', 'LOCATION')"
            ),
            {"gao": gao},
        )
    with Store(store_url) as store, store.engine.connect() as conn:
        assert conn.execute(select(MentionRow.form)).scalars().all() == ["name"]


def test_claim_grades_are_stored(store: Store) -> None:
    doc, extraction = first_document()
    graded = [
        replace(ev, evidence=replace(ev.evidence, reliability="C", credibility=4))
        for ev in extraction.events
    ]
    add(store, doc, replace(extraction, events=graded))
    events = store.events()
    assert events and all(e["evidence"]["grade"]["code"] == "C4" for e in events)


def test_incident_split_is_recorded_and_exported(filled: Store) -> None:
    event_id = filled.events()[0]["id"]
    filled.split_incident(event_id, note="a different ambush")
    filled.split_incident(event_id)  # twice: recorded once
    assert filled.export()["incident_splits"] == [event_id]
    with pytest.raises(StoreError, match="no event with id 999999"):
        filled.split_incident(999999)


# -- place filters: PostGIS where the database has it, else plain coordinates ----------------

K, T = KIDAL, TIMBUKTU
BOXES = [
    ((-180.0, -90.0, 180.0, 90.0), {"Kidal", "Timbuktu"}),
    ((1.0, 18.0, 2.0, 19.0), {"Kidal"}),
    ((T.longitude, T.latitude, K.longitude, K.latitude), {"Kidal", "Timbuktu"}),  # edges count
    ((T.longitude, T.latitude, T.longitude, T.latitude), {"Timbuktu"}),  # a point
    ((K.longitude + 1e-9, 0.0, 10.0, 30.0), set()),
    ((100.0, 0.0, 101.0, 1.0), set()),
    ((2.0, 19.0, 1.0, 18.0), set()),  # min above max
]
# Kidal and Timbuktu are 503 km apart on the sphere.
CIRCLES = [
    ((K.longitude, K.latitude, 1.0), {"Kidal"}),
    ((K.longitude, K.latitude, 500.0), {"Kidal"}),
    ((K.longitude, K.latitude, 510.0), {"Kidal", "Timbuktu"}),
    ((-0.04, 16.27, 350.0), {"Kidal", "Timbuktu"}),  # Gao, between the two
    ((-0.04, 16.27, 250.0), set()),
    ((179.9, 0.0, 100.0), set()),
]


def _places(store: Store, **where: Any) -> set[str]:
    return {e["location"] for e in store.events(**where)}


def test_great_circle_distance() -> None:
    assert distance_km(K.longitude, K.latitude, T.longitude, T.latitude) == pytest.approx(
        503.6, abs=0.5
    )
    assert distance_km(179.5, 0.0, -179.5, 0.0) == pytest.approx(111.2, abs=0.1)  # antimeridian
    assert distance_km(0.0, 89.0, 180.0, 89.0) == pytest.approx(222.4, abs=0.1)  # over the pole


@pytest.mark.parametrize("postgis", [False, True], ids=["plain", "postgis"])
def test_place_filters_give_the_same_places_either_way(filled: Store, postgis: bool) -> None:
    if postgis and not filled.postgis:
        pytest.skip("no PostGIS in this database: only the plain filters apply")
    filled.postgis = postgis
    for bbox, expected in BOXES:
        assert _places(filled, bbox=bbox) == expected, bbox
    for circle, expected in CIRCLES:
        assert _places(filled, near=circle) == expected, circle
    box = (-4.0, 15.0, 2.0, 19.0)
    page, total = filled.events_page(bbox=box, near=(K.longitude, K.latitude, 100.0), limit=5)
    assert total == 1 and [e["location"] for e in page] == ["Kidal"]
    assert len(filled.events(near=(T.longitude, T.latitude, 10.0), since=date(2012, 6, 1))) == 1


def test_over_long_values_from_a_report_are_cut_to_their_columns(store: Store) -> None:
    """A report can hold a name, date phrase or toll far longer than any column (PostgreSQL
    enforces lengths, SQLite does not): the values are cut, the document is stored on both
    backends, and the long name still finds its entity again."""
    long_name = "Front " + "for the Liberation of the Valley " * 20
    doc, extraction = second_document()
    t = doc.text
    s1 = t[: t.index("a trader said.") + len("a trader said.")]
    long_phrase = "unidentified " * 40 + "gunmen"
    extraction.entities.append(Entity(long_name, "ARMED_GROUP", [], spans(t, "ALF")))
    extraction.events.append(
        Event(
            "Violence against civilians",
            "Attack",
            evidence(t, s1, "resident_or_witness", "a trader said"),
            actors=(long_name,),
            date=day(date(2012, 6, 27), "in the week " + "after the rains " * 20),
            amount="x" * 500,
            trigger="y" * 500,
            actor_phrase=long_phrase,
            target_phrase=long_phrase,
        )
    )
    assert add(store, doc, extraction)
    [event] = [e for e in store.export()["events"] if e["sub_event_type"] == "Attack"]
    assert len(event["date_text"]) == 100 and len(event["amount"]) == 100
    assert len(event["actor_phrase"]) == 200 and len(event["trigger"]) == 100
    first = store.find_entity(long_name)
    again = replace(doc, id="d3", text=doc.text + " Again.")
    add(store, again, replace(extraction, document_id="d3", events=[]))
    assert store.find_entity(long_name) == first
    assert store.stats()["documents"] == 2
