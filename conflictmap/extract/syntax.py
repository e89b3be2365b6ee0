"""Where a token sits in the parse: its clause, and whether that clause is a side one."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from conflictmap.extract import lexicon
from conflictmap.model import TimeValue

SIDE_CLAUSES = frozenset({"relcl", "acl", "appos"})


def _side_clause(token: Token, deps: frozenset[str] | tuple[str, ...]) -> Token | None:
    """The head of the smallest clause of one of ``deps`` holding a token, if any."""
    node = token
    while node.head.i != node.i:
        if node.dep_ in deps:
            return node
        node = node.head
    return None


def clause_of(token: Token) -> Token:
    """The head of the smallest relative clause, participle or apposition holding a token,
    else the sentence root."""
    return _side_clause(token, SIDE_CLAUSES) or token.sent.root


def in_clause_of(
    times: list[tuple[Token, TimeValue, str]], trigger: Token
) -> list[tuple[Token, TimeValue, str]]:
    """Dates of the trigger's own clause, else of the clauses around it ("a rebel who led
    a 1990-95 rebellion": that date is not the date of the sentence's main verb)."""
    own = clause_of(trigger)
    same = [t for t in times if clause_of(t[0]).i == own.i]
    if same:
        return same
    return [
        t
        for t in times
        if (c := clause_of(t[0])).left_edge.i <= own.i <= c.right_edge.i and c.i != own.i
    ]


def in_side_clause(token: Token, deps: tuple[str, ...] = ("relcl", "acl", "appos")) -> bool:
    """Whether a token hangs off a relative clause, participle or apposition."""
    return _side_clause(token, deps) is not None


def is_metonym(token: Token) -> bool:
    """A place standing for its government: the subject of a speech or accusation verb
    ("Bamako accused the rebels")."""
    return token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_ in lexicon.METONYM_VERBS


INTERVAL_WORDS = ("since", "until", "till", "from", "by")
OPENING_MARKS = ("since", "until", "till")
SUBJECT_DEPS = ("nsubj", "nsubjpass")


def interval_link(tokens: list[Token], owners: set[int]) -> str | None:
    """How a date (its tokens) bounds what one of the ``owners`` tokens states.

    ``""``: the date is the owner's own point in time ("seized Gao on Sunday"); an interval
    word: it opens or closes the owner's interval, as a preposition on the way up
    ("held Gao since April", "since the death of X in 2014") or as the conjunction of a
    clause on the owner ("held Gao until the army retook it on May 2"). ``None``: the date
    belongs to another verb ("HTS, led by X, seized Idlib on Sunday": not to "led").
    """
    links = [_link(token, owners, {t.i for t in tokens}) for token in tokens]
    found = [link for link in links if link is not None]
    return max(found, key=len) if found else None


def _link(token: Token, owners: set[int], own_tokens: set[int]) -> str | None:
    word = ""
    node = token
    for _ in range(12):
        if node.i in owners:
            return word
        if node.pos_ in ("VERB", "AUX") and node.i not in own_tokens:
            return _clause_mark(node, owners)
        if node.lower_ in INTERVAL_WORDS and node.dep_ in ("prep", "mark"):
            word = word or node.lower_
        elif node.lower_ in ("for", "after", "before") and node.dep_ == "prep":
            return None  # a duration or a time relative to something else
        if node.head.i == node.i:
            return None
        node = node.head
    return None


def _clause_mark(verb: Token, owners: set[int]) -> str | None:
    """ "until the army retook it on May 2": the date of a since/until clause on an owner."""
    if verb.dep_ != "advcl" or verb.head.i not in owners:
        return None
    marks = [c.lower_ for c in verb.children if c.dep_ in ("mark", "prep", "advmod")]
    return next((m for m in marks if m in OPENING_MARKS), None)


def clause_subjects(verb: Token) -> list[Token]:
    """Subjects (active or passive) of a verb, climbing through conjoined and embedded
    clauses ("is thought to operate", "seized X and has held it")."""
    node = verb
    for _ in range(5):
        subjects = [c for c in node.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            return subjects
        if node.dep_ in ("relcl", "acl") and node.head.i != node.i:
            return [node.head]
        accused = _accused(node)
        if accused:
            return accused
        if node.dep_ not in ("conj", "xcomp", "advcl", "pcomp", "prep") or node.head.i == node.i:
            return []
        node = node.head
    return []


def _accused(node: Token) -> list[Token]:
    """ "accuses X of backing Y", "suspected X of arming Y": X does it."""
    if node.dep_ != "pcomp" or node.head.lower_ != "of" or node.head.head.pos_ != "VERB":
        return []
    return [c for c in node.head.head.children if c.dep_ == "dobj"]


def governing_verb(token: Token, limit: int = 6) -> Token | None:
    """The nearest verb above a noun ("launched an offensive", "died during clashes")."""
    node = token
    for _ in range(limit):
        if node.head.i == node.i:
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def appositive_owner(token: Token) -> Token | None:
    """The noun whose apposition holds a token ("Amniyat, the group's wing": Amniyat)."""
    node = token
    while node.head.i != node.i:
        if node.dep_ == "appos":
            return node.head
        if node.pos_ in ("VERB", "AUX") or node.dep_ == "conj":
            return None
        node = node.head
    return None


def tokens(part: Doc | Span) -> list[Token]:
    """The tokens of a document or sentence, built once per document: every ``for t in
    doc`` makes new Token objects, and the stages scan each sentence many times.
    ``release`` drops the cache when the document is done."""
    doc = part if isinstance(part, Doc) else part.doc
    cached = doc.user_data.get(TOKENS_KEY)
    if cached is None:
        cached = doc.user_data[TOKENS_KEY] = list(doc)
    return cached if part is doc else cached[part.start : part.end]


def release(doc: Doc) -> None:
    """Forget the token cache (the tokens point back at the document)."""
    doc.user_data.pop(TOKENS_KEY, None)


TOKENS_KEY = "conflictmap_tokens"
