"""The actor network (centrality, communities, link paths, ego networks) on a small graph built
here in the shape ``Store.export()`` returns, with a known structure: two camps, jihadist
groups and the Malian state with its backers, joined only through the MNLA; a relation that
ends before a date; a denied one; reports and events spread over 2012-2013."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conflictmap.network import actor_graph, centrality, communities, ego_network, link_path

JIHADISTS = ["Ansar Dine", "AQIM", "Iyad Ag Ghaly", "Mokhtar Belmokhtar", "MUJAO"]
STATE = ["ECOWAS", "France", "Ganda Iso", "Mali army", "Sanogo"]


def evidence(doc: str, published: str, negated: bool = False) -> dict:
    return {
        "document_id": doc,
        "source": "Sahel Wire",
        "published": published,
        "sentence": f"The sentence of {doc}.",
        "attribution": {"kind": "unattributed", "phrase": None},
        "hedged": False,
        "negated": negated,
        "grade": {"reliability": "C", "credibility": 3, "code": "C3"},
    }


def relation(subject: str, predicate: str, obj: str, doc: str, published: str, **kw) -> dict:
    def bound(value: str | None) -> dict | None:
        return None if value is None else {"date": value, "text": value, "precision": "day"}

    return {
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "valid_from": bound(kw.get("since")),
        "valid_to": bound(kw.get("until")),
        "evidence": evidence(doc, published, kw.get("negated", False)),
    }


def event(number: int, day: str, actors: list[str], targets: list[str]) -> dict:
    return {
        "id": number,
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "location": "Gao",
        "date": day,
        "date_end": day,
        "actors": actors,
        "targets": targets,
        "evidence": evidence(f"e{number}", day),
    }


def entity(name: str, kind: str = "ARMED_GROUP", aliases: tuple[str, ...] = ()) -> dict:
    return {"name": name, "type": kind, "aliases": list(aliases), "geo": None}


GRAPH = {
    "entities": [
        entity("Iyad Ag Ghaly", "PERSON", ("Iyad Ag Ghali", "Ghaly")),
        entity("AQIM", aliases=("Al-Qaeda in the Islamic Maghreb",)),
        entity("Mali army", "STATE_FORCE", ("Malian army",)),
        entity("Gao", "LOCATION"),
    ],
    "relations": [
        relation("Iyad Ag Ghaly", "leader_of", "Ansar Dine", "j1", "2012-04-02"),
        relation("AQIM", "supports", "Ansar Dine", "j2", "2012-07-02"),
        relation("MUJAO", "splinter_of", "AQIM", "j3", "2012-06-28", since="2011-09-01"),
        relation("MUJAO", "affiliated_with", "Ansar Dine", "j4", "2012-06-29"),
        relation("Mokhtar Belmokhtar", "member_of", "AQIM", "j5", "2012-12-04"),
        relation("France", "supports", "Mali army", "s1", "2013-01-12"),
        relation("ECOWAS", "supports", "Mali army", "s2", "2012-04-01"),
        relation("Sanogo", "leader_of", "Mali army", "s3", "2012-03-26"),
        relation("ECOWAS", "affiliated_with", "France", "s4", "2012-05-01"),
        relation(
            "Ganda Iso",
            "supports",
            "Mali army",
            "s5",
            "2012-09-01",
            since="2012-04-01",
            until="2012-08-31",
        ),
        relation("MNLA", "affiliated_with", "AQIM", "b1", "2012-01-26"),
        relation("MNLA", "affiliated_with", "Ansar Dine", "b2", "2012-04-02"),
        relation("Sanogo", "supports", "MUJAO", "n1", "2012-06-01", negated=True),
        relation("MUJAO", "controls", "Gao", "p1", "2012-06-28"),
    ],
    "events": [
        event(1, "2012-01-17", ["MNLA"], ["Mali army"]),
        event(2, "2013-01-20", ["France", "Mali army"], ["MNLA"]),
    ],
}


def links(g, a: str, b: str) -> set[str]:
    """The predicates of the edges between two actors, either way."""
    found = [*(g.get_edge_data(a, b) or {}).values(), *(g.get_edge_data(b, a) or {}).values()]
    return {d["predicate"] for d in found}


def test_actor_graph_links_actors_by_relations_and_shared_events() -> None:
    g = actor_graph(GRAPH)
    assert set(g) == {*JIHADISTS, *STATE, "MNLA"}  # no place, unless asked
    assert g.nodes["Iyad Ag Ghaly"] == {"type": "PERSON", "aliases": ["Iyad Ag Ghali", "Ghaly"]}
    assert links(g, "Iyad Ag Ghaly", "Ansar Dine") == {"leader_of"}
    assert links(g, "MNLA", "Mali army") == {"fought"}
    [fought] = g.get_edge_data("MNLA", "Mali army").values()
    assert fought["events"] == [1] and fought["evidence"][0]["document_id"] == "e1"
    assert g.get_edge_data("Mali army", "MNLA", "fought||")["events"] == [2]  # actor -> target
    assert links(g, "France", "Mali army") == {"supports", "acted_with"}
    assert links(g, "Sanogo", "MUJAO") == set()  # a denied relation is no link
    assert "Gao" in actor_graph(GRAPH, places=True)


def test_as_of_keeps_relations_valid_then_and_events_up_to_then() -> None:
    june = actor_graph(GRAPH, date(2012, 6, 1))
    assert links(june, "Ganda Iso", "Mali army") == {"supports"}  # since April
    assert links(june, "AQIM", "Ansar Dine") == set()  # reported in July: not yet known
    assert links(june, "MUJAO", "AQIM") == {"splinter_of"}  # since 2011, reported later
    assert "France" not in actor_graph(GRAPH, date(2012, 4, 15))  # no link yet
    october = actor_graph(GRAPH, date(2012, 10, 1))
    assert "Ganda Iso" not in october  # its support ended in August
    assert [d["events"] for d in october.get_edge_data("MNLA", "Mali army").values()] == [[1]]
    assert links(october, "France", "Mali army") == set()  # the joint attack is in 2013
    assert links(actor_graph(GRAPH), "France", "Mali army") == {"supports", "acted_with"}


def test_centrality_ranks_the_hub_by_degree_and_the_bridge_by_betweenness() -> None:
    by_degree = centrality(GRAPH)
    assert by_degree[0]["actor"] == "Mali army"
    assert by_degree[0]["neighbours"] == 5
    assert by_degree[0]["degree"] == pytest.approx(0.5)  # 5 of the 10 other actors
    by_betweenness = centrality(GRAPH, by="betweenness", top=3)
    assert len(by_betweenness) == 3
    assert by_betweenness[0]["actor"] == "MNLA"  # every path between the camps crosses it
    assert by_betweenness[0]["betweenness"] > by_betweenness[1]["betweenness"]
    leaves = [r for r in centrality(GRAPH, top=None) if r["neighbours"] == 1]
    assert {r["actor"] for r in leaves} == {
        "Iyad Ag Ghaly",
        "Ganda Iso",
        "Mokhtar Belmokhtar",
        "Sanogo",  # his denied support for MUJAO counts for nothing
    }
    assert all(r["betweenness"] == 0 for r in leaves)
    assert sum(r["pagerank"] for r in centrality(GRAPH, top=None)) == pytest.approx(1, abs=1e-3)
    with pytest.raises(ValueError, match="unknown measure"):
        centrality(GRAPH, by="fame")


def test_communities_split_the_two_camps() -> None:
    found = communities(GRAPH)
    assert len(found) == 2
    assert [set(c) - {"MNLA"} for c in found] in (
        [set(JIHADISTS), set(STATE)],
        [set(STATE), set(JIHADISTS)],
    )
    # counting cooperation only, the MNLA, which fought the army, sides with the jihadists
    assert communities(GRAPH, hostile=False) == [sorted([*JIHADISTS, "MNLA"]), STATE]
    assert communities(GRAPH, date(2011, 12, 1)) == [["AQIM", "MUJAO"]]  # split in September
    assert communities(GRAPH, date(2011, 8, 1)) == []  # no link known yet


def test_link_path_gives_each_hop_with_its_evidence() -> None:
    path = link_path(GRAPH, "Iyad Ag Ghali", "Al-Qaeda in the Islamic Maghreb")  # by aliases
    assert [(h["from"], h["to"]) for h in path] == [
        ("Iyad Ag Ghaly", "Ansar Dine"),
        ("Ansar Dine", "AQIM"),
    ]
    [leads], [backs] = path[0]["links"], path[1]["links"]
    assert (leads["subject"], leads["predicate"], leads["object"]) == (
        "Iyad Ag Ghaly",
        "leader_of",
        "Ansar Dine",
    )
    assert (backs["subject"], backs["predicate"]) == ("AQIM", "supports")
    [proof] = backs["evidence"]
    assert proof["document_id"] == "j2"
    assert proof["sentence"] == "The sentence of j2."
    assert proof["grade"] == "C3"


def test_link_path_at_a_date_takes_the_links_known_then() -> None:
    # before AQIM's support for Ansar Dine was reported, the link ran through the MNLA
    path = link_path(GRAPH, "Iyad Ag Ghaly", "AQIM", as_of=date(2012, 6, 1))
    assert [h["to"] for h in path] == ["Ansar Dine", "MNLA", "AQIM"]
    assert link_path(GRAPH, "Iyad Ag Ghaly", "AQIM", as_of=date(2012, 3, 1)) == []
    assert link_path(GRAPH, "Sanogo", "MUJAO", as_of=date(2012, 1, 20)) == []  # not linked
    assert link_path(GRAPH, "Nobody", "AQIM") == []


def test_ego_network_at_a_date() -> None:
    ego = ego_network(GRAPH, "Malian army", as_of=date(2012, 10, 1))
    assert (ego["actor"], ego["type"], ego["as_of"]) == ("Mali army", "STATE_FORCE", "2012-10-01")
    assert [n["name"] for n in ego["neighbours"]] == ["ECOWAS", "MNLA", "Sanogo"]
    [fought] = [link for link in ego["links"] if link["predicate"] == "fought"]
    assert (fought["subject"], fought["object"], fought["events"]) == ("MNLA", "Mali army", [1])
    assert fought["evidence"][0]["sentence"] == "The sentence of e1."
    assert all(link["evidence"] for link in ego["links"])
    wider = ego_network(GRAPH, "Mali army", as_of=date(2012, 10, 1), radius=2)
    assert {n["name"]: n["distance"] for n in wider["neighbours"]} == {
        "ECOWAS": 1,
        "MNLA": 1,
        "Sanogo": 1,
        "France": 2,
        "AQIM": 2,
        "Ansar Dine": 2,
    }
    links_among = {(x["subject"], x["object"]) for x in wider["links"]}
    assert ("ECOWAS", "France") in links_among and ("AQIM", "Ansar Dine") in links_among
    assert ego_network(GRAPH, "Nobody")["actor"] is None


@pytest.mark.slow
def test_on_the_examples_iyad_ag_ghaly_reaches_aqim_through_ansar_dine(
    tmp_path: Path, extractor
) -> None:
    from conflictmap.ingest.run import ingest
    from conflictmap.store.repository import Store

    store = Store(str(tmp_path / "examples.db"))
    try:
        ingest([Path(__file__).parents[1] / "examples"], store, extractor)
        export = store.export()
    finally:
        store.close()
    path = link_path(export, "Iyad Ag Ghaly", "AQIM")
    assert [h["to"] for h in path] == ["Ansar Dine", "Al-Qaeda in the Islamic Maghreb"]
    assert "leader_of" in {link["predicate"] for link in path[0]["links"]}
    assert all(
        e["sentence"] and e["document_id"] for h in path for x in h["links"] for e in x["evidence"]
    )


@pytest.mark.parametrize("as_of", [None, date(2012, 5, 1), date(2012, 7, 1), date(2013, 2, 1)])
def test_the_workbench_network_draws_what_actor_graph_links(as_of: date | None) -> None:
    """``web.views.network_elements`` filters ties cached per store version instead of
    rebuilding the networkx graph: the same actors, pairs, link types and report counts."""
    from conflictmap.web.views import network_elements, network_links

    g = actor_graph(GRAPH, as_of)
    drawn = network_elements(GRAPH, as_of, links=network_links(GRAPH))
    assert {n["id"] for n in drawn["nodes"]} == set(g.nodes) and g.number_of_nodes() > 2
    expected: dict[tuple[str, str, str], int] = {}
    for a, b, data in g.edges(data=True):
        key = (a, data["predicate"], b)
        expected[key] = expected.get(key, 0) + len(data["evidence"])
    got = {(e["source"], e["predicate"], e["target"]): e["reports"] for e in drawn["edges"]}
    assert got == expected
    for node in drawn["nodes"]:
        assert node["degree"] == len(
            set(g.predecessors(node["id"])) | set(g.successors(node["id"]))
        )


def test_the_workbench_ego_view_is_ego_network() -> None:
    from conflictmap.web.views import network_elements

    for radius in (1, 2):
        ego = ego_network(GRAPH, "Ghaly", date(2013, 2, 1), radius)
        drawn = network_elements(GRAPH, date(2013, 2, 1), "Ghaly", radius)
        assert drawn["ego"] == ego["actor"] == "Iyad Ag Ghaly"
        assert {n["id"] for n in drawn["nodes"]} == {
            ego["actor"],
            *(n["name"] for n in ego["neighbours"]),
        }
    assert network_elements(GRAPH, None, "Nobody")["nodes"] == []
