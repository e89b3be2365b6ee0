"""Relation stage: typed relations between entities, with validity intervals.

Evidence read off the dependency parse and the entity table:

- role nouns: "Ansar Dine leader X", "X, the deputy leader of Y", "its spokesman, Z",
  "X, al-Qaeda's affiliate", "Y's armed wing, X", "X, a Y splinter group";
- verbs, active or passive: "Y has occupied Gao since late March", "Gao is held by Y",
  "Y, led by X", "Y, which is led by X", "Y retook Gao from Z", "Gao fell to Y";
- nominal forms: "under Y control", "in the hands of Y", "Y-held Gao", "Z-backed Y",
  "Z launched an offensive against Y", "with support from Z";
- linking phrases: "X, a splinter group from Y", "X acts under the aegis of Y";
- location: "X is based in T", "Gao, a town in northern Mali", "Aden's Khor Maksar district".

Pronouns and definite descriptions ("its", "the group", "the port town") stand for the most
salient earlier entity of the right type (see ``_antecedent``). A date bounds a relation
only when it belongs to the relation's own trigger (``syntax.interval_link``): "HTS, led by
X, seized Idlib on Sunday" dates the seizure, not the leadership.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from conflictmap.extract import lexicon
from conflictmap.extract.attribution import evidence_for
from conflictmap.extract.entities import EntityTable, dateline_chars
from conflictmap.extract.syntax import (
    appositive_owner,
    clause_of,
    clause_subjects,
    governing_verb,
    in_side_clause,
    interval_link,
    tokens,
)
from conflictmap.extract.timex import parse_timex
from conflictmap.model import Attribution, Relation, TimeValue

ACTORS = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE")
GROUPS = ("ORGANIZATION", "ARMED_GROUP", "STATE_FORCE")
PERSONS = ("PERSON",)
PLACES = ("LOCATION",)
MEMBER_NOUNS = frozenset(
    {
        "fighter",
        "gunman",
        "gunmen",
        "militant",
        "member",
        "rebel",
        "jihadist",
        "insurgent",
        "soldier",
        "troop",
        "element",
        "unit",
        "militiaman",
        "bomber",
        "commando",
    }
)
PLACE_NOUNS = frozenset({"town", "city", "village", "region", "area", "capital", "district"})
LOCATIVE_VERBS = frozenset({"live", "base", "hide", "stay", "reside", "station", "headquarter"})
SKIPPABLE_BEFORE_ROLE = frozenset(
    {
        "'s",
        "’s",
        "former",
        "top",
        "senior",
        "late",
        "military",
        "political",
        "spiritual",
        "main",
        "new",
        "then",
        "de",
        "facto",
        "overall",
        "local",
        "regional",
        "notorious",
    }
)

SEIZURE_VERBS = frozenset(
    {"seize", "capture", "take", "overrun", "occupy", "enter", "recapture", "retake"}
)
OBJECT_TYPES = {
    "leader_of": GROUPS,
    "deputy_of": ("PERSON",) + GROUPS,
    "member_of": GROUPS,
    "family_of": ("PERSON",),
    "splinter_of": GROUPS,
    "affiliated_with": GROUPS,
    "supports": ACTORS,
    "fights": ACTORS,
    "controls": ("LOCATION",),
    "located_in": ("LOCATION",),
}
SUBJECT_TYPES = {
    "leader_of": ("PERSON",),
    "deputy_of": ("PERSON",),
    "member_of": ACTORS,  # a person in a group, or a group in a coalition
    "family_of": ("PERSON",),
    "splinter_of": GROUPS,
    "affiliated_with": GROUPS,
    "supports": ACTORS,
    "fights": ACTORS,
    "controls": ACTORS,
    "located_in": ACTORS,
}
COUNTRY_SUBJECT_PREDICATES = frozenset({"supports", "fights"})  # "Iran-backed X", "Turkey ..."
GEO_RANK = {"city": 0, "admin1": 1, "country": 2, "continent": 3}

# --- word lists -------------------------------------------------------------------------

# Role nouns besides lexicon.ROLE_NOUNS, by predicate.
MORE_ROLE_NOUNS = {
    **dict.fromkeys(
        ("official", "figure", "negotiator", "operative", "ideologue", "cadre", "envoy"),
        "member_of",
    ),
    **dict.fromkeys(("component", "part"), "member_of"),
    **dict.fromkeys(
        ("wing", "branch", "affiliate", "franchise", "arm", "unit", "subsidiary"),
        "affiliated_with",
    ),
    **dict.fromkeys(
        ("splinter", "offshoot", "breakaway", "dissident", "dissidents"), "splinter_of"
    ),
    **dict.fromkeys(("ally", "allies", "backer", "backers", "sponsor"), "supports"),
    **dict.fromkeys(
        ("widow", "niece", "grandson", "granddaughter", "stepson", "stepbrother", "in-law"),
        "family_of",
    ),
}
SPLINTER_WORDS = frozenset({"dissident", "splinter", "breakaway"})
COPULAR_ROLES = frozenset({"component", "part"})  # only in "X is (a) part of Y"
COLLECTIVES = frozenset({"group", "coalition", "network", "alliance", "band"})
FORMATION_VERBS = frozenset({"emerge", "form", "found", "split", "break", "create", "establish"})
RANK_ROLES = frozenset({"commander", "commanders"})  # many per group: "a commander" is a member
DEPUTY_WORDS = frozenset({"deputy", "vice", "assistant", "lieutenant"})
UNREAL_ROLE_WORDS = frozenset(
    {"future", "potential", "possible", "prospective", "would", "aspiring", "presumptive"}
)
DEFINITE_ROLE_WORDS = frozenset({"top", "chief", "supreme", "overall", "commanding"})
ROLE_PREPOSITIONS = {"member_of": ("of", "in", "within", "for"), "leader_of": ("of", "for")}

GROUP_ANAPHORS = frozenset(
    {
        "rebellion",
        "group",
        "movement",
        "organisation",
        "organization",
        "militia",
        "militias",
        "alliance",
        "coalition",
        "faction",
        "council",
        "junta",
        "network",
        "front",
        "rebels",
        "militants",
        "jihadists",
        "insurgents",
        "islamists",
        "separatists",
        "fighters",
    }
)
PLACE_ANAPHORS = frozenset(
    {"town", "city", "village", "capital", "port", "enclave", "stronghold", "hub", "district"}
)
PRONOUN_TYPES = {
    **dict.fromkeys(("he", "him", "his", "she", "her", "himself"), PERSONS),
    **dict.fromkeys(("it", "its", "itself", "they", "them", "their"), GROUPS + PLACES),
}
RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom"})

# Nouns that name what a neighbouring name is: "Idlib city", "ISWAP fighters", "ADF camps".
PLACE_HEADS = PLACE_NOUNS | {
    "province",
    "state",
    "territory",
    "port",
    "enclave",
    "valley",
    "forest",
    "mountains",
    "island",
    "islands",
    "county",
    "governorate",
    "prefecture",
    "village",
    "villages",
    "towns",
    "cities",
    "hub",
    "stronghold",
    "centre",
    "center",
}
GROUP_HEADS = MEMBER_NOUNS | {
    "force",
    "forces",
    "faction",
    "militia",
    "militias",
    "group",
    "movement",
    "camp",
    "camps",
    "base",
    "bases",
    "position",
    "positions",
    "gang",
    "gangs",
    "brigade",
    "cell",
    "cells",
    "jihadists",
    "militants",
    "rebels",
    "fighters",
    "islamists",
    "separatists",
    "coalition",
    "alliance",
    "network",
}
PARTITIVE_NOUNS = frozenset(
    {"part", "parts", "much", "most", "swathe", "swath", "swathes", "rest", "half", "centre"}
)
OF_HEADS = lexicon.CONTROL_NOUN_TRIGGERS | {"recapture", "liberation"}
LOYAL_WORDS = frozenset({"loyal", "aligned", "allied", "affiliated", "close"})
BASE_NOUNS = frozenset(
    {"camp", "camps", "base", "bases", "stronghold", "hideout", "hideouts", "headquarters"}
)

LEMMA_FIXES = {"retook": "retake", "retaken": "retake", "overran": "overrun", "oversaw": "oversee"}
MORE_VERBS = {
    "oversee": "leader_of",
    "liberate": "controls",
    "repel": "fights",
    "repulse": "fights",
    "raid": "fights",
    "bomb": "fights",
    "shell": "fights",
    "engage": "fights",
    "defeat": "fights",
    "sponsor": "supports",
    "train": "supports",
    "equip": "supports",
}
START_VERBS = SEIZURE_VERBS | {
    "liberate",
    "join",
    "found",
    "form",
    "launch",
    "begin",
    "start",
    "pledge",
    "swear",
    "split",
    "break",
    "splinter",
    "emerge",
    "appoint",
    "name",
    "elect",
    "declare",
}
EXPULSION_VERBS = frozenset({"drive", "push", "expel", "oust", "chase", "force", "dislodge"})
WITHDRAWAL_VERBS = frozenset({"withdraw", "pull", "retreat"})
ENDING_VERBS = frozenset({"cut", "sever", "end", "renounce", "abandon", "drop"})
RECIPROCALS = ("each other", "one another")
CHANGE_VERBS = SEIZURE_VERBS | EXPULSION_VERBS | WITHDRAWAL_VERBS | {"liberate", "fall", "lose"}

CONTROL_STATE_NOUNS = frozenset({"control", "hands", "hand", "rule", "grip", "occupation"})
TAKEOVER_NOUNS = frozenset({"recapture", "capture", "seizure", "takeover", "liberation"})
ATTACK_NOUNS = frozenset(
    {
        "offensive",
        "attack",
        "attacks",
        "assault",
        "campaign",
        "war",
        "strike",
        "strikes",
        "airstrike",
        "airstrikes",
        "raid",
        "raids",
        "operation",
        "operations",
        "clash",
        "clashes",
        "fighting",
        "fight",
        "battle",
        "ambush",
        "bombardment",
        "insurgency",
    }
)
LASTING_ATTACKS = frozenset({"offensive", "campaign", "war", "insurgency", "operation"})
UNREAL_ATTACK_WORDS = frozenset(
    {"planned", "proposed", "possible", "threatened", "expected", "looming", "imminent"}
)
REPEL_VERBS = frozenset({"repel", "repulse", "resist", "withstand", "face", "foil", "thwart"})
HYPHEN_PREDICATES = {
    **dict.fromkeys(("backed", "supported", "funded", "armed", "trained", "sponsored"), "supports"),
    **dict.fromkeys(("held", "controlled", "occupied", "run", "ruled"), "controls"),
}
LOCATIVE_ADJECTIVES = frozenset({"active", "present", "based", "headquartered", "stationed"})
MORE_LOCATIVE_VERBS = frozenset({"operate", "shelter", "lie", "sit", "entrench", "deploy"})
LOCATIVE_PREPOSITIONS = ("in", "at", "on", "inside", "within", "around")
UNREAL_MODALS = frozenset({"may", "might", "could"})
NOT_PLACES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "EVENT"})
MONTH_NAMES = frozenset(m.lower() for m in calendar.month_name if m)
PATIENT_PREPOSITIONS = ("with", "against", "of", "over", "from", "alongside")

# Phrases besides lexicon.AFFILIATION_PHRASES; ``reversed``: the actor after the phrase is the
# subject ("with support from Z": Z supports the clause's subject).
MORE_PHRASES = {
    "affiliated_with": (
        "ties to",
        "ties with",
        "links to",
        "links with",
        "allegiance to",
        "loyalty to",
    ),
}
REVERSED_PHRASES = {
    "supports": (
        "with support from",
        "with the support of",
        "with the backing of",
        "with backing from",
        "with help from",
        "with the help of",
    ),
}
ALLEGIANCE_WORDS = ("allegiance", "loyalty")
SUPERSEDED_PHRASES = frozenset({"ally of"})  # "X, an ally of Y": the role noun "ally" (supports)

# How the dates of a trigger bound what it states.
ROLE = "role"  # only since/until ("the leader since 2015"): a point date is someone else's
STATE = "state"  # "held Gao since April"; a point date is when it held
START = "start"  # "seized Gao on Sunday": from that day on
END = "end"  # "retook Gao from X on Sunday": X held it until then (no date, no relation)
EVENT = "event"  # "clashed on Sunday": that day
UNDATED = "undated"  # family ties


@dataclass
class _Table(EntityTable):
    """The entity table plus the demonym mentions of countries by token ("Russian-backed")."""

    demonyms: dict[int, str] = field(default_factory=dict)


def _with_demonyms(table: EntityTable) -> _Table:
    doc = table.doc
    demonyms: dict[int, str] = {}
    for name, entity in table.entities.items():
        for start, end, _ in entity.mentions:
            span = doc.char_span(start, end, alignment_mode="expand")
            if entity.forms.get(start) == "demonym" and span is not None:
                demonyms.update((t.i, name) for t in span)
    shared = {f.name: getattr(table, f.name) for f in fields(EntityTable)}
    return _Table(**shared, demonyms=demonyms)


def _named(table: EntityTable, i: int) -> str | None:
    """The entity a token names, counting demonyms of countries ("Russian")."""
    return table.token_entity.get(i) or getattr(table, "demonyms", {}).get(i)


@dataclass(frozen=True)
class Found:
    """One relation read in a sentence, with the token whose dates bound it."""

    subject: str
    predicate: str
    object: str
    trigger: Token
    timing: str = STATE
    owners: tuple[int, ...] = ()  # tokens whose dates count (default: the trigger)
    negated: bool | None = None  # None: read off the trigger


def find_relations(
    table: EntityTable,
    attributions: dict[int, Attribution],
    anchor: date | None,
) -> list[Relation]:
    """All relations of a document; ``attributions`` maps sentence start token -> attribution."""
    found: dict[tuple, Relation] = {}
    takeovers: list[Relation] = []
    table = _with_demonyms(table)
    for sent in table.doc.sents:
        attribution = attributions.get(sent.start, Attribution())
        times = _sentence_dates(sent)
        for item in _sentence_relations(sent, table):
            if item.subject == item.object or not _types_fit(table, item):
                continue
            bounds = _bounds(item, times, anchor)
            if bounds is None:
                continue
            relation = _relation(item, bounds, sent, attribution)
            key = (item.subject, item.predicate, item.object, sent.start)
            if key not in found or _bound_count(relation) > _bound_count(found[key]):
                found[key] = relation
            if item.timing == START and item.predicate == "controls" and bounds[0] is not None:
                takeovers.append(relation)
    return _close_superseded(found, takeovers)


def _relation(
    item: Found,
    bounds: tuple[TimeValue | None, TimeValue | None],
    sent: Span,
    attribution: Attribution,
) -> Relation:
    evidence = evidence_for(sent, attribution, item.trigger)
    negated = item.negated if item.negated is not None else _negated(item.trigger)
    return Relation(
        subject=item.subject,
        predicate=item.predicate,
        object=item.object,
        evidence=replace(evidence, negated=negated),
        valid_from=bounds[0],
        valid_to=bounds[1],
    )


def _negated(trigger: Token) -> bool:
    """A negation on the trigger or on the verb it hangs on ("does not support", "has no
    links with"), or a denial verb above it ("denied that X controls Y"), but not a denial
    by someone the trigger describes ("X, who led Y, rejected the plan")."""
    if any(c.lower_ == "no" and c.dep_ in ("det", "neg") for c in trigger.children):
        return True
    node = trigger
    for _ in range(4):
        if any(c.dep_ == "neg" for c in node.children):
            return True
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            break
        node = node.head
    node = trigger
    for _ in range(4):
        if node.head.i == node.i or node.dep_ in ("nsubj", "nsubjpass"):
            return False
        node = node.head
        if node.lemma_ in lexicon.DENIAL_VERBS:
            return True
    return False


def _bound_count(relation: Relation) -> int:
    return (relation.valid_from is not None) + (relation.valid_to is not None)


def _types_fit(table: EntityTable, item: Found) -> bool:
    subject_type, object_type = table.type_of(item.subject), table.type_of(item.object)
    if object_type not in OBJECT_TYPES[item.predicate]:
        return False
    if subject_type == "LOCATION" and item.predicate == "located_in":
        return _inside(table, item.subject, item.object)
    if subject_type == "LOCATION" and item.predicate in COUNTRY_SUBJECT_PREDICATES:
        geo = table.entities[item.subject].geo  # "Iran-backed X", "Turkey attacked X"
        return geo is not None and geo.feature == "country"
    return subject_type in SUBJECT_TYPES[item.predicate]


def _inside(table: EntityTable, inner: str, outer: str) -> bool:
    """A place can be in a larger place of the same country, or in a place not resolved."""
    a, b = table.entities[inner].geo, table.entities[outer].geo
    if a is None or b is None:
        return a is None or GEO_RANK[a.feature] < GEO_RANK["country"]
    return GEO_RANK[a.feature] < GEO_RANK[b.feature] and a.country_code == b.country_code


def _sentence_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    finders: tuple[Callable[[Span, EntityTable], Iterable[Found]], ...] = (
        _role_relations,
        _verb_relations,
        _nominal_relations,
        _phrase_relations,
        _locative_relations,
        _place_relations,
    )
    for finder in finders:
        yield from finder(sent, table)


# --- who or what a noun phrase names ------------------------------------------------------


_RESOLVING: ContextVar[frozenset[int]] = ContextVar("conflictmap_resolving", default=frozenset())


def _referents(token: Token, table: EntityTable, types: tuple[str, ...] | None = None) -> list:
    """Entities a noun phrase names, with its conjuncts and appositions ("A, B and C").

    A phrase met again while it is being resolved ("fighters from the group holding X": the
    group's antecedent search reaches the fighters, whose "of/from" name is the group) names
    nothing the second time, so resolution always ends."""
    resolving = _RESOLVING.get()
    if token.i in resolving:
        return []
    reset = _RESOLVING.set(resolving | {token.i})
    try:
        return _referents_of(token, table, types)
    finally:
        _RESOLVING.reset(reset)


def _referents_of(token: Token, table: EntityTable, types: tuple[str, ...] | None) -> list:
    heads = [token]
    for head in heads:  # grows while iterating: a closure over conj/appos links
        heads += [
            c
            for c in head.children
            if c.dep_ in ("conj", "appos") and c not in heads and _role_word(c) is None
        ]
    names: list[str] = []
    for head in heads:
        names += [n for n in _refer(head, table, types) if n not in names]
    return names


def _refer(token: Token, table: EntityTable, types: tuple[str, ...] | None) -> list[str]:
    """The entities one noun names: its own name, the name a relative pronoun, pronoun or
    definite description stands for, the name it describes, or a name inside it."""
    name = table.token_entity.get(token.i)
    if name:
        return [name]
    if token.lower_ in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
        return _referents(token.head.head, table, types)
    if token.dep_ == "appos" and token.pos_ == "NOUN" and _role_word(token) is None:
        named = table.token_entity.get(token.head.i)
        if named:
            return [named]  # "Asaib Ahl al-Haq, an Iran-backed militia led by X"
    antecedent = _antecedent(token, table, types)
    if antecedent:
        return [antecedent]
    return _inner_names(token, table)


def _inner_names(token: Token, table: EntityTable) -> list[str]:
    """ "the town of Gao", "fighters of X", "fighters loyal to X", "Idlib city", "ISWAP
    fighters", "much of Y", "the town's centre"."""
    lemma = token.lemma_.lower()
    words = {lemma, token.lower_}
    named = _place_name(token, table) if words & PLACE_HEADS else []
    if named:
        return named  # "Idlib city", "the Cal Miskaad mountains of Puntland"
    if words & (PLACE_HEADS | GROUP_HEADS | PARTITIVE_NOUNS | OF_HEADS):
        inner = _of_names(token, table)
        if inner:
            return inner
    if words & GROUP_HEADS:
        loyal = _loyal_to(token, table)
        if loyal:
            return loyal
        return _modifier_names(token, table, ("compound", "nmod", "amod"), PLACES)
    return _possessed_place(token, table)


def _place_name(token: Token, table: EntityTable) -> list[str]:
    """The name a place noun carries as a modifier ("Borno state"), not a country's
    ("the Nigerian town" does not name Nigeria)."""
    names = _modifier_names(token, table, ("compound",), ())
    return [n for n in names if not _is_country(table, n)]


def _is_country(table: EntityTable, name: str) -> bool:
    geo = table.entities[name].geo
    return geo is not None and geo.feature in ("country", "continent")


def _of_names(token: Token, table: EntityTable) -> list[str]:
    preps = ("of", "from", "including", "over")
    return [
        n
        for prep in token.children
        if prep.dep_ == "prep" and prep.lower_ in preps
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table)
    ]


def _loyal_to(token: Token, table: EntityTable) -> list[str]:
    """ "fighters loyal to X", "forces aligned with X": X."""
    return [
        n
        for mod in token.children
        if mod.lower_ in LOYAL_WORDS
        for prep in mod.children
        if prep.dep_ == "prep" and prep.lower_ in ("to", "with")
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table)
    ]


