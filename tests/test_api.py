"""The REST API (``conflictmap.web``) on a real store built from ``examples/``."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conflictmap.export import FORMATS
from conflictmap.store.repository import Store
from conflictmap.web import create_app
from conflictmap.web.api import MAX_BODY_BYTES

pytestmark = pytest.mark.slow

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GAO_BOX = "-0.5,15.8,0.5,16.8"  # Gao: 16.27 N, 0.04 W
MUJAO = "Movement for Oneness and Jihad in West Africa"
MARKET = {
    "text": "Gunmen attacked a market in Gao on Tuesday, killing four people, residents said.",
    "title": "Market attack in Gao",
    "date": "2019-03-07",
    "source": "Test Wire",
}
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'; img-src 'self' data: blob:"
)


@pytest.fixture(scope="module")
def client(examples_db: str) -> Iterator[TestClient]:
    """Read-only use: the examples store, with no token configured (writes refused)."""
    with TestClient(create_app(examples_db, token="")) as test_client:
        yield test_client


@pytest.fixture
def writable(tmp_path: Path, extractor) -> Iterator[TestClient]:
    """A fresh store that takes writes with ``TOKEN``."""
    app = create_app(str(tmp_path / "w.db"), token=TOKEN, extractor=extractor)
    with TestClient(app) as test_client:
        yield test_client


def ok(response) -> dict | list:  # noqa: ANN001
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# --- reads -----------------------------------------------------------------------------------


def test_documents_are_paginated(client: TestClient) -> None:
    first = ok(client.get("/api/documents", params={"limit": 2}))
    assert first["total"] > 2 and len(first["items"]) == 2 and first["offset"] == 0
    second = ok(client.get("/api/documents", params={"limit": 2, "offset": 2}))
    assert {d["id"] for d in first["items"]}.isdisjoint(d["id"] for d in second["items"])
    everything = ok(client.get("/api/documents", params={"limit": 500}))
    assert len(everything["items"]) == first["total"]
    assert client.get("/api/documents", params={"limit": 501}).status_code == 422
    assert client.get("/api/documents", params={"offset": -1}).status_code == 422


def test_a_document_with_its_text_and_events(client: TestClient) -> None:
    listed = ok(client.get("/api/documents", params={"limit": 500}))["items"]
    doc = ok(client.get(f"/api/documents/{listed[0]['id']}"))
    assert doc["id"] == listed[0]["id"] and doc["text"]
    assert all(e["document_id"] == doc["id"] for e in doc["events"])
    assert client.get("/api/documents/no-such-doc").status_code == 404


def test_events_filter_by_bbox_around_gao(client: TestClient) -> None:
    everything = ok(client.get("/api/events", params={"limit": 500}))
    near = ok(client.get("/api/events", params={"bbox": GAO_BOX, "limit": 500}))
    assert 0 < near["total"] < everything["total"]
    for event in near["items"]:
        assert 15.8 <= event["latitude"] <= 16.8 and -0.5 <= event["longitude"] <= 0.5
    assert any(e["location"] == "Gao" for e in near["items"])
    assert all(e["location"] != "Konna" for e in near["items"])
    for bad in ("1,2,3", "a,b,c,d", "10,0,-10,5", "0,0,0,100"):
        assert client.get("/api/events", params={"bbox": bad}).status_code == 422


def test_events_pages_are_cut_in_the_store_and_add_up(client: TestClient) -> None:
    for params in ({}, {"bbox": GAO_BOX}, {"since": "2012-06-01", "type": "Battles"}):
        whole = ok(client.get("/api/events", params={**params, "limit": 500}))
        pages = [
            ok(client.get("/api/events", params={**params, "limit": 2, "offset": offset}))
            for offset in range(0, whole["total"] + 2, 2)
        ]
        assert all(p["total"] == whole["total"] and p["limit"] == 2 for p in pages)
        assert [e["id"] for p in pages for e in p["items"]] == [e["id"] for e in whole["items"]]
        assert pages[-1]["items"] == []


def test_events_filter_by_dates_type_and_place(client: TestClient) -> None:
    window = {"since": "2012-06-01", "until": "2012-07-31", "limit": 500}
    found = ok(client.get("/api/events", params=window))["items"]
    assert found
    for event in found:
        assert event["date_end"] >= "2012-06-01" and event["date"] <= "2012-07-31"
    battles = ok(client.get("/api/events", params={**window, "type": "Battles"}))["items"]
    assert battles and all(e["event_type"] == "Battles" for e in battles)
    at_gao = ok(client.get("/api/events", params={"place": "Gao", "limit": 500}))["items"]
    assert at_gao and all(e["location"] == "Gao" for e in at_gao)
    assert client.get("/api/events", params={"since": "01/06/2012"}).status_code == 422
    assert client.get("/api/events", params={"place": "Atlantis"}).status_code == 404


def test_event_ids_are_stable(client: TestClient) -> None:
    page = ok(client.get("/api/events", params={"limit": 5}))["items"]
    again = ok(client.get("/api/events", params={"limit": 5}))["items"]
    assert [e["id"] for e in page] == [e["id"] for e in again]
    one = ok(client.get(f"/api/events/{page[0]['id']}"))
    marks = one["evidence"].pop("highlights")
    assert {k: v for k, v in one.items() if k != "incident"} == page[0]
    sentence = one["evidence"]["sentence"]
    assert all(sentence[m["start"] : m["end"]] == m["text"] for m in marks)
    assert client.get("/api/events/999999").status_code == 404


def test_entities_list_search_and_profile(client: TestClient) -> None:
    groups = ok(client.get("/api/entities", params={"type": "armed_group", "limit": 500}))
    assert groups["items"] and all(e["type"] == "ARMED_GROUP" for e in groups["items"])
    found = ok(client.get("/api/entities", params={"q": "mujao"}))["items"]
    mujao = next(e for e in found if e["name"] == MUJAO)
    profile = ok(client.get(f"/api/entities/{mujao['id']}"))
    assert profile["name"] == MUJAO and profile["mentions"] > 0
    assert profile["relations"] and profile["events"]
    assert client.get("/api/entities/999999").status_code == 404
    assert client.get("/api/entities/not-a-number").status_code == 422


def test_search_finds_entities_places_and_documents(client: TestClient) -> None:
    found = ok(client.get("/api/search", params={"q": "gao"}))
    assert any(p["name"] == "Gao" for p in found["places"])
    assert all(e["type"] != "LOCATION" for e in found["entities"])
    assert any("Gao" in (d["title"] or "") for d in found["documents"])
    assert client.get("/api/search").status_code == 422


def test_control_of_gao(client: TestClient) -> None:
    spans = ok(client.get("/api/control/Gao", params={"at": "2012-07-01"}))
    assert MUJAO in [s["actor"] for s in spans]
    assert all(s["start"] <= "2012-07-01" for s in spans)
    everything = ok(client.get("/api/control/Gao"))
    assert len(everything) > len(spans)
    assert all(s["evidence"] for s in everything)


def test_relations_as_of_a_date(client: TestClient) -> None:
    rows = ok(client.get("/api/relations", params={"as_of": "2012-07-01", "limit": 500}))
    assert rows["items"]
    controls = ok(
        client.get(
            "/api/relations",
            params={"as_of": "2012-07-01", "predicate": "controls", "actor": "MUJAO"},
        )
    )["items"]
    assert any(r["subject"] == MUJAO and r["object"] == "Gao" for r in controls)
    assert all(r["predicate"] == "controls" for r in controls)


def test_contradictions_include_the_konna_toll(client: TestClient) -> None:
    rows = ok(client.get("/api/contradictions", params={"limit": 500}))["items"]
    tolls = [r for r in rows if r["kind"] == "toll" and r["location"] == "Konna"]
    assert tolls and len(tolls[0]["fatalities"]) >= 2
    about = ok(client.get("/api/contradictions", params={"about": "Konna", "kind": "toll"}))
    assert about["total"] == len(tolls) and about["items"] == tolls
    assert client.get("/api/contradictions", params={"kind": "rumour"}).status_code == 422


def test_incidents_leaders_and_network(client: TestClient) -> None:
    incidents = ok(client.get("/api/incidents"))
    assert incidents["items"] and all(len(i["witnesses"]) > 1 for i in incidents["items"])
    assert ok(client.get("/api/incidents", params={"all": True}))["total"] > incidents["total"]
    assert isinstance(ok(client.get("/api/leaders/Ansar Dine")), list)
    path = ok(client.get("/api/network/path", params={"source": "MUJAO", "target": "Gao"}))
    assert isinstance(path, list)
    assert client.get("/api/network/path", params={"source": "MUJAO"}).status_code == 422


# --- what the workbench draws ---------------------------------------------------------------


def test_map_events_are_the_placed_events(client: TestClient) -> None:
    response = client.get("/api/map/events")
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    events = ok(client.get("/api/events", params={"limit": 500}))["items"]
    placed = {e["id"]: e for e in events if e["latitude"] is not None}
    assert features and {f["id"] for f in features} == set(placed)
    for feature in features:
        event = placed[feature["id"]]
        assert feature["geometry"]["coordinates"] == [event["longitude"], event["latitude"]]
        assert feature["properties"]["event_type"] == event["event_type"]


def test_map_control_agrees_with_the_control_timeline(client: TestClient) -> None:
    held = ok(client.get("/api/map/control", params={"at": "2012-07-01"}))
    gao = next(p for p in held if p["place"] == "Gao")
    spans = ok(client.get("/api/control/Gao", params={"at": "2012-07-01"}))
    assert gao["holders"] == [s["actor"] for s in spans] == [MUJAO]
    profile = ok(client.get(f"/api/entities/{gao['place_id']}"))
    assert profile["name"] == "Gao" and abs(profile["geo"]["latitude"] - gao["latitude"]) < 1e-6
    assert [s["actor"] for s in profile["control"]][:2] == [
        s["actor"] for s in ok(client.get("/api/control/Gao"))
    ][:2]
    assert client.get("/api/map/control").status_code == 422


def test_network_nodes_edges_and_ego_view(client: TestClient) -> None:
    whole = ok(client.get("/api/network", params={"as_of": "2012-07-01"}))
    names = {n["id"] for n in whole["nodes"]}
    assert MUJAO in names
    assert all(e["source"] in names and e["target"] in names for e in whole["edges"])
    assert all(0 < len(e["evidence"]) <= e["reports"] for e in whole["edges"])
    ego = ok(client.get("/api/network", params={"as_of": "2012-07-01", "ego": "MUJAO"}))
    assert ego["ego"] == MUJAO and {n["id"] for n in ego["nodes"]} <= names
    assert len(ego["nodes"]) < len(whole["nodes"])
    top = ok(client.get("/api/network", params={"limit": 3}))
    assert len(top["nodes"]) == 3 and len(top["edges"]) <= 12
    none = ok(client.get("/api/network", params={"ego": "nobody at all"}))
    assert none["nodes"] == [] and none["ego"] is None


def test_timeline_of_a_place(client: TestClient) -> None:
    line = ok(client.get("/api/timeline", params={"actor": "Gao"}))
    assert line["events"] and all(
        e["location"] == "Gao" or "Gao" in e["actors"] for e in line["events"]
    )
    dates = [e["date"] for e in line["events"]]
    assert dates == sorted(dates, reverse=True)
    control = ok(client.get("/api/control/Gao"))
    spans = [(s["subject"], s["start"]) for s in line["spans"] if s["predicate"] == "controls"]
    assert sorted(spans) == sorted((s["actor"], s["start"]) for s in control)


def test_entity_profiles_are_limited_with_totals(client: TestClient) -> None:
    gao = ok(client.get("/api/entities", params={"q": "Gao", "type": "LOCATION"}))["items"][0]
    full = ok(client.get(f"/api/entities/{gao['id']}", params={"limit": 1000}))
    short = ok(client.get(f"/api/entities/{gao['id']}", params={"limit": 2}))
    assert len(short["events"]) == 2 and short["events_total"] == len(full["events"]) > 2
    assert short["events"] == full["events"][:2]
    for event in full["events"]:
        sentence = event["evidence"]["sentence"]
        assert all(
            sentence[h["start"] : h["end"]] == h["text"] for h in event["evidence"]["highlights"]
        )
        assert any(h["entity_id"] == gao["id"] for h in event["evidence"]["highlights"]) or (
            event["location"] == "Gao"
        )


def test_the_workbench_page_and_its_config(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert '<script src="/static/app.js"' in page.text and "<script>" not in page.text
    config = ok(client.get("/api/config"))
    assert config["writable"] is False and config["tiles"] is None
    assert config["warm_up"] == "off"
    assert config["stats"] == client.app.state.conflictmap.store.stats()
    for path in ("/static/../api.py", "/static/%2e%2e/api.py", "/static/..%2Fapi.py"):
        assert client.get(path).status_code == 404, path


def test_a_warmed_app_answers_the_workbench_from_its_views(examples_db: str) -> None:
    import time

    with TestClient(create_app(examples_db, token="", warm=True)) as warmed:
        deadline = time.monotonic() + 120
        while ok(warmed.get("/api/config"))["warm_up"] != "done":
            assert time.monotonic() < deadline, "warm-up did not finish"
            time.sleep(0.1)
        state = warmed.app.state.conflictmap
        built = len(state._base) + len(state._views)
        assert built >= 10  # the whole-graph views, the first network and timeline
        ok(warmed.get("/api/timeline"))
        ok(warmed.get("/api/contradictions"))
        assert len(state._base) + len(state._views) == built  # answered from them


def test_an_online_tile_layer_is_allowed_by_origin_only(examples_db: str) -> None:
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    with TestClient(create_app(examples_db, token="", tiles=tiles)) as test_client:
        policy = test_client.get("/").headers["content-security-policy"]
        assert ok(test_client.get("/api/config"))["tiles"] == tiles
    assert "img-src 'self' data: blob: https://tiles.example.org;" in policy
    assert policy.endswith("connect-src 'self' https://tiles.example.org")
    with pytest.raises(ValueError, match="tiles"):
        create_app(examples_db, token="", tiles="javascript:alert(1)")


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("stix", "application/stix+json"), ("acled-csv", "text/csv"), ("json", "application/json")],
)
def test_exports(client: TestClient, fmt: str, media_type: str) -> None:
    response = client.get(f"/api/export/{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-disposition"].startswith("attachment")
    if fmt == "acled-csv":
        assert response.text.splitlines()[0].startswith("event_id_cnty") or "," in response.text
    else:
        assert response.json()


def test_unknown_export_formats_and_paths_are_refused(client: TestClient) -> None:
    for fmt in ("pdf", "..%2F..%2Fetc%2Fpasswd", "json/../../x"):
        assert client.get(f"/api/export/{fmt}").status_code in (404, 422)


def test_reads_leave_the_shared_graph_as_the_store_has_it(
    client: TestClient, examples_db: str
) -> None:
    for fmt in FORMATS:
        assert client.get(f"/api/export/{fmt}").status_code == 200
    graph, _ = client.app.state.conflictmap.graph()
    with Store(examples_db) as store:
        assert graph == store.export()


def test_openapi_lists_the_paths(client: TestClient) -> None:
    spec = ok(client.get("/openapi.json"))
    for path in (
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/relations",
        "/api/events",
        "/api/search",
        "/api/control/{place}",
        "/api/leaders/{group}",
        "/api/incidents",
        "/api/contradictions",
        "/api/network/path",
        "/api/export/{fmt}",
        "/api/ingest",
        "/api/entities/merge",
        "/api/entities/split",
        "/api/map/events",
        "/api/map/control",
        "/api/network",
        "/api/timeline",
        "/api/config",
    ):
        assert path in spec["paths"], path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (
        client.get("/api/documents"),
        client.get("/api/entities/999999"),
        client.get("/openapi.json"),
        client.post("/api/ingest", json=MARKET),
    ):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


# --- writes ----------------------------------------------------------------------------------


def test_writes_are_refused_when_no_token_is_configured(client: TestClient) -> None:
    before = ok(client.get("/api/documents"))["total"]
    for path, body in (
        ("/api/ingest", MARKET),
        ("/api/entities/merge", {"keep": "MUJAO", "absorb": "MNLA"}),
        ("/api/entities/split", {"entity": "MUJAO", "names": ["MUJAO"]}),
    ):
        assert client.post(path, json=body).status_code == 403
        assert client.post(path, json=body, headers=AUTH).status_code == 403
    assert ok(client.get("/api/documents"))["total"] == before


def test_writes_need_the_right_token(writable: TestClient) -> None:
    assert writable.post("/api/ingest", json=MARKET).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert writable.post("/api/ingest", json=MARKET, headers=wrong).status_code == 401
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert writable.post("/api/ingest", json=MARKET, headers=basic).status_code == 401
    assert ok(writable.get("/api/documents"))["total"] == 0


def test_a_pasted_report_is_ingested(writable: TestClient) -> None:
    assert ok(writable.get("/api/events"))["total"] == 0
    assert ok(writable.get("/api/search", params={"q": "Gao"}))["places"] == []
    done = ok(writable.post("/api/ingest", json=MARKET, headers=AUTH))
    assert done["stored"] == 1 and len(done["documents"]) == 1
    events = ok(writable.get("/api/events", params={"since": "2019-03-01"}))["items"]
    assert events and any(e["location"] == "Gao" for e in events)
    assert ok(writable.get("/api/search", params={"q": "Gao"}))["places"]  # cache renewed
    doc = ok(writable.get(f"/api/documents/{done['documents'][0]}"))
    assert doc["title"] == MARKET["title"] and doc["source"] == "Test Wire"
    assert doc["date"] == "2019-03-07"
    again = ok(writable.post("/api/ingest", json=MARKET, headers=AUTH))
    assert again["stored"] == 0 and again["skipped"] == 1


def test_bad_reports_are_422(writable: TestClient) -> None:
    for body in (
        {"title": "no text"},
        {"text": ""},
        {"text": "   "},
        {**MARKET, "date": "7 March 2019"},
        {**MARKET, "text": 42},
        {**MARKET, "id": "my-own-id"},  # a field the API does not take is refused, not dropped
    ):
        assert writable.post("/api/ingest", json=body, headers=AUTH).status_code == 422, body
    assert ok(writable.get("/api/documents"))["total"] == 0


def test_a_report_that_cannot_be_read_is_422_with_the_reason(writable: TestClient) -> None:
    spanish = (
        "Hombres armados atacaron un puesto de control en la carretera hacia el puerto "
        "fluvial el domingo por la noche, y tres soldados murieron en los combates, según "
        "un oficial del ejército. Los atacantes huyeron hacia el bosque con dos camiones."
    )
    for text, reason in ((spanish, "not English"), ("1 2 3 -- 4.5 %", "no words")):
        response = writable.post("/api/ingest", json={"text": text}, headers=AUTH)
        assert response.status_code == 422
        assert reason in response.json()["detail"][0]["msg"]
    assert ok(writable.get("/api/documents"))["total"] == 0


def test_oversized_bodies_are_413(writable: TestClient) -> None:
    big = {**MARKET, "text": "Gunmen attacked Gao. " * (MAX_BODY_BYTES // 20)}
    assert writable.post("/api/ingest", json=big, headers=AUTH).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it is read
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 1000 + 1):
            yield b"x" * 1000
        yield b'"}'

    response = writable.post(
        "/api/ingest",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-security-policy"] == CSP
    assert ok(writable.get("/api/documents"))["total"] == 0


def test_markup_in_reports_comes_back_as_plain_json_strings(writable: TestClient) -> None:
    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    report = {
        "text": f"Rebels attacked Kidal on Monday, officials said. {script} {img}",
        "title": f"Kidal {script}",
        "date": "2019-04-01",
    }
    done = ok(writable.post("/api/ingest", json=report, headers=AUTH))
    response = writable.get(f"/api/documents/{done['documents'][0]}")
    doc = ok(response)
    assert script in doc["text"] and img in doc["text"]
    assert doc["title"] == report["title"]
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-security-policy"] == CSP
    listed = writable.get("/api/search", params={"q": "Kidal"})
    assert any(d["title"] == report["title"] for d in ok(listed)["documents"])


def test_merge_and_split_entities(writable: TestClient) -> None:
    ok(writable.post("/api/ingest", json=MARKET, headers=AUTH))
    second = {
        "text": "Soldiers of the Malian army clashed with MNLA rebels near Kidal on Monday, "
        "a military source said.",
        "date": "2019-03-12",
    }
    ok(writable.post("/api/ingest", json=second, headers=AUTH))
    places = ok(writable.get("/api/entities", params={"type": "LOCATION"}))["items"]
    names = {p["name"] for p in places}
    assert {"Gao", "Kidal"} <= names
    gao = next(p for p in places if p["name"] == "Gao")
    kidal = next(p for p in places if p["name"] == "Kidal")
    body = {"keep": gao["id"], "absorb": kidal["id"], "note": "test"}
    assert writable.post("/api/entities/merge", json=body).status_code == 401
    merged = ok(writable.post("/api/entities/merge", json=body, headers=AUTH))
    assert merged["kind"] == "merge"
    assert "Kidal" in ok(writable.get(f"/api/entities/{gao['id']}"))["aliases"]
    assert writable.get(f"/api/entities/{kidal['id']}").status_code == 404
    split = {"entity": gao["id"], "names": ["Kidal"], "note": "two towns"}
    done = ok(writable.post("/api/entities/split", json=split, headers=AUTH))
    assert done["kind"] == "split"
    assert "Kidal" not in ok(writable.get(f"/api/entities/{gao['id']}"))["aliases"]
    again = writable.post("/api/entities/split", json=split, headers=AUTH)
    assert again.status_code == 400  # no longer a name of Gao
    unknown = {"keep": "Atlantis", "absorb": "Gao"}
    assert writable.post("/api/entities/merge", json=unknown, headers=AUTH).status_code == 404


# --- serving -----------------------------------------------------------------------------------


def test_loopback_app_refuses_other_host_headers(examples_db: str) -> None:
    app = create_app(examples_db, token="", allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8765") as local:
        assert local.get("/api/documents").status_code == 200
    with TestClient(app, base_url="http://attacker.example") as rebound:
        assert rebound.get("/api/documents").status_code == 400


def test_serve_refuses_a_remote_host_without_allow_remote(examples_db: str) -> None:
    from conflictmap.cli import cli

    result = CliRunner().invoke(cli, ["--db", examples_db, "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "--allow-remote" in result.output and "loopback" in result.output


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_serve_caps_malloc_arenas_unless_the_environment_does(monkeypatch) -> None:  # noqa: ANN001
    from conflictmap.web.api import limit_malloc_arenas

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False  # the operator's setting is left alone
