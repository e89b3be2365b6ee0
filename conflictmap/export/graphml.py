"""GraphML and GEXF (for Gephi) through networkx: one directed multigraph, two writers.

Nodes are entities (actors and places, with type, aliases and coordinates) and events.
Edges are relations (stored relations with the same ends, predicate and bounds folded into
one edge, with their evidence count and best grade) and event roles: actor -> event,
event -> target, event -> place. GEXF makes the time bounds dynamic (``start``/``end``), so
Gephi's timeline can play the graph.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from conflictmap.export.graph_index import GraphIndex


def render_graphml(graph: dict, meta: dict) -> str:
    return "\n".join(nx.generate_graphml(build(graph, meta))) + "\n"


def render_gexf(graph: dict, meta: dict) -> str:
    writer = GEXFWriter(version="1.2draft")
    writer.add_graph(build(graph, meta, dynamic=True))
    _gexf_meta(writer, meta)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + str(writer) + "\n"


def build(graph: dict, meta: dict, dynamic: bool = False) -> nx.MultiDiGraph:
    """The graph; ``dynamic`` adds GEXF's ``start``/``end`` to events and bounded edges."""
    g = nx.MultiDiGraph(**graph_attributes(meta))
    index = GraphIndex(graph)
    for entity in graph.get("entities", []):
        g.add_node(f"entity-{entity['id']}", **_entity_node(entity))
    for event in graph.get("events", []):
        g.add_node(f"event-{event['id']}", **_event_node(event, dynamic))
        for source, target, data in _event_edges(event, index):
            g.add_edge(source, target, key=data["id"], **data, **_span(event, dynamic))
    for source, target, data in _relation_edges(graph, index, dynamic):
        g.add_edge(source, target, key=data["id"], **data)
    if dynamic:
        g.graph["mode"] = "dynamic"
    return g


def graph_attributes(meta: dict) -> dict[str, Any]:
    """The snapshot as flat graph attributes (GraphML keeps only scalars)."""
    flat = {
        "conflictmap_version": meta["conflictmap_version"],
        "git_commit": meta["git_commit"],
        "git_dirty": meta["git_dirty"],
        "as_of": meta["as_of"],
        "models": ", ".join(meta["models"]),
        **{f"corpus_{k}": v for k, v in meta["corpus"].items()},
    }
    return {k: v for k, v in flat.items() if v is not None}


def _entity_node(entity: dict) -> dict[str, Any]:
    node: dict[str, Any] = {
        "label": entity["name"],
        "type": entity["type"],
        "aliases": "; ".join(entity["aliases"]),
    }
    geo = entity["geo"]
    if geo is not None:
        node.update(
            geonameid=int(geo["geonameid"]),
            latitude=float(geo["latitude"]),
            longitude=float(geo["longitude"]),
            country_code=geo["country_code"] or "",
            feature=geo["feature"],
            geo_precision=int(geo["precision"]),
        )
    return node


def _event_node(event: dict, dynamic: bool) -> dict[str, Any]:
    node: dict[str, Any] = {
        "label": f"{event['sub_event_type']} ({event['date'] or 'undated'})",
        "type": "EVENT",
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "document_id": event["document_id"],
        "historical": bool(event["historical"]),
    }
    optional = {
        "date": event["date"],
        "date_end": event["date_end"],
        "date_precision": event["date_precision"],
        "fatalities": event["fatalities"],
        "latitude": None if event["latitude"] is None else float(event["latitude"]),
        "longitude": None if event["longitude"] is None else float(event["longitude"]),
        "grade": _code(event["evidence"]),
    }
    node.update({k: v for k, v in optional.items() if v is not None})
    return node | _span(event, dynamic)


def _span(event: dict, dynamic: bool) -> dict[str, str]:
    if not dynamic or not event["date"]:
        return {}
    return {"start": event["date"], "end": event["date_end"] or event["date"]}


def _event_edges(event: dict, index: GraphIndex) -> list[tuple[str, str, dict[str, Any]]]:
    node = f"event-{event['id']}"
    edges = []
    for role, names in (("actor", event["actors"]), ("target", event["targets"])):
        for name in dict.fromkeys(names):
            actor = index.actor(name)
            if actor is not None:
                other = f"entity-{actor['id']}"
                ends = (other, node) if role == "actor" else (node, other)
                edges.append((*ends, _role_edge(event, role, actor)))
    place = index.place(event)
    if place is not None:
        edges.append((node, f"entity-{place['id']}", _role_edge(event, "location", place)))
    return edges


def _role_edge(event: dict, role: str, entity: dict) -> dict[str, Any]:
    return {"id": f"event-{event['id']}-{role}-{entity['id']}", "kind": "event", "role": role}


def _relation_edges(
    graph: dict, index: GraphIndex, dynamic: bool
) -> list[tuple[str, str, dict[str, Any]]]:
    """Relations with the same ends, predicate and bounds as one edge."""
    edges: dict[tuple, dict[str, Any]] = {}
    for relation in graph.get("relations", []):
        subject = index.entity(relation["subject"], relation["subject_type"])
        obj = index.entity(relation["object"], relation["object_type"])
        if subject is None or obj is None:
            continue
        bounds = [_day(relation["valid_from"]), _day(relation["valid_to"])]
        key = (f"entity-{subject['id']}", f"entity-{obj['id']}", relation["predicate"], *bounds)
        edge = edges.get(key)
        if edge is None:
            edges[key] = _relation_edge(relation, bounds, dynamic)
        else:
            edge["evidence"] += 1
            edge["weight"] = edge["evidence"]
            edge["grade"] = _best(edge.get("grade"), _code(relation["evidence"]))
    return [(k[0], k[1], {n: v for n, v in e.items() if v is not None}) for k, e in edges.items()]


def _relation_edge(relation: dict, bounds: list[str | None], dynamic: bool) -> dict[str, Any]:
    valid_from, valid_to = bounds
    edge: dict[str, Any] = {
        "id": f"relation-{relation['id']}",
        "kind": "relation",
        "predicate": relation["predicate"],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "evidence": 1,
        "weight": 1,
        "grade": _code(relation["evidence"]),
    }
    if dynamic:
        edge.update(start=valid_from, end=valid_to)
    return edge


def _day(value: dict | None) -> str | None:
    return value["date"] if value else None


def _code(evidence: dict) -> str | None:
    grade = evidence.get("grade")
    return grade["code"] if grade else None


def _best(first: str | None, second: str | None) -> str | None:
    """The more credible of two Admiralty codes ("B2" over "C3"; credibility first)."""
    codes = [c for c in (first, second) if c]
    return min(codes, key=lambda c: (c[1:], c[0])) if codes else None


def _gexf_meta(writer: GEXFWriter, meta: dict) -> None:
    """GEXF keeps no graph attributes: the snapshot goes into ``<meta>``."""
    element = writer.xml.find("meta")
    if element is None:
        return
    element.set("lastmodifieddate", meta["as_of"][:10])
    creator = element.find("creator")
    if creator is not None:
        creator.text = f"conflictmap {meta['conflictmap_version']} (networkx {nx.__version__})"
    description = element.makeelement("description", {})
    description.text = json.dumps(meta, ensure_ascii=False)
    element.append(description)
