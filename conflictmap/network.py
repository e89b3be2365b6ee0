"""Who is linked to whom, and how: the actors of the stored graph as a network (networkx).

Works on the graph ``Store.export()`` returns (pure functions, no I/O).

The actor graph (``actor_graph``) is a ``networkx.MultiDiGraph`` whose nodes are actors, named
by their canonical name, with ``type`` and ``aliases`` (places too with ``places=True``). Its
edges are of two kinds, each with the evidence behind it:

* ``kind="relation"``: a stored relation between two actors (``leader_of``, ``supports``,
  ``fights``, ...), subject -> object. Relations with the same ends, predicate and bounds are
  one edge whose ``evidence`` lists every report behind it. A denied relation ("denied that X
  supports Y") is no link.
* ``kind="event"``: two actors named in one event. An actor and a target of it ``fought``
  (actor -> target); two actors of it ``acted_with`` each other (one edge, ends in name
  order). Two targets of one attack are no link: being hit together says nothing about a tie.
  ``events`` lists the event ids, ``evidence`` their reports.

``as_of`` (a date) keeps what holds on that date: a relation whose ``valid_from`` <= date <=
``valid_to`` (a missing bound is open), where a relation that gives no start holds from the
publication of its report, as in ``conflictmap.graph`` (a relation with only an end holds
until that end; one with no date at all is dropped); and events that began on or before the
date (undated events are dropped). Actors with no link left are not in the graph.

Measures are taken on the undirected projection (one edge per linked pair, ``weight`` = the
number of reports behind it): ``centrality`` (degree, betweenness, PageRank), ``communities``
(greedy modularity, deterministic; ``hostile=False``: camps, from ties of cooperation only),
``link_path`` (fewest hops between two actors, each hop
with its predicates and evidence), ``ego_network`` (an actor's neighbours within ``radius``
hops and every link among them, JSON-ready). Actors are found by name or alias, folded as in
``conflictmap.graph.entity_names``; where a name fits several actors the best linked wins.

A CLI calls ``centrality``, ``communities``, ``link_path`` and ``ego_network`` with the
export dict; every result is JSON-ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import networkx as nx

from conflictmap.extract.gazetteer import fold
from conflictmap.graph import entity_names

__all__ = ["Tie", "actor_graph", "centrality", "communities", "ego_network", "link_path", "ties"]

PLACE = "LOCATION"
HOSTILE = ("fights", "fought")
MEASURES = ("degree", "betweenness", "pagerank")
EVIDENCE_KEYS = ("document_id", "document_title", "source", "published", "sentence", "hedged")


@dataclass(frozen=True)
class Tie:
    """One report of a tie between two actors (a relation, or two sides of an event) and
    the days it holds: from ``start`` (None: open) to ``end`` (None: open); with neither,
    it holds only in the undated network."""

    subject: str
    predicate: str
    obj: str
    kind: str  # "relation" or "event"
    valid_from: str | None
    valid_to: str | None
    start: date | None
    end: date | None
    source: dict[str, Any]  # the relation or the event, as exported

    def holds(self, when: date | None) -> bool:
        if when is None:
            return True
        if self.start is None and self.end is None:
            return False
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)

    def evidence(self) -> dict[str, Any]:
        ids = {f"{self.kind}_id": self.source.get("id")}
        return evidence_summary(self.source["evidence"], **ids)


def ties(graph: dict[str, Any], places: bool = False) -> list[Tie]:
    """Every tie between actors the reports give (places left out unless ``places``,
    negated relations dropped, an event's actors against its targets and alongside each
    other), each with the days it holds: ``actor_graph`` and the workbench's network keep
    those holding on a date."""
    entities = entities_by_name(graph)

    def actor(name: str, given: str | None = None) -> bool:
        return places or (given or entities.get(name, {}).get("type")) != PLACE

    links = []
    for relation in graph.get("relations", []):
        if relation["evidence"].get("negated"):
            continue
        if not (
            actor(relation["subject"], relation.get("subject_type"))
            and actor(relation["object"], relation.get("object_type"))
        ):
            continue
        bounds = [(relation.get(k) or {}).get("date") for k in ("valid_from", "valid_to")]
        end = _day(bounds[1])
        start = _day(bounds[0]) or (None if end else _day(relation["evidence"].get("published")))
        links.append(
            Tie(
                relation["subject"],
                relation["predicate"],
                relation["object"],
                "relation",
                *bounds,
                start,
                end,
                relation,
            )
        )
    for event in graph.get("events", []):
        actors = [n for n in dict.fromkeys(event.get("actors") or ()) if actor(n)]
        targets = [n for n in dict.fromkeys(event.get("targets") or ()) if actor(n)]
        pairs = [(a, t, "fought") for a in actors for t in targets if a != t]
        pairs += [
            (*sorted((a, b)), "acted_with") for i, a in enumerate(actors) for b in actors[i + 1 :]
        ]
        day = _day(event.get("date"))
        for a, b, predicate in pairs:
            links.append(Tie(a, predicate, b, "event", None, None, day, None, event))
    return links


def actor_graph(
    graph: dict[str, Any], as_of: date | None = None, places: bool = False
) -> nx.MultiDiGraph:
    """The actors and their links (see the module docstring)."""
    g = nx.MultiDiGraph(as_of=as_of.isoformat() if as_of else None)
    entities = entities_by_name(graph)
    for tie in ties(graph, places):
        if not tie.holds(as_of):
            continue
        edge = _edge(g, entities, tie.subject, tie.obj, tie.predicate, tie.valid_from, tie.valid_to)
        if tie.kind == "event":
            if tie.source["id"] in edge["events"]:
                continue
            edge["events"].append(tie.source["id"])
        edge["evidence"].append(tie.evidence())
    return g


def centrality(
    graph: dict[str, Any], as_of: date | None = None, top: int | None = 10, by: str = "degree"
) -> list[dict[str, Any]]:
    """Actors by ``by`` ("degree", "betweenness" or "pagerank"), then the others, highest first:
    ``neighbours`` (distinct linked actors), ``degree`` (share of all other actors),
    ``betweenness`` (share of shortest paths through the actor: a broker between groups) and
    ``pagerank`` (weighted by reports)."""
    if by not in MEASURES:
        raise ValueError(f"unknown measure {by!r}: one of {', '.join(MEASURES)}")
    order = [by, *(m for m in MEASURES if m != by)]
    g = actor_graph(graph, as_of)
    simple = _undirected(g)
    degree = nx.degree_centrality(simple)
    betweenness = nx.betweenness_centrality(simple)
    pagerank = nx.pagerank(simple, weight="weight") if len(simple) else {}
    rows = [
        {
            "actor": name,
            "type": g.nodes[name]["type"],
            "neighbours": simple.degree(name),
            "degree": round(degree[name], 4),
            "betweenness": round(betweenness[name], 4),
            "pagerank": round(pagerank[name], 4),
        }
        for name in simple
    ]
    rows.sort(key=lambda r: ([-r[m] for m in order], r["actor"]))
    return rows[:top] if top is not None else rows


def communities(
    graph: dict[str, Any], as_of: date | None = None, hostile: bool = True
) -> list[list[str]]:
    """Groups of actors more linked among themselves than to the rest (greedy modularity,
    weighted by reports), largest first, names sorted. Fighting is a link too: with
    ``hostile=False`` only ties of cooperation count (no ``fights``/``fought``), so the groups
    are camps, and an actor known only from fighting is in none."""
    simple = _undirected(actor_graph(graph, as_of), skip=() if hostile else HOSTILE)
    simple.remove_nodes_from(list(nx.isolates(simple)))
    if not simple.number_of_edges():
        return []
    found = nx.community.greedy_modularity_communities(simple, weight="weight")
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))


@dataclass(frozen=True)
class LinkGraph:
    """The actor graph at a date, with its one-edge-per-pair form that paths are found on
    (built once, for many ``link_path`` questions)."""

    actors: nx.MultiDiGraph
    pairs: nx.Graph


def link_graph(graph: dict[str, Any], as_of: date | None = None) -> LinkGraph:
    actors = actor_graph(graph, as_of)
    return LinkGraph(actors, _undirected(actors))


def link_path(
    graph: dict[str, Any],
    source: str,
    target: str,
    as_of: date | None = None,
    *,
    links: LinkGraph | None = None,
) -> list[dict[str, Any]]:
    """How ``source`` is linked to ``target``: the hops of a shortest path, each with every
    link between its two actors and their evidence; empty where they are not linked.
    ``links``: ``link_graph(graph, as_of)``, when it is already built."""
    links = links or link_graph(graph, as_of)
    g = links.actors
    start, end = _resolve(graph, g, source), _resolve(graph, g, target)
    if start is None or end is None or start == end:
        return []
    try:
        path = nx.shortest_path(links.pairs, start, end)
    except nx.NetworkXNoPath:
        return []
    return [{"from": a, "to": b, "links": _links(g, a, b)} for a, b in pairwise(path)]


def ego_network(
    graph: dict[str, Any], actor: str, as_of: date | None = None, radius: int = 1
) -> dict[str, Any]:
    """``actor``'s neighbours within ``radius`` hops on ``as_of`` and every link among them
    with its evidence; ``actor`` is None where no linked actor has that name."""
    g = actor_graph(graph, as_of)
    name = _resolve(graph, g, actor)
    node = g.nodes[name] if name else {"type": None, "aliases": []}
    result: dict[str, Any] = {"actor": name, **node, "as_of": g.graph["as_of"], "radius": radius}
    if name is None:
        return result | {"neighbours": [], "links": []}
    hops = nx.single_source_shortest_path_length(_undirected(g), name, cutoff=radius)
    result["neighbours"] = [
        {"name": n, **g.nodes[n], "distance": d}
        for n, d in sorted(hops.items(), key=lambda x: (x[1], x[0]))
        if n != name
    ]
    sub = g.subgraph(hops)
    pairs = sorted({tuple(sorted((a, b))) for a, b in sub.edges()})
    result["links"] = [link for a, b in pairs for link in _links(g, a, b)]
    return result


# --- internals ----------------------------------------------------------------------------


def entities_by_name(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Entities by name; an actor wins over a place of the same name."""
    found: dict[str, dict[str, Any]] = {}
    for entity in graph.get("entities", []):
        known = found.get(entity["name"])
        if known is None or known.get("type") == PLACE:
            found[entity["name"]] = entity
    return found


