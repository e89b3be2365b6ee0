"""The store: the only writer of the knowledge graph, and its read queries.

Writes are one transaction per document: the document row, its mentions, relations,
events and evidence go in together or not at all. Entities are matched across documents
by GeoNames id (places) or by any folded name or alias of a compatible type (actors).
Reads return plain dicts so the CLI, the Python API and exports share one answer.

The database is a SQLite file or a PostgreSQL server (``postgresql+psycopg://...``), with
the same migrations; concurrent writers are safe on both (see ``Store``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from weakref import WeakSet

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from conflictmap.config import database_url
from conflictmap.errors import EntityNotFoundError, StoreError
from conflictmap.extract.gazetteer import fold
from conflictmap.ingest.dedup import NearDuplicateIndex
from conflictmap.model import Document, Entity, Event, Evidence, Extraction, TimeValue
from conflictmap.resolve import Candidate, blocking_keys, same_actor, types_compatible
from conflictmap.store import curation, places
from conflictmap.store.schema import (
    AliasRow,
    DecisionRow,
    DocumentRow,
    EntityKeyRow,
    EntityRow,
    EventRow,
    EvidenceRow,
    IncidentSplitRow,
    MentionRow,
    ParticipantRow,
    RelationRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"
ORGANISATION_TYPES = frozenset({"ORGANIZATION", "ARMED_GROUP"})
ACTORS = frozenset({"PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE"})
# Fuzzy merges need a high score: the labelled pairs give precision 0.99 at 0.9
# (bench/resolution_pairs.py); between 0.7 and 0.9 merges are likelier to be wrong.
MERGE_THRESHOLD = 0.9
# When reports disagree on an actor's type, the more specific one wins.
TYPE_STRENGTH = {"PERSON": 0, "ORGANIZATION": 1, "ARMED_GROUP": 2}
# The advisory lock every conflictmap writer of a PostgreSQL database takes (any constant
# works; advisory locks are per database).
WRITE_LOCK_KEY = 0x636F6E666C6963


def migrate(engine: Engine) -> None:
    """Bring the database schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        lock_writes(connection)  # two processes opening a new database migrate it once
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def lock_writes(connection: Connection) -> None:
    """Wait for, then hold until the transaction ends, the store's write lock (PostgreSQL
    only: SQLite lets one writer in at a time by itself)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """A conflictmap database: a SQLite file or a SQLAlchemy URL (``postgresql+psycopg://``).

    Several processes may write one store at once (two ``conflictmap ingest`` runs over the
    same reports) and every document, entity and event is still stored once:

    - Every write transaction (a document with its extraction, a merge, a split, an import,
      a migration) first takes one transaction-scoped advisory lock on PostgreSQL
      (``pg_advisory_xact_lock``), released when it commits or rolls back. SQLite lets one
      writer in at a time by itself. Writers therefore run one after another, each seeing
      all that the others committed. A unique constraint could not do this for entities:
      the resolver matches actors fuzzily (aliases, spelling variants), so two writers
      resolving "Ansar Dine" and "Ansar Eddine" at once would each create a new actor.
    - A document goes in with ``INSERT ... ON CONFLICT DO NOTHING`` on its id and text
      hash (both unique): when another writer stored it first, ``add`` writes nothing more
      and returns False.
    - Near-duplicate indexes this store handed out learn the documents that
      ``known_documents`` finds stored by another writer, so every writer compares a report
      with the same earlier reports as a single writer would.

    Reads take no lock. With PostGIS in the database (``postgis``), place filters use it.
    """

    def __init__(self, db: str) -> None:
        self.url = database_url(db)
        self._near_indexes: WeakSet[NearDuplicateIndex] = WeakSet()
        try:
            self.engine = create_engine(self.url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            migrate(self.engine)
            self.postgis = places.has_postgis(self.engine)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot open store {db}: {error}") from error
        except ImportError as error:  # the URL's database driver
            hint = "for PostgreSQL: pip install 'conflictmap[postgres]'"
            raise StoreError(f"cannot open store {db}: {error} ({hint})") from error

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- writes -----------------------------------------------------------------------

    def known_document(self, doc_id: str, text_hash: str) -> str | None:
        """The id of a stored document with this id or the same normalised text."""
        known = self.known_documents([doc_id], [text_hash])
        return known.get(doc_id) or known.get(text_hash)

    def known_documents(self, ids: list[str], hashes: list[str]) -> dict[str, str]:
        """Stored documents among these ids and text hashes: id or hash -> stored id.

        The stored ones missing from a near-duplicate index this store handed out (another
        writer stored them since) are added to it: the caller skips them, yet a later
        report may be a copy of one of them.
        """
        with Session(self.engine) as session:
            rows = session.execute(
                select(DocumentRow.id, DocumentRow.text_hash, DocumentRow.minhash).where(
                    or_(DocumentRow.id.in_(ids), DocumentRow.text_hash.in_(hashes))
                )
            )
            known: dict[str, str] = {}
            for doc_id, digest, signature in rows:
                known[doc_id] = known[digest] = doc_id
                self._learn_signature(doc_id, signature)
            return known

    def near_duplicate_index(self, threshold: float = 0.8) -> NearDuplicateIndex:
        index = NearDuplicateIndex(threshold=threshold)
        with Session(self.engine) as session:
            rows = session.execute(
                select(DocumentRow.id, DocumentRow.minhash).where(DocumentRow.minhash.is_not(None))
            )
            for doc_id, signature in rows:
                index.add(doc_id, signature)
        self._near_indexes.add(index)
        return index

    def _learn_signature(self, doc_id: str, signature: bytes | None) -> None:
        if signature is None:
            return
        for index in self._near_indexes:
            if doc_id not in index:
                index.add(doc_id, signature)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction, holding the store's write lock (see ``Store``)."""
        with self.engine.begin() as connection:
            lock_writes(connection)
            yield connection

    def add(
        self,
        document: Document,
        extraction: Extraction | None,
        *,
        text_hash: str,
        minhash: bytes | None = None,
        duplicate_of: str | None = None,
        extractor: str | None = None,
    ) -> bool:
        """Store one document and what was extracted from it, in one transaction; False
        (and nothing written) if a document with this id or text hash is already stored."""
        with self._write() as connection:
            stored = connection.execute(
                _dialect_insert(connection, DocumentRow)
                .values(
                    id=document.id,
                    text_hash=text_hash,
                    title=document.title,
                    date=document.date,
                    date_origin=document.date_origin,
                    source=document.source,
                    url=document.url,
                    path=document.path,
                    text=document.text,
                    minhash=minhash,
                    duplicate_of=duplicate_of,
                    extractor=extractor,
                    ingested_at=datetime.now(UTC).replace(tzinfo=None),
                )
                .on_conflict_do_nothing()
                .returning(DocumentRow.id)
            )
            if stored.scalar() is None:
                return False
            if extraction is not None:
                _add_extraction(connection, document.id, extraction)
        return True

    def merge(self, keep: str | int, absorb: str | int, note: str | None = None) -> dict:
        """An analyst's merge: ``absorb`` becomes part of ``keep``; recorded as a decision."""
        keep_id, absorb_id = self._id(keep), self._id(absorb)
        with self._write() as connection:
            return curation.merge(connection, keep_id, absorb_id, note)

    def split(self, entity: str | int, names: list[str], note: str | None = None) -> dict:
        """An analyst's split: ``names`` and the mentions using them become a new entity."""
        entity_id = self._id(entity)
        with self._write() as connection:
            return curation.split(connection, entity_id, names, note)

    def split_incident(self, event_id: int, note: str | None = None) -> dict:
        """An analyst's split: the event stands alone, never merged into an incident with
        other reports' events (``fuse.incidents``); kept across re-ingests and exports."""
        with self._write() as connection:
            if connection.scalar(select(EventRow.id).where(EventRow.id == event_id)) is None:
                raise StoreError(f"no event with id {event_id}")
            known = select(IncidentSplitRow.id).where(IncidentSplitRow.event_id == event_id)
            if connection.scalar(known) is None:
                connection.execute(
                    insert(IncidentSplitRow).values(
                        event_id=event_id,
                        note=note,
                        created_at=datetime.now(UTC).replace(tzinfo=None),
                    )
                )
        return {"event_id": event_id, "note": note}

    def import_graph(self, data: dict) -> dict[str, int]:
        """Load a JSON graph export (``conflictmap export --format json``, read back with
        ``json.load``) into this empty store, in one transaction; the rows written by kind.

        Raises ``StoreError`` if the store holds documents or ``data`` is not a graph export.
        What round-trips: ``conflictmap.store.importer``.
        """
        from conflictmap.store.importer import import_graph

        try:
            with self._write() as connection:
                return import_graph(connection, data)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot import the graph: {error}") from error

    def decisions(self) -> list[dict]:
        """The audit trail of merges and splits, oldest first."""
        with self.engine.connect() as connection:
            return curation.decisions(connection)

    def _id(self, entity: str | int) -> int:
        return entity if isinstance(entity, int) else self.find_entity(entity)

    def _bytewise(self, column: Any) -> Any:
        """``column`` ordered by code point as SQLite does, whatever the server's locale."""
        return column.collate("C") if self.engine.dialect.name == "postgresql" else column

    # --- reads ------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        with Session(self.engine) as session:
            count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
            return {
                "documents": count(DocumentRow),
                "duplicates": session.scalar(
                    select(func.count()).where(DocumentRow.duplicate_of.is_not(None))
                ),
                "entities": count(EntityRow),
                "relations": count(RelationRow),
                "events": count(EventRow),
                "evidence": count(EvidenceRow),
            }

    def actors(self, entity_type: str | None = None, limit: int | None = None) -> list[dict]:
        """Actors (not places) with mention, relation and event counts, most mentioned first."""
        with Session(self.engine) as session:
            mentions = (
                select(MentionRow.entity_id, func.count().label("n"))
                .group_by(MentionRow.entity_id)
                .subquery()
            )
            query = (
                select(EntityRow, func.coalesce(mentions.c.n, 0))
                .outerjoin(mentions, mentions.c.entity_id == EntityRow.id)
                .where(EntityRow.type != "LOCATION")
                .options(selectinload(EntityRow.aliases))
                .order_by(
                    func.coalesce(mentions.c.n, 0).desc(), self._bytewise(EntityRow.canonical)
                )
            )
            if entity_type:
                query = query.where(EntityRow.type == entity_type.upper())
            if limit:
                query = query.limit(limit)
            return [
                {
                    "id": row.id,
                    "name": row.canonical,
                    "type": row.type,
                    "aliases": _aliases(row),
                    "mentions": n,
                }
                for row, n in session.execute(query)
            ]

    def find_entity(self, name: str) -> int:
        """The id of the entity best matching a name or alias (most mentioned wins)."""
        key = fold(name)
        with Session(self.engine) as session:
            ids = list(
                session.scalars(select(AliasRow.entity_id).where(AliasRow.key == key).distinct())
            )
            if not ids:
                raise EntityNotFoundError(
                    f"no entity named '{name}'; list them with `conflictmap actors`"
                )
            if len(ids) == 1:
                return ids[0]
            counts = dict(
                session.execute(
                    select(MentionRow.entity_id, func.count())
                    .where(MentionRow.entity_id.in_(ids))
                    .group_by(MentionRow.entity_id)
                ).all()
            )
            return max(ids, key=lambda i: counts.get(i, 0))

    def entity(self, name: str | int, limit: int | None = None) -> dict:
        """An entity's profile (by name, alias or id): aliases, place, relations, events;
        with ``limit``, the first ``limit`` relations and newest ``limit`` events, and
        ``relations_total`` and ``events_total``."""
        entity_id = name if isinstance(name, int) else self.find_entity(name)
        with Session(self.engine) as session:
            row = session.get(EntityRow, entity_id, options=[selectinload(EntityRow.aliases)])
            assert row is not None
            its_relations = or_(
                RelationRow.subject_id == entity_id, RelationRow.object_id == entity_id
            )
            relations = session.scalars(
                select(RelationRow)
                .where(its_relations)
                .limit(limit)
                .options(
                    selectinload(RelationRow.evidence),
                    selectinload(RelationRow.subject),
                    selectinload(RelationRow.object),
                )
                .order_by(
                    self._bytewise(RelationRow.predicate), RelationRow.valid_from.nulls_first()
                )
            ).all()
            event_ids = select(ParticipantRow.event_id).where(ParticipantRow.entity_id == entity_id)
            its_events = or_(EventRow.id.in_(event_ids), EventRow.location_id == entity_id)
            events = self._events(session, its_events, limit=limit)
            totals = {}
            if limit is not None:
                totals = {
                    "relations_total": session.scalar(
                        select(func.count()).select_from(RelationRow).where(its_relations)
                    ),
                    "events_total": session.scalar(
                        select(func.count()).select_from(EventRow).where(its_events)
                    ),
                }
            return {
                **_entity_dict(row),
                "mentions": session.scalar(
                    select(func.count()).where(MentionRow.entity_id == entity_id)
                ),
                "documents": session.scalar(
                    select(func.count(func.distinct(MentionRow.document_id))).where(
                        MentionRow.entity_id == entity_id
                    )
                ),
                "relations": _relation_dicts(session, relations),
                "events": events,
                **totals,
            }

    def events(
        self,
        event_type: str | None = None,
        place: str | None = None,
        since: date | None = None,
        until: date | None = None,
        actor: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        bbox: places.BBox | None = None,
        *,
        near: places.Circle | None = None,
    ) -> list[dict]:
        """Events, newest first, filtered by type (event or sub-event), place, actor, date
        range, ``bbox`` (min_lon, min_lat, max_lon, max_lat of the event's place) and
        ``near`` (lon, lat, radius in km: the event's place at most that far)."""
        return self.events_page(
            event_type, place, since, until, actor, limit, offset, bbox, count=False, near=near
        )[0]

    def events_page(
        self,
        event_type: str | None = None,
        place: str | None = None,
        since: date | None = None,
        until: date | None = None,
        actor: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        bbox: places.BBox | None = None,
        *,
        count: bool = True,
        near: places.Circle | None = None,
    ) -> tuple[list[dict], int | None]:
        """One page of ``events(...)``, filtered and cut in SQL, and the number of events
        that match the filters (``None`` with ``count=False``)."""
        conditions = self._event_conditions(event_type, place, since, until, actor)
        with Session(self.engine) as session:
            conditions += self._place_conditions(session.connection(), bbox, near)
            total = None
            if count:
                total = session.scalar(
                    select(func.count()).select_from(EventRow).where(*conditions)
                )
            rows = self._events(session, *conditions, limit=limit, offset=offset)
        return rows, total

    def _event_conditions(
        self,
        event_type: str | None,
        place: str | None,
        since: date | None,
        until: date | None,
        actor: str | None,
    ) -> list[Any]:
        conditions: list[Any] = []
        if event_type:
            conditions.append(
                or_(
                    func.lower(EventRow.event_type) == event_type.lower(),
                    func.lower(EventRow.sub_event_type) == event_type.lower(),
                )
            )
        if place:
            conditions.append(EventRow.location_id == self.find_entity(place))
        if actor:
            actor_id = self.find_entity(actor)
            conditions.append(
                EventRow.id.in_(
                    select(ParticipantRow.event_id).where(ParticipantRow.entity_id == actor_id)
                )
            )
        if since:
            conditions.append(EventRow.date_end >= since)
        if until:
            conditions.append(EventRow.date_start <= until)
        return conditions

    def _place_conditions(
        self, connection: Connection, bbox: places.BBox | None, near: places.Circle | None
    ) -> list[Any]:
        found = []
        if bbox is not None:
            found.append(places.in_box(bbox, self.postgis))
        if near is not None:
            found.append(places.within(connection, near, self.postgis))
        if not found:
            return []
        return [EventRow.location_id.in_(select(EntityRow.id).where(*found))]

    def _events(
        self, session: Session, *conditions: Any, limit: int | None = None, offset: int = 0
    ) -> list[dict]:
        query = (
            select(EventRow)
            .where(*conditions)
            .options(
                selectinload(EventRow.evidence),
                selectinload(EventRow.location),
                selectinload(EventRow.participants).selectinload(ParticipantRow.entity),
            )
            .order_by(EventRow.date_start.desc().nulls_last(), EventRow.id)
        )
        if limit:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        rows = session.scalars(query).all()
        documents = _document_index(session, {r.document_id for r in rows})
        return [_event_dict(row, documents) for row in rows]

    def documents(self) -> list[dict]:
        with Session(self.engine) as session:
            order = (DocumentRow.date.nulls_first(), self._bytewise(DocumentRow.id))
            rows = session.scalars(select(DocumentRow).order_by(*order))
            return [
                {
                    "id": r.id,
                    "title": r.title,
                    "date": r.date.isoformat() if r.date else None,
                    "date_origin": r.date_origin,
                    "source": r.source,
                    "url": r.url,
                    "path": r.path,
                    "duplicate_of": r.duplicate_of,
                    "extractor": r.extractor,
                }
                for r in rows
            ]

    def export(self) -> dict:
        """The whole graph as one JSON-ready structure."""
        with Session(self.engine) as session:
            entities = session.scalars(
                select(EntityRow).options(selectinload(EntityRow.aliases)).order_by(EntityRow.id)
            ).all()
            relations = session.scalars(
                select(RelationRow)
                .options(
                    selectinload(RelationRow.evidence),
                    selectinload(RelationRow.subject),
                    selectinload(RelationRow.object),
                )
                .order_by(RelationRow.id)
            ).all()
            relation_dicts = _relation_dicts(session, relations)
            events = self._events(session)
            splits = session.scalars(select(IncidentSplitRow.event_id)).all()
        return {
            "format": "conflictmap-graph",
            "version": 1,
            "documents": self.documents(),
            "entities": [_entity_dict(e) for e in entities],
            "relations": relation_dicts,
            "events": sorted(events, key=lambda e: e["id"]),
            "incident_splits": sorted(splits),
        }


# --- writing helpers ----------------------------------------------------------------------


def _add_extraction(connection: Connection, document_id: str, extraction: Extraction) -> None:
    """Insert what one document says with a handful of bulk statements."""
    ids = _EntityResolver(connection).ids(extraction.entities)
    _insert_only(
        connection,
        MentionRow,
        [
            {
                "document_id": document_id,
                "entity_id": ids[e.canonical],
                "start": s,
                "end": t,
                "text": text,
                "type": e.type,
                "form": e.form(s),
            }
            for e in extraction.entities
            for s, t, text in e.mentions
        ],
    )
    _vote_types(connection, {ids[e.canonical] for e in extraction.entities if e.type in ACTORS})
    relations = [r for r in extraction.relations if r.subject in ids and r.object in ids]
    evidence = [r.evidence for r in relations] + [e.evidence for e in extraction.events]
    evidence_ids = _insert(connection, EvidenceRow, [_evidence(document_id, e) for e in evidence])
    _insert_only(
        connection,
        RelationRow,
        [
            {
                "subject_id": ids[r.subject],
                "predicate": r.predicate,
                "object_id": ids[r.object],
                "evidence_id": evidence_id,
                "document_id": document_id,
                **_interval("valid_from", r.valid_from, "start"),
                **_interval("valid_to", r.valid_to, "end"),
            }
            for r, evidence_id in zip(relations, evidence_ids, strict=False)
        ],
    )
    events = extraction.events
    event_ids = _insert(
        connection,
        EventRow,
        [
            _event_values(document_id, ev, ids, evidence_id)
            for ev, evidence_id in zip(events, evidence_ids[len(relations) :], strict=True)
        ],
    )
    _insert_only(
        connection,
        ParticipantRow,
        [
            {"event_id": event_id, "entity_id": ids[name], "role": role}
            for ev, event_id in zip(events, event_ids, strict=True)
            for role, names in (("actor", ev.actors), ("target", ev.targets))
            for name in dict.fromkeys(names)
            if name in ids
        ],
    )


def _insert(connection: Connection, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert; the new ids, in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, rows).scalars())