def _modifier_names(
    token: Token, table: EntityTable, deps: tuple[str, ...], not_types: tuple[str, ...]
) -> list[str]:
    names = [_named(table, c.i) for c in token.children if c.dep_ in deps and c.i < token.i]
    return [n for n in names if n and table.type_of(n) not in not_types][-1:]


def _possessed_place(token: Token, table: EntityTable) -> list[str]:
    """ "the town's centre", "the town centre": the town."""
    if token.lemma_ not in PARTITIVE_NOUNS | PLACE_HEADS:
        return []
    names = [n for c in token.children if c.dep_ == "poss" for n in _refer(c, table, PLACES)]
    if names or not _definite(token):
        return names
    towns = [c for c in token.children if c.dep_ == "compound" and c.lemma_ in PLACE_ANAPHORS]
    if not towns:
        return []
    return [n for tier in _candidate_tiers(token, table) for n in tier if n in _places(table)][:1]


def _places(table: EntityTable) -> set[str]:
    return {n for n, e in table.entities.items() if e.type == "LOCATION"}


# --- pronouns and definite descriptions --------------------------------------------------


def _antecedent(
    token: Token,
    table: EntityTable,
    types: tuple[str, ...] | None,
    avoid: frozenset[str] = frozenset(),
) -> str | None:
    """What a pronoun or definite description ("the group", "the port town") stands for.

    A pronoun prefers a subject: of its sentence, then of the two sentences before; then a
    name outside side clauses (nearest first), then any name. A description ("the city")
    prefers the nearest name of its own sentence, then the subjects. Neither stands for the
    name it is in apposition to ("Amniyat, the group's wing").
    """
    wanted = _anaphor_types(token, types)
    if not wanted:
        return None
    skip = _bound_names(token, table) | avoid
    tiers = [[n for n in tier if n not in skip] for tier in _candidate_tiers(token, table)]
    if token.pos_ == "PRON" and _topic_mismatch(tiers, wanted, table):
        return None
    if token.pos_ == "PRON" and "LOCATION" in wanted and _unknown_place_before(token, table):
        return None
    if token.pos_ != "PRON":
        tiers = [tiers[2], tiers[0], tiers[1], tiers[3], tiers[4]]
    for tier in tiers:
        for name in tier:
            if table.type_of(name) in wanted:
                return name
    fallback = table.anaphora.get(token.i)
    if fallback and fallback not in skip and table.type_of(fallback) in wanted:
        return fallback
    return None


