"""Attribution stage: who says what a sentence reports, and how sure they sound.

Each sentence gets an ``Attribution(kind, phrase)`` from its reporting frame: "according to
X", "X said/told/reported", "seen by a reporter", a quote followed by "said X". The kind
comes from the source's head words ("security source", "resident", "official") and, when
the speaker is an entity, from its type (an armed group speaking is a group claim).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from conflictmap.extract import lexicon
from conflictmap.extract.entities import EntityTable, doc_text, original
from conflictmap.extract.syntax import in_side_clause, tokens
from conflictmap.model import Attribution, Evidence

KIND_ORDER = ("anonymous_security", "group_claim", "journalist", "resident_or_witness", "official")
KIND_PATTERNS = {
    kind: re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    for kind, words in lexicon.SOURCE_KINDS.items()
}
ENTITY_KINDS = {
    "ARMED_GROUP": "group_claim",
    "STATE_FORCE": "official",
    "ORGANIZATION": "official",
    "LOCATION": "official",  # a place that speaks is its government: "Bamako said"
}


def sentence_attribution(sent: Span, table: EntityTable) -> Attribution:
    """The reporting frame of one sentence, or "unattributed"."""
    for token in tokens(sent):
        if (
            token.lower_ == "according"
            and token.i + 1 < sent.end
            and sent.doc[token.i + 1].lower_ == "to"
        ):
            phrase = _according_phrase(sent, token)
            return Attribution(_kind(phrase, _speaker_types(sent.doc[token.i + 1], table)), phrase)
    for token in tokens(sent):
        if (
            token.lemma_ in lexicon.SPEECH_VERBS
            and token.pos_ in ("VERB", "AUX")
            and not in_side_clause(token, ("relcl", "acl"))
        ):
            speaker = _speaker(token)
            if speaker is not None:
                phrase = _phrase(sent, speaker, token)
                return Attribution(_kind(phrase, _speaker_types(speaker, table)), phrase)
            phrase = _clause_before(sent, token)
            if phrase is not None:
                return Attribution(_kind(phrase, []), phrase)
        if token.dep_ == "agent" and token.head.lemma_ in ("see", "witness", "film", "photograph"):
            phrase = original(sent.doc[token.head.i : token.right_edge.i + 1])
            return Attribution(_kind(phrase, []), phrase)
    return Attribution()


QUOTES = re.compile('["\u201c\u201d]')


def document_attributions(doc: Doc, table: EntityTable) -> dict[int, Attribution]:
    """Each sentence's attribution (by its first token), carried across the sentences of
    one quotation: 'A source said: "The rebels attacked at dawn. They killed 12."' gives the
    second sentence to the source too, as does '"... They killed 12," a source said.' to
    the sentences before it inside the quote."""
    sentences = list(doc.sents)
    found = {sent.start: sentence_attribution(sent, table) for sent in sentences}
    quote: list[Span] = []  # sentences of the quotation still open
    speaker: Attribution | None = None
    for sent in sentences:
        own = found[sent.start]
        marks = len(QUOTES.findall(doc_text(doc)[sent.start_char : sent.end_char]))
        if quote and own.kind == "unattributed" and speaker is not None:
            found[sent.start] = speaker
        if quote and own.kind != "unattributed":  # '... they killed 12," a source said.'
            for earlier in quote:
                if found[earlier.start].kind == "unattributed":
                    found[earlier.start] = own
        if marks % 2 == 1:  # a quotation opens or closes here
            if quote:
                quote, speaker = [], None
            else:
                quote = [sent]
                speaker = own if own.kind != "unattributed" else None
        elif quote:
            quote.append(sent)
    return found


def evidence_for(sent: Span, attribution: Attribution, trigger: Token | None = None) -> Evidence:
    full = doc_text(sent.doc)
    text = full[sent.start_char : sent.end_char]
    start = sent.start_char + (len(text) - len(text.lstrip()))
    end = sent.end_char - (len(text) - len(text.rstrip()))
    return Evidence(
        sentence=full[start:end],
        start=start,
        end=end,
        attribution=attribution,
        hedged=is_hedged(sent),
        negated=is_negated(trigger) if trigger is not None else False,
    )


def is_hedged(sent: Span) -> bool:
    for token in tokens(sent):
        word = token.lower_
        if word in ("may", "might", "could"):
            if token.tag_ == "MD":
                return True
        elif word in lexicon.HEDGES:
            return True
    return False


def is_negated(trigger: Token) -> bool:
    """A negation on the trigger or on the verb it hangs on ("did not take part in the
    fighting"), or a denial verb above it."""
    token = trigger
    for _ in range(4):
        if any(c.dep_ == "neg" for c in token.children):
            return True
        if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
            break
        token = token.head
    node = trigger
    for _ in range(4):
        if node.head.i == node.i or node.dep_ in ("relcl", "acl", "appos"):
            break  # "X, who had led the group, rejected ...": the denial is not about it
        node = node.head
        if node.lemma_ in lexicon.DENIAL_VERBS:
            return True
    return False


def _according_phrase(sent: Span, according: Token) -> str:
    to = sent.doc[according.i + 1]
    end = max((t.i for t in to.subtree), default=to.i)
    return original(sent.doc[according.i : end + 1]).rstrip(",. ")


def _clause_before(sent: Span, verb: Token) -> str | None:
    """ ", a reporter who visited the town said.": when the parse gives the verb no subject,
    the words between the last comma and a sentence-final reporting verb name the source."""
    if verb.i + 2 < sent.end and not sent.doc[verb.i + 1].is_punct:
        return None
    start = verb.i
    while start > sent.start and sent.doc[start - 1].text != "," and verb.i - start < 12:
        start -= 1
    if start == verb.i or sent.doc[start - 1].text != ",":
        return None
    return original(sent.doc[start : verb.i + 1])


def _speaker(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.lower_ not in ("it", "which", "that"):
            return child
    return None


def _phrase(sent: Span, speaker: Token, verb: Token) -> str:
    """Subject and reporting verb, plus an anonymity clause hanging off the verb."""
    left = min(speaker.left_edge.i, verb.i)
    right = max(speaker.right_edge.i, verb.i)
    for child in verb.children:
        words = {t.lower_ for t in child.subtree}
        if child.i > right and words & {"anonymity", "named", "identified"}:
            right = child.right_edge.i
    return original(sent.doc[left : right + 1]).strip(' ,.:;“”"')


def _speaker_types(token: Token, table: EntityTable) -> list[str]:
    names = table.in_tokens(token.subtree)
    return [table.type_of(n) for n in names]


def _kind(phrase: str, speaker_types: list[str]) -> str:
    if KIND_PATTERNS["anonymous_security"].search(phrase):
        return "anonymous_security"
    for etype in speaker_types:
        if etype in ENTITY_KINDS:
            return ENTITY_KINDS[etype]
    for kind in KIND_ORDER[1:]:
        if KIND_PATTERNS[kind].search(phrase):
            return kind
    if "PERSON" in speaker_types:
        return "official"
    return "unattributed"
