"""STIX 2.1 bundle, built and validated by the ``stix2`` library, shaped for OpenCTI.

Armed groups are threat actors, people individual identities, state forces and other
organisations organisation identities, geocoded places locations. Relations and event roles
are relationships (with ``start_time``/``stop_time``), events incidents, documents reports,
evidence sentences notes and Admiralty grades opinions. Ids are UUIDv5 of stable keys (names,
GeoNames ids, document ids, evidence spans), so exporting again gives the same ids.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import stix2
from stix2.confidence.scales import admiralty_credibility_to_value

from conflictmap.export.graph_index import GraphIndex

NAMESPACE = uuid.UUID("6f3c1a52-2a0e-5b8e-9d4b-63c0b1f1e7a4")  # conflictmap's STIX ids
RELATIONSHIP_TYPES = {
    "leader_of": "part-of",
    "deputy_of": "part-of",
    "member_of": "part-of",
    "splinter_of": "derived-from",
    "affiliated_with": "cooperates-with",
    "supports": "related-to",
    "fights": "targets",
    "controls": "located-at",
    "located_in": "located-at",
    "family_of": "related-to",
}
EVENT_ROLES = {"actors": "attributed-to", "targets": "targets"}
# Admiralty credibility -> STIX opinion; the confidence comes from the STIX 2.1 scale
# (appendix B) through ``admiralty_credibility_to_value``, with these names.
OPINIONS = {
    1: "strongly-agree",
    2: "agree",
    3: "neutral",
    4: "disagree",
    5: "strongly-disagree",
    6: "neutral",
}
CREDIBILITY = {
    1: "Confirmed by other sources",
    2: "Probably True",
    3: "Possibly True",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
LOCATION_TYPES = {
    "city": "City",
    "admin1": "Administrative-Area",
    "country": "Country",
    "continent": "Region",
}


def stable_id(stix_type: str, *key: object) -> str:
    """``type--uuid5(key)``: the same key always gives the same id."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, '|'.join(str(k) for k in key))}"


def render(graph: dict, meta: dict) -> str:
    return build(graph, meta).serialize(indent=1, ensure_ascii=False)


def build(graph: dict, meta: dict) -> stix2.Bundle:
    return _Builder(graph, meta).bundle()


def day_start(day: str) -> str:
    return f"{day}T00:00:00Z"


def day_end(day: str) -> str:
    return f"{day}T23:59:59Z"


