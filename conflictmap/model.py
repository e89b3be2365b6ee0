"""Domain records shared by every stage: what extraction produces and the store keeps.

Plain dataclasses, so a record means the same thing in the extractor, the store, the CLI
and the JSON contract (``to_dict`` gives the published shape, see docs/extraction-format.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

EntityType = Literal["PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE", "LOCATION"]
ENTITY_TYPES: tuple[str, ...] = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE", "LOCATION")
ACTOR_TYPES: tuple[str, ...] = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE")

MentionForm = Literal["name", "demonym", "metonym"]
Precision = Literal["day", "week", "month", "season", "year", "decade"]

AttributionKind = Literal[
    "anonymous_security",
    "official",
    "resident_or_witness",
    "group_claim",
    "journalist",
    "unattributed",
]
ATTRIBUTION_KINDS: tuple[str, ...] = (
    "anonymous_security",
    "official",
    "resident_or_witness",
    "group_claim",
    "journalist",
    "unattributed",
)

PREDICATES: tuple[str, ...] = (
    "leader_of",
    "deputy_of",
    "member_of",
    "splinter_of",
    "affiliated_with",
    "supports",
    "fights",
    "controls",
    "located_in",
    "family_of",
)


@dataclass(frozen=True)
class Document:
    """One report as ingested. ``date_origin`` says where ``date`` came from."""

    id: str
    text: str
    title: str | None = None
    date: date | None = None
    date_origin: Literal["metadata", "cli", "text", "none"] = "none"
    source: str | None = None
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class TimeValue:
    """A normalised temporal expression: an interval [start, end] with a precision.

    ``open_start``/``open_end`` mark intervals that extend beyond the expression
    ("since late March" is open at the end, "until June" open at the start).
    """

    text: str
    start: date
    end: date
    precision: Precision
    open_start: bool = False
    open_end: bool = False

    @property
    def value(self) -> str:
        """ISO form at the value's precision: 2012-07-20, 2012-07, 2012, 2012-W28."""
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.precision in ("month", "season") and self.start.month == self.end.month:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.precision == "decade":
            return f"{self.start.year // 10}X"
        if self.start.year == self.end.year:
            return (
                f"{self.start.year}"
                if self.precision == "year"
                else f"{self.start.isoformat()}/{self.end.isoformat()}"
            )
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True)
class GeoRef:
    """A place resolved to GeoNames; precision 1 town, 2 near a town or in a region, 3 region."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str
    admin1: str | None
    feature: Literal["city", "admin1", "country", "continent"]
    precision: int
    population: int = 0


@dataclass(frozen=True)
class Attribution:
    kind: str = "unattributed"
    phrase: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence, its character span in the document, who says it."""

    sentence: str
    start: int
    end: int
    attribution: Attribution = field(default_factory=Attribution)
    hedged: bool = False
    negated: bool = False
    reliability: str = "F"  # Admiralty source reliability A-F (F: cannot be judged)
    credibility: int = 6  # Admiralty information credibility 1-6 (6: cannot be judged)


@dataclass
class Entity:
    """An entity as found in one document: canonical name, type, aliases and mentions."""

    canonical: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    geo: GeoRef | None = None
    forms: dict[int, str] = field(default_factory=dict)  # mention start -> MentionForm

    def form(self, start: int) -> MentionForm:
        """How the mention starting at ``start`` refers to the entity: by its ``name``, a
        ``demonym`` ("Malian officials"), or a place standing for its government
        (``metonym``: "Bamako said")."""
        return self.forms.get(start, "name")  # type: ignore[return-value]


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str
    object: str
    evidence: Evidence
    valid_from: TimeValue | None = None
    valid_to: TimeValue | None = None


@dataclass(frozen=True)
class Event:
    event_type: str
    sub_event_type: str
    evidence: Evidence
    actors: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    location: str | None = None
    date: TimeValue | None = None
    fatalities: int | None = None
    amount: str | None = None
    trigger: str | None = None
    plover: str | None = None
    actor_phrase: str | None = None  # an unnamed actor as written: "gunmen", "hundreds of youths"
    target_phrase: str | None = None  # an unnamed target: "two civilians", "an army convoy"
    inter1: int | None = None  # ACLED interaction code of the actor side (1-8)
    inter2: int | None = None  # ... and of the target side
    historical: bool = False  # recalled background, not news: ended months before the report


