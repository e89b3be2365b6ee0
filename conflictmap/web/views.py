"""What the workbench draws, computed from ``Store.export()``'s graph: events as GeoJSON, who
holds which place on a date, the actor network as nodes and edges, and a timeline of events
and relation spans. Pure functions of the graph; the API caches their results per store
version.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from conflictmap.graph import Span, control_timeline, leadership
from conflictmap.network import actor_graph, ego_network

__all__ = [
    "control_map",
    "control_timelines",
    "event_features",
    "network_elements",
    "timeline",
]

TIMELINES_OF_THEIR_OWN = ("controls", "leader_of")  # spans from graph.py's timelines
EDGES_PER_NODE = 4
EVIDENCE_PER_EDGE = 3
MAX_SPANS = 300


def event_features(graph: dict[str, Any]) -> dict[str, Any]:
    """Every placed event as a GeoJSON point with what the map colours, sizes, filters and
    labels by (dates as ISO strings, so the map can filter them by a date slider)."""
    features = []
    for event in graph.get("events", []):
        if event.get("latitude") is None or event.get("longitude") is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": event["id"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [event["longitude"], event["latitude"]],
                },
                "properties": {
                    "id": event["id"],
                    "event_type": event["event_type"],
                    "sub_event_type": event["sub_event_type"],
                    "date": event.get("date") or "",
                    "fatalities": event.get("fatalities") or 0,
                    "location": event.get("location") or "",
                    "actors": ", ".join(event.get("actors") or []),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def control_timelines(graph: dict[str, Any]) -> dict[str, list[Span]]:
    """Every controlled place's timeline (``graph.control_timeline``), by place name."""
    return _timelines(graph, "controls")


def _timelines(graph: dict[str, Any], predicate: str) -> dict[str, list[Span]]:
    """The timeline of every object of ``predicate`` ("controls": places, "leader_of":
    groups), by name; one pass over the relations instead of one per object."""
    by_object: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for relation in graph.get("relations", []):
        if relation["predicate"] == predicate:
            by_object[relation["object"]].append(relation)
    build = control_timeline if predicate == "controls" else leadership
    timelines = {}
    for obj, relations in by_object.items():
        spans = build({"relations": relations}, obj)
        if spans:
            timelines[obj] = spans
    return timelines


