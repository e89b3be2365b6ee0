"""Time-aware questions over the stored graph: who held a place when, where sources disagree.

Works on the graph ``Store.export()`` returns (pure functions, no I/O).

Control timeline of a place (``control_timeline``): every ``controls`` relation whose object
is the place is a claim. A claim starts at its ``valid_from`` ("since late March", "seized
on Saturday"), or, when the text gives no start, at the date of the report that makes it
(the place was held then, as far as that report knows). Claims of one actor that follow each
other form one span; a span ends at its own ``valid_to`` ("until French troops retook it"),
or where the next actor's span starts (control changed hands), or stays open. Each span
keeps the evidence of every claim behind it.

Contradictions (``contradictions``): two reports, published within ``CLAIM_WINDOW_DAYS`` of
each other, that give a place to different actors at the same time; and incidents
(``fuse.incidents``) whose reports give different tolls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from conflictmap.extract.gazetteer import fold
from conflictmap.fuse import incidents

__all__ = [
    "Span",
    "contradictions",
    "control_timeline",
    "controller_at",
    "entity_names",
    "leadership",
    "relations_at",
]

CLAIM_WINDOW_DAYS = 7


@dataclass
class Span:
    """One actor's control of a place, from ``start`` to ``end`` (None: open)."""

    actor: str
    start: date
    end: date | None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def holds(self, when: date) -> bool:
        return self.start <= when and (self.end is None or when <= self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class _Claim:
    actor: str
    start: date | None  # None: only the end is known ("held the city ... until June 30")
    end: date | None
    reported: date | None
    evidence: dict[str, Any]


def entity_names(graph: dict[str, Any], name: str) -> set[str]:
    """The canonical names whose name or alias folds like ``name`` ("Tombouctou" finds
    "Timbuktu" when the store has it as an alias)."""
    key = fold(name)
    return {
        e["name"]
        for e in graph.get("entities", [])
        if key in {fold(n) for n in [e["name"], *e.get("aliases", [])]}
    }


def control_timeline(graph: dict[str, Any], place: str) -> list[Span]:
    """Who controlled ``place`` when, oldest first (see the module docstring)."""
    return _timeline(_claims(graph, place))


def leadership(graph: dict[str, Any], group: str) -> list[Span]:
    """Who led ``group`` when, oldest first: its ``leader_of`` claims read as the control
    of a place is (a new leader's start ends the previous leader's span)."""
    return _timeline(_claims(graph, group, "leader_of"))


def relations_at(
    graph: dict[str, Any], when: date, actor: str | None = None
) -> list[dict[str, Any]]:
    """The relations that hold on ``when`` (as far as the reports say), optionally those of
    one actor: a relation holds from its ``valid_from`` (else the date of the report that
    states it) to its ``valid_to`` (else onwards); negated ones never hold."""
    names = entity_names(graph, actor) or {actor} if actor else None
    found = []
    for relation in graph.get("relations", []):
        if names and relation["subject"] not in names and relation["object"] not in names:
            continue
        claim = _claim(relation)
        if claim is None or claim.start is None or claim.start > when:
            continue
        if claim.end is None or when <= claim.end:
            found.append(relation)
    return found


def _timeline(claims: list[_Claim]) -> list[Span]:
    spans: list[Span] = []
    for claim in sorted((c for c in claims if c.start), key=lambda c: (c.start, c.actor)):
        assert claim.start is not None
        held = next((s for s in spans if s.actor == claim.actor and _open_at(s, claim.start)), None)
        if held is not None:  # the same actor again: one span, all its evidence
            held.evidence.append(claim.evidence)
            if claim.end and held.end and claim.end > held.end:
                held.end = claim.end
            continue
        for other in spans:  # control changes hands: earlier holders' spans end here
            if other.start < claim.start and _open_at(other, claim.start):
                other.end = claim.start - timedelta(days=1)
        spans.append(Span(claim.actor, claim.start, claim.end, [claim.evidence]))
    for claim in (c for c in claims if c.start is None and c.end is not None):
        _close(spans, claim)
    return spans


def _close(spans: list[Span], claim: _Claim) -> None:
    """A claim with only an end ("held the city until June 30") ends the actor's span that
    began before it, and joins its evidence."""
    assert claim.end is not None
    before = [s for s in spans if s.actor == claim.actor and s.start <= claim.end]
    if before:
        span = before[-1]
        span.evidence.append(claim.evidence)
        if span.end is None or span.end > claim.end:
            span.end = claim.end


def _open_at(span: Span, when: date) -> bool:
    """Still held on ``when`` (claims starting the same day are held together)."""
    return span.end is None or span.end >= when


def controller_at(graph: dict[str, Any], place: str, when: date) -> list[str]:
    """The actor(s) holding ``place`` on ``when``, per the timeline."""
    return [s.actor for s in control_timeline(graph, place) if s.holds(when)]


def contradictions(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """Control claims and tolls on which reports disagree, each with its sources."""
    found = [*_control_disputes(graph)]
    documents = {d["id"]: d for d in graph.get("documents", [])}
    for incident in incidents(graph):
        if incident.disputed_toll:
            found.append({"kind": "toll", **incident.to_dict(documents)})
    return found


# --- internals ----------------------------------------------------------------------------


def _claims(graph: dict[str, Any], obj: str, predicate: str = "controls") -> list[_Claim]:
    names = entity_names(graph, obj) or {obj}
    claims = []
    for relation in graph.get("relations", []):
        if relation["predicate"] == predicate and relation["object"] in names:
            claim = _claim(relation)
            if claim is not None:
                claims.append(claim)
    return claims


def _claim(relation: dict[str, Any]) -> _Claim | None:
    evidence = relation["evidence"]
    if evidence.get("negated"):
        return None  # "denied that X controls the town": no claim
    reported = _day(evidence.get("published"))
    end = _day((relation.get("valid_to") or {}).get("date"))
    # without a start, a claim holds from its report, unless it only says when it ended
    start = _day((relation.get("valid_from") or {}).get("date")) or (None if end else reported)
    if start is None and end is None:
        return None
    if start and end and end < start:
        start = None
    return _Claim(relation["subject"], start, end, reported, evidence)


def _control_disputes(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """One dispute per place and pair of actors, with every claim on either side."""
    places = {r["object"] for r in graph.get("relations", []) if r["predicate"] == "controls"}
    disputes: dict[tuple[str, ...], dict[str, Any]] = {}
    for place in sorted(places):
        claims = [c for c in _claims(graph, place) if c.reported and c.start]
        for i, first in enumerate(claims):
            for second in claims[i + 1 :]:
                if _disagree(first, second):
                    pair = tuple(sorted((first.actor, second.actor)))
                    dispute = disputes.setdefault((place, *pair), _dispute(place))
                    for claim in (first, second):
                        _add_claim(dispute, claim)
    return list(disputes.values())


def _disagree(a: _Claim, b: _Claim) -> bool:
    """Two reports of the same days give the place to different actors at a moment both
    could know of: the later claim starts no later than the earlier report. A claim that
    starts after the other report was written is news, not a contradiction; two actors
    named in one sentence hold the place together."""
    if a.actor == b.actor or not (a.reported and b.reported and a.start and b.start):
        return False
    same_sentence = a.evidence["document_id"] == b.evidence["document_id"] and (
        a.evidence["sentence"] == b.evidence["sentence"]
    )
    if same_sentence or abs((a.reported - b.reported).days) > CLAIM_WINDOW_DAYS:
        return False
    when = max(a.start, b.start)
    if when > min(a.reported, b.reported):
        return False
    return all(c.end is None or when <= c.end for c in (a, b))


def _dispute(place: str) -> dict[str, Any]:
    return {"kind": "control", "place": place, "claims": []}


def _add_claim(dispute: dict[str, Any], claim: _Claim) -> None:
    assert claim.start is not None
    entry = {"actor": claim.actor, "since": claim.start.isoformat(), "evidence": claim.evidence}
    if entry not in dispute["claims"]:
        dispute["claims"].append(entry)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None