class _Builder:
    def __init__(self, graph: dict, meta: dict) -> None:
        self.graph = graph
        self.meta = meta
        self.index = GraphIndex(graph)
        self.time = meta["as_of"]
        self.author = stix2.Identity(
            id=stable_id("identity", "conflictmap"),
            name="conflictmap",
            identity_class="system",
            description="Knowledge graph extracted from news reports by conflictmap.",
            created=self.time,
            modified=self.time,
        )
        self.objects: dict[str, Any] = {}
        self.entity_ids: dict[int, str] = {}
        self.document_refs: dict[str, dict[str, None]] = {}

    def bundle(self) -> stix2.Bundle:
        for entity in self.graph.get("entities", []):
            self._entity(entity)
        for relation in self.graph.get("relations", []):
            self._relation(relation)
        for event in self.graph.get("events", []):
            self._event(event)
        reports = [self._report(d) for d in self.graph.get("documents", [])]
        self._snapshot_note(reports)
        return stix2.Bundle(
            id=stable_id("bundle", self.meta["corpus"]["sha256"], self.time),
            objects=[self.author, *self.objects.values()],
            allow_custom=True,
        )

    # --- helpers ----------------------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        return {"created": self.time, "modified": self.time, "created_by_ref": self.author.id}

    def _add(self, obj: Any) -> str:
        self.objects[obj.id] = obj
        return obj.id

    def _new_id(self, stix_type: str, *key: object) -> str:
        """A stable id, made unique when two facts share a key (told apart by their order)."""
        candidate, n = stable_id(stix_type, *key), 1
        while candidate in self.objects:
            n += 1
            candidate = stable_id(stix_type, *key, n)
        return candidate

    def _cite(self, document_id: str, *ids: str) -> None:
        self.document_refs.setdefault(document_id, {}).update(dict.fromkeys(ids))

    # --- entities ---------------------------------------------------------------------

    def _entity(self, entity: dict) -> None:
        if entity["type"] == "LOCATION":
            obj = self._location(entity)
        elif entity["type"] == "ARMED_GROUP":
            obj = stix2.ThreatActor(
                id=stable_id("threat-actor", entity["name"]),
                name=entity["name"],
                aliases=entity["aliases"] or None,
                resource_level="organization",
                **self._common(),
            )
        else:
            obj = self._identity(entity)
        if obj is not None:
            self.entity_ids[entity["id"]] = self._add(obj)

    def _identity(self, entity: dict) -> stix2.Identity:
        person = entity["type"] == "PERSON"
        extra = {"x_opencti_aliases": entity["aliases"]} if entity["aliases"] else {}
        return stix2.Identity(
            id=stable_id("identity", entity["type"], entity["name"]),
            name=entity["name"],
            identity_class="individual" if person else "organization",
            sectors=["defense"] if entity["type"] == "STATE_FORCE" else None,
            description=f"conflictmap type {entity['type']}",
            custom_properties=extra,
            **self._common(),
        )

    def _location(self, entity: dict) -> stix2.Location | None:
        geo = entity["geo"]
        if geo is None:
            return None  # STIX needs a position, country or region
        feature = geo["feature"]
        return stix2.Location(
            id=stable_id("location", "geonames", geo["geonameid"]),
            name=entity["name"],
            latitude=geo["latitude"],
            longitude=geo["longitude"],
            country=geo["country_code"] or None,
            city=entity["name"] if feature == "city" else None,
            administrative_area=entity["name"] if feature == "admin1" else None,
            custom_properties={
                "x_opencti_location_type": LOCATION_TYPES.get(feature, "Position"),
                "x_conflictmap_geonameid": geo["geonameid"],
                "x_conflictmap_geo_precision": geo["precision"],
            },
            **self._common(),
        )

    def _ref(self, entity: dict | None) -> str | None:
        return None if entity is None else self.entity_ids.get(entity["id"])

    # --- facts ------------------------------------------------------------------------

    def _relation(self, relation: dict) -> None:
        source = self._ref(self.index.entity(relation["subject"], relation["subject_type"]))
        target = self._ref(self.index.entity(relation["object"], relation["object_type"]))
        if source is None or target is None:
            return  # an end that STIX cannot hold (a place without coordinates)
        evidence = relation["evidence"]
        start, stop = _bounds(relation["valid_from"], relation["valid_to"])
        key = (relation["subject"], relation["predicate"], relation["object"], start, stop)
        fact = stix2.Relationship(
            id=self._new_id("relationship", *key, evidence["document_id"], evidence["start"]),
            relationship_type=_relationship_type(relation["predicate"], source, target),
            source_ref=source,
            target_ref=target,
            start_time=start,
            stop_time=stop,
            description=f"{relation['subject']} {relation['predicate']} {relation['object']}",
            confidence=_confidence(evidence),
            custom_properties={"x_conflictmap_predicate": relation["predicate"]},
            **self._common(),
        )
        self._add(fact)
        self._evidence(fact.id, evidence, source, target)

    def _event(self, event: dict) -> None:
        evidence = event["evidence"]
        incident = stix2.Incident(
            id=self._new_id(
                "incident",
                evidence["document_id"],
                evidence["start"],
                event["sub_event_type"],
                event["trigger"],
            ),
            name=_event_name(event),
            description=evidence["sentence"],
            confidence=_confidence(evidence),
            custom_properties=_event_properties(event),
            **self._common(),
        )
        self._add(incident)
        linked = [self._event_link(incident.id, event, role) for role in EVENT_ROLES]
        place = self._ref(self.index.place(event))
        if place is not None:
            linked.append(self._link(incident.id, "located-at", place))
        self._evidence(incident.id, evidence, *(i for ids in linked for i in ids))

    def _event_link(self, incident_id: str, event: dict, role: str) -> list[str]:
        ids: list[str] = []
        for name in dict.fromkeys(event[role]):
            ref = self._ref(self.index.actor(name))
            if ref is not None:
                ids += self._link(incident_id, EVENT_ROLES[role], ref)
        return ids

    def _link(self, source: str, relationship_type: str, target: str) -> list[str]:
        link = stix2.Relationship(
            id=stable_id("relationship", source, relationship_type, target),
            relationship_type=relationship_type,
            source_ref=source,
            target_ref=target,
            **self._common(),
        )
        return [self._add(link), target]

    def _evidence(self, fact_id: str, evidence: dict, *related: str) -> None:
        """The sentence as a note on the fact, its grade as an opinion; cited by the report."""
        note = stix2.Note(
            id=stable_id("note", fact_id),
            abstract=evidence["attribution"]["phrase"] or evidence["attribution"]["kind"],
            content=evidence["sentence"],
            authors=[evidence["source"]] if evidence.get("source") else None,
            object_refs=[fact_id],
            labels=[k for k in ("hedged", "negated") if evidence[k]] or None,
            custom_properties={
                "x_conflictmap_document_id": evidence["document_id"],
                "x_conflictmap_span": [evidence["start"], evidence["end"]],
                "x_conflictmap_attribution": evidence["attribution"]["kind"],
            },
            **self._common(),
        )
        ids = [fact_id, *related, self._add(note)]
        grade = evidence.get("grade")
        if grade is not None:
            ids.append(self._add(self._opinion(fact_id, note.id, grade)))
        self._cite(evidence["document_id"], *ids)

    def _opinion(self, fact_id: str, note_id: str, grade: dict) -> stix2.Opinion:
        credibility = grade["credibility"]
        return stix2.Opinion(
            id=stable_id("opinion", fact_id),
            opinion=OPINIONS[credibility],
            explanation=(
                f"Admiralty grade {grade['code']}: source "
                f"{RELIABILITY.get(grade['reliability'], grade['reliability'])}, "
                f"information {CREDIBILITY.get(credibility, credibility).lower()}."
            ),
            object_refs=[fact_id, note_id],
            custom_properties={"x_conflictmap_grade": grade["code"]},
            **self._common(),
        )

    # --- documents --------------------------------------------------------------------

    def _report(self, document: dict) -> str:
        refs = list(self.document_refs.get(document["id"], {})) or [self.author.id]
        reference = {"source_name": document.get("source") or "conflictmap"}
        if document.get("url"):
            reference["url"] = document["url"]
        report = stix2.Report(
            id=stable_id("report", document["id"]),
            name=document.get("title") or document["id"],
            published=day_start(document["date"]) if document.get("date") else self.time,
            report_types=["threat-report"],
            object_refs=refs,
            external_references=[reference],
            custom_properties={"x_conflictmap_document_id": document["id"]},
            **self._common(),
        )
        return self._add(report)

    def _snapshot_note(self, reports: list[str]) -> None:
        corpus = self.meta["corpus"]["sha256"]
        note = stix2.Note(
            id=stable_id("note", "snapshot", corpus, self.meta["conflictmap_version"]),
            abstract="conflictmap export snapshot",
            content=json.dumps(self.meta, ensure_ascii=False),
            object_refs=[self.author.id, *reports],
            custom_properties={"x_conflictmap_snapshot": _without_nulls(self.meta)},
            **self._common(),
        )
        self._add(note)


