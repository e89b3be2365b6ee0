"""Headlines and datelines in capitals: parsed in title case, reported as written."""

from __future__ import annotations

import pytest

from conflictmap.extract.pipeline import recase_headlines


@pytest.mark.parametrize(
    "text",
    [
        "REBELS SEIZE TOWN IN THE NORTH AFTER TWO DAYS OF FIGHTING",
        "KIDAL, March 30 (Wire) - Rebels took the town.",
        "NEW ARMY CHIEF NAMED\n\nThe ministry named a new chief of staff on Monday.",
        "STRASSE ÉCOLE İSTANBUL ß",
        "",
    ],
)
def test_recasing_keeps_length_and_offsets(text: str) -> None:
    recased = recase_headlines(text)
    assert len(recased) == len(text)
    assert recased.lower() == text.lower() or "İ" in text


def test_only_lines_in_capitals_change() -> None:
    text = "REBELS SEIZE THE TOWN\nThe UN mission and the MNLA said nothing."
    head, body = recase_headlines(text).split("\n")
    assert head == "Rebels Seize the Town"
    assert body == "The UN mission and the MNLA said nothing."  # acronyms in prose stay


def test_dateline_place_is_recased_alone() -> None:
    assert recase_headlines("GAO, June 29 (Desert Courier) - MUJAO said") == (
        "Gao, June 29 (Desert Courier) - MUJAO said"
    )


@pytest.mark.slow
def test_mentions_in_a_capital_headline_keep_the_original_text(extractor) -> None:
    text = "ISLAMIST FIGHTERS SEIZE KIDAL\n\nKIDAL, March 30 (Wire) - Islamist fighters took Kidal."
    result = extractor.extract(text, doc_id="caps")
    for entity in result.entities:
        for start, end, surface in entity.mentions:
            assert text[start:end] == surface
    places = {e.canonical for e in result.entities if e.type == "LOCATION"}
    assert any(p.lower() == "kidal" for p in places)
