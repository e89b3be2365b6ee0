"""Analysts' corrections of entity resolution: merge two entities, split names off one.

Each correction moves rows in one transaction and records a decision (the audit trail).
Corrections survive re-ingest: a re-ingested report is skipped as already stored, and a new
report reaches the corrected entities through the aliases that moved with them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, delete, exists, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from conflictmap.errors import ConflictmapError
from conflictmap.extract.gazetteer import fold
from conflictmap.resolve import Candidate, blocking_keys
from conflictmap.store.schema import (
    AliasRow,
    DecisionRow,
    EntityKeyRow,
    EntityRow,
    EventRow,
    MentionRow,
    ParticipantRow,
    RelationRow,
)


class CurationError(ConflictmapError):
    """A merge or split that cannot be done (same entity, unknown name, nothing left)."""


def merge(connection: Connection, keep: int, absorb: int, note: str | None) -> dict:
    """Fold entity ``absorb`` into ``keep``: mentions, relations, events, aliases."""
    if keep == absorb:
        raise CurationError("both names are already the same entity")
    names = _names(connection, absorb)
    for column in (MentionRow.entity_id,):
        connection.execute(update(MentionRow).where(column == absorb).values(entity_id=keep))
    connection.execute(
        update(RelationRow).where(RelationRow.subject_id == absorb).values(subject_id=keep)
    )
    connection.execute(
        update(RelationRow).where(RelationRow.object_id == absorb).values(object_id=keep)
    )
    connection.execute(delete(RelationRow).where(RelationRow.subject_id == RelationRow.object_id))
    connection.execute(
        update(EventRow).where(EventRow.location_id == absorb).values(location_id=keep)
    )
    _move_participants(connection, absorb, keep)
    known = {
        key for (key,) in connection.execute(select(AliasRow.key).where(AliasRow.entity_id == keep))
    }
    connection.execute(
        update(AliasRow)
        .where(AliasRow.entity_id == absorb, AliasRow.key.not_in(known))
        .values(entity_id=keep)
    )
    connection.execute(delete(AliasRow).where(AliasRow.entity_id == absorb))
    connection.execute(delete(EntityKeyRow).where(EntityKeyRow.entity_id == absorb))
    _rebuild_keys(connection, keep)
    connection.execute(delete(EntityRow).where(EntityRow.id == absorb))
    return _record(connection, "merge", keep, absorb, names, note)


def split(connection: Connection, entity_id: int, names: list[str], note: str | None) -> dict:
    """Move ``names`` (aliases of the entity) and the mentions using them to a new entity.

    A document whose every mention of the entity used one of these names moves its
    relations and event roles along; other documents keep theirs.
    """
    keys = {fold(n) for n in names}
    aliases = dict(
        connection.execute(
            select(AliasRow.key, AliasRow.name).where(AliasRow.entity_id == entity_id)
        ).all()
    )
    unknown = [n for n in names if fold(n) not in aliases]
    if unknown:
        raise CurationError(f"not a name of this entity: {', '.join(unknown)}")
    if keys >= set(aliases):
        raise CurationError("a split must leave the entity at least one of its names")
    etype = connection.execute(select(EntityRow.type).where(EntityRow.id == entity_id)).scalar()
    [new_id] = connection.execute(
        insert(EntityRow)
        .values(canonical=aliases[fold(names[0])], type=etype)
        .returning(EntityRow.id)
    ).scalars()
    connection.execute(
        update(AliasRow)
        .where(AliasRow.entity_id == entity_id, AliasRow.key.in_(keys))
        .values(entity_id=new_id)
    )
    moved_docs = _move_mentions(connection, entity_id, new_id, keys)
    for document_id in moved_docs:
        _move_document_facts(connection, entity_id, new_id, document_id)
    _fix_canonical(connection, entity_id)
    _rebuild_keys(connection, entity_id)
    _rebuild_keys(connection, new_id)
    return _record(connection, "split", entity_id, new_id, [aliases[k] for k in keys], note)


def decisions(connection: Connection) -> list[dict]:
    rows = connection.execute(select(DecisionRow).order_by(DecisionRow.id)).mappings()
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "entity_id": row["entity_id"],
            "other_id": row["other_id"],
            "names": row["names"].split("; "),
            "note": row["note"],
            "created_at": row["created_at"].isoformat(timespec="seconds"),
        }
        for row in rows
    ]


def _names(connection: Connection, entity_id: int) -> list[str]:
    return list(
        connection.execute(select(AliasRow.name).where(AliasRow.entity_id == entity_id)).scalars()
    )


def _move_participants(connection: Connection, source: int, target: int) -> None:
    other = aliased(ParticipantRow)
    duplicate = exists().where(
        and_(
            other.event_id == ParticipantRow.event_id,
            other.role == ParticipantRow.role,
            other.entity_id == target,
        )
    )
    connection.execute(delete(ParticipantRow).where(ParticipantRow.entity_id == source, duplicate))
    connection.execute(
        update(ParticipantRow).where(ParticipantRow.entity_id == source).values(entity_id=target)
    )


def _move_mentions(connection: Connection, source: int, target: int, keys: set[str]) -> set[str]:
    """Move the mentions written with one of ``keys``; the documents left with none of the
    source entity's mentions."""
    rows = connection.execute(
        select(MentionRow.id, MentionRow.document_id, MentionRow.text).where(
            MentionRow.entity_id == source
        )
    ).all()
    moving = [r.id for r in rows if fold(r.text) in keys]
    if moving:
        connection.execute(
            update(MentionRow).where(MentionRow.id.in_(moving)).values(entity_id=target)
        )
    staying = {r.document_id for r in rows if r.id not in set(moving)}
    return {r.document_id for r in rows if r.id in set(moving)} - staying