def _unknown_place_before(token: Token, table: EntityTable) -> bool:
    """ "surrounded Sake, a town west of Goma, but did not enter it": when the nearest place
    name before "it" is one the entity stage did not keep, "it" is not the next place back."""
    for t in reversed(token.doc[token.sent.start : token.i]):
        if in_side_clause(t) or t.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj"):
            continue
        name = table.token_entity.get(t.i)
        if name is not None and table.type_of(name) == "LOCATION":
            return False
        if name is None and t.pos_ == "PROPN" and t.ent_type_ not in NOT_PLACES:
            return True
    return False


def _bound_names(token: Token, table: EntityTable) -> set[str]:
    """Names an anaphor cannot stand for: the name its apposition describes ("Amniyat, the
    group's wing"), and for an object the subject of its own clause ("the troops, who fought
    the group")."""
    names: set[str] = set()
    owner = appositive_owner(token)
    if owner is not None:
        names.update(_plain_names(owner, table, any_dep=True))
    verb = governing_verb(token, 3) if token.dep_ in ("dobj", "pobj", "attr") else None
    for subject in clause_subjects(verb) if verb is not None else []:
        if subject.lower_ in RELATIVE_PRONOUNS and subject.head.dep_ == "relcl":
            subject = subject.head.head
        names.update(_plain_names(subject, table, any_dep=True))
    return names


def _topic_mismatch(tiers: list[list[str]], wanted: tuple[str, ...], table: EntityTable) -> bool:
    """A pronoun opening its sentence refers to the topic (the subject) of the sentence
    before; when that subject is an actor of another type, the reading is unsure ("Al-Shabaab,
    al-Qaeda's affiliate, holds X. Its spokesman": not al-Qaeda's)."""
    current, earlier = tiers[0], tiers[1]
    if current or not earlier:
        return False
    types = [table.type_of(n) for n in earlier]
    return types[0] in ACTORS and not any(t in wanted for t in types)


def _anaphor_types(token: Token, types: tuple[str, ...] | None) -> tuple[str, ...]:
    word = token.lower_
    if word in PRONOUN_TYPES and token.pos_ == "PRON":
        base = PRONOUN_TYPES[word]
        if types is None or word in ("its", "their"):
            base = tuple(t for t in base if t != "LOCATION")
    elif _definite(token) and not _names_follow(token):
        lemma = token.lemma_.lower()
        if word in GROUP_ANAPHORS or lemma in GROUP_ANAPHORS:
            base = GROUPS
        elif word in PLACE_ANAPHORS or lemma in PLACE_ANAPHORS:
            base = PLACES
        else:
            return ()
    else:
        return ()
    return tuple(t for t in base if types is None or t in types)


def _definite(token: Token) -> bool:
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these"))
        or (c.dep_ == "poss" and c.pos_ == "PRON")
        for c in token.children
    )


def _names_follow(token: Token) -> bool:
    """ "the group Ansar Dine", "the town of Gao": the noun introduces a name."""
    if any(
        c.dep_ in ("appos", "compound") and c.i > token.i and c.ent_type_ in NAME_LABELS
        for c in token.children
    ):
        return True
    if any(c.dep_ in ("compound", "nmod") and c.ent_type_ in NAMED for c in token.children):
        return True  # "the G9 coalition", but not "the Tuareg rebels"
    doc = token.doc
    i = token.i + 1
    if i < len(doc) and doc[i].text in (",", "of"):
        i += 1
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    return i < len(doc) and doc[i].ent_type_ in NAME_LABELS


NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
NAMED = NAME_LABELS - {"NORP"}


def _candidate_tiers(token: Token, table: EntityTable) -> list[list[str]]:
    """Names before an anaphor, in tiers: subjects of its sentence, subjects of the two
    sentences before, names outside side clauses (nearest first), any name."""
    doc = token.doc
    sentences = [s for s in doc.sents if s.end <= token.i or s.start <= token.i < s.end][-3:]
    dateline = _dateline_tokens(doc)  # the town a story was filed from is no antecedent
    current = [t for t in sentences[-1] if t.i < token.i and t.i not in dateline]
    earlier = [t for s in reversed(sentences[:-1]) for t in s if t.i not in dateline]
    nearest = [t for s in reversed(sentences[:-1]) for t in reversed(s) if t.i not in dateline]
    own = clause_of(token).i
    subjects = (
        [t for t in current if _main_subject(t)],
        [t for t in earlier if _main_subject(t)],
    )
    others = (
        [t for t in reversed(current) if not in_side_clause(t) or clause_of(t).i == own],
        [t for t in nearest if not in_side_clause(t)],
        list(reversed(current)) + nearest,
    )
    named = [[n for t in tier for n in _subject_names(t, table)] for tier in subjects]
    named += [[n for t in tier for n in _plain_names(t, table)] for tier in others]
    return [list(dict.fromkeys(tier)) for tier in named]


def _dateline_tokens(doc: Doc) -> range:
    chars = dateline_chars(doc)
    span = chars and doc.char_span(chars.start, chars.stop, alignment_mode="expand")
    return range(span.start, span.end) if span else range(0)


def _subject_names(token: Token, table: EntityTable) -> list[str]:
    """A subject's name, then the names in its modifiers ("Boko Haram leader X": X, then
    Boko Haram)."""
    names = _plain_names(token, table)
    stack = [c for c in token.children if c.dep_ in ("compound", "poss", "nmod")]
    while stack:
        node = stack.pop(0)
        names += [n for n in [table.token_entity.get(node.i)] if n and n not in names]
        stack += [c for c in node.children if c.dep_ in ("compound", "poss", "nmod")]
    return names


