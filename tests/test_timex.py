"""Tests for temporal expression normalisation (conflictmap.extract.timex)."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from conflictmap.extract.timex import _parse_cached, find_document_date, parse_timex
from conflictmap.model import TimeValue

ANCHOR = date(2012, 7, 20)  # a Friday
D = date.fromisoformat
PRECISIONS = {"day", "week", "month", "season", "year", "decade"}
REPO_ROOT = Path(__file__).resolve().parents[1]


def _interval(text: str, anchor: date | None = ANCHOR) -> tuple[str, str, str]:
    tv = parse_timex(text, anchor)
    assert tv is not None, f"{text!r} did not parse"
    return tv.start.isoformat(), tv.end.isoformat(), tv.precision


ABSOLUTE = [
    # days
    ("on March 22, 2012", "2012-03-22", "2012-03-22", "day"),
    ("March 22, 2012", "2012-03-22", "2012-03-22", "day"),
    ("22 March 2012", "2012-03-22", "2012-03-22", "day"),
    ("the 22nd of March 2012", "2012-03-22", "2012-03-22", "day"),
    ("2012-03-22", "2012-03-22", "2012-03-22", "day"),
    ("Tuesday, March 22, 2011", "2011-03-22", "2011-03-22", "day"),
    ("Mar. 22, 2012", "2012-03-22", "2012-03-22", "day"),
    # months
    ("in October 2011", "2011-10-01", "2011-10-31", "month"),
    ("October 2011", "2011-10-01", "2011-10-31", "month"),
    ("Oct. 2011", "2011-10-01", "2011-10-31", "month"),
    ("October of 2011", "2011-10-01", "2011-10-31", "month"),
    ("February 2012", "2012-02-01", "2012-02-29", "month"),
    # years and decades
    ("in 2007", "2007-01-01", "2007-12-31", "year"),
    ("2007", "2007-01-01", "2007-12-31", "year"),
    ("the year 2007", "2007-01-01", "2007-12-31", "year"),
    ("the late 1990s", "1997-01-01", "1999-12-31", "decade"),
    ("the early 1990s", "1990-01-01", "1993-12-31", "decade"),
    ("the mid-1990s", "1994-01-01", "1996-12-31", "decade"),
    ("mid 1990s", "1994-01-01", "1996-12-31", "decade"),
    ("the 1990s", "1990-01-01", "1999-12-31", "decade"),
    ("the '90s", "1990-01-01", "1999-12-31", "decade"),
    ("the 2000s", "2000-01-01", "2009-12-31", "decade"),
    ("early 2012", "2012-01-01", "2012-04-30", "year"),
    ("mid-2011", "2011-05-01", "2011-08-31", "year"),
    ("late 2011", "2011-09-01", "2011-12-31", "year"),
    ("the end of 2011", "2011-09-01", "2011-12-31", "year"),
    ("the first half of 2012", "2012-01-01", "2012-06-30", "year"),
    ("the second half of 2011", "2011-07-01", "2011-12-31", "year"),
    # year ranges
    ("1990-95", "1990-01-01", "1995-12-31", "year"),
    ("1990-1995", "1990-01-01", "1995-12-31", "year"),
    ("1990–95", "1990-01-01", "1995-12-31", "year"),
    ("1998-02", "1998-01-01", "2002-12-31", "year"),
    ("between 1990 and 1995", "1990-01-01", "1995-12-31", "year"),
    ("from 1990 to 1995", "1990-01-01", "1995-12-31", "year"),
    # seasons
    ("in the spring of 2012", "2012-03-01", "2012-05-31", "season"),
    ("summer 2011", "2011-06-01", "2011-08-31", "season"),
    ("autumn 2011", "2011-09-01", "2011-11-30", "season"),
    ("the fall of 2011", "2011-09-01", "2011-11-30", "season"),
    ("winter 2012", "2011-12-01", "2012-02-29", "season"),
    ("late summer 2011", "2011-08-01", "2011-08-31", "season"),
    # month ranges and parts with an explicit year
    ("from March to June 2012", "2012-03-01", "2012-06-30", "month"),
    ("from November to February 2012", "2011-11-01", "2012-02-29", "month"),
    ("late March 2011", "2011-03-21", "2011-03-31", "month"),
    ("March 22-25, 2012", "2012-03-22", "2012-03-25", "day"),
    ("22-25 March 2012", "2012-03-22", "2012-03-25", "day"),
    ("the week of March 5, 2012", "2012-03-05", "2012-03-11", "week"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), ABSOLUTE)
def test_absolute_forms(text: str, start: str, end: str, precision: str) -> None:
    assert _interval(text) == (start, end, precision)


@pytest.mark.parametrize(("text", "start", "end", "precision"), ABSOLUTE)
def test_absolute_forms_need_no_anchor(text: str, start: str, end: str, precision: str) -> None:
    assert _interval(text, None) == (start, end, precision)


RELATIVE = [
    # year-less days and months (anchor year, or the previous one when far in the future)
    ("March 22", "2012-03-22", "2012-03-22", "day"),
    ("22 March", "2012-03-22", "2012-03-22", "day"),
    ("September 10", "2012-09-10", "2012-09-10", "day"),
    ("December 5", "2011-12-05", "2011-12-05", "day"),
    ("October", "2011-10-01", "2011-10-31", "month"),
    ("in May", "2012-05-01", "2012-05-31", "month"),
    # parts of a month
    ("late March", "2012-03-21", "2012-03-31", "month"),
    ("early March", "2012-03-01", "2012-03-10", "month"),
    ("mid-March", "2012-03-11", "2012-03-20", "month"),
    ("mid March", "2012-03-11", "2012-03-20", "month"),
    ("the middle of March", "2012-03-11", "2012-03-20", "month"),
    ("the end of June", "2012-06-21", "2012-06-30", "month"),
    ("end of June", "2012-06-21", "2012-06-30", "month"),
    ("the beginning of June", "2012-06-01", "2012-06-10", "month"),
    ("the start of June", "2012-06-01", "2012-06-10", "month"),
    ("late February", "2012-02-21", "2012-02-29", "month"),
    ("from March to June", "2012-03-01", "2012-06-30", "month"),
    ("late March to June", "2012-03-21", "2012-06-30", "month"),
    ("March 22-25", "2012-03-22", "2012-03-25", "day"),
    # calendar units relative to the anchor
    ("last week", "2012-07-09", "2012-07-15", "week"),
    ("Last week", "2012-07-09", "2012-07-15", "week"),
    ("this week", "2012-07-16", "2012-07-22", "week"),
    ("next week", "2012-07-23", "2012-07-29", "week"),
    ("last month", "2012-06-01", "2012-06-30", "month"),
    ("next month", "2012-08-01", "2012-08-31", "month"),
    ("this month", "2012-07-01", "2012-07-31", "month"),
    ("earlier this month", "2012-07-01", "2012-07-31", "month"),
    ("last year", "2011-01-01", "2011-12-31", "year"),
    ("this year", "2012-01-01", "2012-12-31", "year"),
    ("earlier this year", "2012-01-01", "2012-12-31", "year"),
    ("late last year", "2011-09-01", "2011-12-31", "year"),
    ("March last year", "2011-03-01", "2011-03-31", "month"),
    ("early last month", "2012-06-01", "2012-06-10", "month"),
    # days
    ("yesterday", "2012-07-19", "2012-07-19", "day"),
    ("Yesterday.", "2012-07-19", "2012-07-19", "day"),
    ("today", "2012-07-20", "2012-07-20", "day"),
    ("last night", "2012-07-19", "2012-07-19", "day"),
    ("the day before yesterday", "2012-07-18", "2012-07-18", "day"),
    ("on Tuesday", "2012-07-17", "2012-07-17", "day"),
    ("Tuesday", "2012-07-17", "2012-07-17", "day"),
    ("last Tuesday", "2012-07-17", "2012-07-17", "day"),
    ("Tuesday night", "2012-07-17", "2012-07-17", "day"),
    ("early Tuesday", "2012-07-17", "2012-07-17", "day"),
    ("on Saturday", "2012-07-14", "2012-07-14", "day"),
    ("on Friday", "2012-07-20", "2012-07-20", "day"),
    ("last Friday", "2012-07-13", "2012-07-13", "day"),
    ("next Monday", "2012-07-23", "2012-07-23", "day"),
    ("the 15th", "2012-07-15", "2012-07-15", "day"),
    ("the 22nd", "2012-06-22", "2012-06-22", "day"),
    # weekends
    ("over the weekend", "2012-07-14", "2012-07-15", "week"),
    ("last weekend", "2012-07-14", "2012-07-15", "week"),
    # "ago"
    ("two days ago", "2012-07-18", "2012-07-18", "day"),
    ("2 days ago", "2012-07-18", "2012-07-18", "day"),
    ("three weeks ago", "2012-06-25", "2012-07-01", "week"),
    ("a month ago", "2012-06-01", "2012-06-30", "month"),
    ("a year ago", "2011-01-01", "2011-12-31", "year"),
    ("about a couple of years ago", "2010-01-01", "2010-12-31", "year"),
    ("a decade ago", "2000-01-01", "2009-12-31", "decade"),
    # trailing windows
    ("the past week", "2012-07-14", "2012-07-20", "week"),
    ("the past two weeks", "2012-07-07", "2012-07-20", "week"),
    ("the past 24 hours", "2012-07-19", "2012-07-20", "day"),
    # seasons relative to the anchor
    ("last summer", "2011-06-01", "2011-08-31", "season"),
    ("this summer", "2012-06-01", "2012-08-31", "season"),
    ("next summer", "2013-06-01", "2013-08-31", "season"),
    ("last spring", "2012-03-01", "2012-05-31", "season"),
    ("last winter", "2011-12-01", "2012-02-29", "season"),
    ("in the spring", "2012-03-01", "2012-05-31", "season"),
    ("in the autumn", "2012-09-01", "2012-11-30", "season"),  # within the 2-month slack
    ("in the winter", "2011-12-01", "2012-02-29", "season"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), RELATIVE)
def test_relative_forms(text: str, start: str, end: str, precision: str) -> None:
    assert _interval(text) == (start, end, precision)


@pytest.mark.parametrize("text", [t[0] for t in RELATIVE])
def test_relative_forms_need_an_anchor(text: str) -> None:
    assert parse_timex(text, None) is None


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("late December", date(2012, 1, 5), ("2011-12-21", "2011-12-31", "month")),
        ("March 10", date(2012, 1, 15), ("2012-03-10", "2012-03-10", "day")),
        ("March 22", date(2012, 1, 15), ("2011-03-22", "2011-03-22", "day")),
        ("April 30", date(2012, 1, 15), ("2011-04-30", "2011-04-30", "day")),
        ("February 29", date(2013, 3, 1), ("2012-02-29", "2012-02-29", "day")),
        ("last week", date(2013, 1, 2), ("2012-12-24", "2012-12-30", "week")),
        ("last month", date(2013, 1, 31), ("2012-12-01", "2012-12-31", "month")),
        ("a month ago", date(2012, 3, 31), ("2012-02-01", "2012-02-29", "month")),
        ("over the weekend", date(2012, 7, 22), ("2012-07-21", "2012-07-22", "week")),
        ("this winter", date(2012, 12, 20), ("2012-12-01", "2013-02-28", "season")),
        ("summer", date(2012, 2, 1), ("2011-06-01", "2011-08-31", "season")),
        ("on Friday", datetime(2012, 7, 20, 15, 30), ("2012-07-20", "2012-07-20", "day")),
    ],
)
def test_other_anchors(text: str, anchor: date, expected: tuple[str, str, str]) -> None:
    assert _interval(text, anchor) == expected


@pytest.mark.parametrize(
    ("text", "open_start", "open_end", "expected"),
    [
        ("since late March", False, True, ("2012-03-21", "2012-03-31", "month")),
        ("since 2011", False, True, ("2011-01-01", "2011-12-31", "year")),
        ("starting in May", False, True, ("2012-05-01", "2012-05-31", "month")),
        ("from June", False, True, ("2012-06-01", "2012-06-30", "month")),
        ("until the end of June", True, False, ("2012-06-21", "2012-06-30", "month")),
        ("till the end of June", True, False, ("2012-06-21", "2012-06-30", "month")),
        ("up to the end of June", True, False, ("2012-06-21", "2012-06-30", "month")),
        ("until 2010", True, False, ("2010-01-01", "2010-12-31", "year")),
        ("from March to June 2012", False, False, ("2012-03-01", "2012-06-30", "month")),
        ("in late March", False, False, ("2012-03-21", "2012-03-31", "month")),
        ("by early 2012", False, False, ("2012-01-01", "2012-04-30", "year")),
    ],
)
def test_open_intervals(
    text: str, open_start: bool, open_end: bool, expected: tuple[str, str, str]
) -> None:
    tv = parse_timex(text, ANCHOR)
    assert tv is not None
    assert (tv.open_start, tv.open_end) == (open_start, open_end)
    assert (tv.start.isoformat(), tv.end.isoformat(), tv.precision) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "one",
        "hundreds",
        "the unstoppable",
        "9999999999",
        "22",
        "1,500",
        "the",
        "since",
        "3 days",
        "two weeks",
        "2 weeks later",
        "the previous day",
        "in recent weeks",
        "a few days ago",
        "2011 and 2012",
        "the 19th century",
        "year 0000",
        "999 decades ago",
        "99999 BC",
        "7h",
        "#62",
        "after 2011",
        "June 31, 2012",
        "March 22 2012 to March 1 2012",
        "Tuesday last year",
        "x" * 500,
    ],
)
def test_garbage_returns_none(text: str) -> None:
    assert parse_timex(text, ANCHOR) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22/03/2012", ("2012-03-22", "2012-03-22", "day")),
        ("12.03.2012", ("2012-03-12", "2012-03-12", "day")),
        ("Thursday 22 March 2012 10:00 GMT", ("2012-03-22", "2012-03-22", "day")),
        ("March 22 at 10 am", ("2012-03-22", "2012-03-22", "day")),
        ("22 mar 12", ("2012-03-22", "2012-03-22", "day")),
    ],
)
def test_dateparser_fallback(text: str, expected: tuple[str, str, str]) -> None:
    assert _interval(text) == expected


def test_dateparser_fallback_without_anchor() -> None:
    assert _interval("22/03/2012", None) == ("2012-03-22", "2012-03-22", "day")
    assert parse_timex("March 22 at 10 am", None) is None  # no year
    assert parse_timex("5 mins ago", None) is None  # relative


def test_value_and_text_are_kept() -> None:
    tv = parse_timex("  Last week, ", ANCHOR)
    assert tv == TimeValue("Last week,", D("2012-07-09"), D("2012-07-15"), "week")
    assert tv.value == "2012-W28"
    assert parse_timex("the late 1990s", ANCHOR).value == "199X"  # type: ignore[union-attr]
    assert parse_timex("in October 2011", None).value == "2011-10"  # type: ignore[union-attr]


def test_non_string_input_returns_none() -> None:
    assert parse_timex(None, ANCHOR) is None  # type: ignore[arg-type]
    assert parse_timex(2012, ANCHOR) is None  # type: ignore[arg-type]
    assert parse_timex("last week", "2012-07-20") is None  # type: ignore[arg-type]


def _random_strings(rng: random.Random, n: int) -> list[str]:
    alphabet = string.printable + "–—’éß\u00a0\u200b"
    vocab = (
        "the", "late", "early", "mid", "end", "of", "since", "until", "from", "to", "between",
        "and", "last", "next", "this", "ago", "a", "two", "March", "June", "Tuesday", "22", "2012",
        "1990s", "95", "-", ",", ".", "summer", "week", "month", "year", "weekend", "31", "0",
        "99", "1799", "2101", "night", "22nd", "first", "half",
    )  # fmt: skip
    out = []
    for i in range(n):
        if i % 2:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
        else:
            out.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 6))))
    return out


def test_random_strings_never_raise() -> None:
    rng = random.Random(20120720)
    parsed = 0
    for i, text in enumerate(_random_strings(rng, 4000)):
        anchor = None if i % 3 == 0 else date(rng.randint(1990, 2030), rng.randint(1, 12), 28)
        tv = parse_timex(text, anchor)
        if tv is None:
            continue
        parsed += 1
        assert tv.start <= tv.end, text
        assert tv.precision in PRECISIONS, text
        assert tv.start.year >= 1800 and tv.end.year <= 2100, text
        assert not (tv.open_start and tv.open_end), text
    assert parsed > 50  # the vocabulary half must exercise the rules, not only return None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BAMAKO, July 20, 2012 - Rebels seized the town", date(2012, 7, 20)),
        ("BAMAKO, July 20 2012 (Reuters) - Rebels", date(2012, 7, 20)),
        ("Published 20 July 2012. Fighting resumed on March 22.", date(2012, 7, 20)),
        ("Friday, 20th July, 2012\nGunmen attacked", date(2012, 7, 20)),
        ("Posted 2012-07-20 by staff", date(2012, 7, 20)),
        ("Sept. 3, 2011 - The convoy", date(2011, 9, 3)),
        ("Rebels took the town in July 2012, residents said.", None),
        ("Rebels took the town on July 20, residents said.", None),
        ("February 30, 2012 - bad date", None),
        ("No date at all", None),
        ("", None),
        ("x" * 400 + " July 20, 2012", None),
    ],
)
def test_find_document_date(text: str, expected: date | None) -> None:
    assert find_document_date(text) == expected


def test_find_document_date_takes_the_first_date() -> None:
    text = "KIDAL, 21 July 2012 - The attack on July 19, 2012 killed two."
    assert find_document_date(text) == date(2012, 7, 21)


RULE_FORMS = [
    "March 22",
    "on March 22, 2012",
    "in October 2011",
    "late March",
    "since late March",
    "until the end of June",
    "last week",
    "yesterday",
    "on Tuesday",
    "two days ago",
    "the late 1990s",
    "1990-95",
    "last summer",
    "from March to June 2012",
    "hundreds",
]


def test_rule_forms_do_not_import_dateparser() -> None:
    code = (
        "import sys\nfrom datetime import date\n"
        "from conflictmap.extract.timex import parse_timex\n"
        f"for t in {RULE_FORMS!r}:\n    parse_timex(t, date(2012, 7, 20))\n"
        "print('dateparser' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.strip() == "False"


def test_rule_path_is_fast() -> None:
    parse = _parse_cached.__wrapped__  # bypass the result cache
    for text in RULE_FORMS:
        parse(text, ANCHOR)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        for text in RULE_FORMS:
            parse(text, ANCHOR)
    per_call = (time.perf_counter() - started) / (rounds * len(RULE_FORMS))
    assert per_call < 0.5e-3  # typically ~15 us; generous for slow CI machines
