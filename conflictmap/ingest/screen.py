"""Texts that read fine but cannot be extracted from: too long, no words, not English.

Ingest fails such a document with the reason instead of storing an empty or garbled
extraction; the rest of the batch goes on. The language test is deliberately coarse (a
script count and English function words) so that English reports full of names and
numbers still pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

MAX_TEXT_CHARS = 1_000_000  # spaCy's max_length: the parser needs ~1 GB per 100,000 characters
MIN_WORDS_TO_JUDGE = 25  # shorter texts (a headline, a one-line brief) are not judged
MIN_LETTERS_TO_JUDGE = 40  # ... by their script (Chinese or Thai run words together)
MIN_ENGLISH_SHARE = 0.08  # English news prose runs at 30-50% function words
MIN_LATIN_SHARE = 0.5

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ENGLISH_FUNCTION_WORDS = """
the of and to in a an is was were are be been has had have his her its their they he she
it we you i this that these those which who whom what when where while after before from
with by at on for as but or not no than then there here said says also would will could
should may might can into over under about against between during our us them him my
your all some any more most other such only both each
"""
_FUNCTION_WORDS = frozenset(_ENGLISH_FUNCTION_WORDS.split())


def unusable(text: str) -> str | None:
    """Why ``text`` cannot be extracted from, or None when it can."""
    if len(text) > MAX_TEXT_CHARS:
        return (
            f"text too long to extract ({len(text):,} characters; limit {MAX_TEXT_CHARS:,}): "
            "split it into one report per file or per JSONL line"
        )
    words = _WORD.findall(text)
    if not words:
        return "no words to extract from (only numbers, punctuation or symbols)"
    script = main_script(words)
    if script != "LATIN" and sum(map(len, words)) >= MIN_LETTERS_TO_JUDGE:
        name = _SCRIPT_NAMES.get(script, script.title())
        return f"not English (written mostly in {name} script); conflictmap reads English"
    if script != "LATIN" or len(words) < MIN_WORDS_TO_JUDGE:
        return None
    english = sum(word.lower() in _FUNCTION_WORDS for word in words) / len(words)
    if english < MIN_ENGLISH_SHARE:
        return (
            f"not English (only {english:.0%} of {len(words)} words are English function "
            "words); conflictmap reads English"
        )
    return None


_SCRIPT_NAMES = {
    "CJK": "Chinese",
    "HANGUL": "Korean",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
}


def main_script(words: list[str]) -> str:
    """The script most letters are written in ('LATIN', 'CYRILLIC', 'ARABIC', ...), or
    'LATIN' when Latin letters make at least half of them."""
    scripts: Counter[str] = Counter()
    for word in words:
        if word.isascii():  # most words of most reports: no name lookup
            scripts["LATIN"] += len(word)
            continue
        for letter in word:
            scripts[unicodedata.name(letter, "UNKNOWN").split()[0]] += 1
    total = sum(scripts.values())
    if scripts["LATIN"] >= MIN_LATIN_SHARE * total:
        return "LATIN"
    return scripts.most_common(1)[0][0]
