"""The store on a real PostgreSQL server: PostGIS, the write lock, concurrent writers and
processes, and the examples giving the same graph as on SQLite. Needs ``CONFLICTMAP_TEST_PG``
(conftest.py), as do the PostgreSQL runs of test_store.py, test_curation.py and
test_import.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import PostgresServer
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Connection

from conflictmap.export import render
from conflictmap.ingest.dedup import text_hash
from conflictmap.ingest.readers import discover, iter_documents
from conflictmap.ingest.run import ingest_documents
from conflictmap.model import Document, Entity, Extraction
from conflictmap.store.repository import WRITE_LOCK_KEY, Store
from conflictmap.store.schema import DocumentRow, EntityRow, EventRow, EvidenceRow

EXAMPLES = Path(__file__).parents[1] / "examples"
WRITERS = 8
WAIT_S = 60  # for threads that should all be done in a second or two


def _report(number: int, name: str) -> tuple[Document, Extraction]:
    """A one-sentence report naming a single armed group."""
    text_ = f"{name} fighters were seen near Gao, report {number} said."
    doc = Document(id=f"r{number}", text=text_, date=date(2012, 6, 1))
    mention = (0, len(name), name)
    return doc, Extraction(doc.id, text_, doc.date, [Entity(name, "ARMED_GROUP", [], [mention])])


def _add(store: Store, doc: Document, extraction: Extraction) -> bool:
    return store.add(doc, extraction, text_hash=text_hash(doc.text), extractor="test")


def _graph(source: Store | str) -> dict:
    """The JSON export, less what differs between two runs on the same reports (the time)."""
    if isinstance(source, str):
        with Store(source) as store:
            return _graph(store)
    graph = json.loads(render(source, "json"))
    del graph["metadata"]["as_of"]
    return graph


def _at_once(url: str, work: Callable[[int, Store], None]) -> None:
    """``work(number, store)`` in ``WRITERS`` threads, each with its own store (and
    connections), opened together and let go together."""
    start, opened = (threading.Barrier(WRITERS, timeout=WAIT_S) for _ in range(2))

    def run(number: int) -> None:
        start.wait()
        with Store(url) as store:
            opened.wait()
            work(number, store)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_S)
    assert not any(thread.is_alive() for thread in threads)


def test_the_migration_creates_postgis_where_the_server_has_it(pg_server: PostgresServer) -> None:
    url = pg_server.create(template="template0")  # a bare database, without PostGIS
    try:
        with Store(url) as store, store.engine.connect() as connection:
            query = text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            available = connection.scalar(query) is not None
            indexes = {i["name"] for i in inspect(connection).get_indexes("entities")}
        assert store.postgis is available
        assert ({"ix_entities_point", "ix_entities_geography"} <= indexes) is available
    finally:
        pg_server.drop(url)


def test_a_writer_waits_for_the_write_lock(pg_url: str) -> None:
    doc, extraction = _report(1, "Katiba Lock")
    holder = create_engine(pg_url)
    with Store(pg_url) as store:
        try:
            with holder.connect() as other:
                transaction = other.begin()
                other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
                writer = threading.Thread(target=_add, args=(store, doc, extraction))
                writer.start()
                writer.join(timeout=1.0)
                assert writer.is_alive()  # blocked behind the other transaction
                assert store.stats()["documents"] == 0
                transaction.commit()
            writer.join(timeout=10.0)
            assert not writer.is_alive()
            assert store.stats()["documents"] == 1
        finally:
            holder.dispose()


@pytest.mark.parametrize("names", [["Katiba Nour"], ["Jamaat Nasr ad-Din", "Jamaat Nasreddine"]])
def test_concurrent_writers_create_a_new_actor_once(pg_url: str, names: list[str]) -> None:
    """Eight writers at once, each with a report naming one new group (or its spelling
    variants, merged only by the fuzzy resolver): one entity, eight mentions."""
    Store(pg_url).close()  # migrated once: these writers race on the data, not the schema
    stored: list[bool] = []

    def write(number: int, store: Store) -> None:
        stored.append(_add(store, *_report(number, names[number % len(names)])))

    _at_once(pg_url, write)
    assert stored == [True] * WRITERS
    with Store(pg_url) as store:
        [actor] = store.actors()
        assert actor["mentions"] == WRITERS
        assert store.stats()["entities"] == 1


def test_the_same_report_from_concurrent_writers_is_stored_once(pg_url: str) -> None:
    Store(pg_url).close()
    stored: list[bool] = []

    def write(_number: int, store: Store) -> None:
        stored.append(_add(store, *_report(1, "Katiba Once")))

    _at_once(pg_url, write)
    assert sorted(stored) == [False] * (WRITERS - 1) + [True]
    with Store(pg_url) as store:
        assert store.stats() == {
            "documents": 1,
            "duplicates": 0,
            "entities": 1,
            "relations": 0,
            "events": 0,
            "evidence": 0,
        }
        assert store.actors()[0]["mentions"] == 1


def test_stores_opened_at_once_on_a_new_database_migrate_it_once(pg_url: str) -> None:
    opened: list[str] = []
    _at_once(pg_url, lambda _number, store: opened.append(store.url))
    assert len(opened) == WRITERS
    with Store(pg_url) as store, store.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert len(versions.all()) == 1


@pytest.mark.slow
def test_the_examples_give_the_same_graph_as_on_sqlite(
    pg_url: str, examples_db: str, extractor
) -> None:  # noqa: ANN001
    with Store(pg_url) as store:
        report = ingest_documents(iter_documents(discover([EXAMPLES])), store, extractor)
        assert report.failed == [] and len(report.stored) > 30
        assert _graph(store) == _graph(examples_db)


@pytest.mark.slow
def test_an_export_imports_as_on_sqlite(pg_url: str, examples_db: str, tmp_path: Path) -> None:
    graph = _graph(examples_db)
    written = []
    for url in (pg_url, f"sqlite:///{tmp_path / 'imported.db'}"):
        with Store(url) as store:
            written.append(store.import_graph(graph))
            assert _graph(store) == graph
    assert written[0] == written[1] and written[0]["events"] > 100


@pytest.mark.slow
def test_two_ingest_processes_store_everything_once(pg_url: str, examples_db: str) -> None:
    command = [sys.executable, "-m", "conflictmap.cli", "--db", pg_url, "ingest", str(EXAMPLES)]
    runs = [
        subprocess.Popen(
            [*command, "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CONFLICTMAP_DB": pg_url},
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert json.loads(out)["failed"] == 0
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            _assert_no_duplicates(connection)
    finally:
        engine.dispose()
    assert _graph(pg_url) == _graph(examples_db)


def _assert_no_duplicates(connection: Connection) -> None:
    """One row per document; per name, type and GeoNames id (two places are called Gao); per
    event type, date and place of one sentence of one document."""
    documents = connection.execute(select(DocumentRow.id, DocumentRow.text_hash)).all()
    assert len(documents) == 35
    assert len({i for i, _ in documents}) == len({h for _, h in documents}) == len(documents)
    entity = (EntityRow.canonical, EntityRow.type, EntityRow.geonameid)
    _assert_unique(connection.execute(select(*entity)).all())
    event = (
        EventRow.document_id,
        EventRow.event_type,
        EventRow.sub_event_type,
        EventRow.date_start,
        EventRow.location_id,
        EvidenceRow.start,
    )
    _assert_unique(connection.execute(select(*event).join(EventRow.evidence)).all())


def _assert_unique(rows: list) -> None:
    repeated = [row for row, n in Counter(rows).items() if n > 1]
    assert rows and repeated == []
