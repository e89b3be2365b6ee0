"""Import of a JSON graph export (``conflictmap export --format json``) into an empty store.

The export (docs/exports.md) names entities, not their ids: a relation's ends by canonical
name and type, an event's place by name and coordinates, its actors and targets by name.
Within one document a name stands for one entity (ingest resolves a report's names once),
so where a name is shared by several entities (two places called Gao, a group and a place
called M23) the entity it was pinned to elsewhere in the same document is taken: by an
event's coordinates or a relation's type. Failing that, an actor before a place, then the
first entity of the export.

What the export does not hold cannot be imported: document texts (stored empty, with a
placeholder text hash, so a later ingest of the same report is still skipped by its id),
near-duplicate signatures, mentions and the analysts' merge/split decisions. Aliases and
blocking keys are recomputed as ingest computes them, so later reports match the imported
entities. Documents are stamped with the export's ``as_of``: re-exporting gives the same
snapshot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from conflictmap.errors import StoreError
from conflictmap.extract.gazetteer import fold
from conflictmap.model import Attribution
from conflictmap.resolve import Candidate, blocking_keys
from conflictmap.store.repository import _insert, _insert_only
from conflictmap.store.schema import (
    AliasRow,
    DocumentRow,
    EntityKeyRow,
    EntityRow,
    EventRow,
    EvidenceRow,
    ParticipantRow,
    RelationRow,
)

FORMAT = "conflictmap-graph"
VERSIONS = (1,)
SECTIONS = ("documents", "entities", "relations", "events")
UNATTRIBUTED = Attribution().kind


def import_graph(connection: Connection, data: Any) -> dict[str, int]:
    """Write a graph export into the empty store behind ``connection``; the rows written.

    The caller owns the transaction: on any error nothing is kept.
    """
    check_export(data)
    _check_empty(connection)
    try:
        return _Importer(connection, data).run()
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(f"malformed conflictmap graph export: {error!r}") from error


def check_export(data: Any) -> None:
    """Raise ``StoreError`` unless ``data`` is a conflictmap graph export we can read."""
    if not isinstance(data, dict):
        raise StoreError(f"not a conflictmap graph export: a JSON {type(data).__name__}")
    found = data.get("format")
    if found != FORMAT:
        raise StoreError(f"not a conflictmap graph export: format is {found!r}, not {FORMAT!r}")
    if data.get("version") not in VERSIONS:
        raise StoreError(
            f"unsupported {FORMAT} version {data.get('version')!r}: "
            f"this conflictmap reads version {', '.join(map(str, VERSIONS))}"
        )
    missing = [s for s in SECTIONS if not isinstance(data.get(s), list)]
    if missing:
        raise StoreError(f"malformed {FORMAT} export: no list of {', '.join(missing)}")


def _check_empty(connection: Connection) -> None:
    documents = connection.scalar(select(func.count()).select_from(DocumentRow))
    entities = connection.scalar(select(func.count()).select_from(EntityRow))
    if documents or entities:
        raise StoreError(
            f"import needs an empty store: this one holds {documents} documents "
            f"and {entities} entities"
        )


class _Entities:
    """The imported entities by name, and which one a name stands for in each document."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[tuple[int, str, Any]]] = {}  # name -> (id, type, lat/lon)
        self.pinned: dict[tuple[str, str], int] = {}  # (document id, name) -> id

    def add(self, entity: dict, entity_id: int) -> None:
        geo = entity.get("geo") or {}
        position = (geo.get("latitude"), geo.get("longitude"))
        self.by_name.setdefault(entity["name"], []).append((entity_id, entity["type"], position))

    def place(self, name: str, latitude: Any, longitude: Any) -> list[int]:
        same = [c for c in self._named(name) if c[2] == (latitude, longitude)]
        return [i for i, _, _ in sorted(same, key=lambda c: c[1] != "LOCATION")]

    def typed(self, name: str, entity_type: str) -> list[int]:
        return [i for i, t, _ in self._named(name) if t == entity_type]

    def actor(self, name: str) -> list[int]:
        return [i for i, _, _ in sorted(self._named(name), key=lambda c: c[1] == "LOCATION")]

    def pin(self, document_id: str, name: str, candidates: list[int]) -> None:
        if len(candidates) == 1:
            self.pinned.setdefault((document_id, name), candidates[0])

    def choose(self, document_id: str, name: str, candidates: list[int]) -> int:
        if not candidates:
            raise ValueError(f"document {document_id} names an entity not exported: {name!r}")
        pinned = self.pinned.get((document_id, name))
        return pinned if pinned in candidates else candidates[0]

    def _named(self, name: str) -> list[tuple[int, str, Any]]:
        return self.by_name.get(name, [])