def _main_subject(token: Token) -> bool:
    return token.dep_ in ("nsubj", "nsubjpass") and not in_side_clause(token)


def _plain_names(token: Token, table: EntityTable, any_dep: bool = False) -> list[str]:
    """Names at a token without resolving anaphora again ("Rebels of X": X)."""
    name = table.token_entity.get(token.i) or table.anaphora.get(token.i)
    if name:
        return [name]
    subject = any_dep or token.dep_ in ("nsubj", "nsubjpass")
    if subject and token.lemma_.lower() in GROUP_HEADS:
        return _of_names(token, table) or _modifier_names(token, table, ("compound",), PLACES)
    return []


# --- role nouns -------------------------------------------------------------------------


def _role_word(token: Token) -> str | None:
    """The predicate a role noun stands for ("leader", "deputy", "wing", "son", "ally")."""
    word = token.lower_
    if word == "second" and _second_in_command(token):
        return "deputy_of"
    named = token.dep_ in ("amod", "compound") and token.head.pos_ == "PROPN"  # "its chief X"
    if token.pos_ not in ("NOUN", "PROPN") and word not in SPLINTER_WORDS and not named:
        return None
    if word == "general" and any(c.lower_ == "secretary" for c in token.children):
        return "leader_of"
    found = lexicon.ROLE_NOUNS.get(word) or MORE_ROLE_NOUNS.get(word)
    by_lemma = lexicon.ROLE_NOUNS.get(token.lemma_.lower())
    return found or (by_lemma if by_lemma == "family_of" else None)  # "brothers"


def _second_in_command(token: Token) -> bool:
    doc = token.doc
    text = doc[token.i : min(len(doc), token.i + 5)].text.replace(" ", "").lower()
    return text.startswith("second-in-command")


def _role_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    for token in tokens(sent):
        predicate = _role_predicate(token)
        if predicate is None:
            continue
        owners = _role_owners(token, table, predicate)
        holders = _role_holders(token, table, predicate, owners)
        if set(owners) & set(holders):  # "Amniyat, the group's wing": not Amniyat's own
            owners = _role_owners(token, table, predicate, frozenset(holders))
        if predicate == "family_of" and not owners and token.tag_ == "NNS":
            yield from _siblings(token, table)  # "two brothers, A and B"
        timing, dating = _role_timing(token, predicate)
        for holder in holders:
            for owner in owners:
                yield Found(holder, predicate, owner, token, timing, dating)
    yield from _possessed_groups(sent, table)


def _siblings(token: Token, table: EntityTable) -> Iterable[Found]:
    names = [n for c in token.children if c.dep_ == "appos" for n in _referents(c, table)]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            yield Found(a, "family_of", b, token, UNDATED)


def _possessed_groups(sent: Span, table: EntityTable) -> Iterable[Found]:
    """ "X's Nduma Defence of Congo": a person's group is the group the person leads."""
    for token in tokens(sent):
        group = table.token_entity.get(token.i)
        if group is None or table.type_of(group) not in GROUPS or not _is_head(token, table):
            continue
        for child in token.children:
            person = table.token_entity.get(child.i)
            if child.dep_ == "poss" and person and table.type_of(person) == "PERSON":
                yield Found(person, "leader_of", group, child, ROLE)


def _role_predicate(token: Token) -> str | None:
    base = _role_word(token)
    if base is None:
        return None
    head = token.head
    if token.dep_ in ("compound", "amod") and head.i > token.i and _role_word(head):
        return None  # "deputy leader": the head noun speaks for both
    words = _modifier_words(token)
    if words & UNREAL_ROLE_WORDS:
        return None  # "a future leader of X"
    if base == "leader_of" and words & DEPUTY_WORDS:
        return "deputy_of"
    if token.lower_ in RANK_ROLES and (token.tag_ == "NNS" or not _owned_role(token, words)):
        return "member_of"  # "a commander of X", "X commander Y": one of its commanders
    return base


def _modifier_words(token: Token) -> set[str]:
    doc = token.doc
    words = {t.lower_ for t in doc[token.left_edge.i : token.i]}
    return words | {c.lower_ for c in token.children if c.dep_ in ("amod", "compound")}


def _owned_role(token: Token, words: set[str]) -> bool:
    """ "the commander of X", "X's top commander": the one who commands it."""
    return bool(words & DEFINITE_ROLE_WORDS) or any(
        (c.dep_ == "det" and c.lower_ == "the") or c.dep_ == "poss" for c in token.children
    )


def _role_timing(token: Token, predicate: str) -> tuple[str, tuple[int, ...]]:
    """A role noun's own since/until, and those of the verb it is the complement of ("had
    been the group's leader since 2015"); a group described as formed at some time starts
    then ("a splinter group that emerged in January")."""
    if predicate == "family_of":
        return UNDATED, ()
    noun = token.head if token.dep_ in ("compound", "amod") else token
    formed = [
        c
        for c in noun.children
        if c.dep_ in ("relcl", "acl") and _lemma(c) in FORMATION_VERBS and not unreal(c)
    ]
    if formed:
        return START, (formed[0].i,)
    if token.dep_ in ("attr", "oprd", "acomp"):
        return ROLE, (token.i, token.head.i)
    return ROLE, (token.i,)


def _role_holders(token: Token, table: EntityTable, predicate: str, owners: list) -> list:
    """Who holds the role: "Ansar Dine leader X", "the leader, X", "X, the leader of Y",
    "X is the leader of Y", "Y's leader is X", "X, regarded as the deputy of Y"."""
    if token.lower_ in COPULAR_ROLES:
        return _copular_holders(token, table)
    if predicate == "supports":  # "their Russian allies", "its Iranian backers"
        named = _modifier_names(token, table, ("amod", "compound", "nmod"), ())
        if named:
            return named
    if predicate == "splinter_of" and _compound_owner(token, table):
        inverted = _of_names(token, table)
        if inverted:
            return inverted  # "FARC dissidents of the Estado Mayor Central"
    if token.dep_ in ("compound", "amod", "nmod") and token.head.i > token.i:
        return _referents_one(token.head, table)
    appositions = [c for c in token.children if c.dep_ == "appos"]
    names = [n for a in appositions for n in _referents_one(a, table)]
    if names:
        return names
    following = _name_after(token, table)
    if following and following not in owners:
        return [following]
    return _holders_by_position(token, table, predicate) or _name_before(token, table)


def _name_before(token: Token, table: EntityTable, appos: bool = False) -> list[str]:
    """ "X, the group's wing" misparsed (the phrase hangs elsewhere): the name right before
    the comma opening the phrase."""
    start = token.left_edge.i
    deps = ("npadvmod", "dep", "conj") + (("appos",) if appos else ())
    if token.dep_ not in deps or start < 2:
        return []
    comma, name = token.doc[start - 1], table.token_entity.get(start - 2)
    return [name] if comma.text == "," and name else []


def _holders_by_position(token: Token, table: EntityTable, predicate: str) -> list[str]:
    node = token
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in ("one",):
        node = node.head.head  # "X, one of the leaders of Y"
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lemma_ in COLLECTIVES:
        return _referents_one(node.head.head, table)  # "X, a group of FARC dissidents"
    if node.dep_ == "appos":
        return _referents_one(node.head, table)
    if node.dep_ == "pobj" and node.head.lower_ == "as" and node.head.head.pos_ == "VERB":
        verb = node.head.head
        if verb.dep_ in ("acl", "relcl"):
            return _referents_one(verb.head, table)  # "X, regarded as the deputy of Y"
        return [n for s in clause_subjects(verb) for n in _referents(s, table, _holder(predicate))]
    return _copular_holders(node, table, predicate)


def _copular_holders(token: Token, table: EntityTable, predicate: str = "member_of") -> list:
    """ "X is (a) part of Y, together with Z", "X was named the leader of Y", "its emir is
    X"."""
    verb = token.head
    if token.dep_ in ("attr", "oprd", "acomp"):
        types = _holder(predicate)
        holders = [n for s in clause_subjects(verb) for n in _referents(s, table, types)]
        return holders + _co_agents(verb, table)
    if token.dep_ == "nsubj" and verb.lemma_ == "be":
        return [n for c in verb.children if c.dep_ == "attr" for n in _referents(c, table)]
    return []


def _holder(predicate: str) -> tuple[str, ...]:
    return PERSONS if predicate in ("leader_of", "deputy_of", "family_of") else ACTORS


def _referents_one(token: Token, table: EntityTable) -> list[str]:
    """The names of one noun, without its conjuncts ("X, the leader of Y, and his deputy Z":
    Z is not the leader)."""
    return _refer(token, table, None)


def _name_after(token: Token, table: EntityTable) -> str | None:
    """ "its leader, Musa Baluku", "its armed wing, the Karen National Liberation Army"."""
    doc = token.doc
    i = token.i + 1
    if i < len(doc) and doc[i].text == ",":
        i += 1
    if i < len(doc) and doc[i].lower_ == "the" and doc[i - 1].text == ",":
        i += 1
    return table.token_entity.get(i) if i < len(doc) else None


def _compound_owner(token: Token, table: EntityTable) -> bool:
    return any(
        c.dep_ in ("compound", "nmod", "npadvmod") and c.i in table.token_entity
        for c in token.children
    )


