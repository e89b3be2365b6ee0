"""Control timelines, incidents across reports and contradictions, on small graphs built here
in the shape ``Store.export()`` returns (pure functions: no store, no model)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from conflictmap.fuse import confidence, incidents, independent_sources
from conflictmap.graph import contradictions, control_timeline, controller_at

_ids = count(1)


def evidence(doc: str, source: str, published: str, kind: str = "unattributed", **kw) -> dict:
    return {
        "document_id": doc,
        "source": source,
        "published": published,
        "sentence": f"A sentence of {doc}.",
        "attribution": {"kind": kind, "phrase": None},
        "hedged": kw.get("hedged", False),
        "negated": kw.get("negated", False),
    }


def controls(actor: str, place: str, ev: dict, since: str | None = None, until: str | None = None):
    def bound(value: str | None) -> dict | None:
        return None if value is None else {"date": value, "text": value, "precision": "day"}

    return {
        "subject": actor,
        "predicate": "controls",
        "object": place,
        "valid_from": bound(since),
        "valid_to": bound(until),
        "evidence": ev,
    }


def event(doc: str, source: str, day: str, place: str, actors: list[str], toll: int | None):
    return {
        "id": next(_ids),
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "location": place,
        "latitude": None,
        "longitude": None,
        "date": day,
        "date_end": day,
        "actors": actors,
        "fatalities": toll,
        "evidence": evidence(doc, source, day),
    }


def graph(relations: list[dict] = (), events: list[dict] = (), **extra: Any) -> dict:
    return {
        "documents": extra.get("documents", []),
        "entities": [{"name": "Gao", "aliases": ["Gao town"]}],
        "relations": list(relations),
        "events": list(events),
    }


GAO = graph(
    [
        controls("MNLA", "Gao", evidence("d1", "Sahel Wire", "2012-04-02"), since="2012-03-31"),
        controls(
            "MUJAO", "Gao", evidence("d2", "Desert Courier", "2012-06-29"), since="2012-06-27"
        ),
        controls("MUJAO", "Gao", evidence("d3", "Sahel Wire", "2012-08-10")),  # no start given
        controls("Mali army", "Gao", evidence("d4", "Desert Courier", "2013-01-28"), "2013-01-26"),
    ]
)


def test_control_changes_hands_at_each_new_holder() -> None:
    spans = [(s.actor, s.start, s.end) for s in control_timeline(GAO, "Gao")]
    assert spans == [
        ("MNLA", date(2012, 3, 31), date(2012, 6, 26)),
        ("MUJAO", date(2012, 6, 27), date(2013, 1, 25)),
        ("Mali army", date(2013, 1, 26), None),
    ]


def test_control_at_three_dates() -> None:
    assert controller_at(GAO, "Gao", date(2012, 5, 1)) == ["MNLA"]
    assert controller_at(GAO, "Gao", date(2012, 7, 1)) == ["MUJAO"]
    assert controller_at(GAO, "Gao", date(2013, 2, 1)) == ["Mali army"]


def test_every_claim_is_kept_as_evidence_of_its_span() -> None:
    [_, mujao, _] = control_timeline(GAO, "Gao")
    assert [e["document_id"] for e in mujao.evidence] == ["d2", "d3"]


def test_place_is_found_by_its_alias() -> None:
    assert controller_at(GAO, "Gao town", date(2012, 7, 1)) == ["MUJAO"]


def test_explicit_end_closes_a_span() -> None:
    g = graph(
        [controls("MNLA", "Gao", evidence("d", "S", "2012-07-01"), "2012-03-31", "2012-06-27")]
    )
    assert controller_at(g, "Gao", date(2012, 7, 1)) == []


def test_denied_control_is_no_claim() -> None:
    g = graph(
        [controls("MNLA", "Gao", evidence("d", "S", "2012-07-01", negated=True), "2012-06-01")]
    )
    assert control_timeline(g, "Gao") == []


def test_reports_of_the_same_week_giving_the_town_to_two_groups_contradict() -> None:
    g = graph(
        [
            controls("MNLA", "Gao", evidence("a", "Azawad Observer", "2012-06-29", "group_claim")),
            controls("MUJAO", "Gao", evidence("b", "Desert Courier", "2012-06-29", "resident")),
        ]
    )
    [dispute] = [c for c in contradictions(g) if c["kind"] == "control"]
    assert {c["actor"] for c in dispute["claims"]} == {"MNLA", "MUJAO"}
    assert not [c for c in contradictions(GAO) if c["kind"] == "control"]  # successive holders


def test_same_incident_from_three_reports_is_one_with_every_witness() -> None:
    g = graph(
        events=[
            event("a", "Sahel Wire", "2012-06-27", "Gao", ["MUJAO"], 20),
            event("b", "Desert Courier", "2012-06-28", "Gao", ["MUJAO", "MNLA"], 35),
            event("c", "Niger River Daily", "2012-06-27", "Gao", [], None),
            event("d", "Sahel Wire", "2012-07-15", "Gao", ["MUJAO"], 2),  # another day
            event("e", "Sahel Wire", "2012-06-27", "Kidal", ["MUJAO"], 3),  # another place
        ]
    )
    found = incidents(g)
    assert sorted(len(i.witnesses) for i in found) == [1, 1, 3]
    [battle] = [i for i in found if len(i.witnesses) == 3]
    assert battle.fatalities == {20: ["Sahel Wire"], 35: ["Desert Courier"]}
    assert battle.disputed_toll
    [toll] = [c for c in contradictions(g) if c["kind"] == "toll"]
    assert toll["fatalities"] == {"20": ["Sahel Wire"], "35": ["Desert Courier"]}


def test_a_copied_wire_story_is_not_an_independent_source() -> None:
    events = [
        event("a", "Sahel Wire", "2012-06-27", "Gao", ["MUJAO"], 20),
        event("b", "Bamako Evening Post", "2012-06-27", "Gao", ["MUJAO"], 20),
        event("c", "Desert Courier", "2012-06-28", "Gao", ["MUJAO"], 20),
    ]
    documents = {"a": {}, "b": {"duplicate_of": "a"}, "c": {}}
    events[1]["evidence"]["source"] = None  # the copy: only its document links it
    assert independent_sources(events, documents) == 2
    summary = confidence(events, documents)
    assert summary["independent_sources"] == 2
    assert summary["credibility"] == 2
    assert summary["explanation"] == "2 independent sources"


def test_one_reports_running_figures_are_no_dispute() -> None:
    g = graph(
        events=[
            event("a", "Sahel Wire", "2012-06-27", "Gao", ["MUJAO"], 20),
            event("a", "Sahel Wire", "2012-06-27", "Gao", ["MUJAO"], 21),
        ]
    )
    [battle] = incidents(g)
    assert not battle.disputed_toll


def test_a_claim_with_only_an_end_closes_that_actors_span() -> None:
    g = graph(
        [
            controls("MNLA", "Gao", evidence("d1", "Sahel Wire", "2012-04-02"), since="2012-03-31"),
            # "the MNLA held the city ... until June 26", told in a report of January
            controls("MNLA", "Gao", evidence("d9", "Sahel Wire", "2013-01-26"), until="2012-06-26"),
            controls("MUJAO", "Gao", evidence("d2", "Desert Courier", "2012-06-29"), "2012-06-27"),
        ]
    )
    spans = [(s.actor, s.start, s.end, len(s.evidence)) for s in control_timeline(g, "Gao")]
    assert spans == [
        ("MNLA", date(2012, 3, 31), date(2012, 6, 26), 2),
        ("MUJAO", date(2012, 6, 27), None, 1),
    ]


def leads(person: str, group: str, ev: dict, since: str | None = None) -> dict:
    return {**controls(person, group, ev, since), "predicate": "leader_of"}


def test_leadership_succession() -> None:
    g = graph(
        [
            leads("Ahmed Godane", "al-Shabaab", evidence("a", "S", "2010-05-01"), "2008-05-01"),
            leads("Ahmed Diriye", "al-Shabaab", evidence("b", "S", "2014-09-07"), "2014-09-06"),
            leads("Ahmed Godane", "al-Shabaab", evidence("c", "D", "2013-06-20")),
        ]
    )
    from conflictmap.graph import leadership

    spans = [(s.actor, s.start, s.end, len(s.evidence)) for s in leadership(g, "al-Shabaab")]
    assert spans == [
        ("Ahmed Godane", date(2008, 5, 1), date(2014, 9, 5), 2),
        ("Ahmed Diriye", date(2014, 9, 6), None, 1),
    ]


def test_relations_holding_on_a_date() -> None:
    from conflictmap.graph import relations_at

    def held(day: date, actor: str | None = None) -> list[tuple[str, str]]:
        return [(r["subject"], r["object"]) for r in relations_at(GAO, day, actor)]

    assert held(date(2012, 5, 1)) == [("MNLA", "Gao")]
    assert held(date(2012, 5, 1), "MUJAO") == []
    # the MUJAO claim without a start holds from its report (2012-08-10) on
    assert ("MUJAO", "Gao") in held(date(2012, 9, 1))
    assert held(date(2012, 3, 1)) == []


def test_an_analysts_split_takes_an_event_out_of_its_incident() -> None:
    first = event("a", "Sahel Wire", "2012-06-27", "Gao", ["MUJAO"], 20)
    second = event("b", "Desert Courier", "2012-06-27", "Gao", ["MUJAO"], 35)
    third = event("c", "Azawad Observer", "2012-06-27", "Gao", ["MUJAO"], 21)
    merged = incidents(graph(events=[first, second, third]))
    assert [len(i.witnesses) for i in merged] == [3]
    split = graph(events=[first, second, third])
    split["incident_splits"] = [second["id"]]
    found = incidents(split)
    assert sorted(len(i.witnesses) for i in found) == [1, 2]
    [alone] = [i for i in found if len(i.witnesses) == 1]
    assert alone.witnesses[0]["id"] == second["id"]
