"""Import of a JSON graph export into an empty store (issue 5).

The bundled examples are ingested with the real pipeline, exported, imported into a second
store and exported again: the two exports agree up to store ids, every relation and event
points at the same entity as before (names alone cannot tell two places called Gao apart),
and later reports still merge with the imported entities.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conflictmap.errors import StoreError
from conflictmap.export import render
from conflictmap.ingest.readers import iter_documents
from conflictmap.ingest.run import ingest_documents
from conflictmap.model import Document
from conflictmap.store.repository import Store

EXAMPLES = Path(__file__).parents[1] / "examples"
NMLA = "National Movement for the Liberation of Azawad"
slow = pytest.mark.slow


def exported(store: Store) -> dict:
    """What ``conflictmap export --format json`` writes, read back."""
    return json.loads(render(store, "json"))


def without_ids(items: list[dict]) -> Counter[str]:
    return Counter(
        json.dumps({k: v for k, v in i.items() if k != "id"}, sort_keys=True) for i in items
    )


def entity_key(entity: dict) -> str:
    return json.dumps([entity["name"], entity["type"], entity["geo"]], sort_keys=True)


def profile(store: Store, entity_id: int) -> dict:
    """An entity's relations and events, without store ids; mention counts are left out
    (the export holds no mentions)."""
    found = store.entity(entity_id)
    return {
        "relations": without_ids(found["relations"]),
        "events": without_ids(found["events"]),
    }


@pytest.fixture
def store(db_store: Store) -> Store:
    """The empty store to import into, on SQLite and on PostgreSQL (conftest.py)."""
    return db_store


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory, extractor) -> Iterator[Store]:
    with Store(str(tmp_path_factory.mktemp("import") / "original.db")) as store:
        report = ingest_documents(iter_documents([EXAMPLES]), store, extractor)
        assert report.ok and report.stored
        yield store


@pytest.fixture(scope="module")
def graph(original: Store) -> dict:
    return exported(original)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, graph: dict) -> Iterator[Store]:
    with Store(str(tmp_path_factory.mktemp("import") / "imported.db")) as store:
        store.import_graph(graph)
        yield store


@pytest.fixture(scope="module")
def again(imported: Store) -> dict:
    return exported(imported)


# -- the round trip ------------------------------------------------------------------------


@slow
def test_import_reports_what_it_wrote(graph: dict, tmp_path: Path) -> None:
    with Store(str(tmp_path / "counts.db")) as store:
        counts = store.import_graph(graph)
    for key in ("documents", "entities", "relations", "events"):
        assert counts[key] == len(graph[key])
    assert counts["evidence"] == len(graph["relations"]) + len(graph["events"])
    assert counts["participants"] == sum(
        len(e["actors"]) + len(e["targets"]) for e in graph["events"]
    )


@slow
def test_counts_round_trip(original: Store, imported: Store) -> None:
    assert imported.stats() == original.stats()
    assert imported.stats()["duplicates"] >= 1  # the copied wire story keeps its original


@slow
def test_documents_round_trip(graph: dict, again: dict) -> None:
    assert again["documents"] == graph["documents"]


@slow
def test_entities_round_trip(graph: dict, again: dict) -> None:
    assert without_ids(again["entities"]) == without_ids(graph["entities"])
    nmla = next(e for e in again["entities"] if e["name"] == NMLA)
    assert nmla["type"] == "ARMED_GROUP" and "MNLA" in nmla["aliases"]
    assert any(e["geo"] for e in again["entities"])


@slow
def test_relations_round_trip(graph: dict, again: dict) -> None:
    assert without_ids(again["relations"]) == without_ids(graph["relations"])
    assert any(r["valid_from"] for r in again["relations"])
    assert any(r["evidence"]["grade"] for r in again["relations"])


@slow
def test_events_round_trip(graph: dict, again: dict) -> None:
    assert without_ids(again["events"]) == without_ids(graph["events"])
    assert any(e["actors"] and e["targets"] for e in again["events"])
    assert any(e["historical"] for e in again["events"])


@slow
def test_snapshot_round_trips(graph: dict, again: dict) -> None:
    """The store's time is the export's: re-exporting gives the same snapshot."""
    assert again["metadata"] == graph["metadata"]


def test_the_store_time_is_the_exports(store: Store) -> None:
    graph = {"format": "conflictmap-graph", "version": 1, "documents": [{"id": "d1"}]}
    graph |= {"entities": [], "relations": [], "events": []}
    store.import_graph({**graph, "metadata": {"as_of": "2013-06-20T08:30:00Z"}})
    assert json.loads(render(store, "json"))["metadata"]["as_of"] == "2013-06-20T08:30:00Z"


@slow
def test_facts_point_at_the_same_entities(original: Store, imported: Store, graph: dict) -> None:
    """Names are ambiguous (two places called Gao): each entity keeps its own facts."""
    names = Counter((e["name"], e["type"]) for e in graph["entities"])
    assert max(names.values()) >= 2  # else this test proves nothing
    new_ids = {entity_key(e): e["id"] for e in exported(imported)["entities"]}
    for entity in graph["entities"]:
        before = profile(original, entity["id"])
        assert profile(imported, new_ids[entity_key(entity)]) == before, entity["name"]


# -- later ingests -------------------------------------------------------------------------


@slow
def test_a_later_report_merges_with_imported_entities(
    graph: dict, tmp_path: Path, extractor
) -> None:
    report = Document(
        id="sahel-wire-2013-02-05-menaka",
        text=(
            "MENAKA, Feb 5, 2013 (Sahel Wire) - MNLA fighters attacked a Malian army post in "
            "Menaka on Tuesday, killing four soldiers, a military source said. The MNLA said "
            "it controls Menaka."
        ),
        title="MNLA attacks army post in Menaka",
        date=date(2013, 2, 5),
        date_origin="metadata",
        source="Sahel Wire",
    )
    with Store(str(tmp_path / "later.db")) as store:
        store.import_graph(graph)
        nmla = store.find_entity(NMLA)
        entities = store.stats()["entities"]
        assert ingest_documents([report], store, extractor).stored == [report.id]
        assert store.find_entity("MNLA") == nmla
        assert store.stats()["entities"] == entities
        facts = store.entity(nmla)["relations"]
        assert any(r["evidence"]["document_id"] == report.id for r in facts)


@slow
def test_a_spelling_variant_merges_through_blocking_keys(
    graph: dict, tmp_path: Path, extractor
) -> None:
    """No alias reads "Ansar al-Din": only the imported blocking keys find Ansar Dine."""
    report = Document(
        id="sahel-wire-2013-02-06-timbuktu",
        text=(
            "TIMBUKTU, Feb 6, 2013 (Sahel Wire) - Ansar al-Din rebels attacked a Malian army "
            "post near Timbuktu on Wednesday, a military source said."
        ),
        date=date(2013, 2, 6),
        date_origin="metadata",
        source="Sahel Wire",
    )
    with Store(str(tmp_path / "variant.db")) as store:
        store.import_graph(graph)
        entities = store.stats()["entities"]
        ingest_documents([report], store, extractor)
        assert store.stats()["entities"] == entities
        [event] = [e for e in store.events() if e["document_id"] == report.id]
        assert event["actors"] == ["Ansar Dine"]


@slow
def test_an_imported_report_is_not_ingested_again(graph: dict, tmp_path: Path, extractor) -> None:
    path = EXAMPLES / "mali" / "2012-01-26_aguelhok_mnla.txt"
    with Store(str(tmp_path / "again.db")) as store:
        store.import_graph(graph)
        done = ingest_documents(iter_documents([path]), store, extractor)
        assert done.stored == [] and len(done.skipped) == 1
        assert store.stats()["documents"] == len(graph["documents"])


# -- refusals ------------------------------------------------------------------------------


@slow
def test_a_store_with_documents_is_refused(imported: Store, graph: dict) -> None:
    before = imported.stats()
    with pytest.raises(StoreError, match=f"empty store.* {before['documents']} documents"):
        imported.import_graph(graph)
    assert imported.stats() == before


@slow
@pytest.mark.parametrize("fmt", ["geojson", "stix"])
def test_other_exports_are_refused(original: Store, store: Store, fmt: str) -> None:
    with pytest.raises(StoreError, match="not a conflictmap graph export"):
        store.import_graph(json.loads(render(original, fmt)))
    assert store.stats()["documents"] == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([], "not a conflictmap graph export: a JSON list"),
        ({"type": "FeatureCollection", "features": []}, "format is None"),
        ({"format": "conflictmap-graph", "version": 2}, "unsupported conflictmap-graph version 2"),
        ({"format": "conflictmap-graph", "version": 1, "documents": []}, "no list of entities"),
    ],
)
def test_non_graph_json_is_refused(store: Store, data: object, reason: str) -> None:
    with pytest.raises(StoreError, match=reason):
        store.import_graph(data)  # type: ignore[arg-type]


def test_a_failed_import_writes_nothing(store: Store) -> None:
    graph = {
        "format": "conflictmap-graph",
        "version": 1,
        "documents": [{"id": "d1", "title": "t", "date": "2012-04-01"}],
        "entities": [{"id": 1, "name": "MNLA", "type": "ARMED_GROUP", "aliases": [], "geo": None}],
        "relations": [
            {
                "subject": "MNLA",
                "subject_type": "ARMED_GROUP",
                "predicate": "controls",
                "object": "Kidal",
                "object_type": "LOCATION",
                "evidence": {"document_id": "d1", "sentence": "s", "start": 0, "end": 1},
            }
        ],
        "events": [],
    }
    with pytest.raises(StoreError, match="names an entity not exported: 'Kidal'"):
        store.import_graph(graph)
    assert set(store.stats().values()) == {0}


def test_a_shared_name_resolves_within_its_document(store: Store) -> None:
    """Two places called Gao: a relation takes the one its document's events are at."""
    gao = {"name": "Gao", "type": "LOCATION", "aliases": []}
    evidence = {"sentence": "s", "start": 0, "end": 1}
    graph = {
        "format": "conflictmap-graph",
        "version": 1,
        "documents": [{"id": "ml"}, {"id": "bf"}],
        "entities": [
            {**gao, "id": 1, "geo": {"geonameid": 1, "latitude": 16.3, "longitude": -0.04}},
            {**gao, "id": 2, "geo": {"geonameid": 2, "latitude": 11.6, "longitude": -2.18}},
            {"id": 3, "name": "MUJAO", "type": "ARMED_GROUP", "aliases": [], "geo": None},
        ],
        "relations": [
            {
                "subject": "MUJAO",
                "subject_type": "ARMED_GROUP",
                "predicate": "controls",
                "object": "Gao",
                "object_type": "LOCATION",
                "evidence": {**evidence, "document_id": "bf"},
            }
        ],
        "events": [
            {
                "document_id": "bf",
                "event_type": "Battles",
                "sub_event_type": "Armed clash",
                "actors": ["MUJAO"],
                "targets": [],
                "location": "Gao",
                "latitude": 11.6,
                "longitude": -2.18,
                "evidence": {**evidence, "document_id": "bf"},
            }
        ],
    }
    store.import_graph(graph)
    burkina = store.entity(2)
    assert burkina["geo"]["latitude"] == 11.6
    assert [r["subject"] for r in burkina["relations"]] == ["MUJAO"]
    assert len(burkina["events"]) == 1 and store.entity(1)["relations"] == []