def _role_owners(
    token: Token, table: EntityTable, predicate: str, avoid: frozenset[str] = frozenset()
) -> list[str]:
    """Whose role it is: "X's leader", "its leader", "Ansar Dine leader", "the leader of X",
    "whose leader", "the son of the group's founder, X"."""
    types = OBJECT_TYPES[predicate]
    names: list[str] = []
    places = [token]
    if token.dep_ in ("compound", "amod", "nmod") and token.head.i > token.i:
        places.append(token.head)  # "his deputy Abu X": "his" hangs on the name
    for place in places:
        for child in place.children:
            if child.dep_ == "poss":
                names += _possessor(child, table, types, avoid)
            elif child.dep_ in ("compound", "nmod", "npadvmod") and child.i < token.i:
                names += [n for n in [table.token_entity.get(child.i)] if n]
    inverted = predicate == "splinter_of" and bool(names)
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ROLE_PREPOSITIONS.get(predicate, ("of",)):
            pobjs = [p for p in prep.children if p.dep_ == "pobj"]
            names += [] if inverted else [n for p in pobjs for n in _owner_in(p, table, types)]
    if not names and token.lower_ not in COPULAR_ROLES:
        names = _owner_by_position(token, table)
    return list(dict.fromkeys(n for n in names if table.type_of(n) in types))


def _possessor(
    token: Token, table: EntityTable, types: tuple[str, ...], avoid: frozenset[str]
) -> list[str]:
    if token.lower_ == "whose":
        clause = clause_of(token)
        return _referents_one(clause.head, table) if clause.dep_ == "relcl" else []
    name = table.token_entity.get(token.i)
    if name is None and avoid:
        return [n for n in [_antecedent(token, table, types, avoid)] if n]
    return _refer(token, table, types)


def _owner_in(token: Token, table: EntityTable, types: tuple[str, ...]) -> list[str]:
    """The object of "of": a name, the holder of a role named there ("a deputy of the
    Taliban's chief, X": X), or the name after a unit noun ("chief of staff of X": X)."""
    if _role_word(token) and "PERSON" in types:
        holders = [n for a in token.children if a.dep_ == "appos" for n in _referents_one(a, table)]
        if holders:
            return holders
    names = _referents(token, table, types)
    if names or token.pos_ != "NOUN":
        return names
    return [
        n
        for prep in token.children
        if prep.dep_ == "prep" and prep.lower_ in ("of", "in")
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table, types)
    ]


def _owner_by_position(token: Token, table: EntityTable) -> list[str]:
    """Fallback on word order when the parse attaches the owner elsewhere."""
    doc = token.doc
    i = token.i - 1
    while i >= 0 and (doc[i].lower_ in SKIPPABLE_BEFORE_ROLE or doc[i].pos_ in ("ADJ", "ADV")):
        i -= 1
    if i >= 0 and table.token_entity.get(i):
        return [table.token_entity[i]]
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if after is not None and after.lower_ == "of":
        j = token.i + 2
        while j < len(doc) and doc[j].lower_ in ("the", "a", "an"):
            j += 1
        if j < len(doc) and table.token_entity.get(j):
            return [table.token_entity[j]]
    return []


# --- verbs ------------------------------------------------------------------------------


def _verb_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    for verb in tokens(sent):
        if verb.pos_ not in ("VERB", "AUX") or unreal(verb):
            continue
        predicate = _verb_predicate(verb)
        if predicate is not None:
            agents, patients = _verb_arguments(verb, table, predicate)
            timing, dating = _verb_timing(verb, predicate), _verb_dating(verb)
            for agent in agents:
                for patient in patients:
                    yield Found(agent, predicate, patient, verb, timing, dating)
            if predicate == "fights" and _reciprocal(verb):
                yield from _pairs(agents, verb, timing)
            if predicate == "leader_of":
                yield from _commanded_units(verb, agents, table)
        if _lemma(verb) in CHANGE_VERBS and not _is_passive(verb):
            agents = [n for s in clause_subjects(verb) for n in _referents(s, table, ACTORS)]
            yield from _change_of_hands(verb, agents, table)


def _verb_predicate(verb: Token) -> str | None:
    lemma = _lemma(verb)
    predicate = lexicon.RELATION_VERBS.get(lemma) or MORE_VERBS.get(lemma)
    if predicate == "controls" and lemma == "take" and not _takes_control(verb):
        return None
    if predicate == "fights" and any(c.lower_ == "alongside" for c in verb.children):
        return "supports"  # "fought alongside the army": allies
    if predicate == "member_of" and not any(c.dep_ == "dobj" for c in verb.children):
        return None
    return predicate


def _verb_timing(verb: Token, predicate: str) -> str:
    if predicate == "family_of":
        return UNDATED
    if _lemma(verb) in START_VERBS:
        return START
    return EVENT if predicate == "fights" else STATE


def _verb_dating(verb: Token) -> tuple[int, ...]:
    """A verb's own dates; a purpose clause also takes its main verb's ("broke with X in 2016
    to join Y": joined in 2016)."""
    purpose = verb.dep_ in ("advcl", "xcomp") and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    )
    return (verb.i, verb.head.i) if purpose else (verb.i,)


def _commanded_units(verb: Token, agents: list[str], table: EntityTable) -> Iterable[Found]:
    """ "X commands its forces on the southern front": X is a member of the group."""
    for unit in (c for c in verb.children if c.dep_ == "dobj" and c.i not in table.token_entity):
        if unit.lemma_.lower() not in GROUP_HEADS:
            continue
        groups = [n for c in unit.children if c.dep_ == "poss" for n in _refer(c, table, GROUPS)]
        yield from (Found(a, "member_of", g, verb, ROLE) for a in agents for g in groups)


def _takes_control(verb: Token) -> bool:
    return any(c.lemma_ in lexicon.CONTROL_NOUN_TRIGGERS for c in verb.children if c.dep_ == "dobj")


def _reciprocal(verb: Token) -> bool:
    """ "X and Y have fought each other"."""
    return any(
        c.i > 0 and c.doc[c.i - 1 : c.i + 1].text.lower() in RECIPROCALS for c in verb.subtree
    )


def _lemma(token: Token) -> str:
    """The lemma, with irregular past forms the lemmatiser misses ("retook")."""
    return LEMMA_FIXES.get(token.lower_, token.lemma_)


def _pairs(names: list[str], trigger: Token, timing: str) -> Iterable[Found]:
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            yield Found(a, "fights", b, trigger, timing)


def _verb_arguments(verb: Token, table: EntityTable, predicate: str) -> tuple[list, list]:
    """(agents, patients) of a relation verb, active or passive."""
    patient_types = OBJECT_TYPES[predicate]
    agent_types = SUBJECT_TYPES[predicate]
    if _is_passive(verb):
        agents = _by_agents(verb, table)
        subjects = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if not subjects and verb.dep_ in ("acl", "relcl", "amod"):
            return agents, _refer(verb.head, table, patient_types)  # "a militia led by X"
        if not subjects and verb.dep_ == "conj":
            subjects = [c for c in verb.head.children if c.dep_ == "nsubjpass"]
        return agents, [n for s in subjects for n in _referents(s, table, patient_types)]
    agents = [n for s in clause_subjects(verb) for n in _referents(s, table, agent_types)]
    agents += _co_agents(verb, table)
    return agents, _patients(verb, table, patient_types)


def _is_passive(verb: Token) -> bool:
    children = list(verb.children)
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in children):
        return True
    return verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in children)


def _by_agents(verb: Token, table: EntityTable) -> list[str]:
    """ "by X", "by US troops", "by Turkish drones", "by insurgents of X"."""
    names: list[str] = []
    for agent in (c for c in verb.children if c.dep_ == "agent"):
        for pobj in (p for p in agent.children if p.dep_ == "pobj"):
            found = _referents(pobj, table, ACTORS + PLACES)
            if not found:
                found = _modifier_names(pobj, table, ("compound", "amod", "nmod"), ())
                found += [n for c in pobj.conjuncts for n in _refer(c, table, None)]
            names += [n for n in found if n not in names]
    return names


def _co_agents(verb: Token, table: EntityTable) -> list[str]:
    """ "X, together with Y, ...", "X along with Y": Y acts too."""
    return [
        n
        for prep in verb.children
        if prep.dep_ == "prep"
        and prep.lower_ == "with"
        and any(c.lower_ in ("together", "along") for c in prep.children)
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table)
    ]


def _patients(verb: Token, table: EntityTable, types: tuple[str, ...]) -> list[str]:
    patients: list[str] = []
    for child in verb.children:
        if child.dep_ in ("dobj", "attr") and child.lower_ in RELATIVE_PRONOUNS:
            if verb.dep_ == "relcl":
                patients += _referents(verb.head, table, types)  # "Kidal, which X controlled"
        elif child.dep_ in ("dobj", "attr"):
            patients += _referents(child, table, types)
        elif child.dep_ == "prep" and child.lower_ in PATIENT_PREPOSITIONS:
            patients += [
                n for p in child.children if p.dep_ == "pobj" for n in _referents(p, table, types)
            ]
    return patients


def _change_of_hands(verb: Token, agents: list[str], table: EntityTable) -> Iterable[Found]:
    """ "X retook T from Y": Y held T until then, and X fought Y; "X drove Y out of T": X
    holds T from then on; "T fell to X"; "Y lost control of T to X"; "Y withdrew from T"."""
    lemma = _lemma(verb)
    if lemma in SEIZURE_VERBS | {"liberate"}:
        places = _objects(verb, ("dobj",), table, PLACES)
        objects = [verb] + [c for c in verb.children if c.dep_ == "dobj"]
        losers = [n for o in objects for n in _prep_objects(o, ("from",), table, ACTORS)]
        yield from _handover(verb, agents, losers, places)
    elif lemma in EXPULSION_VERBS:
        losers = _objects(verb, ("dobj",), table, ACTORS)
        places = _out_of(verb, table)
        yield from _handover(verb, agents, losers, places, gained=True)
    elif lemma == "fall":
        places = [n for s in clause_subjects(verb) for n in _referents(s, table, PLACES)]
        winners = _prep_objects(verb, ("to",), table, ACTORS)
        yield from (Found(w, "controls", p, verb, START) for w in winners for p in places)
    elif lemma == "lose":
        places = [n for c in verb.children if c.dep_ == "dobj" for n in _of_names(c, table)]
        winners = _prep_objects(verb, ("to",), table, ACTORS)
        yield from _handover(verb, winners, agents, places, gained=True)
    elif lemma in WITHDRAWAL_VERBS:
        places = _out_of(verb, table) + _prep_objects(verb, ("from",), table, PLACES)
        yield from (Found(a, "controls", p, verb, END) for a in agents for p in places)


