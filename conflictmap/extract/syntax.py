"""Where a token sits in the parse: its clause, and whether that clause is a side one."""

from __future__ import annotations

from spacy.tokens import Token

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
