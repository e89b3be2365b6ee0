"""The store: the only writer of the knowledge graph, and its read queries.

Writes are one transaction per document: the document row, its mentions, relations,
events and evidence go in together or not at all. Entities are matched across documents
by GeoNames id (places) or by any folded name or alias of a compatible type (actors).
Reads return plain dicts so the CLI, the Python API and exports share one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from conflictmap.config import database_url
from conflictmap.errors import EntityNotFoundError, StoreError
from conflictmap.extract.gazetteer import fold
from conflictmap.ingest.dedup import NearDuplicateIndex
from conflictmap.model import Document, Entity, Evidence, Extraction, TimeValue
from conflictmap.store.schema import (
    AliasRow,
    DocumentRow,
    EntityRow,
    EventRow,
    EvidenceRow,
    MentionRow,
    ParticipantRow,
    RelationRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"
ORGANISATION_TYPES = frozenset({"ORGANIZATION", "ARMED_GROUP"})
# When reports disagree on an actor's type, the more specific one wins.
TYPE_STRENGTH = {"PERSON": 0, "ORGANIZATION": 1, "ARMED_GROUP": 2}


def migrate(engine: Engine) -> None:
    """Bring the database schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """A conflictmap database (SQLite file or any SQLAlchemy URL)."""

    def __init__(self, db: str) -> None:
        self.url = database_url(db)
        try:
            self.engine = create_engine(self.url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            migrate(self.engine)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot open store {db}: {error}") from error

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- writes -----------------------------------------------------------------------

    def known_document(self, doc_id: str, text_hash: str) -> str | None:
        """The id of a stored document with this id or the same normalised text."""
        with Session(self.engine) as session:
            row = session.scalar(
                select(DocumentRow.id).where(
                    or_(DocumentRow.id == doc_id, DocumentRow.text_hash == text_hash)
                )
            )
            return row

    def near_duplicate_index(self, threshold: float = 0.8) -> NearDuplicateIndex:
        index = NearDuplicateIndex(threshold=threshold)
        with Session(self.engine) as session:
            rows = session.execute(
                select(DocumentRow.id, DocumentRow.minhash).where(DocumentRow.minhash.is_not(None))
            )
            for doc_id, signature in rows:
                index.add(doc_id, signature)
        return index

    def add(
        self,
        document: Document,
        extraction: Extraction | None,
        *,
        text_hash: str,
        minhash: bytes | None = None,
        duplicate_of: str | None = None,
        extractor: str | None = None,
    ) -> None:
        """Store one document and what was extracted from it, in one transaction."""
        with Session(self.engine) as session, session.begin():
            session.add(
                DocumentRow(
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
            )
            session.flush()
            if extraction is not None:
                _add_extraction(session, document.id, extraction)

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
                .order_by(func.coalesce(mentions.c.n, 0).desc(), EntityRow.canonical)
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

    def entity(self, name: str | int) -> dict:
        """An entity's profile (by name, alias or id): aliases, place, relations, events."""
        entity_id = name if isinstance(name, int) else self.find_entity(name)
        with Session(self.engine) as session:
            row = session.get(EntityRow, entity_id, options=[selectinload(EntityRow.aliases)])
            assert row is not None
            relations = session.scalars(
                select(RelationRow)
                .where(or_(RelationRow.subject_id == entity_id, RelationRow.object_id == entity_id))
                .options(
                    selectinload(RelationRow.evidence),
                    selectinload(RelationRow.subject),
                    selectinload(RelationRow.object),
                )
                .order_by(RelationRow.predicate, RelationRow.valid_from)
            ).all()
            event_ids = select(ParticipantRow.event_id).where(ParticipantRow.entity_id == entity_id)
            events = self._events(
                session,
                or_(EventRow.id.in_(event_ids), EventRow.location_id == entity_id),
            )
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
            }

    def events(
        self,
        event_type: str | None = None,
        place: str | None = None,
        since: date | None = None,
        until: date | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Events filtered by type (event or sub-event), place, actor and date range."""
        conditions = []
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
        with Session(self.engine) as session:
            return self._events(session, *conditions, limit=limit)

    def _events(self, session: Session, *conditions: Any, limit: int | None = None) -> list[dict]:
        query = (
            select(EventRow)
            .where(*conditions)
            .options(
                selectinload(EventRow.evidence),
                selectinload(EventRow.location),
                selectinload(EventRow.participants).selectinload(ParticipantRow.entity),
            )
            .order_by(EventRow.date_start.desc(), EventRow.id)
        )
        if limit:
            query = query.limit(limit)
        rows = session.scalars(query).all()
        documents = _document_index(session, {r.document_id for r in rows})
        return [_event_dict(row, documents) for row in rows]

    def documents(self) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.scalars(select(DocumentRow).order_by(DocumentRow.date, DocumentRow.id))
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
        return {
            "format": "conflictmap-graph",
            "version": 1,
            "documents": self.documents(),
            "entities": [_entity_dict(e) for e in entities],
            "relations": relation_dicts,
            "events": sorted(events, key=lambda e: e["id"]),
        }


# --- writing helpers ----------------------------------------------------------------------


def _add_extraction(session: Session, document_id: str, extraction: Extraction) -> None:
    ids = {e.canonical: _entity_id(session, e) for e in extraction.entities}
    for entity in extraction.entities:
        for start, end, text in entity.mentions:
            session.add(
                MentionRow(
                    document_id=document_id,
                    entity_id=ids[entity.canonical],
                    start=start,
                    end=end,
                    text=text,
                )
            )
    for relation in extraction.relations:
        if relation.subject not in ids or relation.object not in ids:
            continue
        session.add(
            RelationRow(
                subject_id=ids[relation.subject],
                predicate=relation.predicate,
                object_id=ids[relation.object],
                evidence=_evidence_row(document_id, relation.evidence),
                document_id=document_id,
                **_interval("valid_from", relation.valid_from, "start"),
                **_interval("valid_to", relation.valid_to, "end"),
            )
        )
    for ev in extraction.events:
        row = EventRow(
            document_id=document_id,
            event_type=ev.event_type,
            sub_event_type=ev.sub_event_type,
            plover=ev.plover,
            location_id=ids.get(ev.location) if ev.location else None,
            date_start=ev.date.start if ev.date else None,
            date_end=ev.date.end if ev.date else None,
            date_precision=ev.date.precision if ev.date else None,
            date_text=ev.date.text if ev.date else None,
            fatalities=ev.fatalities,
            amount=ev.amount,
            trigger=ev.trigger,
            evidence=_evidence_row(document_id, ev.evidence),
        )
        session.add(row)
        for role, names in (("actor", ev.actors), ("target", ev.targets)):
            for name in dict.fromkeys(names):
                if name in ids:
                    row.participants.append(ParticipantRow(entity_id=ids[name], role=role))


def _interval(prefix: str, value: TimeValue | None, bound: str) -> dict[str, Any]:
    if value is None:
        return {}
    return {
        prefix: value.start if bound == "start" else value.end,
        f"{prefix}_text": value.text[:100],
        f"{prefix}_precision": value.precision,
    }


def _evidence_row(document_id: str, evidence: Evidence) -> EvidenceRow:
    return EvidenceRow(
        document_id=document_id,
        sentence=evidence.sentence,
        start=evidence.start,
        end=evidence.end,
        attribution_kind=evidence.attribution.kind,
        attribution_phrase=evidence.attribution.phrase,
        hedged=evidence.hedged,
        negated=evidence.negated,
    )


def _entity_id(session: Session, entity: Entity) -> int:
    """Find the stored entity this one is, or create it; record any new aliases."""
    row = _match_entity(session, entity)
    if row is None:
        row = EntityRow(canonical=entity.canonical, type=entity.type)
        session.add(row)
    elif TYPE_STRENGTH.get(entity.type, -1) > TYPE_STRENGTH.get(row.type, 99):
        row.type = entity.type
    if entity.geo is not None and row.geonameid is None:
        geo = entity.geo
        row.geonameid, row.latitude, row.longitude = geo.geonameid, geo.latitude, geo.longitude
        row.country_code, row.admin1, row.feature = geo.country_code, geo.admin1, geo.feature
        row.geo_precision = geo.precision
    session.flush()
    known = {a.key for a in row.aliases}
    for name in [entity.canonical, *entity.aliases]:
        key = fold(name)
        if key and key not in known:
            known.add(key)
            session.add(AliasRow(entity_id=row.id, name=name, key=key))
    session.flush()
    session.expire(row, ["aliases"])
    return row.id


def _match_entity(session: Session, entity: Entity) -> EntityRow | None:
    if entity.geo is not None:
        row = session.scalar(
            select(EntityRow).where(
                EntityRow.geonameid == entity.geo.geonameid, EntityRow.type == "LOCATION"
            )
        )
        # Same name, other GeoNames id: another place (Tripoli, Libya vs. Tripoli, Lebanon).
        return row
    keys = {fold(n) for n in [entity.canonical, *entity.aliases]} - {""}
    row = session.scalar(
        select(EntityRow)
        .join(AliasRow, AliasRow.entity_id == EntityRow.id)
        .where(AliasRow.key.in_(keys), EntityRow.type.in_(_compatible_types(entity.type)))
        .order_by(EntityRow.id)
        .limit(1)
    )
    if row is not None or entity.type not in ("PERSON", *ORGANISATION_TYPES):
        return row
    # The model often calls a group by its name a PERSON: the same full name typed as a
    # person in one report and as a group in another is one actor, the group.
    others = list(ORGANISATION_TYPES) if entity.type == "PERSON" else ["PERSON"]
    return session.scalar(
        select(EntityRow)
        .where(
            func.lower(EntityRow.canonical) == entity.canonical.lower(), EntityRow.type.in_(others)
        )
        .order_by(EntityRow.id)
        .limit(1)
    )


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
    }


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
        "predicate": row.predicate,
        "object": row.object.canonical,
        "object_type": row.object.type,
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
        "evidence": _evidence_dict(row.evidence, documents),
    }