def _handover(
    verb: Token,
    winners: list[str],
    losers: list[str],
    places: list[str],
    gained: bool = False,
) -> Iterable[Found]:
    for place in places:
        for loser in losers:
            yield Found(loser, "controls", place, verb, END)
            for winner in winners:
                yield Found(winner, "fights", loser, verb, UNDATED)
        if gained:
            yield from (Found(w, "controls", place, verb, START) for w in winners)


def _objects(verb: Token, deps: tuple[str, ...], table: EntityTable, types: tuple) -> list[str]:
    return [n for c in verb.children if c.dep_ in deps for n in _referents(c, table, types)]


def _prep_objects(verb: Token, preps: tuple[str, ...], table: EntityTable, types: tuple) -> list:
    return [
        n
        for prep in verb.children
        if prep.dep_ == "prep" and prep.lower_ in preps
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table, types)
    ]


def _out_of(verb: Token, table: EntityTable) -> list[str]:
    """ "out of T" (the parse hangs "of T" on "out", or "out" on the verb and "of T" on it)."""
    names = []
    for out in (c for c in verb.children if c.lower_ == "out"):
        names += _prep_objects(out, ("of",), table, PLACES)
    if any(c.lower_ == "out" for c in verb.children):
        names += _prep_objects(verb, ("of",), table, PLACES)
    return names


def unreal(token: Token) -> bool:
    """Hypothetical, future, conditional or possible: "would attack", "vowed to seize",
    "could take", "may join", "if they take"."""
    if hypothetical(token):
        return True
    node = token
    for _ in range(3):
        for child in node.children:
            if child.dep_ == "aux" and child.lower_ in UNREAL_MODALS:
                return True
            if child.dep_ == "mark" and child.lower_ in ("if", "unless"):
                return True
        if node.dep_ not in ("xcomp", "ccomp", "conj", "advcl") or node.head.i == node.i:
            return False
        node = node.head
    return False


# --- nominal forms ----------------------------------------------------------------------


def _nominal_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    for token in tokens(sent):
        lemma = token.lemma_.lower()
        if lemma in CONTROL_STATE_NOUNS and token.dep_ == "pobj":
            yield from _under_control(token, table)
        elif lemma in TAKEOVER_NOUNS and token.dep_ == "dobj":
            yield from _takeover(token, table)
        elif (token.lower_ in ATTACK_NOUNS or lemma in ATTACK_NOUNS) and _nominal(token):
            yield from _attack(token, table)
        elif token.lower_ in HYPHEN_PREDICATES and token.i >= 2:
            yield from _hyphenated(token, table)


def _nominal(token: Token) -> bool:
    """A noun, or a gerund used as one ("Fighting between X and Y continued")."""
    gerund = token.tag_ == "VBG" and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj")
    return token.pos_ == "NOUN" or gerund


def _under_control(noun: Token, table: EntityTable) -> Iterable[Found]:
    """ "T has been under X control / under the control of X / in the hands of X"."""
    prep = noun.head
    if prep.lower_ not in ("under", "in", "into") or (prep.lower_ != "under") != (
        noun.lemma_ in ("hand", "hands")
    ):
        return
    holders = _of_names(noun, table) + [
        n
        for c in noun.children
        if c.dep_ in ("compound", "poss", "nmod", "amod") and c.i < noun.i
        for n in _refer(c, table, ACTORS)
    ]
    head = prep.head
    if head.pos_ in ("VERB", "AUX"):
        places = [n for s in clause_subjects(head) for n in _referents(s, table, PLACES)]
    else:
        places = _refer(head, table, PLACES)
    if unreal(head):
        return
    timing = START if head.lemma_ in ("come", "fall") else STATE
    for holder in holders:
        for place in places:
            yield Found(holder, "controls", place, noun, timing, (noun.i, head.i))


def _takeover(noun: Token, table: EntityTable) -> Iterable[Found]:
    """ "X completed the recapture of T (from Y) on Sunday"."""
    verb = noun.head
    if verb.pos_ != "VERB" or unreal(verb) or verb.lemma_ in lexicon.HYPOTHETICAL_HEADS:
        return
    agents = [n for s in clause_subjects(verb) for n in _referents(s, table, ACTORS)]
    places = [
        n
        for prep in noun.children
        if prep.dep_ == "prep" and prep.lower_ == "of"
        for p in prep.children
        for n in _referents(p, table, PLACES)
    ]
    losers = _prep_objects(noun, ("from",), table, ACTORS)
    owners = (noun.i, verb.i)
    for place in places:
        for agent in agents:
            yield Found(agent, "controls", place, noun, START, owners)
        for loser in losers:
            yield Found(loser, "controls", place, noun, END, owners)
    yield from (Found(a, "fights", loser, noun, UNDATED) for a in agents for loser in losers)


def _attack(noun: Token, table: EntityTable) -> Iterable[Found]:
    """ "X launched an offensive against Y", "X died during clashes with Y", "the fighting
    between X and Y", "X repelled an offensive by Y"."""
    if _modifier_words(noun) & UNREAL_ATTACK_WORDS:
        return
    verb = governing_verb(noun)
    if verb is not None and (unreal(verb) or verb.lemma_ in lexicon.HYPOTHETICAL_HEADS):
        return
    between = _prep_objects(noun, ("between",), table, ACTORS)
    if between:
        yield from (replace(f, negated=False) for f in _pairs(between, noun, UNDATED))
        return
    targets = _prep_objects(noun, ("against", "on", "with"), table, ACTORS)
    by = _prep_objects(noun, ("by",), table, ACTORS)
    repelled = verb is not None and verb.lemma_ in REPEL_VERBS
    if repelled and not by and noun.dep_ == "dobj":  # "repelled an offensive by X" misparsed
        by = _by_agents(verb, table)
    sides = _attack_sides(noun, verb, table)
    if by and repelled:
        targets, sides = by, sides
    elif by:
        sides = by
    timing, owners = _attack_timing(noun, verb)
    for side in sides:
        for target in targets:
            yield Found(side, "fights", target, noun, timing, owners)


def _attack_sides(noun: Token, verb: Token | None, table: EntityTable) -> list[str]:
    own = [n for c in noun.children if c.dep_ == "poss" for n in _refer(c, table, ACTORS)]
    if own or verb is None:
        return own
    return [n for s in clause_subjects(verb) for n in _referents(s, table, ACTORS)]


def _attack_timing(noun: Token, verb: Token | None) -> tuple[str, tuple[int, ...]]:
    """ "launched an offensive on May 2": from then on; "launched strikes on May 2", "died
    during clashes on May 2": that day; "after four days of clashes": not dated."""
    if verb is None:
        return ROLE, (noun.i,)
    if noun.dep_ == "dobj" and noun.head.i == verb.i:
        if noun.lemma_.lower() in LASTING_ATTACKS and verb.lemma_ in START_VERBS:
            return START, (noun.i, verb.i)
        return EVENT, (noun.i, verb.i)
    if noun.head.lower_ in ("during", "in") and noun.head.head.i == verb.i:
        return EVENT, (noun.i, verb.i)
    return ROLE, (noun.i,)


def _hyphenated(token: Token, table: EntityTable) -> Iterable[Found]:
    """ "the US-backed SDF", "an Iran-backed militia", "the Houthi-held port of Hodeidah"."""
    doc = token.doc
    if doc[token.i - 1].text not in ("-", "–") or doc[token.i - 1].whitespace_:
        return
    actor = table.at(token.i - 2) or _named(table, token.i - 2)
    if actor is None:
        return
    predicate = HYPHEN_PREDICATES[token.lower_]
    noun = token.head if token.dep_ in ("amod", "compound", "acl") else None
    if noun is None:
        return
    types = PLACES if predicate == "controls" else ACTORS
    for name in _refer(noun, table, types) or _inner_names(noun, table):
        yield Found(actor, predicate, name, token, STATE)


# --- linking phrases --------------------------------------------------------------------


def _phrase_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    lowered = sent.text.lower()
    for predicate, phrase, reverse in _phrases():
        start = lowered.find(phrase)
        while start >= 0:
            yield from _phrase_at(sent, table, predicate, phrase, reverse, start)
            start = lowered.find(phrase, start + 1)


def _phrases() -> Iterable[tuple[str, str, bool]]:
    for predicate, phrases in lexicon.AFFILIATION_PHRASES.items():
        for phrase in phrases:
            if phrase not in SUPERSEDED_PHRASES:
                yield predicate, phrase, phrase.endswith(" by")
    for predicate, phrases in MORE_PHRASES.items():
        yield from ((predicate, phrase, False) for phrase in phrases)
    for predicate, phrases in REVERSED_PHRASES.items():
        yield from ((predicate, phrase, True) for phrase in phrases)