def _relationship_type(predicate: str, source: str, target: str) -> str:
    kind = RELATIONSHIP_TYPES.get(predicate, "related-to")
    if kind == "derived-from" and source.split("--")[0] != target.split("--")[0]:
        return "related-to"  # STIX derives an object only from one of its own type
    return kind


def _bounds(valid_from: dict | None, valid_to: dict | None) -> tuple[str | None, str | None]:
    """start_time at the start of the first day, stop_time at the end of the last; a stop
    not after the start is dropped (STIX requires stop_time > start_time)."""
    start = day_start(valid_from["date"]) if valid_from else None
    stop = day_end(valid_to["date"]) if valid_to else None
    if start and stop and stop <= start:
        stop = None
    return start, stop


def _confidence(evidence: dict) -> int | None:
    """STIX confidence of an Admiralty credibility; none for 6 (cannot be judged)."""
    grade = evidence.get("grade")
    name = None if grade is None else CREDIBILITY.get(grade["credibility"])
    if name is None or grade["credibility"] == 6:
        return None
    return admiralty_credibility_to_value(f"{grade['credibility']} - {name}")


def _event_name(event: dict) -> str:
    place = event["location"] or "unknown place"
    return f"{event['sub_event_type']} at {place} on {event['date'] or 'unknown date'}"


def _event_properties(event: dict) -> dict[str, Any]:
    properties = {
        "first_seen": day_start(event["date"]) if event["date"] else None,
        "last_seen": day_end(event["date_end"] or event["date"]) if event["date"] else None,
        "incident_type": event["event_type"],
        "x_acled_event_type": event["event_type"],
        "x_acled_sub_event_type": event["sub_event_type"],
        "x_acled_inter1": event["inter1"],
        "x_acled_inter2": event["inter2"],
        "x_conflictmap_fatalities": event["fatalities"],
        "x_conflictmap_date_precision": event["date_precision"],
        "x_conflictmap_historical": event["historical"],
        "x_conflictmap_actor_phrase": event["actor_phrase"],
        "x_conflictmap_target_phrase": event["target_phrase"],
    }
    return _without_nulls(properties)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value
