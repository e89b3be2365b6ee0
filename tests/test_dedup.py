"""Exact hashes and MinHash near-duplicate detection."""

from __future__ import annotations

import time

import pytest

from conflictmap.ingest.dedup import (
    NearDuplicateIndex,
    normalise,
    shingles,
    signature,
    similarity,
    text_hash,
)

REPORT = (
    "Residents of the hill district said on Tuesday that a convoy of trucks carrying seed and "
    "fertiliser reached the upper valley for the first time since the spring rains washed away "
    "the only road. The district council said engineers had built a temporary crossing of steel "
    "plates over the worst section and that the crossing would carry light vehicles until a "
    "permanent bridge is finished next year. Farmers in three villages had planted late because "
    "supplies could not get through, and some had sold livestock to buy grain at the weekly "
    "market. A spokeswoman for the council said the new crossing was inspected on Monday and "
    "that loads above eight tonnes would be turned back at a checkpoint near the river. Traders "
    "welcomed the news but said fuel prices remained high. The council plans a public meeting "
    "next week to hear from villagers about the route of the permanent road and about "
    "compensation for land along it."
)

UNRELATED = (
    "The city orchestra opened its winter season with a programme of short pieces by young "
    "composers, and the hall was nearly full despite the cold. Critics praised the strings and "
    "a new work for solo clarinet, while the conductor thanked volunteers who had repaired the "
    "old organ over the summer. Tickets for the remaining concerts are on sale at the box office "
    "and online, with reduced prices for students and pensioners on weekday evenings."
)


def lightly_edited(text: str) -> str:
    edited = text.replace("three villages", "four villages")
    return edited + " Officials expect more convoys before the end of the month."


def test_report_is_about_150_words() -> None:
    assert 140 <= len(REPORT.split()) <= 170


def test_normalise() -> None:
    assert normalise("  The  “Quick”\u00a0Fox —\tit’s\n here ") == 'the "quick" fox - it\'s here'
    assert normalise("ﬁre ＡＢＣ") == "fire abc"  # NFKC: ligature, full-width
    assert normalise("co\u00adop\u200beration") == "cooperation"


def test_exact_hash_ignores_case_whitespace_quotes() -> None:
    variant = "  " + REPORT.upper().replace(" ", "  \n").replace("'", "\u2019") + "\n"
    assert text_hash(variant) == text_hash(REPORT)
    assert len(text_hash(REPORT)) == 40
    assert text_hash(REPORT) != text_hash(REPORT.replace("Tuesday", "Wednesday"))


def test_shingles() -> None:
    assert shingles("One, two three four five six!") == {
        "one two three four five",
        "two three four five six",
    }
    assert shingles("too short") == {"too short"}


def test_signature_round_trips_through_bytes() -> None:
    sig = signature(REPORT)
    assert isinstance(sig, bytes) and len(sig) == 128 * 4
    assert signature(REPORT) == sig  # deterministic across calls
    assert bytes(bytearray(sig)) == sig and similarity(bytes(bytearray(sig)), sig) == 1.0
    assert len(signature(REPORT, num_perm=64)) == 64 * 4


def test_similarity_orders_texts() -> None:
    base = signature(REPORT)
    near = similarity(base, signature(lightly_edited(REPORT)))
    far = similarity(base, signature(UNRELATED))
    assert near >= 0.8 > 0.2 > far


def test_index_finds_lightly_edited_copy() -> None:
    index = NearDuplicateIndex(threshold=0.8)
    index.add("report", signature(REPORT))
    index.add("concert", signature(UNRELATED))
    assert len(index) == 2 and "report" in index
    assert index.query(signature(lightly_edited(REPORT))) == "report"
    assert index.query(signature(REPORT)) == "report"
    assert index.query(signature(UNRELATED)) == "concert"


def test_index_ignores_unrelated_text() -> None:
    index = NearDuplicateIndex()
    index.add("report", signature(REPORT))
    assert index.query(signature(UNRELATED)) is None
    half = " ".join(REPORT.split()[:75]) + " " + UNRELATED
    assert index.query(signature(half)) is None
    assert NearDuplicateIndex().query(signature(REPORT)) is None


def test_index_replaces_and_picks_best() -> None:
    index = NearDuplicateIndex()
    index.add("a", signature(UNRELATED))
    index.add("a", signature(REPORT))  # same id again replaces
    assert len(index) == 1
    assert index.query(signature(UNRELATED)) is None
    index.add("b", signature(lightly_edited(REPORT)))
    assert index.query(signature(REPORT)) == "a"  # exact copy beats edited copy


def test_index_rejects_bad_signatures() -> None:
    index = NearDuplicateIndex(num_perm=128)
    with pytest.raises(ValueError, match="num_perm"):
        index.add("x", signature(REPORT, num_perm=64))
    with pytest.raises(ValueError):
        index.query(b"abc")
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0)


def test_signature_speed_600_words() -> None:
    text = " ".join([REPORT] * 5).split()[:600]
    body = " ".join(f"{w}{i % 37}" for i, w in enumerate(text))
    signature(body)
    start = time.perf_counter()
    for _ in range(20):
        signature(body)
    per_call = (time.perf_counter() - start) / 20
    assert per_call < 0.05, f"signature() took {per_call * 1000:.1f} ms"
