"""The real wire report about northern Mali (July 2012) in ``../shared/seed/``.

Its text is read where it lies and never copied here. The report has no full date, so it
is ingested with ``default_date=2012-07-20`` (about when it was published).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conflictmap.extract.gazetteer import fold
from conflictmap.ingest.run import IngestReport, ingest
from conflictmap.store.repository import Store

pytestmark = pytest.mark.slow

SEED = Path(__file__).parents[1] / ".." / "shared" / "seed"
PUBLISHED = date(2012, 7, 20)
PLACES = {
    "Gao": (16.27, -0.04),
    "Kidal": (18.44, 1.41),
    "Timbuktu": (16.77, -3.01),
    "Bamako": (12.61, -7.98),
}


if not SEED.is_dir() or not any(p.is_file() for p in SEED.iterdir()):
    pytest.skip(f"no seed report in {SEED}", allow_module_level=True)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, extractor
) -> Iterator[tuple[Store, IngestReport]]:
    store = Store(str(tmp_path_factory.mktemp("seed") / "seed.db"))
    report = ingest([SEED], store, extractor, default_date=PUBLISHED)
    yield store, report
    store.close()


@pytest.fixture(scope="module")
def graph(seeded: tuple[Store, IngestReport]) -> Store:
    return seeded[0]


def test_seed_is_stored_with_the_given_date(seeded: tuple[Store, IngestReport]) -> None:
    store, report = seeded
    assert report.failed == []
    assert len(report.stored) >= 1
    for row in store.documents():
        assert row["date"] == PUBLISHED.isoformat()
        assert row["date_origin"] == "cli"  # the text has no full date of its own


def test_ansar_dine_is_an_armed_group(graph: Store) -> None:
    assert graph.entity("Ansar Dine")["type"] == "ARMED_GROUP"


@pytest.mark.parametrize("place", ["Timbuktu", "Kidal"])
def test_ansar_dine_controls_since_late_march(graph: Store, place: str) -> None:
    profile = graph.entity("Ansar Dine")
    controls = [
        r
        for r in profile["relations"]
        if r["predicate"] == "controls"
        and r["subject"] == profile["name"]
        and r["object"] == graph.entity(place)["name"]
    ]
    assert controls, f"no 'Ansar Dine controls {place}'"
    for rel in controls:
        assert rel["object_type"] == "LOCATION"
        assert rel["valid_from"] is not None
        assert rel["valid_from"]["date"].startswith("2012-03")
        assert rel["valid_to"] is None  # still held when the report was written
        assert "since late March" in rel["evidence"]["sentence"]


def test_iyad_ag_ghaly_leads_ansar_dine(graph: Store) -> None:
    group = graph.entity("Ansar Dine")
    leader = graph.entity("Iyad Ag Ghaly")
    assert leader["type"] == "PERSON"
    leads = [
        r
        for r in leader["relations"]
        if r["predicate"] == "leader_of"
        and r["subject"] == leader["name"]
        and r["object"] == group["name"]
    ]
    assert len(leads) >= 1
    assert "Iyad Ag Ghaly" in leads[0]["evidence"]["sentence"]


@pytest.mark.parametrize("place", sorted(PLACES))
def test_towns_resolve_within_10_km(graph: Store, place: str) -> None:
    profile = graph.entity(place)
    assert profile["type"] == "LOCATION"
    geo = profile["geo"]
    assert geo is not None
    assert geo["country_code"] == "ML"
    lat, lon = PLACES[place]
    assert haversine_km(geo["latitude"], geo["longitude"], lat, lon) < 10


def test_hostage_release_is_a_group_claim_by_mujao_in_july(graph: Store) -> None:
    mujao = graph.entity("MUJAO")
    assert mujao["type"] == "ARMED_GROUP"
    releases = [
        e
        for e in graph.events(actor="MUJAO")
        if "releas" in (e["trigger"] or "").lower()
        or ("releas" in e["evidence"]["sentence"] and "hostage" in e["evidence"]["sentence"])
    ]
    assert len(releases) == 1
    [release] = releases
    assert mujao["name"] in release["actors"]
    assert release["date"] is not None and release["date"].startswith("2012-07")
    assert release["date_end"] <= PUBLISHED.isoformat()  # "last week", before publication
    assert release["evidence"]["attribution"]["kind"] == "group_claim"
    assert release["evidence"]["hedged"] is False and release["evidence"]["negated"] is False


def test_aqim_is_an_alias(graph: Store) -> None:
    profile = graph.entity("AQIM")
    assert "AQIM" in profile["aliases"]
    assert profile["type"] == "ARMED_GROUP"
    assert fold(profile["name"]) != "aqim"  # the long name is canonical


def test_belmokhtar_short_and_full_name_are_one_entity(graph: Store) -> None:
    assert graph.entity("Belmokhtar")["id"] == graph.entity("Mokhtar Belmokhtar")["id"]
    assert graph.entity("Belmokhtar")["type"] == "PERSON"


def test_evidence_is_verbatim(graph: Store) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SEED.iterdir()) if p.is_file())
    data = graph.export()
    items = data["relations"] + data["events"]
    assert items
    for item in items:
        assert item["evidence"]["sentence"] in text