def _phrase_at(
    sent: Span, table: EntityTable, predicate: str, phrase: str, reverse: bool, at: int
) -> Iterable[Found]:
    start_char = sent.start_char + at
    end_char = start_char + len(phrase)
    trigger = table.doc.char_span(start_char, end_char, alignment_mode="expand")
    after = [  # in this sentence: the next one's first name is no target
        m for m in table.mentions if end_char <= m.start < end_char + 40 and m.end <= sent.end_char
    ]
    if not after or trigger is None or trigger.start < sent.start:
        return
    root = trigger.root
    if unreal(root) or _ended(root):
        return
    targets = _phrase_targets(trigger, table) or [after[0].canonical]
    before = [m for m in table.mentions if sent.start_char <= m.start and m.end <= start_char]
    subjects = _phrase_subjects(root, table) or _subjects_before(before, table)
    owners, timing = _phrase_dating(root)
    for subject in subjects:
        for target in targets:
            if reverse:
                yield Found(target, predicate, subject, root, timing, owners)
            elif predicate == "affiliated_with" and _pledging_person(table, subject, phrase):
                yield from _pledge(sent, table, subject, target, root, owners)
            else:
                yield Found(subject, predicate, target, root, timing, owners)


def _phrase_targets(trigger: Span, table: EntityTable) -> list[str]:
    """The object of the phrase's last preposition ("broke away from X's Y": Y, not X)."""
    last = trigger[-1]
    if last.pos_ != "ADP":
        return []
    return [n for p in last.children if p.dep_ == "pobj" for n in _referents(p, table, GROUPS)]


def _pledge(
    sent: Span, table: EntityTable, person: str, target: str, root: Token, owners: tuple
) -> Iterable[Found]:
    """A person's pledge of allegiance makes the person a member, or, when the sentence
    calls the person the leader of a group, affiliates that group ("X leader Y pledged
    allegiance to Z")."""
    roles = _role_relations(sent, table)
    led = [f.object for f in roles if f.subject == person and f.predicate == "leader_of"]
    for group in led or [person]:
        predicate = "affiliated_with" if led else "member_of"
        yield Found(group, predicate, target, root, START, owners)


def _ended(root: Token) -> bool:
    """ "cut ties with X", "renounced its allegiance to X": no longer affiliated."""
    verb = root if root.pos_ == "VERB" else governing_verb(root, 3)
    return verb is not None and verb.lemma_ in ENDING_VERBS


def _pledging_person(table: EntityTable, subject: str, phrase: str) -> bool:
    """A person pledging allegiance joins; a group pledging allegiance affiliates."""
    return table.type_of(subject) == "PERSON" and any(w in phrase for w in ALLEGIANCE_WORDS)


def _phrase_subjects(root: Token, table: EntityTable) -> list[str]:
    """The actor a linking phrase describes, from the parse: the subject of its verb, the
    name it is in apposition to, or the noun a participle describes."""
    node = root
    while node.pos_ in ("ADP", "ADJ", "DET") and node.head.i != node.i:
        node = node.head  # "under the aegis of", "loyal to": up to the verb or noun
    if node.pos_ in ("VERB", "AUX"):
        if node.dep_ in ("acl", "amod") and node.tag_ == "VBN":
            return _referents_one(node.head, table)
        subjects = clause_subjects(node)
        return [n for s in subjects for n in _referents(s, table, ACTORS)]
    if node.dep_ == "appos":
        return _referents_one(node.head, table)
    if node.dep_ in ("attr", "acomp", "dobj"):  # "X is loyal to Y", "X has ties to Y"
        return [n for s in clause_subjects(node.head) for n in _referents(s, table, ACTORS)]
    return []


def _subjects_before(before: list, table: EntityTable) -> list[str]:
    """Fallback: the first actor of the clause and the actors coordinated with it."""
    actors = [m for m in before if table.type_of(m.canonical) in ACTORS]
    if not actors:
        return []
    first = actors[0]
    names = [first.canonical]
    token = table.doc[first.token_end - 1]
    for conj in token.conjuncts:
        name = table.at(conj.i)
        if name and name not in names and table.type_of(name) in ACTORS:
            names.append(name)
    return names


def _phrase_dating(root: Token) -> tuple[tuple[int, ...], str]:
    """A verb phrase ("pledged allegiance to X in 2019") is dated by its verb; a noun phrase
    in apposition ("X, a splinter of Y, said on Monday") only by its own since/until."""
    if root.pos_ in ("VERB", "AUX"):
        return (root.i,), START if root.lemma_ in START_VERBS else STATE
    verb = governing_verb(root, 3) if root.pos_ in ("ADP", "ADJ") else None
    if verb is not None:
        return (root.i, verb.i), START if verb.lemma_ in START_VERBS else STATE
    timing, dating = _role_timing(root, "")
    return dating, timing


# --- located in -------------------------------------------------------------------------


def _locative_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    """ "X is based in T", "X operates from T", "X has been active around T since 2017",
    "Kolofata lies in the Far North region"."""
    for word in tokens(sent):
        if not _locative_word(word):
            continue
        places = _locative_places(word, table)
        if not places or unreal(word):
            continue
        holders = _locative_holders(word, table)
        owners = (word.i, word.head.i) if word.dep_ == "acomp" else (word.i,)
        for holder in holders:
            for place in places:
                yield Found(holder, "located_in", place, word, STATE, owners)


def _locative_word(word: Token) -> bool:
    if word.lemma_ in LOCATIVE_VERBS | MORE_LOCATIVE_VERBS:
        return word.pos_ in ("VERB", "AUX", "ADJ")
    return word.lower_ in LOCATIVE_ADJECTIVES


def _locative_places(word: Token, table: EntityTable) -> list[str]:
    preps = LOCATIVE_PREPOSITIONS + (("from",) if word.lemma_ == "operate" else ())
    names: list[str] = []
    for prep in word.children:
        if prep.dep_ == "prep" and prep.lower_ in preps:
            for pobj in (p for p in prep.children if p.dep_ == "pobj"):
                names += _place_in(pobj, table)
    return names


def _place_in(pobj: Token, table: EntityTable) -> list[str]:
    """The place a locative object names: "in Gao", "in the Wago forest", "in exile in
    Mauritania", "in the far north-east of Mali"."""
    found = _referents(pobj, table, PLACES)
    if found:
        return found
    return [
        n
        for prep in pobj.children
        if prep.dep_ == "prep" and prep.lower_ in ("in", "of")
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _referents(p, table, PLACES)
    ]


def _locative_holders(word: Token, table: EntityTable) -> list[str]:
    if word.dep_ in ("acl", "amod") and word.head.i != word.i:
        return _referents_one(word.head, table)  # "a militia based in Beni"
    holders = [n for s in clause_subjects(word) for n in _referents(s, table, ACTORS)]
    if not holders and word.dep_ == "acomp":
        holders = [n for s in clause_subjects(word.head) for n in _referents(s, table, ACTORS)]
    return holders


def _place_relations(sent: Span, table: EntityTable) -> Iterable[Found]:
    """Where a place or an actor is, from noun phrases: "Gao, a town in northern Mali",
    "CODECO, a coalition of militias in Ituri", "Aden's Khor Maksar district", "the
    Nigerian town of Damasak", "Mocímboa da Praia in Cabo Delgado", "ADF camps in X"."""
    for token in tokens(sent):
        for inner, outer in _nested_places(token, table):
            yield Found(inner, "located_in", outer, token, ROLE, (token.i,))


def _nested_places(token: Token, table: EntityTable) -> Iterable[tuple[str, str]]:
    name = table.token_entity.get(token.i)
    if token.dep_ == "appos" and name is None:
        if _role_word(token) is not None:
            return  # "X, a senior figure in Y": membership, not a place
        names = _refer(token.head, table, PLACES + GROUPS) or _name_before(token, table, True)
        for described in names:
            yield from ((described, p) for p in _places_inside(token, table))
            if token.lemma_.lower() in GROUP_HEADS:
                yield from ((described, p) for p in _demonym_places(token, table))
        return
    if name is not None and table.type_of(name) == "LOCATION" and _is_head(token, table):
        yield from ((name, p) for p in _places_inside(token, table, nouns_only=False))
        yield from ((name, p) for p in _possessor_places(token, table))
    elif name is None and {token.lemma_.lower(), token.lower_} & (
        PLACE_HEADS | BASE_NOUNS | GROUP_HEADS
    ):
        place = bool({token.lemma_.lower(), token.lower_} & PLACE_HEADS)
        inner = _modifier_names(token, table, ("compound",), ())
        container = bool(inner) and place  # "the Cal Miskaad mountains of Puntland"
        inner = inner or (_of_names(token, table) if place else [])
        for named in inner:
            yield from ((named, p) for p in _places_inside(token, table, nouns_only=False))
            if container:
                yield from ((named, p) for p in _prep_objects(token, ("of",), table, PLACES))
            if table.type_of(named) == "LOCATION":
                yield from ((named, p) for p in _possessor_places(token, table))
                yield from ((named, p) for p in _demonym_places(token, table))


def _is_head(token: Token, table: EntityTable) -> bool:
    """The last token of a name (its head in the parse)."""
    return table.token_entity.get(token.head.i) != table.token_entity.get(token.i) or (
        token.head.i == token.i
    )


def _places_inside(token: Token, table: EntityTable, nouns_only: bool = True) -> list[str]:
    """Places named by "in" phrases hanging on a noun phrase (not on a verb inside it):
    "a town in northern Mali", "a coalition of militias in Ituri", "the capital of X"."""
    names: list[str] = []
    for prep in _noun_preps(token) if nouns_only else _own_preps(token):
        pobjs = [p for p in prep.children if p.dep_ == "pobj"]
        if prep.lower_ in ("in", "on", "inside") or (
            prep.lower_ == "of" and prep.head.lemma_ in ("capital", "part", "outskirts")
        ):
            names += [n for p in pobjs for n in _place_in(p, table)]
    return names


def _noun_preps(token: Token) -> list[Token]:
    preps: list[Token] = []
    stack = [token]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.dep_ == "prep" and node.pos_ in ("NOUN", "PROPN"):
                preps.append(child)
                stack += [p for p in child.children if p.dep_ == "pobj"]
    return preps


def _own_preps(token: Token) -> list[Token]:
    return [c for c in token.children if c.dep_ == "prep"]