def _node(g: nx.MultiDiGraph, entities: dict[str, dict[str, Any]], name: str) -> None:
    if name not in g:
        entity = entities.get(name, {})
        g.add_node(name, type=entity.get("type"), aliases=list(entity.get("aliases") or []))


def _edge(
    g: nx.MultiDiGraph,
    entities: dict[str, dict[str, Any]],
    subject: str,
    obj: str,
    predicate: str,
    valid_from: str | None = None,
    valid_to: str | None = None,
) -> dict[str, Any]:
    """The edge of these ends, predicate and bounds (made on first use)."""
    key = f"{predicate}|{valid_from or ''}|{valid_to or ''}"
    if not g.has_edge(subject, obj, key):
        _node(g, entities, subject)
        _node(g, entities, obj)
        kind = "event" if predicate in ("fought", "acted_with") else "relation"
        g.add_edge(subject, obj, key, kind=kind, predicate=predicate, evidence=[])
        g.edges[subject, obj, key].update(valid_from=valid_from, valid_to=valid_to)
        if kind == "event":
            g.edges[subject, obj, key]["events"] = []
    return g.edges[subject, obj, key]


def evidence_summary(evidence: dict[str, Any], **ids: Any) -> dict[str, Any]:
    found = {k: evidence[k] for k in EVIDENCE_KEYS if k in evidence}
    attribution = evidence.get("attribution") or {}
    grade = evidence.get("grade") or {}
    found.update(attribution=attribution.get("kind"), grade=grade.get("code"))
    return {**{k: v for k, v in ids.items() if v is not None}, **found}