def _place_of(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The placed entity each controlled place name stands for: where two places share a
    name, the one most control claims point at (by ``object_id``)."""
    claims: dict[str, Counter[int]] = defaultdict(Counter)
    for relation in graph.get("relations", []):
        if relation["predicate"] == "controls" and relation.get("object_id") is not None:
            claims[relation["object"]][relation["object_id"]] += 1
    by_id = {e["id"]: e for e in graph.get("entities", []) if e.get("geo")}
    found = {}
    for name, counts in claims.items():
        placed = [i for i, _ in counts.most_common() if i in by_id]
        if placed:
            found[name] = by_id[placed[0]]
    return found


def control_map(
    graph: dict[str, Any], timelines: dict[str, list[Span]], when: date
) -> list[dict[str, Any]]:
    """The places with coordinates that someone holds on ``when``: holders, since when, and
    how many reports say so."""
    places = _place_of(graph)
    found = []
    for place, spans in sorted(timelines.items()):
        entity, held = places.get(place), [s for s in spans if s.holds(when)]
        geo = (entity or {}).get("geo") or {}
        if not held or geo.get("latitude") is None:
            continue
        found.append(
            {
                "place": place,
                "place_id": entity["id"] if entity else None,
                "longitude": geo["longitude"],
                "latitude": geo["latitude"],
                "holders": [s.actor for s in held],
                "since": min(s.start for s in held).isoformat(),
                "reports": sum(len(s.evidence) for s in held),
            }
        )
    return found


def network_elements(
    graph: dict[str, Any],
    as_of: date | None = None,
    ego: str | None = None,
    radius: int = 1,
    limit: int = 150,
) -> dict[str, Any]:
    """The actor network on ``as_of`` as nodes and edges for a graph drawing: one edge per
    pair and link type, weighted by its reports, the ``EDGES_PER_NODE * limit`` most
    reported, each with its first ``EVIDENCE_PER_EDGE`` evidence records. With ``ego``, only
    that actor's neighbourhood; else the ``limit`` best linked actors."""
    g = actor_graph(graph, as_of)
    ids = _entity_ids(graph)
    if ego:
        found = ego_network(graph, ego, as_of, radius)
        if found["actor"] is None:
            return {"nodes": [], "edges": [], "total_nodes": 0, "ego": None}
        keep = {found["actor"], *(n["name"] for n in found["neighbours"])}
    else:
        ranked = sorted(g.nodes, key=lambda n: (-g.degree(n), n))
        keep = set(ranked[:limit])
    nodes = [
        {
            "id": name,
            "entity_id": ids.get(name),
            "label": name,
            "type": g.nodes[name].get("type") or "UNKNOWN",
            "degree": g.degree(name),
        }
        for name in sorted(keep)
    ]
    links: dict[tuple[str, str, str], dict[str, Any]] = {}
    for subject, obj, data in g.edges(data=True):
        if subject in keep and obj in keep and subject != obj:
            _add_link(links, subject, obj, data)
    ranked = sorted(links.values(), key=lambda e: (-e["reports"], e["id"]))
    return {
        "nodes": nodes,
        "edges": ranked[: EDGES_PER_NODE * limit],
        "total_nodes": g.number_of_nodes(),
        "total_edges": len(ranked),
        "ego": found["actor"] if ego else None,
        "as_of": as_of.isoformat() if as_of else None,
    }


def _add_link(
    links: dict[tuple[str, str, str], dict[str, Any]], subject: str, obj: str, data: dict
) -> None:
    """Folds one network edge into the pair's link of that type: reports add up, the
    bounds widen, the first evidence records are kept."""
    key = (subject, data["predicate"], obj)
    link = links.get(key)
    if link is None:
        link = links[key] = {
            "id": "|".join(key),
            "source": subject,
            "target": obj,
            "predicate": data["predicate"],
            "kind": data["kind"],
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
            "reports": 0,
            "evidence": [],
        }
    else:
        link["valid_from"] = _earliest(link["valid_from"], data.get("valid_from"))
        link["valid_to"] = _latest(link["valid_to"], data.get("valid_to"))
    link["reports"] += len(data["evidence"])
    room = EVIDENCE_PER_EDGE - len(link["evidence"])
    if room > 0:
        link["evidence"].extend(data["evidence"][:room])


def _earliest(a: str | None, b: str | None) -> str | None:
    return min(a, b) if a and b else None  # an open start stays open


def _latest(a: str | None, b: str | None) -> str | None:
    return max(a, b) if a and b else None  # an open end stays open


def timeline(
    graph: dict[str, Any],
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 2000,
) -> dict[str, Any]:
    """Events (newest ``limit`` in the range) and the time spans of relations (control,
    leadership, membership, affiliation), optionally of one actor or place."""
    names = _names(graph, actor)
    events = []
    for event in graph.get("events", []):
        day = event.get("date")
        if not day or (since and day < since.isoformat()) or (until and day > until.isoformat()):
            continue
        involved = {*(event.get("actors") or []), *(event.get("targets") or [])}
        if names is not None and not (names & involved or event.get("location") in names):
            continue
        events.append(
            {
                "id": event["id"],
                "date": day,
                "date_end": event.get("date_end") or day,
                "event_type": event["event_type"],
                "sub_event_type": event["sub_event_type"],
                "location": event.get("location"),
                "actors": event.get("actors") or [],
                "fatalities": event.get("fatalities"),
            }
        )
    events.sort(key=lambda e: (e["date"], e["id"]), reverse=True)
    spans = _spans(graph, names)
    shown = sorted(spans, key=lambda s: -s["reports"])[:MAX_SPANS]  # the best attested
    shown.sort(key=lambda s: (s["start"], s["subject"], s["object"]))
    return {
        "events": events[:limit],
        "total_events": len(events),
        "spans": shown,
        "total_spans": len(spans),
    }


def _spans(graph: dict[str, Any], names: set[str] | None) -> list[dict[str, Any]]:
    """The spans of control, leadership and other dated relations (of ``names``)."""
    spans = []
    for predicate in TIMELINES_OF_THEIR_OWN:
        for obj, timeline_spans in _timelines(graph, predicate).items():
            for span in timeline_spans:
                if names is None or obj in names or span.actor in names:
                    spans.append(_span(span, predicate, obj))
    for relation in graph.get("relations", []):
        if relation["predicate"] in TIMELINES_OF_THEIR_OWN or relation["evidence"]["negated"]:
            continue
        if names is not None and not names & {relation["subject"], relation["object"]}:
            continue
        start = (relation.get("valid_from") or {}).get("date")
        if start:
            end = (relation.get("valid_to") or {}).get("date")
            spans.append(
                {
                    "subject": relation["subject"],
                    "predicate": relation["predicate"],
                    "object": relation["object"],
                    "start": start,
                    "end": end,
                    "reports": 1,
                    "relation_id": relation.get("id"),
                }
            )
    return spans


def _span(span: Span, predicate: str, obj: str) -> dict[str, Any]:
    return {
        "subject": span.actor,
        "predicate": predicate,
        "object": obj,
        "start": span.start.isoformat(),
        "end": span.end.isoformat() if span.end else None,
        "reports": len(span.evidence),
        "relation_id": None,
    }


def _names(graph: dict[str, Any], actor: str | None) -> set[str] | None:
    if not actor:
        return None
    from conflictmap.graph import entity_names

    return entity_names(graph, actor) or {actor}


def _entity_ids(graph: dict[str, Any]) -> dict[str, int]:
    """Entity ids by name; an actor wins over a place of the same name."""
    ids: dict[str, int] = {}
    for entity in sorted(graph.get("entities", []), key=lambda e: e["type"] != "LOCATION"):
        ids[entity["name"]] = entity["id"]
    return ids