def _possessor_places(token: Token, table: EntityTable) -> list[str]:
    """ "Aden's Khor Maksar district", "Port-au-Prince's Cité Soleil"."""
    return [
        n
        for c in token.children
        if c.dep_ == "poss"
        for n in [table.token_entity.get(c.i)]
        if n and table.type_of(n) == "LOCATION"
    ]


def _demonym_places(token: Token, table: EntityTable) -> list[str]:
    """ "the Nigerian town of Damasak": Nigeria."""
    return [
        n
        for c in token.children
        if c.dep_ in ("amod", "compound")
        for n in [_named(table, c.i)]
        if n and table.type_of(n) == "LOCATION"
    ]


# --- time -------------------------------------------------------------------------------


def _sentence_dates(sent: Span) -> list[Span]:
    """DATE and TIME names, and the date inside an event's name ("the February 2021 coup")."""
    dates = []
    for ent in sent.ents:
        if ent.label_ in ("DATE", "TIME"):
            dates.append(ent)
        elif ent.label_ == "EVENT":
            words = [t for t in ent if t.like_num or t.lower_ in MONTH_NAMES]
            if words and words[-1].i - words[0].i == len(words) - 1:
                dates.append(ent.doc[words[0].i : words[-1].i + 1])
    return dates


def _bounds(
    item: Found, dates: list[Span], anchor: date | None
) -> tuple[TimeValue | None, TimeValue | None] | None:
    """(valid_from, valid_to) from the dates that belong to the trigger; None drops the
    relation (an end with no date says nothing)."""
    if item.timing == UNDATED:
        return None, None
    owners = set(item.owners or (item.trigger.i,))
    starts, ends, points = [], [], []
    for ent in dates:
        word = interval_link(list(ent), owners)
        if word is None:
            continue
        value = parse_timex(f"{word} {ent.text}" if word else ent.text, anchor)
        if value is None:
            continue
        target = starts if word in ("since", "from") else ends if word else points
        target.append((abs(ent.root.i - item.trigger.i), value))
    return _interval(item.timing, starts, ends, points)


def _interval(
    timing: str, starts: list, ends: list, points: list
) -> tuple[TimeValue | None, TimeValue | None] | None:
    if starts or ends:
        valid_from = min(starts, key=lambda s: s[0])[1] if starts else None
        valid_to = min(ends, key=lambda e: e[0])[1] if ends else None
        return valid_from, valid_to
    if not points or timing == ROLE:
        return None if timing == END else (None, None)
    point = min(points, key=lambda p: p[0])[1]
    if timing == END:
        return None, point
    if timing == START or point.open_end:
        return point, None
    if point.open_start:
        return None, point
    return point, point


def _close_superseded(found: dict[tuple, Relation], takeovers: list[Relation]) -> list[Relation]:
    """Control held since a date before a dated takeover of the same place by another actor
    ends with that takeover ("The army had held Mekelle since 2020." + "Rebels retook Mekelle
    on Monday": the army held it until Monday). Control with no start date is left open: "X
    now controls T" is not ended by an earlier takeover."""
    out = []
    for relation in found.values():
        end = _takeover_after(relation, takeovers)
        out.append(replace(relation, valid_to=end) if end is not None else relation)
    return out


def _takeover_after(relation: Relation, takeovers: list[Relation]) -> TimeValue | None:
    if relation.predicate != "controls" or relation.valid_to is not None:
        return None
    later = [
        taken.valid_from
        for taken in takeovers
        if taken.object == relation.object
        and taken.subject != relation.subject
        and not taken.evidence.negated
        and taken.valid_from is not None
        and relation.valid_from is not None
        and relation.valid_from.start < taken.valid_from.start
        and not _same_claim(relation, taken)
    ]
    return min(later, key=lambda v: v.start) if later else None


def _same_claim(a: Relation, b: Relation) -> bool:
    """Co-agents of one takeover ("X and Y recaptured T on Monday") do not end each other."""
    return a.evidence.start == b.evidence.start and a.valid_from == b.valid_from


# --- kept for the event stage (conflictmap.extract.events imports these) ------------------


def sentence_times(sent: Span, anchor: date | None) -> list[tuple[Token, TimeValue, str]]:
    """(head token, value, leading preposition) for each DATE of the sentence's own clauses.

    Dates inside a relative clause or apposition ("a former rebel who led a 1990-95
    rebellion") describe something else and are left out.
    """
    times = []
    for ent in sent.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        prep = _interval_word(sent, ent)
        text = f"{prep} {ent.text}" if prep in INTERVAL_WORDS else ent.text
        value = parse_timex(text, anchor)
        if value is not None:
            times.append((ent.root, value, prep))
    return times


INTERVAL_WORDS = ("since", "until", "till", "from", "by")


def _interval_word(sent: Span, ent: Span) -> str:
    """The word opening the interval a date belongs to: the preposition before it, or the
    conjunction of its clause ("since the army fled the city on April 1", "until they
    left last week")."""
    doc = sent.doc
    before = doc[ent.start - 1].lower_ if ent.start > sent.start else ""
    if before in INTERVAL_WORDS:
        return before
    for i in range(ent.start - 1, max(sent.start, ent.start - 9) - 1, -1):
        token = doc[i]
        if token.ent_type_ in ("DATE", "TIME") or token.text in (";", ",", "and"):
            break
        if token.lower_ in ("since", "until", "till") and token.dep_ == "mark":
            return token.lower_
    return before


def _arguments(verb: Token, table: EntityTable) -> tuple[list[str], list[str]]:
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    if verb.dep_ == "acl" and any(c.dep_ == "agent" for c in verb.children):
        agents = [
            n
            for c in verb.children
            if c.dep_ == "agent"
            for p in c.children
            if p.dep_ == "pobj"
            for n in _entities_at(p, table, ACTORS)
        ]
        return agents, _entities_at(verb.head, table)
    if passive:
        agents = [
            n
            for c in verb.children
            if c.dep_ == "agent"
            for p in c.children
            if p.dep_ == "pobj"
            for n in _entities_at(p, table, ACTORS)
        ]
        patients = [
            n for c in verb.children if c.dep_ == "nsubjpass" for n in _entities_at(c, table)
        ]
        return agents, patients
    agents = [n for s in _subjects(verb) for n in _entities_at(s, table, ACTORS)]
    patients: list[str] = []
    for child in verb.children:
        if child.dep_ in ("dobj", "attr") and child.lower_ in ("which", "that", "whom"):
            if verb.dep_ == "relcl":
                patients += _entities_at(verb.head, table)
        elif child.dep_ in ("dobj", "attr"):
            patients += _entities_at(child, table)
            patients += _of_objects(child, table)
        elif child.dep_ == "prep" and child.lower_ in ("with", "against", "of", "over", "from"):
            patients += [
                n for p in child.children if p.dep_ == "pobj" for n in _entities_at(p, table)
            ]
    return agents, patients


def _subjects(verb: Token) -> list[Token]:
    """The subject of a verb, climbing through conjoined, embedded and relative clauses."""
    node = verb
    for _ in range(4):
        subjects = [c for c in node.children if c.dep_ == "nsubj"]
        if subjects:
            if subjects[0].lower_ in ("who", "which", "that") and node.dep_ == "relcl":
                head = node.head
                return [head.head] if head.dep_ == "appos" else [head]
            return subjects
        if node.dep_ in ("conj", "xcomp", "advcl", "relcl", "acl", "pcomp", "prep") and (
            node.head.i != node.i
        ):
            if node.dep_ in ("relcl", "acl"):
                return [node.head]
            node = node.head
            continue
        break
    return []


def _of_objects(
    noun: Token, table: EntityTable, preps: tuple[str, ...] = ("of", "over")
) -> list[str]:
    """What an of-phrase names: "the town of Gao", "control of Gao", "fighters from X"."""
    if noun.lemma_ not in PLACE_NOUNS | lexicon.CONTROL_NOUN_TRIGGERS | MEMBER_NOUNS:
        return []
    return [
        n
        for prep in noun.children
        if prep.dep_ == "prep" and prep.lower_ in preps
        for p in prep.children
        if p.dep_ == "pobj"
        for n in _entities_at(p, table) + _of_objects(p, table)
    ]


def _entities_at(
    token: Token, table: EntityTable, types: tuple[str, ...] | None = None
) -> list[str]:
    """Entities named by a noun phrase, its conjuncts and appositions ("cities, A, B and C")."""
    heads = [token]
    for head in heads:
        heads += [c for c in head.children if c.dep_ in ("appos", "conj") and c not in heads]
    names: list[str] = []
    for head in heads:
        name = table.at(head.i)
        if name is None and head.lemma_.lower() in MEMBER_NOUNS:
            names += [n for n in _of_objects(head, table, ("of", "from")) if n not in names]
        if name is None:
            compound = [c for c in head.children if c.dep_ == "compound" and table.at(c.i)]
            if compound and (
                head.lemma_ in lexicon.ROLE_NOUNS or head.lower_ in lexicon.COMBATANT_NOUNS
            ):
                name = table.at(compound[-1].i)
            elif head.lemma_ in PLACE_NOUNS:
                names += [n for n in _of_objects(head, table) if n not in names]
        if name and name not in names and (types is None or table.type_of(name) in types):
            names.append(name)
    return [n for n in names if types is None or table.type_of(n) in types]


def hypothetical(token: Token) -> bool:
    """Under a threat, plan, vow or future ("threatened to attack", "will seize")."""
    node = token
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "shall") for c in node.children):
            return True
        if node.head.i == node.i:
            return False
        if node.dep_ in ("xcomp", "dobj", "ccomp", "pobj", "prep", "advcl") and (
            node.head.lemma_ in lexicon.HYPOTHETICAL_HEADS
        ):
            return True
        node = node.head
    return False