def _undirected(g: nx.MultiDiGraph, skip: Iterable[str] = ()) -> nx.Graph:
    """One edge per linked pair, ``weight`` = the reports behind all its links (but those
    whose predicate is in ``skip``)."""
    simple = nx.Graph()
    simple.add_nodes_from(g.nodes)
    for a, b, data in g.edges(data=True):
        if a != b and data["predicate"] not in skip:
            weight = simple.get_edge_data(a, b, {"weight": 0})["weight"]
            simple.add_edge(a, b, weight=weight + len(data["evidence"]))
    return simple


def _resolve(graph: dict[str, Any], g: nx.MultiDiGraph, name: str) -> str | None:
    """The linked actor called ``name`` (canonical name or alias, folded); the best linked
    one where several fit."""
    key = fold(name)
    names = entity_names(graph, name) | {n for n in g if fold(n) == key}
    found = sorted((n for n in names if n in g), key=lambda n: (-g.degree(n), n))
    return found[0] if found else None


def _links(g: nx.MultiDiGraph, a: str, b: str) -> list[dict[str, Any]]:
    """Every edge between ``a`` and ``b``, either way, as JSON-ready dicts."""
    links = []
    for subject, obj in ((a, b), (b, a)):
        for data in (g.get_edge_data(subject, obj) or {}).values():
            link = {"subject": subject, "predicate": data["predicate"], "object": obj}
            links.append(link | {k: v for k, v in data.items() if k != "predicate"})
    return links


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None