@dataclass(frozen=True)
class Interaction:
    """A PLOVER-coded act of any kind ("X threatened to attack Y", "Y rejected the talks"),
    beside the ACLED events: the main act of a sentence and those joined to it."""

    category: str
    evidence: Evidence
    mode: str | None = None
    trigger: str | None = None
    source: tuple[str, ...] = ()  # entity canonical names, or the phrase as written
    target: tuple[str, ...] = ()
    hypothetical: bool = False  # a threat, plan, vow or future act


@dataclass
class Extraction:
    """Everything read from one document. Pure output of ``conflictmap.extract``."""

    document_id: str
    text: str
    document_date: date | None
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)

    def entity(self, canonical: str) -> Entity | None:
        return next((e for e in self.entities if e.canonical == canonical), None)

    def to_dict(self) -> dict[str, Any]:
        """The published JSON shape (schema: conflictmap/schema/extraction.schema.json)."""
        return {
            "id": self.document_id,
            "document_date": self.document_date.isoformat() if self.document_date else None,
            "entities": [_entity_dicts(e) for e in self.entities],
            "mentions": [
                {
                    "text": t,
                    "start": s,
                    "end": end,
                    "type": e.type,
                    "canonical": e.canonical,
                    "form": e.form(s),
                }
                for e in self.entities
                for s, end, t in e.mentions
            ],
            "relations": [_relation_dict(r) for r in self.relations],
            "events": [_event_dict(ev) for ev in self.events],
            "interactions": [_interaction_dict(i) for i in self.interactions],
        }


def time_dict(value: TimeValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "text": value.text,
        "value": value.value,
        "start": value.start.isoformat(),
        "end": value.end.isoformat(),
        "precision": value.precision,
        "open_start": value.open_start,
        "open_end": value.open_end,
    }


def evidence_dict(ev: Evidence) -> dict[str, Any]:
    return {
        "sentence": ev.sentence,
        "start": ev.start,
        "end": ev.end,
        "attribution": {"kind": ev.attribution.kind, "phrase": ev.attribution.phrase},
        "hedged": ev.hedged,
        "negated": ev.negated,
        "grade": {
            "reliability": ev.reliability,
            "credibility": ev.credibility,
            "code": f"{ev.reliability}{ev.credibility}",
        },
    }


def _entity_dicts(e: Entity) -> dict[str, Any]:
    first = e.mentions[0] if e.mentions else (0, 0, e.canonical)
    return {
        "text": first[2],
        "start": first[0],
        "end": first[1],
        "type": e.type,
        "canonical": e.canonical,
        "aliases": sorted(set(e.aliases)),
        "mention_count": len(e.mentions),
        "geo": asdict(e.geo) if e.geo else None,
    }


def _relation_dict(r: Relation) -> dict[str, Any]:
    return {
        "subject": r.subject,
        "predicate": r.predicate,
        "object": r.object,
        "valid_from": time_dict(r.valid_from),
        "valid_to": time_dict(r.valid_to),
        "evidence": evidence_dict(r.evidence),
    }


def _interaction_dict(i: Interaction) -> dict[str, Any]:
    return {
        "category": i.category,
        "mode": i.mode,
        "trigger": i.trigger,
        "source": list(i.source),
        "target": list(i.target),
        "hypothetical": i.hypothetical,
        "evidence": evidence_dict(i.evidence),
    }


def _event_dict(ev: Event) -> dict[str, Any]:
    return {
        "event_type": ev.event_type,
        "sub_event_type": ev.sub_event_type,
        "actors": list(ev.actors),
        "targets": list(ev.targets),
        "location": ev.location,
        "date": ev.date.value if ev.date else None,
        "date_precision": ev.date.precision if ev.date else None,
        "time": time_dict(ev.date),
        "fatalities": ev.fatalities,
        "amount": ev.amount,
        "trigger": ev.trigger,
        "plover": ev.plover,
        "actor_phrase": ev.actor_phrase,
        "target_phrase": ev.target_phrase,
        "inter1": ev.inter1,
        "inter2": ev.inter2,
        "historical": ev.historical,
        "evidence": evidence_dict(ev.evidence),
    }
