"""What the workbench draws, computed from ``Store.export()``'s graph: events as GeoJSON, who
holds which place on a date, the actor network as nodes and edges, and a timeline of events
and relation spans. Pure functions of the graph; the API caches their results per store
version.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from conflictmap.extract.gazetteer import fold
from conflictmap.graph import Span, control_timeline, entity_names, leadership
from conflictmap.network import Tie, ties
from conflictmap.network import entities_by_name as network_entities

__all__ = [
    "control_map",
    "control_timelines",
    "event_features",
    "network_elements",
    "network_links",
    "relation_spans",
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
    links: list[Tie] | None = None,
) -> dict[str, Any]:
    """The actor network on ``as_of`` as nodes and edges for a graph drawing: one edge per
    pair and link type, weighted by its reports, the ``EDGES_PER_NODE * limit`` most
    reported, each with its first ``EVIDENCE_PER_EDGE`` evidence records. With ``ego``, only
    that actor's neighbourhood within ``radius`` hops; else the ``limit`` actors with the
    most neighbours. ``links``: ``network_links(graph)``, where already computed."""
    if links is None:
        links = ties(graph)
    folded: dict[tuple[str, str, str], dict[str, Any]] = {}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.holds(as_of):
            _fold(folded, link)
            if link.subject != link.obj:
                neighbours[link.subject].add(link.obj)
                neighbours[link.obj].add(link.subject)
            else:
                neighbours[link.subject]  # noqa: B018 - a node even when only self-linked
    centre = None
    if ego:
        centre = _resolve(graph, neighbours, ego)
        if centre is None:
            return {"nodes": [], "edges": [], "total_nodes": 0, "total_edges": 0, "ego": None}
        keep = _within(neighbours, centre, radius)
    else:
        keep = set(sorted(neighbours, key=lambda n: (-len(neighbours[n]), n))[:limit])
    entities, ids = network_entities(graph), _entity_ids(graph)
    nodes = [
        {
            "id": name,
            "entity_id": ids.get(name),
            "label": name,
            "type": entities.get(name, {}).get("type") or "UNKNOWN",
            "degree": len(neighbours[name]),
        }
        for name in sorted(keep)
    ]
    kept = [
        e
        for e in folded.values()
        if e["source"] in keep and e["target"] in keep and e["source"] != e["target"]
    ]
    kept.sort(key=lambda e: (-e["reports"], e["id"]))
    edges = [
        {**e, "evidence": [link.evidence() for link in e["evidence"]]}
        for e in kept[: EDGES_PER_NODE * limit]
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "total_nodes": len(neighbours),
        "total_edges": len(kept),
        "ego": centre,
        "as_of": as_of.isoformat() if as_of else None,
    }


def _fold(folded: dict[tuple[str, str, str], dict[str, Any]], link: Tie) -> None:
    """Adds one report to its pair's link of that type: reports add up, the bounds widen,
    the first ``EVIDENCE_PER_EDGE`` reports are kept (as links; evidence is built only for
    the edges returned)."""
    key = (link.subject, link.predicate, link.obj)
    edge = folded.get(key)
    if edge is None:
        folded[key] = {
            "id": "|".join(key),
            "source": link.subject,
            "target": link.obj,
            "predicate": link.predicate,
            "kind": link.kind,
            "valid_from": link.valid_from,
            "valid_to": link.valid_to,
            "reports": 1,
            "evidence": [link],
        }
        return
    edge["valid_from"] = _earliest(edge["valid_from"], link.valid_from)
    edge["valid_to"] = _latest(edge["valid_to"], link.valid_to)
    edge["reports"] += 1
    if len(edge["evidence"]) < EVIDENCE_PER_EDGE:
        edge["evidence"].append(link)


def _resolve(graph: dict[str, Any], neighbours: dict[str, set[str]], name: str) -> str | None:
    """The linked actor called ``name`` (canonical name or alias, folded); the one with the
    most neighbours where several fit."""
    key = fold(name)
    names = entity_names(graph, name) | {n for n in neighbours if fold(n) == key}
    found = sorted((n for n in names if n in neighbours), key=lambda n: (-len(neighbours[n]), n))
    return found[0] if found else None


def _within(neighbours: dict[str, set[str]], centre: str, radius: int) -> set[str]:
    seen, frontier = {centre}, {centre}
    for _ in range(radius):
        frontier = {n for f in frontier for n in neighbours[f]} - seen
        seen |= frontier
    return seen


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
    spans: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Events (newest ``limit`` in the range) and the time spans of relations (control,
    leadership, membership, affiliation; the ``MAX_SPANS`` best attested), optionally of
    one actor or place. ``spans``: ``relation_spans(graph)``, where already computed."""
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
    if spans is None:
        spans = relation_spans(graph)
    if names is not None:
        spans = [s for s in spans if s["subject"] in names or s["object"] in names]
    shown = sorted(spans, key=lambda s: -s["reports"])[:MAX_SPANS]  # the best attested
    shown.sort(key=lambda s: (s["start"], s["subject"], s["object"]))
    return {
        "events": events[:limit],
        "total_events": len(events),
        "spans": shown,
        "total_spans": len(spans),
    }


def relation_spans(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The spans of control and leadership (from their timelines) and of other dated
    relations, as the timeline draws them."""
    spans = []
    for predicate in TIMELINES_OF_THEIR_OWN:
        for obj, timeline_spans in _timelines(graph, predicate).items():
            spans.extend(_span(span, predicate, obj) for span in timeline_spans)
    for relation in graph.get("relations", []):
        if relation["predicate"] in TIMELINES_OF_THEIR_OWN or relation["evidence"]["negated"]:
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
    return entity_names(graph, actor) or {actor}


def _entity_ids(graph: dict[str, Any]) -> dict[str, int | None]:
    """Entity ids by name; an actor wins over a place of the same name."""
    ids: dict[str, int] = {}
    for entity in sorted(graph.get("entities", []), key=lambda e: e["type"] != "LOCATION"):
        ids[entity["name"]] = entity.get("id")
    return ids


def network_links(graph: dict[str, Any]) -> list[Tie]:
    """``network.ties(graph)``: cached per store version by the API, filtered per request."""
    return ties(graph)
