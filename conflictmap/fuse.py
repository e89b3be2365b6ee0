"""One picture from many reports: events of several documents merged into incidents.

Works on the graph ``Store.export()`` returns (pure functions, no I/O). Two events are the
same incident when they share the event type, happen at the same place (same name, or
within ``RADIUS_KM``), their dates overlap once widened by ``WINDOW_DAYS`` (a report dated
"on Wednesday" and one dated "this week" can meet), and their named actors overlap or one
side names none. Every event stays a witness of its incident, with its document, outlet,
sentence and grade; details that differ (fatalities, perpetrators) are kept side by side,
never overwritten.

Independent sources: reports stored as near-duplicates of another (a wire story copied by a
second outlet) count with their original, and several reports from one outlet count once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

__all__ = ["Incident", "incidents", "independent_sources", "confidence"]

RADIUS_KM = 25.0
WINDOW_DAYS = 1


@dataclass
class Incident:
    """Events of one or more reports that describe one happening."""

    event_type: str
    sub_event_types: list[str]
    location: str | None
    start: date | None
    end: date | None
    actors: list[str] = field(default_factory=list)
    witnesses: list[dict[str, Any]] = field(default_factory=list)  # the events, as stored
    reach: date | None = None  # the latest day its reports give, for matching only

    @property
    def fatalities(self) -> dict[int, list[str]]:
        """Each reported toll with the outlets that gave it: {12: ["Sahel Wire"], 15: [...]}."""
        tolls: dict[int, list[str]] = defaultdict(list)
        for event in self.witnesses:
            if event.get("fatalities") is not None:
                tolls[event["fatalities"]].append(_outlet(event))
        return dict(tolls)

    @property
    def disputed_toll(self) -> bool:
        """Reports of different documents give different tolls (one report's own running
        figures are not a dispute between sources)."""
        documents = {
            e["evidence"]["document_id"] for e in self.witnesses if e.get("fatalities") is not None
        }
        return len(self.fatalities) > 1 and len(documents) > 1

    def to_dict(self, documents: dict[str, dict] | None = None) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "sub_event_types": self.sub_event_types,
            "location": self.location,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "actors": self.actors,
            "fatalities": {str(k): v for k, v in sorted(self.fatalities.items())},
            "disputed_toll": self.disputed_toll,
            "confidence": confidence(self.witnesses, documents or {}),
            "witnesses": [_witness(e) for e in self.witnesses],
        }


def incidents(graph: dict[str, Any]) -> list[Incident]:
    """The graph's events grouped into incidents, in date order. An event an analyst split
    off (``incident_splits``: ``conflictmap incidents --split ID``) stands alone."""
    alone = set(graph.get("incident_splits") or ())
    found: list[Incident] = []
    active: list[Incident] = []  # incidents an event of this date can still join
    window = timedelta(days=WINDOW_DAYS)
    for event in sorted(graph.get("events", []), key=_sort_key):
        start, _ = _interval(event)
        if start is not None:  # events come in date order: older incidents are done
            active = [i for i in active if i.start and _last(i) + window >= start]
        single = event["id"] in alone
        home = None if single else next((i for i in active if _same(i, event, alone)), None)
        if home is None:
            found.append(_new(event))
            active.append(found[-1])
        else:
            _join(home, event)
    return found


def independent_sources(events: Iterable[dict[str, Any]], documents: dict[str, dict]) -> int:
    """Distinct sources behind some events: a near-duplicate counts with its original, and
    one outlet counts once."""
    events = list(events)
    outlets = {e["evidence"]["document_id"]: _outlet(e) for e in events}
    keys = set()
    for event in events:
        doc_id = event["evidence"]["document_id"]
        root = documents.get(doc_id, {}).get("duplicate_of") or doc_id
        keys.add(documents.get(root, {}).get("source") or outlets.get(root) or root)
    return len(keys)


def confidence(events: list[dict[str, Any]], documents: dict[str, dict]) -> dict[str, Any]:
    """How sure the corpus is of something, explained: "3 independent sources, 1 hedged,
    1 group claim"; the Admiralty credibility follows the count of independent sources."""
    from conflictmap.grading import credibility

    sources = independent_sources(events, documents)
    hedged = sum(bool(e["evidence"].get("hedged")) for e in events)
    claims = sum(e["evidence"]["attribution"]["kind"] == "group_claim" for e in events)
    parts = [f"{sources} independent source{'s' if sources != 1 else ''}"]
    parts += [f"{hedged} hedged"] if hedged else []
    parts += [f"{claims} group claim{'s' if claims != 1 else ''}"] if claims else []
    all_hedged = bool(events) and hedged == len(events)
    return {
        "independent_sources": sources,
        "credibility": credibility(all_hedged, sources),
        "explanation": ", ".join(parts),
    }