class _Importer:
    def __init__(self, connection: Connection, data: dict) -> None:
        self.connection = connection
        self.data = data
        self.entities = _Entities()
        self.as_of = _as_of(data.get("metadata"))

    def run(self) -> dict[str, int]:
        counts = {"documents": self._documents()}
        counts.update(self._entity_rows())
        self._pin()
        counts["relations"] = self._relations()
        counts.update(self._events())
        counts["evidence"] = counts["relations"] + counts["events"]
        return counts

    def _documents(self) -> int:
        documents = self.data["documents"]
        _insert_only(self.connection, DocumentRow, [self._document(d) for d in documents])
        for d in documents:
            if d.get("duplicate_of"):
                self.connection.execute(
                    update(DocumentRow)
                    .where(DocumentRow.id == d["id"])
                    .values(duplicate_of=d["duplicate_of"])
                )
        return len(documents)

    def _document(self, d: dict) -> dict[str, Any]:
        return {
            "id": d["id"],
            "text_hash": _placeholder_hash(d["id"]),
            "title": d.get("title"),
            "date": _date(d.get("date")),
            "date_origin": d.get("date_origin") or "none",
            "source": d.get("source"),
            "url": d.get("url"),
            "path": d.get("path"),
            "text": d.get("text") or "",
            "minhash": None,
            "duplicate_of": None,  # set once every document is in (a foreign key)
            "extractor": d.get("extractor"),
            "ingested_at": self.as_of,
        }

    def _entity_rows(self) -> dict[str, int]:
        entities = self.data["entities"]
        ids = _insert(self.connection, EntityRow, [_entity_values(e) for e in entities])
        aliases = [a for e, i in zip(entities, ids, strict=True) for a in _alias_rows(e, i)]
        keys = [k for e, i in zip(entities, ids, strict=True) for k in _key_rows(e, i)]
        _insert_only(self.connection, AliasRow, aliases)
        _insert_only(self.connection, EntityKeyRow, keys)
        for entity, entity_id in zip(entities, ids, strict=True):
            self.entities.add(entity, entity_id)
        return {"entities": len(ids), "aliases": len(aliases)}

    def _pin(self) -> None:
        """What each ambiguous name stands for in a document, from its unambiguous uses."""
        for ev in self.data["events"]:
            if ev.get("location"):
                self.entities.pin(ev["document_id"], ev["location"], self._places(ev))
        for r in self.data["relations"]:
            document_id = r["evidence"]["document_id"]
            for end in ("subject", "object"):
                candidates = self.entities.typed(r[end], r[f"{end}_type"])
                self.entities.pin(document_id, r[end], candidates)

    def _relations(self) -> int:
        relations = self.data["relations"]
        evidence_ids = self._evidence(r["evidence"] for r in relations)
        rows = [
            self._relation(r, evidence_id)
            for r, evidence_id in zip(relations, evidence_ids, strict=True)
        ]
        _insert_only(self.connection, RelationRow, rows)
        return len(rows)

    def _relation(self, r: dict, evidence_id: int) -> dict[str, Any]:
        document_id = r["evidence"]["document_id"]
        ends = {
            end: self.entities.choose(
                document_id, r[end], self.entities.typed(r[end], r[f"{end}_type"])
            )
            for end in ("subject", "object")
        }
        return {
            "subject_id": ends["subject"],
            "predicate": r["predicate"],
            "object_id": ends["object"],
            "evidence_id": evidence_id,
            "document_id": document_id,
            **_bound("valid_from", r.get("valid_from")),
            **_bound("valid_to", r.get("valid_to")),
        }

    def _events(self) -> dict[str, int]:
        events = self.data["events"]
        evidence_ids = self._evidence(ev["evidence"] for ev in events)
        rows = [self._event(ev, i) for ev, i in zip(events, evidence_ids, strict=True)]
        event_ids = _insert(self.connection, EventRow, rows)
        participants = [
            p for ev, i in zip(events, event_ids, strict=True) for p in self._participants(ev, i)
        ]
        _insert_only(self.connection, ParticipantRow, participants)
        return {"events": len(event_ids), "participants": len(participants)}

    def _event(self, ev: dict, evidence_id: int) -> dict[str, Any]:
        location = ev.get("location")
        location_id = None
        if location:
            location_id = self.entities.choose(ev["document_id"], location, self._places(ev))
        return {
            **{key: ev.get(key) for key in _EVENT_FIELDS},
            "document_id": ev["document_id"],
            "event_type": ev["event_type"],
            "sub_event_type": ev["sub_event_type"],
            "location_id": location_id,
            "date_start": _date(ev.get("date")),
            "date_end": _date(ev.get("date_end")),
            "evidence_id": evidence_id,
        }

    def _places(self, ev: dict) -> list[int]:
        return self.entities.place(ev["location"], ev.get("latitude"), ev.get("longitude"))

    def _participants(self, ev: dict, event_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for role, names in (("actor", ev.get("actors") or []), ("target", ev.get("targets") or [])):
            for name in dict.fromkeys(names):
                candidates = self.entities.actor(name)
                entity_id = self.entities.choose(ev["document_id"], name, candidates)
                rows.append({"event_id": event_id, "entity_id": entity_id, "role": role})
        return rows

    def _evidence(self, items: Iterable[dict]) -> list[int]:
        return _insert(self.connection, EvidenceRow, [_evidence_values(e) for e in items])


_EVENT_FIELDS = (
    "plover",
    "date_precision",
    "date_text",
    "fatalities",
    "amount",
    "trigger",
    "actor_phrase",
    "target_phrase",
    "inter1",
    "inter2",
    "historical",
)


def _entity_values(entity: dict) -> dict[str, Any]:
    geo = entity.get("geo") or {}
    return {
        "canonical": entity["name"],
        "type": entity["type"],
        "geonameid": geo.get("geonameid"),
        "latitude": geo.get("latitude"),
        "longitude": geo.get("longitude"),
        "country_code": geo.get("country_code"),
        "admin1": geo.get("admin1"),
        "feature": geo.get("feature"),
        "geo_precision": geo.get("precision"),
    }


def _alias_rows(entity: dict, entity_id: int) -> list[dict[str, Any]]:
    """One row per folded key, as ingest writes them. Aliases first: an alias spelt like
    the canonical name in another case ("Mnla" of "MNLA") holds its key, as it did."""
    rows: dict[str, dict[str, Any]] = {}
    for name in [*entity.get("aliases", []), entity["name"]]:
        key = fold(name)
        if key and key not in rows:
            rows[key] = {"entity_id": entity_id, "name": name, "key": key}
    return list(rows.values())


def _key_rows(entity: dict, entity_id: int) -> list[dict[str, Any]]:
    if entity["type"] == "LOCATION":
        return []
    candidate = Candidate(entity["name"], entity["type"], tuple(entity.get("aliases", [])))
    return [{"entity_id": entity_id, "key": key} for key in sorted(blocking_keys(candidate))]


def _evidence_values(evidence: dict) -> dict[str, Any]:
    attribution = evidence.get("attribution") or {}
    grade = evidence.get("grade") or {}
    return {
        "document_id": evidence["document_id"],
        "sentence": evidence["sentence"],
        "start": evidence["start"],
        "end": evidence["end"],
        "attribution_kind": attribution.get("kind") or UNATTRIBUTED,
        "attribution_phrase": attribution.get("phrase"),
        "hedged": bool(evidence.get("hedged")),
        "negated": bool(evidence.get("negated")),
        "reliability": grade.get("reliability"),
        "credibility": grade.get("credibility"),
    }


def _bound(prefix: str, value: dict | None) -> dict[str, Any]:
    value = value or {}
    return {
        prefix: _date(value.get("date")),
        f"{prefix}_text": value.get("text"),
        f"{prefix}_precision": value.get("precision"),
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _placeholder_hash(document_id: str) -> str:
    """A text hash for a document whose text the export does not hold (the column is
    unique); never the hash of a real text, so a report's copy is still caught by its id."""
    return hashlib.sha1(f"conflictmap-import\0{document_id}".encode()).hexdigest()


def _as_of(metadata: Any) -> datetime:
    """The export's ``as_of`` (naive UTC, as the store keeps times), else now."""
    text = metadata.get("as_of") if isinstance(metadata, dict) else None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        moment = datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None)
