"""Exports of a real store (the bundled examples), each read back with its ecosystem's library:
``json`` and ``csv`` from the standard library, ``stix2``, ``networkx``."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import pytest
import stix2
from click.testing import CliRunner

from conflictmap.cli import cli
from conflictmap.export import FORMATS, render, write
from conflictmap.export.acled_csv import COLUMNS, UNNAMED, countries
from conflictmap.export.stix import OPINIONS
from conflictmap.ingest.run import ingest
from conflictmap.store.repository import Store

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[1] / "examples"
GAO = 2457163  # GeoNames id of Gao, Mali


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, extractor) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("exports") / "examples.db")
    with Store(path) as store:
        ingest([EXAMPLES], store, extractor)
    yield path


@pytest.fixture(scope="module")
def store(db: str) -> Iterator[Store]:
    with Store(db) as opened:
        yield opened


@pytest.fixture(scope="module")
def graph(store: Store) -> dict:
    return json.loads(json.dumps(store.export(), default=str))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


def exported(store: Store, fmt: str, path: Path) -> str:
    assert write(store, fmt, path)[0] == path
    return path.read_text(encoding="utf-8")


def relation_kept_in_stix(relation: dict, graph: dict) -> bool:
    """STIX holds a relation when both ends are actors or places with coordinates."""
    types = {(e["name"], e["type"]): e for e in graph["entities"]}
    ends = [
        types[(relation["subject"], relation["subject_type"])],
        types[(relation["object"], relation["object_type"])],
    ]
    return all(e["type"] != "LOCATION" or e["geo"] is not None for e in ends)


# -- the API and the command ---------------------------------------------------------------


def test_cli_offers_every_format() -> None:
    [option] = [p for p in cli.commands["export"].params if p.name == "fmt"]
    assert tuple(option.type.choices) == FORMATS


def test_unknown_format_is_refused(graph: dict, out: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        write(graph, "xlsx", out / "graph.xlsx")


def test_cli_writes_each_format(db: str, out: Path) -> None:
    for fmt in FORMATS:
        path = out / f"cli.{fmt}"
        result = CliRunner().invoke(cli, ["--db", db, "export", "--format", fmt, "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert path.stat().st_size > 0
    assert (out / "cli.acled-csv.snapshot.json").is_file()
    stdout = CliRunner().invoke(cli, ["--db", db, "export", "--format", "geojson"])
    assert stdout.exit_code == 0, stdout.output
    assert json.loads(stdout.stdout)["type"] == "FeatureCollection"


# -- JSON --------------------------------------------------------------------------------


def test_json_is_the_graph_with_its_snapshot(store: Store, graph: dict, out: Path) -> None:
    data = json.loads(exported(store, "json", out / "graph.json"))
    meta = data.pop("metadata")
    assert data == graph
    assert meta["corpus"]["documents"] == len(graph["documents"]) == store.stats()["documents"]
    assert len(meta["corpus"]["sha256"]) == 64
    assert meta["models"] == sorted({d["extractor"] for d in graph["documents"]})
    assert meta["conflictmap_version"] == version("conflictmap")
    assert meta["as_of"].endswith("Z")
    assert meta["counts"] == {k: len(graph[k]) for k in ("entities", "relations", "events")}


def test_every_format_derives_from_the_json_snapshot(store: Store, out: Path) -> None:
    data = json.loads(exported(store, "json", out / "snapshot.json"))
    assert json.loads(render(data, "geojson"))["metadata"] == data["metadata"]
    assert render(data, "acled-csv") == render(store, "acled-csv")


def test_an_unchanged_store_exports_the_same_files(store: Store) -> None:
    for fmt in ("stix", "acled-csv", "graphml", "gexf", "geojson"):
        assert render(store, fmt) == render(store, fmt), fmt


# -- ACLED CSV ---------------------------------------------------------------------------


def event_id(row: dict[str, str]) -> int:
    """The store's event id in ACLED's ``event_id_cnty`` (ISO alpha-3 code, then the id)."""
    return int(row["event_id_cnty"][3:])


@pytest.fixture(scope="module")
def acled(store: Store, out: Path) -> list[dict[str, str]]:
    path = out / "events.csv"
    write(store, "acled-csv", path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_acled_csv_has_a_row_per_event(acled: list[dict], store: Store) -> None:
    assert len(acled) == len(store.events()) == store.stats()["events"]


def test_acled_csv_keeps_each_event(acled: list[dict], graph: dict) -> None:
    by_id = {event_id(r): r for r in acled}
    for event in graph["events"]:
        row = by_id[event["id"]]
        assert row["event_date"] == (event["date"] or "")
        assert row["year"] == (event["date"] or "")[:4]
        assert row["event_type"] == event["event_type"]
        assert row["sub_event_type"] == event["sub_event_type"]
        assert row["notes"] == event["evidence"]["sentence"]
        assert row["source"] == (event["evidence"]["source"] or "")
        assert row["fatalities"] == str(event["fatalities"] or 0)
        precision = {"day": "1", "week": "2", None: ""}.get(event["date_precision"], "3")
        assert row["time_precision"] == precision
        if event["latitude"] is not None:
            assert float(row["latitude"]) == pytest.approx(event["latitude"], abs=1e-4)


def test_acled_csv_codes_countries(acled: list[dict]) -> None:
    gao = [r for r in acled if r["location"] == "Gao" and r["latitude"] == "16.2717"]
    assert gao
    for row in gao:
        assert (row["country"], row["iso"], row["region"]) == ("Mali", "466", "Western Africa")
        assert row["event_id_cnty"].startswith("MLI")
        assert row["admin1"] == "Gao"
        assert row["geo_precision"] == "1"


def test_acled_csv_interaction_combines_the_inter_codes(acled: list[dict]) -> None:
    both = [r for r in acled if r["inter1"] and r["inter2"]]
    assert both
    for row in both:
        assert row["interaction"] == "".join(sorted(row["inter1"] + row["inter2"]))
    for row in acled:
        if row["inter1"] and not row["inter2"]:
            assert row["interaction"] == row["inter1"] + "0"
    mnla = [
        r
        for r in acled
        if r["actor1"] == "National Movement for the Liberation of Azawad"
        and r["actor2"] == "Military Forces of Mali"
    ]
    assert mnla and all(r["interaction"] == "12" for r in mnla)


def test_acled_csv_names_unnamed_sides_acled_s_way(acled: list[dict], graph: dict) -> None:
    rows = {event_id(r): r for r in acled}
    unnamed = [e for e in graph["events"] if not e["actors"] and e["inter1"] in UNNAMED]
    assert unnamed
    for event in unnamed:
        row = rows[event["id"]]
        expected = UNNAMED[event["inter1"]]
        assert row["actor1"] in (expected, f"{expected} ({row['country']})")
    assert any(r["actor1"] == "Protesters (Mali)" for r in acled)


def test_acled_csv_snapshot_file(acled: list[dict], out: Path, graph: dict) -> None:
    meta = json.loads((out / "events.csv.snapshot.json").read_text(encoding="utf-8"))
    assert meta["corpus"]["documents"] == len(graph["documents"])
    assert meta["counts"]["events"] == len(acled)


def test_acled_countries_table() -> None:
    table = countries()
    assert table["CD"].name == "Democratic Republic of Congo"
    assert (table["ML"].iso3, table["ML"].numeric) == ("MLI", 466)
    assert table["SY"].region == "Middle East"


# -- STIX 2.1 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(store: Store, out: Path) -> stix2.Bundle:
    return stix2.parse(exported(store, "stix", out / "bundle.json"), allow_custom=True)


def of_type(bundle: stix2.Bundle, stix_type: str) -> list:
    return [o for o in bundle.objects if o.type == stix_type]


def test_stix_objects_match_the_store(bundle: stix2.Bundle, graph: dict) -> None:
    groups = [e for e in graph["entities"] if e["type"] == "ARMED_GROUP"]
    places = [e for e in graph["entities"] if e["type"] == "LOCATION" and e["geo"]]
    others = [e for e in graph["entities"] if e["type"] not in ("ARMED_GROUP", "LOCATION")]
    assert len(of_type(bundle, "threat-actor")) == len(groups)
    assert len(of_type(bundle, "identity")) == len(others) + 1  # + conflictmap itself
    assert len(of_type(bundle, "location")) == len(places)
    assert len(of_type(bundle, "incident")) == len(graph["events"])
    assert len(of_type(bundle, "report")) == len(graph["documents"])
    facts = [o for o in of_type(bundle, "relationship") if "x_conflictmap_predicate" in o]
    kept = [r for r in graph["relations"] if relation_kept_in_stix(r, graph)]
    assert len(facts) == len(kept)
    evidence = [n for n in of_type(bundle, "note") if "x_conflictmap_document_id" in n]
    assert len(evidence) == len(kept) + len(graph["events"])
    assert len(of_type(bundle, "opinion")) == len(evidence)


def test_stix_references_resolve(bundle: stix2.Bundle) -> None:
    memory = stix2.MemoryStore(bundle.objects, allow_custom=True)
    for obj in bundle.objects:
        refs = list(obj.get("object_refs", []))
        refs += [obj[k] for k in ("source_ref", "target_ref", "created_by_ref") if k in obj]
        for ref in refs:
            assert memory.get(ref) is not None, (obj.id, ref)


def test_stix_relationship_has_time_bounds(bundle: stix2.Bundle) -> None:
    names = {o.id: o.name for o in bundle.objects if "name" in o}
    goma = {
        (r.relationship_type, str(r.get("start_time")), str(r.get("stop_time")))
        for r in of_type(bundle, "relationship")
        if r.get("x_conflictmap_predicate") == "controls"
        and (names[r.source_ref], names[r.target_ref]) == ("M23", "Goma")
    }
    bounds = ("2012-11-20 00:00:00+00:00", "2012-12-01 23:59:59+00:00")
    assert ("located-at", *bounds) in goma


def test_stix_relations_keep_their_start(bundle: stix2.Bundle, graph: dict) -> None:
    starts = {
        (r.description, r.start_time.date().isoformat())
        for r in of_type(bundle, "relationship")
        if "start_time" in r
    }
    for relation in graph["relations"]:
        if relation["valid_from"] and relation_kept_in_stix(relation, graph):
            text = f"{relation['subject']} {relation['predicate']} {relation['object']}"
            assert (text, relation["valid_from"]["date"]) in starts


def test_stix_opinions_follow_admiralty_credibility(bundle: stix2.Bundle) -> None:
    facts = {o.id: o for o in bundle.objects}
    confidence = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}  # STIX 2.1, appendix B
    for opinion in of_type(bundle, "opinion"):
        credibility = int(opinion["x_conflictmap_grade"][1:])
        assert opinion.opinion == OPINIONS[credibility]
        assert facts[opinion.object_refs[0]].get("confidence") == confidence.get(credibility)


def test_stix_reports_and_snapshot(bundle: stix2.Bundle, graph: dict) -> None:
    for report in of_type(bundle, "report"):
        assert report.object_refs
    [snapshot] = [n for n in of_type(bundle, "note") if "x_conflictmap_snapshot" in n]
    assert snapshot["x_conflictmap_snapshot"]["corpus"]["documents"] == len(graph["documents"])


def test_stix_ids_are_stable(store: Store, bundle: stix2.Bundle) -> None:
    again = stix2.parse(render(store, "stix"), allow_custom=True)
    assert [o.id for o in again.objects] == [o.id for o in bundle.objects]
    assert len({o.id for o in bundle.objects}) == len(bundle.objects)


# -- GraphML and GEXF --------------------------------------------------------------------


def expected_edges(graph: dict) -> tuple[int, int]:
    relations = {
        (
            r["subject"],
            r["subject_type"],
            r["predicate"],
            r["object"],
            r["object_type"],
            (r["valid_from"] or {}).get("date"),
            (r["valid_to"] or {}).get("date"),
        )
        for r in graph["relations"]
    }
    roles = sum(
        len(set(e["actors"])) + len(set(e["targets"])) + (1 if e["location"] else 0)
        for e in graph["events"]
    )
    return len(relations), roles


def check_network(network: nx.MultiDiGraph, graph: dict) -> None:
    assert network.number_of_nodes() == len(graph["entities"]) + len(graph["events"])
    relations, roles = expected_edges(graph)
    edges = list(network.edges(data=True))
    assert sum(1 for *_, d in edges if d["kind"] == "relation") == relations
    assert sum(1 for *_, d in edges if d["kind"] == "event") == roles
    evidence = sum(int(d["evidence"]) for *_, d in edges if d["kind"] == "relation")
    assert evidence == len(graph["relations"])
    goma = {
        (d.get("valid_from"), d.get("valid_to"))
        for u, v, d in edges
        if d.get("predicate") == "controls"
        and (network.nodes[u]["label"], network.nodes[v]["label"]) == ("M23", "Goma")
    }
    assert ("2012-11-20", "2012-12-01") in goma
    [gao] = [n for _, n in network.nodes(data=True) if n.get("geonameid") == GAO]
    assert (gao["type"], gao["latitude"], gao["longitude"]) == ("LOCATION", 16.27167, -0.04472)


def test_graphml_reads_back(store: Store, graph: dict, out: Path) -> None:
    exported(store, "graphml", out / "graph.graphml")
    network = nx.read_graphml(out / "graph.graphml")
    check_network(network, graph)
    assert network.graph["corpus_documents"] == len(graph["documents"])
    assert network.graph["conflictmap_version"] == version("conflictmap")


def test_gexf_reads_back_with_time(store: Store, graph: dict, out: Path) -> None:
    text = exported(store, "gexf", out / "graph.gexf")
    network = nx.read_gexf(out / "graph.gexf")
    check_network(network, graph)
    assert network.graph["mode"] == "dynamic"
    dated = [d for *_, d in network.edges(data=True) if d.get("valid_from")]
    assert dated and all(d["start"] == d["valid_from"] for d in dated)
    namespace = {"g": "http://www.gexf.net/1.2draft"}
    description = ET.fromstring(text.encode()).find("g:meta/g:description", namespace)
    assert description is not None
    assert json.loads(description.text or "")["corpus"]["documents"] == len(graph["documents"])


# -- GeoJSON -----------------------------------------------------------------------------


def test_geojson_events_and_places(store: Store, graph: dict, out: Path) -> None:
    data = json.loads(exported(store, "geojson", out / "graph.geojson"))
    assert data["type"] == "FeatureCollection"
    assert data["metadata"]["corpus"]["documents"] == len(graph["documents"])
    features = data["features"]
    events = [f for f in features if f["properties"]["kind"] == "event"]
    places = [f for f in features if f["properties"]["kind"] == "place"]
    assert len(events) == len(graph["events"])
    assert len(places) == sum(1 for e in graph["entities"] if e["type"] == "LOCATION")
    for feature in features:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            longitude, latitude = geometry["coordinates"]
            assert -180 <= longitude <= 180 and -90 <= latitude <= 90
    by_id = {f["id"]: f for f in events}
    for event in graph["events"]:
        feature = by_id[f"event-{event['id']}"]
        if event["latitude"] is not None:
            assert feature["geometry"]["coordinates"] == [event["longitude"], event["latitude"]]
        assert feature["properties"]["date"] == event["date"]
    [gao] = [f for f in places if f["properties"]["geonameid"] == GAO]
    assert gao["geometry"]["coordinates"] == [-0.04472, 16.27167]  # longitude first


def test_csv_cells_never_start_a_formula() -> None:
    from conflictmap.export.acled_csv import inert

    for text in ('=HYPERLINK("http://x.invalid","a")', "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-x"):
        assert inert(text) == "'" + text
    for kept in ("-12.5", "+3", "Gunmen attacked", 42, None, -3.5):
        assert inert(kept) == kept