# --- matching ---------------------------------------------------------------------------


def _same(
    incident: Incident, event: dict[str, Any], alone: set[int] | frozenset[int] = frozenset()
) -> bool:
    if event["event_type"] != incident.event_type:
        return False
    if any(w["id"] in alone for w in incident.witnesses):
        return False
    if not _same_place(incident, event) or not _dates_meet(incident, event):
        return False
    actors = set(event.get("actors") or ())
    return not actors or not incident.actors or bool(actors & set(incident.actors))


def _same_place(incident: Incident, event: dict[str, Any]) -> bool:
    if event.get("location") is None or incident.location is None:
        return False
    if event["location"] == incident.location:
        return True
    here = next((w for w in incident.witnesses if w.get("latitude") is not None), None)
    if here is None or event.get("latitude") is None:
        return False
    return _km(here, event) <= RADIUS_KM


def _dates_meet(incident: Incident, event: dict[str, Any]) -> bool:
    start, end = _interval(event)
    if start is None or incident.start is None:
        return False
    window = timedelta(days=WINDOW_DAYS)
    return start <= _last(incident) + window and incident.start <= end + window


def _last(incident: Incident) -> date:
    assert incident.start is not None
    return max(d for d in (incident.start, incident.end, incident.reach) if d is not None)


def _new(event: dict[str, Any]) -> Incident:
    start, end = _interval(event)
    return Incident(
        event_type=event["event_type"],
        sub_event_types=[event["sub_event_type"]],
        location=event.get("location"),
        start=start,
        end=end,
        actors=list(event.get("actors") or ()),
        witnesses=[event],
    )


def _join(incident: Incident, event: dict[str, Any]) -> None:
    incident.witnesses.append(event)
    if event["sub_event_type"] not in incident.sub_event_types:
        incident.sub_event_types.append(event["sub_event_type"])
    incident.actors += [a for a in event.get("actors") or () if a not in incident.actors]
    start, end = _interval(event)
    # the most precise date wins: a day inside a week narrows the incident to that day
    known = start and end and incident.start and incident.end
    if known and (end - start) < (incident.end - incident.start):
        incident.start, incident.end = start, end
    if end and incident.start:
        # a report dated a day later (by when it was said, say) stretches the incident's
        # reach, to at most ``2 * WINDOW_DAYS`` past its first day
        cap = incident.start + timedelta(days=2 * WINDOW_DAYS)
        incident.reach = max(incident.reach or end, min(end, cap))


def _interval(event: dict[str, Any]) -> tuple[date | None, date | None]:
    start = _day(event.get("date"))
    return start, _day(event.get("date_end")) or start


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _sort_key(event: dict[str, Any]) -> tuple[str, int]:
    return event.get("date") or "9999", event["id"]


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    p1, p2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dp, dl = p2 - p1, math.radians(b["longitude"] - a["longitude"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _outlet(event: dict[str, Any]) -> str:
    return event["evidence"].get("source") or event["evidence"]["document_id"]


def _witness(event: dict[str, Any]) -> dict[str, Any]:
    evidence = event["evidence"]
    return {
        "event_id": event["id"],
        "document_id": evidence["document_id"],
        "source": evidence.get("source"),
        "published": evidence.get("published"),
        "sentence": evidence["sentence"],
        "attribution": evidence["attribution"],
        "grade": evidence.get("grade"),
        "sub_event_type": event["sub_event_type"],
        "actors": event.get("actors"),
        "fatalities": event.get("fatalities"),
    }