def _insert_only(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    """Bulk insert of rows nothing else refers to (no ids read back)."""
    if rows:
        connection.execute(insert(model), rows)


def _vote_types(connection: Connection, entity_ids: set[int]) -> None:
    """An actor's type from how every report typed its mentions (see ``_voted_type``)."""
    if not entity_ids:
        return
    votes: dict[int, Counter] = {}
    for entity_id, mention_type, count in connection.execute(
        select(MentionRow.entity_id, MentionRow.type, func.count())
        .where(MentionRow.entity_id.in_(entity_ids))
        .group_by(MentionRow.entity_id, MentionRow.type)
    ):
        votes.setdefault(entity_id, Counter())[mention_type] += count
    current = dict(
        connection.execute(
            select(EntityRow.id, EntityRow.type).where(EntityRow.id.in_(entity_ids))
        ).all()
    )
    for entity_id, counts in votes.items():
        voted = _voted_type(counts)
        if voted is not None and voted != current.get(entity_id):
            connection.execute(
                update(EntityRow).where(EntityRow.id == entity_id).values(type=voted)
            )


def _voted_type(counts: Counter) -> str | None:
    """Armed group if any report found armed cues (the model often calls a group a PERSON,
    never the reverse with cues); else the majority of person and organisation."""
    if counts["STATE_FORCE"] > sum(counts.values()) - counts["STATE_FORCE"]:
        return "STATE_FORCE"
    if counts["ARMED_GROUP"]:
        return "ARMED_GROUP"
    if counts["PERSON"] > counts["ORGANIZATION"]:
        return "PERSON"
    return "ORGANIZATION" if counts["ORGANIZATION"] else None


def _insert_ignoring_duplicates(connection: Connection, model: type, rows: list[dict]) -> None:
    """Bulk insert that skips rows a unique constraint already holds (SQLite, PostgreSQL)."""
    if rows:
        connection.execute(_dialect_insert(connection, model).on_conflict_do_nothing(), rows)


def _dialect_insert(connection: Connection, model: type) -> Any:
    """The connection's own ``insert``, which has ``on_conflict_do_nothing``."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model)


def _event_values(document_id: str, ev: Event, ids: dict[str, int], evidence_id: int) -> dict:
    return {
        "document_id": document_id,
        "event_type": ev.event_type,
        "sub_event_type": ev.sub_event_type,
        "plover": ev.plover,
        "location_id": ids.get(ev.location) if ev.location else None,
        "date_start": ev.date.start if ev.date else None,
        "date_end": ev.date.end if ev.date else None,
        "date_precision": ev.date.precision if ev.date else None,
        "date_text": ev.date.text if ev.date else None,
        "fatalities": ev.fatalities,
        "amount": ev.amount,
        "trigger": ev.trigger,
        "actor_phrase": ev.actor_phrase[:200] if ev.actor_phrase else None,
        "target_phrase": ev.target_phrase[:200] if ev.target_phrase else None,
        "inter1": ev.inter1,
        "inter2": ev.inter2,
        "historical": ev.historical,
        "evidence_id": evidence_id,
    }


def _interval(prefix: str, value: TimeValue | None, bound: str) -> dict[str, Any]:
    if value is None:
        return {prefix: None, f"{prefix}_text": None, f"{prefix}_precision": None}
    return {
        prefix: value.start if bound == "start" else value.end,
        f"{prefix}_text": value.text[:100],
        f"{prefix}_precision": value.precision,
    }


def _evidence(document_id: str, evidence: Evidence) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "sentence": evidence.sentence,
        "start": evidence.start,
        "end": evidence.end,
        "attribution_kind": evidence.attribution.kind,
        "attribution_phrase": evidence.attribution.phrase,
        "hedged": evidence.hedged,
        "negated": evidence.negated,
        "reliability": evidence.reliability,
        "credibility": evidence.credibility,
    }


class _EntityResolver:
    """Matches a document's entities to stored ones (or creates them) in a few queries.

    A place is the stored place with its GeoNames id. An actor is the oldest stored entity
    of a compatible type sharing any folded name or alias; failing that, a person and a
    group with the same full name are one actor, typed as the group (the model often calls
    a group a PERSON); failing that, the stored actor sharing a blocking key whose names
    ``conflictmap.resolve.same_actor`` scores at least ``MERGE_THRESHOLD`` (spelling
    variants: "Ansar Eddine" = "Ansar Dine"). New aliases and keys are recorded.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.by_key: dict[str, list[tuple[int, str]]] = {}  # folded name -> (id, type)
        self.by_geonameid: dict[int, int] = {}
        self.rows: dict[int, list] = {}  # id -> [type, geonameid]
        self.canonical: dict[int, str] = {}  # id -> folded canonical name
        self.blocked: dict[str, set[int]] = {}  # blocking key -> entity ids
        self.similar: dict[int, Candidate] = {}  # stored actors sharing a blocking key
        self.pending: list[Entity] | None = None  # entities whose similar actors to load
        self.apart: set[frozenset[int]] | None = None  # pairs an analyst split apart

    def ids(self, entities: list[Entity]) -> dict[str, int]:
        self._load(entities)
        self.pending = entities
        ids: dict[str, int] = {}
        new_aliases: list[dict[str, Any]] = []
        for entity in entities:
            entity_id = self._match(entity)
            if entity_id is None:
                entity_id = self._create(entity)
            else:
                self._update(entity_id, entity)
            ids[entity.canonical] = entity_id
            for name in [entity.canonical, *entity.aliases]:
                key = fold(name)
                holders = self.by_key.setdefault(key, [])
                if any(self._kept_apart(entity_id, i) for i, _ in holders):
                    continue  # an analyst split this name off: a report does not undo that
                if key and all(i != entity_id for i, _ in holders):
                    new_aliases.append({"entity_id": entity_id, "name": name, "key": key})
                    holders.append((entity_id, self.rows[entity_id][0]))
        _insert_only(self.connection, AliasRow, new_aliases)
        _insert_ignoring_duplicates(self.connection, EntityKeyRow, self._new_keys(entities, ids))
        return ids

    def _kept_apart(self, entity_id: int, other_id: int) -> bool:
        if entity_id == other_id:
            return False
        if self.apart is None:
            rows = self.connection.execute(
                select(DecisionRow.entity_id, DecisionRow.other_id).where(
                    DecisionRow.kind == "split"
                )
            )
            self.apart = {frozenset(row) for row in rows}
        return frozenset((entity_id, other_id)) in self.apart

    def _new_keys(self, entities: list[Entity], ids: dict[str, int]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for entity in entities:
            if entity.type == "LOCATION":
                continue
            entity_id = ids[entity.canonical]
            for key in blocking_keys(_candidate(entity)):
                holders = self.blocked.setdefault(key, set())
                if entity_id not in holders:
                    holders.add(entity_id)
                    rows.append({"entity_id": entity_id, "key": key})
        return rows

    def _load(self, entities: list[Entity]) -> None:
        """Every stored entity sharing a folded name with these, and places by GeoNames id.

        Both lookups go through indexes (alias key, geonameid), so the cost does not grow
        with the size of the store.
        """
        keys = {k for e in entities for k in _keys(e)}
        columns = (AliasRow.key, EntityRow.id, EntityRow.type, EntityRow.geonameid)
        query = select(*columns, EntityRow.canonical).join(
            EntityRow, AliasRow.entity_id == EntityRow.id
        )
        for key, entity_id, etype, geonameid, canonical in self.connection.execute(
            query.where(AliasRow.key.in_(keys))
        ):
            self.by_key.setdefault(key, []).append((entity_id, etype))
            self.rows[entity_id] = [etype, geonameid]
            self.canonical[entity_id] = fold(canonical)
        geonameids = {e.geo.geonameid for e in entities if e.geo is not None}
        if not geonameids:
            return
        for entity_id, geonameid in self.connection.execute(
            select(EntityRow.id, EntityRow.geonameid).where(
                EntityRow.geonameid.in_(geonameids), EntityRow.type == "LOCATION"
            )
        ):
            self.rows.setdefault(entity_id, ["LOCATION", geonameid])
            self.by_geonameid.setdefault(geonameid, entity_id)

    def _load_similar(self, entities: list[Entity]) -> None:
        """Stored actors sharing a blocking key with these, with all their names."""
        keys = {k for e in entities if e.type != "LOCATION" for k in blocking_keys(_candidate(e))}
        if not keys:
            return
        for entity_id, key in self.connection.execute(
            select(EntityKeyRow.entity_id, EntityKeyRow.key).where(EntityKeyRow.key.in_(keys))
        ):
            self.blocked.setdefault(key, set()).add(entity_id)
        ids = set().union(*self.blocked.values()) if self.blocked else set()
        if not ids:
            return
        names: dict[int, list[str]] = {}
        for entity_id, name in self.connection.execute(
            select(AliasRow.entity_id, AliasRow.name).where(AliasRow.entity_id.in_(ids))
        ):
            names.setdefault(entity_id, []).append(name)
        for entity_id, canonical, etype, geonameid in self.connection.execute(
            select(EntityRow.id, EntityRow.canonical, EntityRow.type, EntityRow.geonameid).where(
                EntityRow.id.in_(ids)
            )
        ):
            self.rows.setdefault(entity_id, [etype, geonameid])
            self.canonical.setdefault(entity_id, fold(canonical))
            self.similar[entity_id] = Candidate(canonical, etype, tuple(names.get(entity_id, ())))

    def _fuzzy_match(self, entity: Entity) -> int | None:
        if entity.type == "LOCATION":
            return None
        if self.pending is not None:  # loaded on first need: most documents never need it
            self._load_similar(self.pending)
            self.pending = None
        if not self.similar:
            return None
        candidate = _candidate(entity)
        keys = blocking_keys(candidate)
        scored = [
            (same_actor(candidate, other), -entity_id)
            for entity_id, other in self.similar.items()
            if any(entity_id in self.blocked.get(k, ()) for k in keys)
            and types_compatible(entity.type, self.rows[entity_id][0]) > 0
        ]
        best = max(scored, default=None)
        return -best[1] if best is not None and best[0] >= MERGE_THRESHOLD else None

    def _match(self, entity: Entity) -> int | None:
        if entity.geo is not None:
            # Same name, other GeoNames id: another place (Tripoli, Libya vs. Tripoli, Lebanon).
            return self.by_geonameid.get(entity.geo.geonameid)
        types = _compatible_types(entity.type)
        found = [i for k in _keys(entity) for i, t in self.by_key.get(k, []) if t in types]
        if found or entity.type not in ("PERSON", *ORGANISATION_TYPES):
            return min(found, default=None) or self._fuzzy_match(entity)
        others = ORGANISATION_TYPES if entity.type == "PERSON" else ("PERSON",)
        name = fold(entity.canonical)
        same_name = [i for i, t in self.by_key.get(name, []) if t in others]
        exact = min((i for i in same_name if self.canonical.get(i) == name), default=None)
        return exact or self._fuzzy_match(entity)

    def _create(self, entity: Entity) -> int:
        values: dict[str, Any] = {"canonical": entity.canonical, "type": entity.type}
        values.update(_geo_values(entity))
        [entity_id] = _insert(self.connection, EntityRow, [values])
        self.rows[entity_id] = [entity.type, values.get("geonameid")]
        self.canonical[entity_id] = fold(entity.canonical)
        if entity.geo is not None:
            self.by_geonameid[entity.geo.geonameid] = entity_id
        return entity_id

    def _update(self, entity_id: int, entity: Entity) -> None:
        row = self.rows[entity_id]
        values: dict[str, Any] = {}
        if TYPE_STRENGTH.get(entity.type, -1) > TYPE_STRENGTH.get(row[0], 99):
            values["type"] = row[0] = entity.type
        if entity.geo is not None and row[1] is None:
            values.update(_geo_values(entity))
            row[1] = entity.geo.geonameid
        if values:
            self.connection.execute(
                update(EntityRow).where(EntityRow.id == entity_id).values(**values)
            )


def _candidate(entity: Entity) -> Candidate:
    return Candidate(entity.canonical, entity.type, tuple(entity.aliases))


def _keys(entity: Entity) -> set[str]:
    return {fold(n) for n in [entity.canonical, *entity.aliases]} - {""}


def _geo_values(entity: Entity) -> dict[str, Any]:
    geo = entity.geo
    if geo is None:
        return {}
    return {
        "geonameid": geo.geonameid,
        "latitude": geo.latitude,
        "longitude": geo.longitude,
        "country_code": geo.country_code,
        "admin1": geo.admin1,
        "feature": geo.feature,
        "geo_precision": geo.precision,
    }


def _compatible_types(entity_type: str) -> Iterable[str]:
    return ORGANISATION_TYPES if entity_type in ORGANISATION_TYPES else (entity_type,)


# --- reading helpers ----------------------------------------------------------------------


def _aliases(row: EntityRow) -> list[str]:
    return sorted({a.name for a in row.aliases} - {row.canonical})


def _entity_dict(row: EntityRow) -> dict:
    place = None
    if row.geonameid is not None:
        place = {
            "geonameid": row.geonameid,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "country_code": row.country_code,
            "admin1": row.admin1,
            "feature": row.feature,
            "precision": row.geo_precision,
        }
    return {
        "id": row.id,
        "name": row.canonical,
        "type": row.type,
        "aliases": _aliases(row),
        "geo": place,
    }


def _document_index(
    session: Session, ids: set[str]
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Title (or file name), outlet and date of the documents behind some evidence."""
    rows = session.execute(
        select(
            DocumentRow.id,
            DocumentRow.title,
            DocumentRow.path,
            DocumentRow.source,
            DocumentRow.date,
        ).where(DocumentRow.id.in_(ids))
    )
    return {
        i: (title or (Path(path.split(":")[0]).name if path else None), source, d and d.isoformat())
        for i, title, path, source, d in rows
    }


def _evidence_dict(row: EvidenceRow, documents: dict) -> dict:
    title, source, published = documents.get(row.document_id, (None, None, None))
    return {
        "document_id": row.document_id,
        "document_title": title,
        "source": source,
        "published": published,
        "sentence": row.sentence,
        "start": row.start,
        "end": row.end,
        "attribution": {"kind": row.attribution_kind, "phrase": row.attribution_phrase},
        "hedged": row.hedged,
        "negated": row.negated,
        "grade": _grade(row.reliability, row.credibility),
    }


def _grade(reliability: str | None, credibility: int | None) -> dict | None:
    if reliability is None or credibility is None:
        return None  # stored before grading existed (migration 0006)
    code = f"{reliability}{credibility}"
    return {"reliability": reliability, "credibility": credibility, "code": code}


def _time(value: date | None, text: str | None, precision: str | None) -> dict | None:
    if value is None:
        return None
    return {"date": value.isoformat(), "text": text, "precision": precision}


def _relation_dicts(session: Session, rows: Iterable[RelationRow]) -> list[dict]:
    rows = list(rows)
    documents = _document_index(session, {r.document_id for r in rows})
    return [_relation_dict(row, documents) for row in rows]


def _relation_dict(row: RelationRow, documents: dict) -> dict:
    return {
        "id": row.id,
        "subject": row.subject.canonical,
        "subject_type": row.subject.type,
        "subject_id": row.subject_id,
        "predicate": row.predicate,
        "object": row.object.canonical,
        "object_type": row.object.type,
        "object_id": row.object_id,
        "valid_from": _time(row.valid_from, row.valid_from_text, row.valid_from_precision),
        "valid_to": _time(row.valid_to, row.valid_to_text, row.valid_to_precision),
        "evidence": _evidence_dict(row.evidence, documents),
    }


def _event_dict(row: EventRow, documents: dict) -> dict:
    location = row.location
    return {
        "id": row.id,
        "document_id": row.document_id,
        "event_type": row.event_type,
        "sub_event_type": row.sub_event_type,
        "plover": row.plover,
        "actors": [p.entity.canonical for p in row.participants if p.role == "actor"],
        "targets": [p.entity.canonical for p in row.participants if p.role == "target"],
        "location": location.canonical if location else None,
        "location_id": row.location_id,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "geo_precision": location.geo_precision if location else None,
        "date": row.date_start.isoformat() if row.date_start else None,
        "date_end": row.date_end.isoformat() if row.date_end else None,
        "date_precision": row.date_precision,
        "date_text": row.date_text,
        "fatalities": row.fatalities,
        "amount": row.amount,
        "trigger": row.trigger,
        "actor_phrase": row.actor_phrase,
        "target_phrase": row.target_phrase,
        "inter1": row.inter1,
        "inter2": row.inter2,
        "historical": row.historical,
        "evidence": _evidence_dict(row.evidence, documents),
    }
