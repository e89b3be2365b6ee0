"""Relation stage: typed relations between entities, with validity intervals.

Three kinds of evidence, all read off the dependency parse and the entity table:
- role nouns: "Ansar Dine leader Iyad Ag Ghaly", "X, one of Y's leaders", "his deputy Z";
- verbs with subject and object: "Y has occupied Gao since late March", "Gao is held by Y";
- linking phrases: "X, a splinter group from Y", "X acts under the aegis of Y".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from spacy.tokens import Span, Token

from conflictmap.extract import lexicon
from conflictmap.extract.attribution import evidence_for
from conflictmap.extract.entities import EntityTable
from conflictmap.extract.syntax import clause_of, in_clause_of
from conflictmap.extract.timex import parse_timex
from conflictmap.model import Attribution, Relation, TimeValue

ACTORS = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "STATE_FORCE")
GROUPS = ("ORGANIZATION", "ARMED_GROUP", "STATE_FORCE")
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
    "member_of": ("PERSON",),
    "family_of": ("PERSON",),
    "splinter_of": GROUPS,
    "affiliated_with": GROUPS,
    "supports": ACTORS,
    "fights": ACTORS,
    "controls": ACTORS,
    "located_in": ACTORS,
}


def find_relations(
    table: EntityTable,
    attributions: dict[int, Attribution],
    anchor: date | None,
) -> list[Relation]:
    """All relations of a document; ``attributions`` maps sentence start token -> attribution."""
    found: dict[tuple, Relation] = {}
    for sent in table.doc.sents:
        attribution = attributions.get(sent.start, Attribution())
        when = sentence_times(sent, anchor)
        for subject, predicate, obj, trigger in _sentence_relations(sent, table):
            if subject == obj or not _types_fit(table, subject, predicate, obj):
                continue
            valid_from, valid_to = _validity(when, trigger)
            if valid_to is valid_from and trigger.lemma_ in SEIZURE_VERBS:
                valid_to = None  # control taken on a date holds from then on
            relation = Relation(
                subject=subject,
                predicate=predicate,
                object=obj,
                evidence=evidence_for(sent, attribution, trigger),
                valid_from=valid_from,
                valid_to=valid_to,
            )
            found.setdefault((subject, predicate, obj, sent.start), relation)
    return list(found.values())


def _types_fit(table: EntityTable, subject: str, predicate: str, obj: str) -> bool:
    return (
        table.type_of(subject) in SUBJECT_TYPES[predicate]
        and table.type_of(obj) in OBJECT_TYPES[predicate]
    )


def _sentence_relations(sent: Span, table: EntityTable) -> Iterable[tuple[str, str, str, Token]]:
    for finder in (_role_relations, _verb_relations, _phrase_relations, _locative_relations):
        yield from finder(sent, table)


# --- role nouns -------------------------------------------------------------------------


def _role_relations(sent: Span, table: EntityTable) -> Iterable[tuple[str, str, str, Token]]:
    for token in sent:
        predicate = lexicon.ROLE_NOUNS.get(token.lower_)
        if predicate is None or token.pos_ not in ("NOUN", "PROPN"):
            continue
        holders = _role_holders(token, table)
        owners = _role_owners(token, table)
        for holder in holders:
            for owner in owners:
                yield holder, predicate, owner, token


def _role_holders(role: Token, table: EntityTable) -> list[str]:
    doc = role.doc
    nxt = doc[role.i + 1] if role.i + 1 < len(doc) else None
    if nxt is not None and nxt.text == ",":
        nxt = doc[role.i + 2] if role.i + 2 < len(doc) else None
    if nxt is not None and table.token_entity.get(nxt.i):
        name = table.token_entity[nxt.i]
        if table.type_of(name) == "PERSON":
            return [name]
    node = role
    if (
        node.dep_ == "pobj"
        and node.head.lower_ == "of"
        and node.head.head.lower_ in ("one", "among")
    ):
        node = node.head.head
    if node.dep_ == "appos":
        return _entities_at(node.head, table, ("PERSON",))
    if node.dep_ in ("attr", "acomp") or (node.dep_ == "pobj" and node.head.dep_ == "prep"):
        verb = node.head if node.dep_ != "pobj" else node.head.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        return [n for s in subjects for n in _entities_at(s, table, ("PERSON",))]
    appos = [c for c in role.children if c.dep_ == "appos"]
    return [n for a in appos for n in _entities_at(a, table, ("PERSON",))]


def _role_owners(role: Token, table: EntityTable) -> list[str]:
    doc = role.doc
    i = role.i - 1
    while i >= 0 and (doc[i].lower_ in SKIPPABLE_BEFORE_ROLE or doc[i].pos_ in ("ADJ", "ADV")):
        i -= 1
    if i >= 0 and doc[i].lower_ == "whose":
        # "Ansar Dine, whose leader X ...": the owner is what the relative clause describes
        clause = clause_of(role)
        return _entities_at(clause.head, table) if clause.dep_ == "relcl" else []
    if i >= 0 and i < role.i and table.at(i):
        return [table.at(i)]  # type: ignore[list-item]
    after = doc[role.i + 1] if role.i + 1 < len(doc) else None
    if after is not None and after.lower_ == "of":
        j = role.i + 2
        while j < len(doc) and doc[j].lower_ in ("the", "a", "an"):
            j += 1
        if j < len(doc) and table.at(j):
            return [table.at(j)]  # type: ignore[list-item]
    return []


# --- verbs ------------------------------------------------------------------------------


def _verb_relations(sent: Span, table: EntityTable) -> Iterable[tuple[str, str, str, Token]]:
    for verb in sent:
        predicate = lexicon.RELATION_VERBS.get(verb.lemma_)
        if predicate is None or verb.pos_ not in ("VERB", "AUX"):
            continue
        if predicate == "controls" and verb.lemma_ == "take" and not _takes_control(verb):
            continue
        if hypothetical(verb):
            continue
        agents, patients = _arguments(verb, table)
        for agent in agents:
            for patient in patients:
                yield agent, predicate, patient, verb


def _takes_control(verb: Token) -> bool:
    return any(c.lemma_ in lexicon.CONTROL_NOUN_TRIGGERS for c in verb.children if c.dep_ == "dobj")


def _arguments(verb: Token, table: EntityTable) -> tuple[list[str], list[str]]:
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    if verb.dep_ == "acl" and any(c.dep_ == "agent" for c in verb.children):
        # "Ansar Dine, led by Iyad Ag Ghaly": a passive participle on the noun it describes
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
                patients += _entities_at(verb.head, table)  # "Kidal, which X has controlled"
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
                # "X, a veteran leader who heads Y": the relative clause hangs off "leader"
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
    for head in heads:  # grows while iterating: a closure over appos/conj links
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
            ):  # "the group's leader", "MNLA rebels"
                name = table.at(compound[-1].i)
            elif head.lemma_ in PLACE_NOUNS:
                names += [n for n in _of_objects(head, table) if n not in names]
        if name and name not in names and (types is None or table.type_of(name) in types):
            names.append(name)
    return [n for n in names if types is None or table.type_of(n) in types]


# --- linking phrases --------------------------------------------------------------------


def _phrase_relations(sent: Span, table: EntityTable) -> Iterable[tuple[str, str, str, Token]]:
    lowered = sent.text.lower()
    for predicate, phrases in lexicon.AFFILIATION_PHRASES.items():
        for phrase in phrases:
            at = lowered.find(phrase)
            if at < 0:
                continue
            start_char = sent.start_char + at
            end_char = start_char + len(phrase)
            after = [m for m in table.mentions if end_char <= m.start < end_char + 40]
            before = [
                m for m in table.mentions if sent.start_char <= m.start and m.end <= start_char
            ]
            trigger = table.doc.char_span(start_char, end_char, alignment_mode="expand")
            if not after or trigger is None:
                continue
            target = after[0].canonical
            subjects = _phrase_subjects(before, table)
            for subject in subjects:
                if phrase.endswith(" by"):
                    yield target, predicate, subject, trigger.root
                else:
                    yield subject, predicate, target, trigger.root


def _phrase_subjects(before: list, table: EntityTable) -> list[str]:
    """The first actor of the clause and the actors coordinated with it."""
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


# --- located in ------------------------------------------------------------------------


def _locative_relations(sent: Span, table: EntityTable) -> Iterable[tuple[str, str, str, Token]]:
    for verb in sent:
        if verb.lemma_ not in LOCATIVE_VERBS:
            continue
        places = [
            n
            for prep in verb.children
            if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near", "inside")
            for p in prep.children
            if p.dep_ == "pobj"
            for n in _entities_at(p, table, ("LOCATION",))
        ]
        holders = [n for s in _subjects(verb) for n in _entities_at(s, table, ACTORS)]
        if not holders and verb.dep_ in ("acl", "xcomp", "advcl", "oprd", "ccomp"):
            holders = _nearest_actor_before(verb, table)
        for holder in holders:
            for place in places:
                yield holder, "located_in", place, verb


def _nearest_actor_before(token: Token, table: EntityTable) -> list[str]:
    for i in range(token.i - 1, token.sent.start - 1, -1):
        name = table.at(i)
        if name and table.type_of(name) in ACTORS:
            return [name]
    return []


# --- time -------------------------------------------------------------------------------


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


def _validity(
    times: list[tuple[Token, TimeValue, str]], trigger: Token
) -> tuple[TimeValue | None, TimeValue | None]:
    times = in_clause_of(times, trigger)
    if not times:
        return None, None
    distance: Callable[[tuple[Token, TimeValue, str]], int] = lambda t: abs(t[0].i - trigger.i)  # noqa: E731
    nearest = min(times, key=distance)
    _, value, prep = nearest
    if prep in ("until", "till", "by"):
        starts = [t for t in times if t[2] in ("since", "from")]
        return (starts[0][1] if starts else None), value
    if prep == "from":
        ends = [t for t in times if t[2] in ("until", "till")]
        return value, (ends[0][1] if ends else None)
    if value.open_start:
        return None, value
    if value.open_end:
        return value, None
    return value, value


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
