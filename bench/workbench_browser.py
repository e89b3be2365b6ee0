"""How fast the workbench feels in a real browser: Debian's Chromium (Playwright) against
``conflictmap serve``'s app on a synthetic store of ``--events`` events (built as
``bench/api_latency.py`` builds it), beside the same steps on a store of the examples
(``--baseline``, a store already built from ``examples/``: the small case).

Usage (from the repository root)::

    python bench/workbench_browser.py --baseline demo.db
    python bench/workbench_browser.py --events 5000 --baseline demo.db --out /tmp/wb.json

Each step is the wall time until the page marks it drawn: the first load (``ready``: the
page fetched its configuration and every placed event), the map drawn, the date slider
moved to the middle and the map redrawn, the network view, the timeline view, an entity
page and an event page. The server is warmed first (``create_app(warm=True)``, until
``/api/config`` says its warm-up is done), as ``conflictmap serve`` is by the time a person
opens it. Prints one JSON summary.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
import api_latency  # noqa: E402  (the synthetic store)

from conflictmap.web import create_app  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--enable-unsafe-swiftshader",
]


def serve(db: str) -> tuple[str, uvicorn.Server, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(db, token="", warm=True), port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    started = time.perf_counter()
    while json.loads(urllib.request.urlopen(base + "/api/config").read())["warm_up"] != "done":
        time.sleep(0.2)
    return base, server, round(time.perf_counter() - started, 2)


def steps(page: Any, base: str) -> dict[str, float]:
    timings: dict[str, float] = {}

    def timed(name: str, action: Any, selector: str) -> None:
        started = time.perf_counter()
        action()
        page.wait_for_selector(selector, state="attached", timeout=300_000)
        timings[name] = round(time.perf_counter() - started, 3)

    timed("ready", lambda: page.goto(base + "/"), "body[data-ready='1']")
    timed("map drawn", lambda: None, "body[data-map-drawn]")
    move = (
        "(() => { const s = document.getElementById('as-of'); s.value = Math.floor(s.max / 2);"
        " s.dispatchEvent(new Event('input')); return document.getElementById('as-of-label')"
        ".textContent; })()"
    )
    started = time.perf_counter()
    middle = page.evaluate(move)
    page.wait_for_selector(f"body[data-map-drawn='{middle}']", state="attached", timeout=300_000)
    timings["date slider, map redrawn"] = round(time.perf_counter() - started, 3)
    timed("network view", lambda: page.goto(base + "/#/network"), "body[data-network-drawn]")
    timed("timeline view", lambda: page.goto(base + "/#/timeline"), "body[data-timeline-drawn]")
    entity = json.loads(urllib.request.urlopen(base + "/api/network?limit=1").read())
    entity_id = entity["nodes"][0]["entity_id"] if entity["nodes"] else 1
    timed(
        "entity page",
        lambda: page.goto(f"{base}/#/entity/{entity_id}"),
        "#panel h2.entity-title",
    )
    timed("event page", lambda: page.goto(f"{base}/#/event/1"), "#panel h2.event-title")
    return timings


def measure(db: str) -> dict[str, Any]:
    base, server, warm_s = serve(db)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            config = json.loads(urllib.request.urlopen(base + "/api/config").read())
            result = {"stats": config["stats"], "warm_up_s": warm_s, "steps_s": steps(page, base)}
            browser.close()
    finally:
        server.should_exit = True
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--baseline", required=True, help="a store built from examples/")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    world = argparse.Namespace(seed=6, actors=300, places=300, events=args.events, per_document=5)
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "synthetic.db")
        built = api_latency.build(Path(db), world)
        summary = {
            "date": time.strftime("%Y-%m-%d"),
            "synthetic": {"build": built, **measure(db)},
            "examples (baseline)": measure(args.baseline),
        }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
