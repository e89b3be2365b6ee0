"""Temporal expression normalisation: date phrases from news reports to ``TimeValue`` intervals.

``parse_timex`` turns what spaCy tags DATE ("late March", "last week", "the 1990s",
"since the end of June") into an interval with a precision, resolving relative and
year-less forms against the document's publication date (the anchor).

Regular-expression rules cover the common forms and are fast; anything they do not cover,
but that looks like a date, goes to dateparser (imported lazily, one parser cached per
anchor). Conventions:

* A month/day without a year takes the anchor's year, or the previous year when that
  would fall more than ``_FUTURE_SLACK`` after the anchor (reports mostly look back).
* Parts of a month: early 1-10, mid 11-20, late/end 21-last. Parts of a year: early
  Jan-Apr, mid May-Aug, late Sep-Dec. Parts of a decade: early 0-3, mid 4-6, late 7-9.
* Seasons are northern meteorological seasons; "winter 2012" is Dec 2011 - Feb 2012.
* "since"/"from" give ``open_end``, "until"/"till"/"up to"/"through" give ``open_start``;
  the value still describes the expression itself.
* Numeric dates that dateparser reads are taken day-first (22/03/2012).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from conflictmap.model import Precision, TimeValue

Span = tuple[date, date, Precision]
_Handler = Callable[[re.Match[str], date | None, int | None], Span | None]

MIN_YEAR = 1800
MAX_YEAR = 2100
_FUTURE_SLACK = timedelta(days=62)
_MAX_LEN = 80
_DOC_DATE_WINDOW = 300

_PRECISION_ORDER: dict[str, int] = {
    p: i for i, p in enumerate(("day", "week", "month", "season", "year", "decade"))
}

_MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())} | {"sept": 9})
_FULL_MONTHS = "|".join(name.lower() for name in calendar.month_name if name)
_ANY_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAY_RE = "|".join(_WEEKDAYS)
_WEEKDAY_ABBR = "mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun"
_SEASON_START: dict[str, int] = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_SEASON_RE = "|".join(_SEASON_START)

_NUMBER_NAMES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_NUMBER_NAMES, 1)} | {
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "a": 1, "an": 1, "a couple of": 2, "couple of": 2,
}  # fmt: skip
_NUM_RE = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_UNIT_RE = r"(?P<unit>hour|day|week|month|year|decade)s?"

_RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "the day before yesterday": -2,
    "day before yesterday": -2,
    "tomorrow": 1,
}

# --------------------------------------------------------------------------- calendar helpers


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + k
    return total // 12, total % 12 + 1


def _shift_months(d: date, k: int) -> date:
    year, month = _add_months(d.year, d.month, k)
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _day_span(year: int, month: int, day: int) -> Span | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return (d, d, "day")


def _month_span(year: int, month: int) -> Span | None:
    if not 1 <= month <= 12:
        return None
    return (date(year, month, 1), _month_end(year, month), "month")


def _week_span(d: date) -> Span:
    monday = d - timedelta(days=d.weekday())
    return (monday, monday + timedelta(days=6), "week")


def _year_span(year: int) -> Span:
    return (date(year, 1, 1), date(year, 12, 31), "year")


def _decade_span(year: int) -> Span:
    first = year - year % 10
    return (date(first, 1, 1), date(first + 9, 12, 31), "decade")


def _season_span(season: str, label: int) -> Span:
    month = _SEASON_START[season]
    year = label - 1 if month == 12 else label
    end_year, end_month = _add_months(year, month, 2)
    return (date(year, month, 1), _month_end(end_year, end_month), "season")


def _unit_span(d: date, unit: str) -> Span:
    if unit in ("day", "hour"):
        return (d, d, "day")
    if unit == "week":
        return _week_span(d)
    if unit == "month":
        return (date(d.year, d.month, 1), _month_end(d.year, d.month), "month")
    if unit == "year":
        return _year_span(d.year)
    return _decade_span(d.year)


def _shift(anchor: date, n: int, unit: str) -> date:
    """The date ``n`` units before ``anchor``."""
    if unit == "hour":
        return anchor - timedelta(days=n // 24)
    if unit == "day":
        return anchor - timedelta(days=n)
    if unit == "week":
        return anchor - timedelta(weeks=n)
    months = {"month": 1, "year": 12, "decade": 120}[unit]
    return _shift_months(anchor, -n * months)


def _pick_year(
    make: Callable[[int], Span | None], anchor: date | None, hint: int | None
) -> Span | None:
    """Resolve a year-less form: the hinted year, else the anchor's year biased to the past."""
    if hint is not None:
        return make(hint)
    if anchor is None:
        return None
    span = make(anchor.year)
    if span is None or span[0] > anchor + _FUTURE_SLACK:
        span = make(anchor.year - 1)
    return span


