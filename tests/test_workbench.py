"""The workbench in a real browser: Debian's Chromium driven by Playwright, against
``conflictmap serve``'s app (uvicorn on a free loopback port) over a store built from
``examples/``. Screenshots go to ``test-artifacts/`` (``CONFLICTMAP_ARTIFACTS`` elsewhere).

Skipped, with the reason, where Chromium or the front-end packages (``make setup``) are
missing; ``.ci/run`` installs both, so CI runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]
VENDOR = ROOT / "conflictmap" / "web" / "static" / "vendor"
CHROMIUM = os.environ.get("CONFLICTMAP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CONFLICTMAP_ARTIFACTS", ROOT / "test-artifacts"))
TOKEN = "browser-test-token-4242"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",  # software WebGL for the map, with no GPU
]
HOSTILE_TITLE = 'Raid on <img src=x onerror="window.__pwned=1"> depot'
HOSTILE_TEXT = (
    "Gunmen attacked a fuel depot in Gao on Monday, killing three guards, residents said. "
    '<script>window.__pwned = 2</script> A spokesman wrote "<b onmouseover=alert(1)>" '
    "in a statement that was posted online."
)
HOSTILE_SOURCE = '"><svg onload="window.__pwned=3"></svg>'
HOSTILE_URL = "javascript:window.__pwned=4"
PASTED = (
    "Soldiers clashed with armed men near Timbuktu on Wednesday, killing five of the "
    "attackers, the army said in a statement."
)


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not (VENDOR / "versions.json").exists():
        return "front-end packages not built: run `make setup`"
    return None


if reason := _missing():
    if os.environ.get("CONFLICTMAP_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"browser tests required, but {reason}")
    pytest.skip(reason, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, examples_db: str, extractor) -> Iterator[str]:
    import uvicorn

    from conflictmap.web import create_app

    db = str(tmp_path_factory.mktemp("workbench") / "examples.db")
    shutil.copy(examples_db, db)  # the session's store is read-only: this one takes writes
    hosts = ["127.0.0.1", "localhost"]
    app = create_app(db, token=TOKEN, extractor=extractor, allowed_hosts=hosts, warm=True)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if uv.started:
            break
        time.sleep(0.05)
    yield base
    uv.should_exit = True
    thread.join(timeout=10)


def get(base: str, path: str) -> dict | list:
    with urllib.request.urlopen(base + path) as response:
        return json.loads(response.read())


def post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: str) -> Iterator:
    """A fresh page that records console errors, page errors and CSP violations."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.problems = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation', e.violatedDirective, e.sourceFile, e.sample))"
    )
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: page.problems.append(message.text) if message.type == "error" else None,
    )
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    yield page
    context.close()


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def until(page, expression: str, timeout: float = 30.0) -> None:
    """Polls ``expression`` from here: ``wait_for_function`` evaluates strings in the page,
    which its Content-Security-Policy (rightly) forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def settle(page, attribute: str, value: str | None = None) -> None:
    """Waits for the front end to mark a drawing done (``data-*`` on <body>)."""
    selector = f"body[data-{attribute}]" if value is None else f"body[data-{attribute}='{value}']"
    page.wait_for_selector(selector, state="attached", timeout=30_000)


# --- map -----------------------------------------------------------------------------------


def test_the_map_draws_every_placed_event_up_to_the_date(page, server: str) -> None:
    events = get(server, "/api/map/events")["features"]
    as_of = page.locator("#as-of-label").inner_text()
    settle(page, "map-drawn", as_of)
    page.evaluate("window.conflictmap.map.fitBounds([[-180, -70], [180, 75]], {duration: 0})")
    until(page, "window.conflictmap.map.loaded()")
    drawn = page.evaluate(
        "[...new Set(window.conflictmap.map.queryRenderedFeatures({layers: ['events']})"
        ".map(f => f.properties.id))]"
    )
    expected = {f["id"] for f in events if f["properties"]["date"] <= as_of}
    assert expected and set(drawn) == expected
    assert page.problems == []
    shoot(page, "map")


def test_the_date_slider_changes_who_holds_what(page, server: str) -> None:
    settle(page, "map-drawn")
    page.evaluate(
        "(() => { const s = document.getElementById('as-of'); s.value = Math.floor(s.max / 2);"
        " s.dispatchEvent(new Event('input')); })()"
    )
    as_of = page.locator("#as-of-label").inner_text()
    settle(page, "map-drawn", as_of)
    held = get(server, f"/api/map/control?at={as_of}")
    legend = page.locator("#holders li").all_inner_texts()
    assert [p["place"] for p in held] == [line.split(":")[0] for line in legend]
    assert all(" + ".join(p["holders"]) in line for p, line in zip(held, legend, strict=True))
    rings = page.evaluate(
        "window.conflictmap.map.getSource('control').serialize().data.features.length"
    )
    assert rings == len(held)


def test_clicking_an_event_on_the_map_opens_its_evidence(page, server: str) -> None:
    settle(page, "map-drawn")
    page.evaluate("window.conflictmap.map.jumpTo({center: [-0.04472, 16.27167], zoom: 9})")
    until(page, "window.conflictmap.map.loaded()")
    point = page.evaluate(
        "(() => { const f = window.conflictmap.map.queryRenderedFeatures({layers: ['events']})[0];"
        " const p = window.conflictmap.map.project(f.geometry.coordinates);"
        " const r = document.getElementById('map').getBoundingClientRect();"
        " return {id: f.properties.id, x: r.left + p.x, y: r.top + p.y}; })()"
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**#/event/{point['id']}")
    event = get(server, f"/api/events/{point['id']}")
    page.wait_for_selector("#panel h2.event-title")
    assert page.locator("#panel blockquote.sentence").first.inner_text().strip() == (
        event["evidence"]["sentence"].strip()
    )


# --- evidence pages ------------------------------------------------------------------------


def test_an_event_page_shows_its_sentence_source_and_the_conflicting_tolls(
    page, server: str
) -> None:
    disputes = get(server, "/api/contradictions?kind=toll&limit=500")["items"]
    assert disputes, "the examples hold a disputed toll"
    witness = disputes[0]["witnesses"][0]
    event = get(server, f"/api/events/{witness['event_id']}")
    page.goto(f"{server}/#/event/{event['id']}")
    page.wait_for_selector("#panel h2.event-title")
    evidence = page.locator("#panel .evidence").first
    assert evidence.locator("blockquote.sentence").inner_text().strip() == (
        event["evidence"]["sentence"].strip()
    )
    source = evidence.locator("p.source").inner_text()
    assert event["evidence"]["source"] in source
    grade = event["evidence"]["grade"]["code"]
    assert evidence.locator(".grade").inner_text() == grade
    if event["trigger"] and event["trigger"].lower() in event["evidence"]["sentence"].lower():
        assert evidence.locator("mark.trigger").inner_text().lower() == event["trigger"].lower()
    marked = evidence.locator("mark.mention, mark.self").all_inner_texts()
    assert marked == [h["text"] for h in event["evidence"]["highlights"]][: len(marked)]
    conflict = page.locator("#panel .incident .conflict").inner_text()
    for toll in disputes[0]["fatalities"]:
        assert toll in conflict
    shoot(page, "evidence")


def test_an_entity_page_marks_its_own_mentions(page, server: str) -> None:
    actor = get(server, "/api/network")["nodes"][0]
    entity = get(server, f"/api/entities/{actor['entity_id']}")
    page.goto(f"{server}/#/entity/{entity['id']}")
    page.wait_for_selector("#panel h2.entity-title")
    assert page.locator("#panel h2.entity-title").inner_text() == entity["name"]
    own = {
        h["text"]
        for item in entity["relations"] + entity["events"]
        for h in item["evidence"]["highlights"]
        if h["entity_id"] == entity["id"]
    }
    shown = set(page.locator("#panel mark.self").all_inner_texts())
    assert own and shown == own
    assert page.locator("#panel .relation").count() == len(entity["relations"]) + len(
        entity["events"]
    )


# --- network and timeline --------------------------------------------------------------------


def test_the_network_draws_the_actors_and_their_ego_view(page, server: str) -> None:
    as_of = page.locator("#as-of-label").inner_text()
    network = get(server, f"/api/network?as_of={as_of}")
    page.goto(f"{server}/#/network")
    settle(page, "network-drawn", str(len(network["nodes"])))
    drawn = page.evaluate("window.conflictmap.cy.nodes().map(n => n.id())")
    assert len(network["nodes"]) > 5 and set(drawn) == {n["id"] for n in network["nodes"]}
    assert page.evaluate("window.conflictmap.cy.edges().length") == len(network["edges"])
    shoot(page, "network")
    centre = max(network["nodes"], key=lambda n: n["degree"])
    ego = get(server, f"/api/network?as_of={as_of}&ego={urllib.parse.quote(centre['id'])}")
    page.fill("#ego", centre["id"])
    page.click("#network-form button[type=submit]")
    settle(page, "network-drawn", str(len(ego["nodes"])))
    assert page.evaluate("window.conflictmap.cy.nodes('.ego').map(n => n.id())") == [centre["id"]]
    assert len(ego["nodes"]) < len(network["nodes"])


def test_the_timeline_draws_events_and_relation_spans(page, server: str) -> None:
    timeline = get(server, "/api/timeline")
    page.goto(f"{server}/#/timeline")
    settle(page, "timeline-drawn", str(len(timeline["events"])))
    assert page.locator("#timeline-chart circle.event-dot").count() == len(timeline["events"])
    spans = len(timeline["spans"])
    assert spans and page.locator("#timeline-chart rect.span").count() == spans
    shoot(page, "timeline")
    first = timeline["events"][0]["id"]
    page.locator(f"#timeline-chart circle[data-id='{first}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#/event/{first}")


# --- search, keyboard, ingest, hostile text ------------------------------------------------


def test_search_by_keyboard_opens_an_entity(page, server: str) -> None:
    actor = get(server, "/api/network")["nodes"][0]
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(actor["label"][:12])
    page.wait_for_selector("#search-results a")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel h2.entity-title")
    expected = get(server, f"/api/search?q={urllib.parse.quote(actor['label'][:12])}&limit=8")
    first = (expected["entities"] + expected["places"])[0]
    assert page.locator("#panel h2.entity-title").inner_text() == first["name"]


def test_a_pasted_report_is_ingested_and_appears(page, server: str) -> None:
    before = get(server, "/api/config")["stats"]["documents"]
    page.click("#ingest-open")
    page.fill("#ingest-text", PASTED)
    page.fill("#ingest-title-input", "Clash near Timbuktu")
    page.fill("#ingest-date", "2013-02-20")
    page.fill("#ingest-source", "Browser Test Wire")
    page.fill("#ingest-token", TOKEN)
    page.click("#ingest-submit")
    page.wait_for_url("**#/document/**", timeout=60_000)
    page.wait_for_selector("#panel h2.document-title")
    assert page.locator("#panel h2.document-title").inner_text() == "Clash near Timbuktu"
    assert PASTED in page.locator("#panel pre.document-text").inner_text()
    assert get(server, "/api/config")["stats"]["documents"] == before + 1


def test_a_wrong_token_is_refused_in_the_page(page, server: str) -> None:
    before = get(server, "/api/config")["stats"]["documents"]
    page.click("#ingest-open")
    page.fill("#ingest-text", PASTED + " Again.")
    page.fill("#ingest-token", "not-the-token")
    page.click("#ingest-submit")
    page.wait_for_selector("#ingest-result:has-text('401')")
    assert get(server, "/api/config")["stats"]["documents"] == before


def test_a_hostile_report_renders_as_text(page, server: str) -> None:
    done = post(
        server,
        "/api/ingest",
        {
            "text": HOSTILE_TEXT,
            "title": HOSTILE_TITLE,
            "date": "2013-03-04",
            "source": HOSTILE_SOURCE,
            "url": HOSTILE_URL,
        },
    )
    [doc_id] = done["documents"]
    page.goto(f"{server}/#/document/{doc_id}")
    page.wait_for_selector("#panel h2.document-title")
    assert page.locator("#panel h2.document-title").inner_text() == HOSTILE_TITLE
    assert "<script>window.__pwned = 2</script>" in page.locator("#panel pre").inner_text()
    page.goto(f"{server}/#/documents")
    page.wait_for_selector(f"#documents a[href='#/document/{doc_id}']")
    page.fill("#q", "Raid on")
    page.wait_for_selector("#search-results a")
    assert HOSTILE_TITLE in page.locator("#search-results").inner_text()
    for event in get(server, f"/api/documents/{doc_id}")["events"]:
        page.goto(f"{server}/#/event/{event['id']}")
        page.wait_for_selector("#panel h2.event-title")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#panel img, #search-results img, #panel script, #panel b").count() == 0
    page.goto(f"{server}/#/document/{doc_id}")
    page.wait_for_selector("#panel h2.document-title")
    assert HOSTILE_URL in page.locator("#panel").inner_text()  # shown as text, not a link
    assert page.locator("#panel [onload], #panel [onerror], #panel [onmouseover]").count() == 0
    assert page.locator("#panel a[href^='javascript']").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert not [p for p in page.problems if "pwned" in p]
    shoot(page, "hostile-report")