def _move_document_facts(
    connection: Connection, source: int, target: int, document_id: str
) -> None:
    for column, value in (
        (RelationRow.subject_id, "subject_id"),
        (RelationRow.object_id, "object_id"),
    ):
        connection.execute(
            update(RelationRow)
            .where(column == source, RelationRow.document_id == document_id)
            .values({value: target})
        )
    events = select(EventRow.id).where(EventRow.document_id == document_id)
    connection.execute(
        update(ParticipantRow)
        .where(ParticipantRow.entity_id == source, ParticipantRow.event_id.in_(events))
        .values(entity_id=target)
    )
    connection.execute(
        update(EventRow)
        .where(EventRow.location_id == source, EventRow.document_id == document_id)
        .values(location_id=target)
    )


def _fix_canonical(connection: Connection, entity_id: int) -> None:
    """If the canonical name moved away, the entity takes one of the names it kept."""
    canonical = connection.execute(
        select(EntityRow.canonical).where(EntityRow.id == entity_id)
    ).scalar()
    names = _names(connection, entity_id)
    if canonical not in names and names:
        connection.execute(
            update(EntityRow).where(EntityRow.id == entity_id).values(canonical=max(names, key=len))
        )


def _rebuild_keys(connection: Connection, entity_id: int) -> None:
    etype, canonical = connection.execute(
        select(EntityRow.type, EntityRow.canonical).where(EntityRow.id == entity_id)
    ).one()
    connection.execute(delete(EntityKeyRow).where(EntityKeyRow.entity_id == entity_id))
    if etype == "LOCATION":
        return
    keys = blocking_keys(Candidate(canonical, etype, tuple(_names(connection, entity_id))))
    if keys:
        connection.execute(
            insert(EntityKeyRow), [{"entity_id": entity_id, "key": k} for k in sorted(keys)]
        )


def _record(
    connection: Connection,
    kind: str,
    entity_id: int,
    other_id: int,
    names: list[str],
    note: str | None,
) -> dict:
    values = {
        "kind": kind,
        "entity_id": entity_id,
        "other_id": other_id,
        "names": "; ".join(sorted(names)),
        "note": note,
        "created_at": datetime.now(UTC).replace(tzinfo=None),
    }
    [decision_id] = connection.execute(
        insert(DecisionRow).values(**values).returning(DecisionRow.id)
    ).scalars()
    return {"id": decision_id, **values, "names": sorted(names)}