def _year_of(text: str | None) -> int | None:
    return int(text) if text else None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


# --------------------------------------------------------------------------- rule handlers


def _h_iso(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    return _day_span(int(m["year"]), int(m["month"]), int(m["day"]))


def _h_day(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    month, day = _MONTHS[m["month"]], int(m["day"])
    year = _year_of(m["year"])
    if year is not None:
        return _day_span(year, month, day)
    return _pick_year(lambda y: _day_span(y, month, day), anchor, hint)


def _h_day_range(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    month, first, last = _MONTHS[m["month"]], int(m["d1"]), int(m["d2"])
    if first >= last:
        return None

    def make(year: int) -> Span | None:
        a, b = _day_span(year, month, first), _day_span(year, month, last)
        return (a[0], b[0], "day") if a and b else None

    year = _year_of(m["year"])
    return make(year) if year is not None else _pick_year(make, anchor, hint)


def _h_month(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    month = _MONTHS[m["month"]]
    year = _year_of(m["year"])
    if year is not None:
        return _month_span(year, month)
    return _pick_year(lambda y: _month_span(y, month), anchor, hint)


def _h_year(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    return _year_span(int(m["year"]))


def _h_year_range(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    first, tail = int(m["y1"]), m["y2"]
    last = int(tail) if len(tail) == 4 else first - first % 100 + int(tail)
    if len(tail) == 2 and last <= first:
        last += 100
    if 0 < last - first <= 50:
        return (date(first, 1, 1), date(last, 12, 31), "year")
    if len(tail) == 2 and m["sep"] == "-":
        return _month_span(first, int(tail))  # ISO year-month, "2012-03"
    return None


def _h_decade(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    century = int(m["cent"]) if m["cent"] else 19
    return _decade_span(century * 100 + int(m["dec"]) * 10)


def _h_season(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    season, rel, year = m["season"], m["rel"], _year_of(m["year"])
    if year is not None:
        return None if rel else _season_span(season, year)
    if hint is not None and not rel:
        return _season_span(season, hint)
    if anchor is None:
        return None
    if rel in ("last", "past", "this past"):
        label = anchor.year + 1
        while _season_span(season, label)[1] >= anchor:
            label -= 1
        return _season_span(season, label)
    if rel in ("next", "coming"):
        label = anchor.year - 1
        while _season_span(season, label)[0] <= anchor:
            label += 1
        return _season_span(season, label)
    span = _this_season(season, anchor)
    if rel is None and span[0] > anchor + _FUTURE_SLACK:
        span = _season_span(season, span[0].year - (0 if season == "winter" else 1))
    return span


def _this_season(season: str, anchor: date) -> Span:
    for label in (anchor.year, anchor.year + 1):
        span = _season_span(season, label)
        if span[0] <= anchor <= span[1]:
            return span
    return _season_span(season, anchor.year)


def _h_relative_unit(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    rel, unit = m["rel"], m["unit"]
    if rel == "past":
        return _trailing(anchor, 1, unit)
    step = {"last": -1, "this past": -1, "this": 0, "next": 1, "coming": 1}[rel]
    if unit == "week":
        return _week_span(anchor + timedelta(weeks=step))
    if unit == "month":
        return _unit_span(_shift_months(anchor, step), "month")
    if unit == "year":
        return _year_span(anchor.year + step)
    return _decade_span(anchor.year + 10 * step)


def _unit_precision(unit: str) -> Precision:
    return "day" if unit == "hour" else unit  # type: ignore[return-value]


def _h_weekend(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    rel = m["rel"]
    if rel is None:
        weeks = 0 if anchor.weekday() >= 5 else -1
    else:
        weeks = {"last": -1, "past": -1, "this past": -1, "this": 0, "next": 1, "coming": 1}[rel]
    saturday = anchor - timedelta(days=anchor.weekday()) + timedelta(days=5, weeks=weeks)
    return (saturday, saturday + timedelta(days=1), "week")


def _h_weekday(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    target, rel = _WEEKDAYS[m["wd"]], m["rel"]
    if rel in ("next", "coming"):
        ahead = (target - anchor.weekday()) % 7 or 7
        d = anchor + timedelta(days=ahead)
    else:
        back = (anchor.weekday() - target) % 7
        if back == 0 and rel in ("last", "past", "this past"):
            back = 7
        d = anchor - timedelta(days=back)
    return (d, d, "day")


def _h_ago(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    unit = m["unit"]
    return _unit_span(_shift(anchor, _number(m["n"]), unit), unit)


def _h_trailing(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    return _trailing(anchor, _number(m["n"]), m["unit"])


def _trailing(anchor: date, n: int, unit: str) -> Span:
    """The ``n`` units up to and including the anchor ("the past two weeks")."""
    start = _shift(anchor, n, unit)
    if unit != "hour":
        start += timedelta(days=1)
    return (min(start, anchor), anchor, _unit_precision(unit))


def _h_ordinal_day(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    if anchor is None:
        return None
    day = int(m["day"])
    base = anchor if day <= anchor.day else _shift_months(anchor.replace(day=1), -1)
    return _day_span(base.year, base.month, day)


def _h_week_of(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    base = _single(m["base"], anchor, hint)
    return _week_span(base[0]) if base and base[2] == "day" else None


def _h_in_relative_year(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    """A base with "this/last/next year" ("March last year"): the year comes from the anchor."""
    if anchor is None:
        return None
    year = anchor.year + {"last": -1, "this": 0, "next": 1}[m["rel"]]
    base = _single(m["base"], anchor, year)
    return base if base and base[0].year == year == base[1].year else None


def _h_part(m: re.Match[str], anchor: date | None, hint: int | None) -> Span | None:
    base = _single(_strip_prefixes(m["base"])[0], anchor, hint)
    return _subdivide(base, m["part"]) if base else None


# --------------------------------------------------------------------------- parts of a period

_THIRDS = {"early": 0, "beginning": 0, "start": 0, "mid": 1, "middle": 1, "late": 2, "end": 2}
_HALVES = {"first half": 0, "second half": 1, "latter half": 1, "last half": 1}


def _subdivide(span: Span, part: str) -> Span | None:
    start, end, precision = span
    if precision == "day":
        return span if start == end else None
    piece = _THIRDS.get(part)
    half = _HALVES.get(part)
    if precision == "month" and (start, end) == (start.replace(day=1), _month_end_of(start)):
        return _part_of_month(start, end, piece, half)
    if precision == "year" and span == _year_span(start.year):
        return _part_of_year(start.year, piece, half)
    if precision == "decade" and span == _decade_span(start.year):
        return _part_of_decade(start.year, piece, half)
    if precision == "week" and span == _week_span(start) and piece is not None:
        first, last = ((0, 1), (2, 3), (4, 6))[piece]
        return (start + timedelta(days=first), start + timedelta(days=last), "week")
    if precision == "season" and piece is not None and start.day == 1:
        y, mo = _add_months(start.year, start.month, piece)
        return (date(y, mo, 1), _month_end(y, mo), "season")
    return None


def _month_end_of(d: date) -> date:
    return _month_end(d.year, d.month)


def _part_of_month(start: date, end: date, piece: int | None, half: int | None) -> Span:
    if piece is not None:
        first, last = ((1, 10), (11, 20), (21, end.day))[piece]
    else:
        first, last = ((1, 15), (16, end.day))[half or 0]
    return (start.replace(day=first), start.replace(day=last), "month")


def _part_of_year(year: int, piece: int | None, half: int | None) -> Span:
    if piece is not None:
        first, last = ((1, 4), (5, 8), (9, 12))[piece]
    else:
        first, last = ((1, 6), (7, 12))[half or 0]
    return (date(year, first, 1), _month_end(year, last), "year")


def _part_of_decade(year: int, piece: int | None, half: int | None) -> Span:
    if piece is not None:
        first, last = ((0, 3), (4, 6), (7, 9))[piece]
    else:
        first, last = ((0, 4), (5, 9))[half or 0]
    return (date(year + first, 1, 1), date(year + last, 12, 31), "decade")


# --------------------------------------------------------------------------- rule table

_YEAR = r"(?P<year>\d{4})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = rf"(?P<month>{_ANY_MONTH})\.?"
_WD_PREFIX = rf"(?:(?:{_WEEKDAY_RE}|{_WEEKDAY_ABBR})\.?,?\s+)?"
_OPT_YEAR = rf"(?:\s*,?\s*{_YEAR})?"
_REL = r"(?P<rel>this past|last|past|this|next|coming)"

_RULES: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(rf"{_YEAR}[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}})"), _h_iso),
    (re.compile(rf"{_WD_PREFIX}{_MONTH}\s*(?:the\s+)?{_DAY}{_OPT_YEAR}"), _h_day),
    (
        re.compile(rf"{_WD_PREFIX}(?:the\s+)?{_DAY}(?:\s+of)?[\s-]+{_MONTH}(?:[\s,-]+{_YEAR})?"),
        _h_day,
    ),
    (re.compile(rf"{_MONTH}\s*,?\s*(?:of\s+)?{_YEAR}"), _h_month),
    (re.compile(rf"(?P<month>{_FULL_MONTHS})(?P<year>)"), _h_month),
    (re.compile(rf"(?:year\s+)?{_YEAR}"), _h_year),
    (re.compile(rf"(?:{_REL}\s+)?(?P<wd>{_WEEKDAY_RE})"), _h_weekday),
    (re.compile(rf"{_REL}\s+(?P<unit>week|month|year|decade)"), _h_relative_unit),
    (re.compile(rf"{_NUM_RE}\s+{_UNIT_RE}\s+ago"), _h_ago),
    (
        re.compile(
            r"(?P<part>early|late|mid|middle|end|beginning|start|first half|second half"
            r"|latter half|last half)(?:-|\s+)(?:of\s+|in\s+)?(?P<base>.+)"
        ),
        _h_part,
    ),
    (
        re.compile(rf"(?:{_REL}\s+)?(?P<season>{_SEASON_RE})(?:\s*,?\s*(?:of\s+)?{_YEAR})?"),
        _h_season,
    ),
    (re.compile(rf"{_YEAR}\s+(?P<season>{_SEASON_RE})(?P<rel>)"), _h_season),
    (re.compile(r"(?:(?P<cent>1[89]|20|21)|')?(?P<dec>\d)0'?s"), _h_decade),
    (re.compile(r"(?P<y1>\d{4})\s*(?P<sep>[-/])\s*(?P<y2>\d{4}|\d{2})"), _h_year_range),
    (
        re.compile(
            rf"{_MONTH}\s*(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|to|and|until|through)"
            rf"\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?{_OPT_YEAR}"
        ),
        _h_day_range,
    ),
    (
        re.compile(
            r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s*(?:-|to|and)\s*(?P<d2>\d{1,2})"
            rf"(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}{_OPT_YEAR}"
        ),
        _h_day_range,
    ),
    (re.compile(rf"(?:{_REL}\s+)?weekend"), _h_weekend),
    (re.compile(r"week\s+of\s+(?:the\s+)?(?P<base>.+)"), _h_week_of),
    (
        re.compile(r"(?P<base>.+?),?\s+(?:of\s+)?(?P<rel>this|last|next)\s+year"),
        _h_in_relative_year,
    ),
    (re.compile(rf"(?:past|last|previous)\s+{_NUM_RE}\s+{_UNIT_RE}"), _h_trailing),
    (
        re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:the|this)\s+month)?"),
        _h_ordinal_day,
    ),
]

_TIME_OF_DAY = re.compile(r"(?P<base>.+?)\s+(?:morning|afternoon|evening|night)")


def _single(s: str, anchor: date | None, hint: int | None) -> Span | None:
    """One expression (no range), already normalised and stripped of prefixes."""
    offset = _RELATIVE_DAYS.get(s)
    if offset is not None:
        return None if anchor is None else _unit_span(anchor + timedelta(days=offset), "day")
    for pattern, handler in _RULES:
        m = pattern.fullmatch(s)
        if m and (span := _apply(handler, m, anchor, hint)) is not None:
            return span
    m = _TIME_OF_DAY.fullmatch(s)
    return _single(m["base"], anchor, hint) if m else None


def _apply(
    handler: _Handler, m: re.Match[str], anchor: date | None, hint: int | None
) -> Span | None:
    try:
        return handler(m, anchor, hint)
    except (ValueError, OverflowError, KeyError):  # out-of-range dates, odd number words
        return None


# --------------------------------------------------------------------------- ranges

_RANGE_SEP = re.compile(r"\s*(?:-|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*")
_BETWEEN_SEP = re.compile(r"\s+and\s+")


def _range(s: str, anchor: date | None, between: bool) -> Span | None:
    """A range ("March to June 2012", "between 1990 and 1995"): left start to right end."""
    for m in (_BETWEEN_SEP if between else _RANGE_SEP).finditer(s):
        left, right = s[: m.start()].strip(), s[m.end() :].strip()
        if left and right:
            span = _join(_strip_prefixes(left)[0], _strip_prefixes(right)[0], anchor)
            if span is not None:
                return span
    return None


def _join(left: str, right: str, anchor: date | None) -> Span | None:
    end = _single(right, anchor, None)
    if end is None:
        return None
    start = _single(left, anchor, end[0].year)
    if start is not None and start[0] > end[1]:
        start = _single(left, anchor, end[0].year - 1)
    if start is None or start[0] > end[1]:
        return None
    coarser = max(start[2], end[2], key=_PRECISION_ORDER.__getitem__)
    return (start[0], end[1], coarser)


# --------------------------------------------------------------------------- normalisation

_TRANSLATE = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-", "’": "'", "‘": "'"})
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " .,;:!?()[]{}\"'"
_PREFIX = re.compile(
    r"(?:(?P<open_end>since|starting(?: in| from| on)?|as of)"
    r"|(?P<from_>from)"
    r"|(?P<open_start>until|till|til|up to|up until|through)"
    r"|(?P<between>between)"
    r"|(?:earlier|later)(?= this\b)"
    r"|(?:the )?(?:night|morning|evening|afternoon) of"
    r"|in|on|at|by|of|during|over|throughout|the|around|about|circa|approximately|roughly"
    r"|nearly|almost|some)\s+"
)


def _normalise(text: str) -> str:
    s = _SPACES.sub(" ", text.translate(_TRANSLATE).lower())
    return s.strip(_EDGE_PUNCT)


def _strip_prefixes(s: str) -> tuple[str, set[str]]:
    """Remove leading prepositions/articles, collecting the ones that open the interval."""
    flags: set[str] = set()
    while m := _PREFIX.match(s):
        flags.update(name for name, value in m.groupdict().items() if value)
        s = s[m.end() :]
    return s, flags


# --------------------------------------------------------------------------- public API


def parse_timex(text: str, anchor: date | None) -> TimeValue | None:
    """Normalise a temporal expression; ``anchor`` is the publication date. Never raises."""
    try:
        if not isinstance(text, str):
            return None
        if isinstance(anchor, datetime):
            anchor = anchor.date()
        elif anchor is not None and not isinstance(anchor, date):
            anchor = None
        return _parse_cached(text, anchor)
    except Exception:  # contract: never raise on any input
        return None


@lru_cache(maxsize=8192)
def _parse_cached(text: str, anchor: date | None) -> TimeValue | None:
    s = _normalise(text)
    if not s or len(s) > _MAX_LEN:
        return None
    body, flags = _strip_prefixes(s)
    span = _single(body, anchor, None)
    ranged = False
    if span is None and body:
        span = _range(body, anchor, "between" in flags)
        ranged = span is not None
    if span is None and body:
        span = _fallback(body, anchor)
    if span is None or span[0].year < MIN_YEAR or span[1].year > MAX_YEAR:
        return None
    open_end = "open_end" in flags or ("from_" in flags and not ranged)
    open_start = "open_start" in flags and not ranged
    return TimeValue(text.strip(), span[0], span[1], span[2], open_start, open_end)


_DOC_DATE = re.compile(
    rf"\b(?P<m1>{_ANY_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+(?P<m2>{_ANY_MONTH})\.?[\s,-]+"
    r"(?P<y2>\d{4})\b"
    r"|\b(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})\b"
)


def find_document_date(text: str) -> date | None:
    """The first full date (day, month, year) in the opening of a report, e.g. its dateline."""
    try:
        head = _SPACES.sub(" ", text[:_DOC_DATE_WINDOW].translate(_TRANSLATE).lower())
        for m in _DOC_DATE.finditer(head):
            found = _doc_date_from(m)
            if found is not None:
                return found
    except Exception:  # contract: never raise on any input
        return None
    return None


def _doc_date_from(m: re.Match[str]) -> date | None:
    if m["y3"]:
        year, month, day = int(m["y3"]), int(m["m3"]), int(m["d3"])
    else:
        year = int(m["y1"] or m["y2"])
        month = _MONTHS[m["m1"] or m["m2"]]
        day = int(m["d1"] or m["d2"])
    span = _day_span(year, month, day) if MIN_YEAR <= year <= MAX_YEAR else None
    return span[0] if span else None


# --------------------------------------------------------------------------- dateparser fallback

_DURATION_UNITS = frozenset(
    f"{unit}{plural}" for unit in ("hour", "minute", "min", "day", "week", "month", "year")
    for plural in ("", "s")
)  # fmt: skip
_FALLBACK_WORDS = frozenset(
    [*_MONTHS, *_WEEKDAYS, *_WEEKDAY_ABBR.split("|"), *_DURATION_UNITS,
     "st", "nd", "rd", "th", "of", "the", "at", "on", "am", "pm", "a", "m", "p", "gmt", "utc",
     "noon", "midnight", "morning", "afternoon", "evening", "night", "ago", "h", "hrs", "local"]
)  # fmt: skip
_TOKENS = re.compile(r"[a-z]+|\d+")
_NUMERIC_ONLY = re.compile(r"[\d\s.,:/-]+")
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_NUMBER_DASH = re.compile(r"\d\s*-\s*\d")
_FALLBACK_CHARS = re.compile(r"[a-z0-9 .,:/'-]+")
_DATE_NAMES = frozenset([*_MONTHS, *_WEEKDAYS, *_WEEKDAY_ABBR.split("|")])
_PROBE_BASES = (datetime(2001, 6, 15), datetime(2003, 2, 10))


def _fallback_allowed(s: str) -> bool:
    """Only date-like strings reach dateparser: it reads "3 days", "one", "7h", "#62" or a
    10-digit number as dates."""
    if len(s) > 60 or not _FALLBACK_CHARS.fullmatch(s):
        return False
    if _NUMERIC_ONLY.fullmatch(s):
        return bool(_NUMERIC_DATE.fullmatch(s))
    if _NUMBER_DASH.search(s) and not _NUMERIC_DATE.search(s):
        return False  # a range the rules could not resolve: dateparser reads "22-25" as 1925
    words = {t for t in _TOKENS.findall(s) if not t.isdigit()}
    if not words <= _FALLBACK_WORDS:
        return False
    if words & _DURATION_UNITS and "ago" not in words:
        return False
    return bool(words & _DATE_NAMES or _NUMERIC_DATE.search(s))


@lru_cache(maxsize=64)
def _dateparser_for(base: datetime) -> Any:
    from dateparser.date import DateDataParser  # slow import: only when a rule misses

    settings = {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(languages=["en"], settings=settings)


def _dateparser_data(s: str, base: datetime) -> tuple[datetime, str, frozenset[str]] | None:
    try:
        data = _dateparser_for(base).get_date_data(s)
    except Exception:  # a third-party parser must not break extraction
        return None
    if data is None or data.date_obj is None:
        return None
    return data.date_obj, data.period or "day", frozenset(getattr(data, "parts", None) or ())


def _fallback(s: str, anchor: date | None) -> Span | None:
    """dateparser for forms the rules miss; precision from the parts it found."""
    if not _fallback_allowed(s):
        return None
    if anchor is None:
        first, second = (_dateparser_data(s, base) for base in _PROBE_BASES)
        if first is None or first != second or "year" not in first[2]:
            return None  # relative to the (missing) anchor, or no year
        found = first
    else:
        found = _dateparser_data(s, datetime(anchor.year, anchor.month, anchor.day))
        if found is None:
            return None
    return _span_from_dateparser(*found, anchor)


def _span_from_dateparser(
    when: datetime, period: str, parts: frozenset[str], anchor: date | None
) -> Span | None:
    if not parts & {"month", "year"}:
        return None  # a lone day number
    d = when.date()
    if period == "year":
        return _year_span(d.year)
    if period == "quarter":
        first = d.month - (d.month - 1) % 3
        return (date(d.year, first, 1), _month_end(d.year, first + 2), "month")
    if period == "month" or "day" not in parts:  # "June of night": no day was read
        return _unit_span(d, "month")
    if period == "week":
        return _week_span(d)
    if "year" not in parts and "month" in parts:
        return _pick_year(lambda y: _day_span(y, d.month, d.day), anchor, None)
    return (d, d, "day")
