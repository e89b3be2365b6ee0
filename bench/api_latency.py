"""Latency of the REST API's read endpoints on a large synthetic store.

Usage (from the repository root)::

    python bench/api_latency.py                       # 50,000 events, 200 requests each
    python bench/api_latency.py --events 5000 --requests 50 --out /tmp/api.json

A store of ``--events`` events is built in a temporary SQLite file through the store's own
writer (``Store.add(document, extraction, ...)``) from synthetic ``conflictmap.model``
records, with a fixed seed: ``--actors`` actors (armed groups, state forces, people) and
``--places`` places with coordinates, relations (controls, leads, member_of, fights) and
events of five ACLED types with dates spread over two years, ``--per-document`` events per
document. Nothing comes from third-party data. The build time is reported.

Then, through FastAPI's ``TestClient`` (in process: no network, but the whole ASGI stack,
validation and JSON encoding), with the wall time per request:

* cold: on a fresh app (``warm=False``), the first graph request, which builds
  ``Store.export()`` (cached by the app until the store changes), then the first request of
  each graph and workbench endpoint, which builds its view (``_State.view``) if it has one;
* warm-up: an app made with ``warm=True``, the time its background thread takes, and then
  the same first requests (fast where the warm-up built their views);
* warm: on that app, p50/p95/p99 per endpoint over ``--requests`` requests (``--slow-requests``
  for the heavier graph views; any endpoint stops after ``--budget`` seconds: the JSON gives
  the requests made). A row requests one URL again and again (``distinct`` 1: a cache hit
  where the endpoint caches a view) or cycles through distinct parameters (dates, actors,
  ids, pages, queries); ``cache`` says what a repeated request costs: ``SQL``, ``view hit``
  (a cached view, sliced or looked up), ``view miss`` (a new view per request: the
  parameters are part of its key) or ``no cache`` (computed from the cached graph);
* revisit: the first URL of every ``view hit`` row once more at the end, after the
  distinct-parameter rows have filled the app's view cache (``MAX_VIEWS``, least recently
  used out).

Printed: a table of first requests, a table of warm latencies, then the JSON summary (with
``commit`` marked ``+uncommitted`` where tracked files differ from HEAD).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conflictmap.ingest.dedup import text_hash  # noqa: E402
from conflictmap.model import (  # noqa: E402
    Document,
    Entity,
    Event,
    Evidence,
    Extraction,
    GeoRef,
    Relation,
    TimeValue,
)
from conflictmap.store.repository import Store  # noqa: E402

GOAL_MS = 100.0
START = date(2022, 1, 1)
DAYS = 730  # two years
EVENT_TYPES = {
    "Battles": [
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance"],
    "Explosions/Remote violence": [
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
    ],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Protests": ["Peaceful protest"],
}
SYLLABLES = [
    "ka",
    "lo",
    "mar",
    "di",
    "sen",
    "bu",
    "ra",
    "tem",
    "go",
    "ni",
    "sa",
    "vel",
    "ou",
    "zan",
]


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _unique(rng: random.Random, count: int, parts: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = _name(rng, parts)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def world(rng: random.Random, actors: int, places: int) -> tuple[list[Entity], list[Entity]]:
    """Synthetic actors and places (with GeoRefs in a 10x10 degree box)."""
    taken: set[str] = set()
    groups = [f"{n} Liberation Front" for n in _unique(rng, actors // 2, 3, taken)]
    forces = [f"{n} Armed Forces" for n in _unique(rng, actors // 4, 3, taken)]
    people = [
        f"{a} {b}"
        for a, b in zip(
            _unique(rng, actors - len(groups) - len(forces), 2, taken),
            _unique(rng, actors - len(groups) - len(forces), 3, taken),
            strict=True,
        )
    ]
    actor_entities = (
        [Entity(g, "ARMED_GROUP") for g in groups]
        + [Entity(f, "STATE_FORCE") for f in forces]
        + [Entity(p, "PERSON") for p in people]
    )
    place_entities = []
    for i, name in enumerate(_unique(rng, places, 3, taken)):
        lat, lon = rng.uniform(10.0, 20.0), rng.uniform(-5.0, 5.0)
        geo = GeoRef(9_000_000 + i, name, lat, lon, "ZZ", "01", "city", 0, 1000)
        place_entities.append(Entity(name, "LOCATION", geo=geo))
    return actor_entities, place_entities


def _day(rng: random.Random) -> TimeValue:
    day = START + timedelta(days=rng.randrange(DAYS))
    return TimeValue(day.isoformat(), day, day, "day")


def documents(
    rng: random.Random, n_events: int, per_document: int, actors: list[Entity], places: list[Entity]
):
    """Yields ``(Document, Extraction)`` until ``n_events`` events are made."""
    groups = [a for a in actors if a.type in ("ARMED_GROUP", "STATE_FORCE")]
    people = [a for a in actors if a.type == "PERSON"]
    made, number = 0, 0
    while made < n_events:
        count = min(per_document, n_events - made)
        number += 1
        doc_id = f"synthetic-{number:06d}"
        sentences, events, relations, used = [], [], [], {}
        for _ in range(count):
            side1, side2 = rng.sample(groups, 2)
            place = rng.choice(places)
            event_type = rng.choice(list(EVENT_TYPES))
            sub = rng.choice(EVENT_TYPES[event_type])
            when = _day(rng)
            deaths = rng.choice([None, 0, 1, 2, 3, 5, 8, 12])
            sentence = (
                f"On {when.text}, {side1.canonical} and {side2.canonical} were involved in "
                f"{sub.lower()} in {place.canonical}, leaving {deaths or 0} dead."
            )
            start = sum(len(s) + 1 for s in sentences)
            sentences.append(sentence)
            evidence = Evidence(sentence, start, start + len(sentence))
            events.append(
                Event(
                    event_type,
                    sub,
                    evidence,
                    actors=(side1.canonical,),
                    targets=(side2.canonical,),
                    location=place.canonical,
                    date=when,
                    fatalities=deaths,
                )
            )
            if rng.random() < 0.3:
                relations.append(
                    Relation(
                        side1.canonical, "controls", place.canonical, evidence, valid_from=when
                    )
                )
            if rng.random() < 0.1:
                leader = rng.choice(people)
                used[leader.canonical] = leader
                relations.append(
                    Relation(leader.canonical, "leads", side1.canonical, evidence, valid_from=when)
                )
            if rng.random() < 0.1:
                relations.append(Relation(side1.canonical, "fights", side2.canonical, evidence))
            for entity in (side1, side2, place):
                used[entity.canonical] = entity
        text = " ".join(sentences)
        published = max(e.date.start for e in events if e.date) + timedelta(days=1)
        document = Document(
            doc_id, text, title=f"Synthetic report {number}", date=published, source="synthetic"
        )
        extraction = Extraction(
            doc_id, text, published, list(used.values()), relations=relations, events=events
        )
        made += count
        yield document, extraction


def build(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    actors, places = world(rng, args.actors, args.places)
    store = Store(str(path))
    started = time.perf_counter()
    docs = 0
    for document, extraction in documents(rng, args.events, args.per_document, actors, places):
        store.add(document, extraction, text_hash=text_hash(document.text), extractor="synthetic")
        docs += 1
        if docs % 1000 == 0:
            print(f"  {docs} documents", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    stats = store.stats()
    store.close()
    return {
        "seconds": round(seconds, 1),
        "documents": docs,
        "stats": stats,
        "db_bytes": path.stat().st_size,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass(frozen=True)
class Row:
    """One measured endpoint: ``urls`` are requested in turn (one URL: the same request
    repeated); ``cache`` says what a repeated request costs."""

    name: str
    urls: tuple[str, ...]
    cache: str  # "SQL", "view hit", "view miss" (a new view per request), "no cache"
    slow: bool = False  # requested --slow-requests times, not --requests


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _get(client: Any, url: str) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response


def _size(body: Any) -> int | None:
    """How many items the answer has (or holds in all, when paged)."""
    if isinstance(body, list):
        return len(body)
    for key in ("total", "total_nodes", "total_events"):
        if key in body:
            return body[key]
    return len(body["features"]) if "features" in body else None


def timed(client: Any, row: Row, requests: int, budget_s: float) -> dict[str, Any]:
    """``requests`` timed GETs, cycling through ``row.urls`` (fewer when they take over
    ``budget_s`` seconds in all)."""
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < requests and (not times or time.perf_counter() < deadline):
        elapsed, response = _get(client, row.urls[len(times) % len(row.urls)])
        times.append(elapsed)
    result = {
        "endpoint": row.name,
        "url": row.urls[0],
        "cache": row.cache,
        "distinct": min(len(times), len(row.urls)),
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "total": _size(response.json()),
        "bytes": len(response.content),
    }
    result["meets_goal"] = result["p95_ms"] < GOAL_MS
    return result


def sample(client: Any, seed: int) -> dict[str, Any]:
    """Names, ids and dates from the store, for requests that vary their parameters."""
    rng = random.Random(seed)
    first = client.get("/api/events?limit=1").json()
    total = first["total"]
    events = []
    for offset in rng.sample(range(max(1, total - 500)), 3):
        events += client.get(f"/api/events?limit=500&offset={offset}").json()["items"]
    entities = []
    for offset in (0, 500, 1000):
        entities += client.get(f"/api/entities?limit=500&offset={offset}").json()["items"]
    actors = [e["name"] for e in entities if e["type"] != "LOCATION"]
    days = [START + timedelta(days=d) for d in rng.sample(range(DAYS), min(DAYS, 400))]
    event_ids = sorted({e["id"] for e in events})
    return {
        "total": total,
        "place": first["items"][0]["location"],
        "event_ids": rng.sample(event_ids, min(len(event_ids), 400)),
        "entity_ids": [e["id"] for e in rng.sample(entities, len(entities))],
        "actors": rng.sample(actors, len(actors)),
        "days": [d.isoformat() for d in days],
        "fragments": sorted({n[i : i + 4].lower() for n in actors for i in (0, 3)}),
    }


def _q(value: str) -> str:
    return urllib.parse.quote(value)


def event_rows(s: dict[str, Any]) -> list[Row]:
    """The SQL-paged event list (as before the workbench)."""
    deep = max(0, (s["total"] // 2) // 50 * 50)
    middle = START + timedelta(days=DAYS // 2)
    window = f"since={middle.isoformat()}&until={(middle + timedelta(days=30)).isoformat()}"
    return [
        Row("events, first page", ("/api/events?limit=50",), "SQL"),
        Row("events, deep page", (f"/api/events?limit=50&offset={deep}",), "SQL"),
        Row("events, type + 30 days", (f"/api/events?type=Battles&{window}&limit=50",), "SQL"),
        Row("events, bbox 1x1 degree", ("/api/events?bbox=0,14,1,15&limit=50",), "SQL"),
        Row("events, place", (f"/api/events?place={_q(s['place'])}&limit=50",), "SQL"),
    ]


def graph_rows(s: dict[str, Any]) -> list[Row]:
    """The endpoints over the cached graph; same-URL rows first, then distinct parameters
    (whose views push the others out of the app's LRU)."""
    days, actors = s["days"], s["actors"]
    pages = [f"/api/contradictions?limit=50&offset={50 * i}" for i in range(200)]
    incidents = [f"/api/incidents?all=true&limit=50&offset={50 * i}" for i in range(200)]
    return [
        Row("entities list", ("/api/entities?limit=50",), "view hit"),
        Row("map/events (GeoJSON)", ("/api/map/events",), "view hit", True),
        Row("timeline, all", ("/api/timeline",), "view hit", True),
        Row("network as_of, same date", (f"/api/network?as_of={days[0]}",), "view hit"),
        Row("incidents, first page", ("/api/incidents",), "view hit"),
        Row("incidents, pages (all=true)", tuple(incidents), "view hit"),
        Row("contradictions, pages", tuple(pages), "view hit"),
        Row("events/{id}", tuple(f"/api/events/{i}" for i in s["event_ids"]), "view hit"),
        Row("entities/{id}", tuple(f"/api/entities/{i}" for i in s["entity_ids"]), "no cache"),
        Row("search?q=", tuple(f"/api/search?q={_q(f)}" for f in s["fragments"]), "no cache"),
        Row("map/control?at=", tuple(f"/api/map/control?at={d}" for d in days), "no cache"),
        Row("control/{place}", (f"/api/control/{_q(s['place'])}",), "no cache", True),
        Row("relations as_of", (f"/api/relations?as_of={days[0]}",), "no cache", True),
        Row(
            "network as_of, distinct dates",
            tuple(f"/api/network?as_of={d}" for d in days),
            "view miss",
            True,
        ),
        Row(
            "network ego, distinct actors",
            tuple(f"/api/network?ego={_q(a)}" for a in actors),
            "view miss",
            True,
        ),
        Row(
            "timeline actor, distinct",
            tuple(f"/api/timeline?actor={_q(a)}" for a in actors),
            "view miss",
            True,
        ),
    ]


def cold_urls(s: dict[str, Any]) -> list[tuple[str, str]]:
    """The first request of each graph endpoint, after the graph itself is built; an
    endpoint whose views an earlier one built (contradictions, incidents) comes first."""
    day, actor = s["days"][-1], _q(s["actors"][-1])
    return [
        ("map/events", "/api/map/events"),
        ("map/control?at=", f"/api/map/control?at={day}"),
        ("network?as_of=", f"/api/network?as_of={day}"),
        ("network?ego=", f"/api/network?ego={actor}"),
        ("timeline", "/api/timeline"),
        ("timeline?actor=", f"/api/timeline?actor={actor}"),
        ("contradictions?limit=50", "/api/contradictions?limit=50"),
        ("incidents", "/api/incidents"),
        ("events/{id}", f"/api/events/{s['event_ids'][-1]}"),
        ("entities/{id}", f"/api/entities/{s['entity_ids'][-1]}"),
        ("search?q=", f"/api/search?q={_q(s['fragments'][-1])}"),
        ("relations?as_of=", f"/api/relations?as_of={day}"),
        ("control/{place}", f"/api/control/{_q(s['place'])}"),
    ]


def first_requests(client: Any, s: dict[str, Any]) -> dict[str, float]:
    found = {}
    for name, url in cold_urls(s):
        found[name] = round(_get(client, url)[0], 1)
        print(f"    {name}: {found[name]} ms", file=sys.stderr, flush=True)
    return found


def cold(path: Path, s: dict[str, Any]) -> dict[str, float]:
    """On a fresh app (``warm=False``): the graph export, paid by the first graph request,
    then the first request of every graph endpoint (its view built, if it has one)."""
    from fastapi.testclient import TestClient

    from conflictmap.web.api import create_app

    app = create_app(f"sqlite:///{path}", token=None)
    client = TestClient(app)
    found = {"graph export (first graph request)": round(_get(client, "/api/entities")[0], 1)}
    found.update(first_requests(client, s))
    app.state.conflictmap.store.close()
    return found


def warmed(path: Path, s: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """An app made with ``warm=True``: how long its background warm-up takes, and the first
    request of each graph endpoint once it is done."""
    from fastapi.testclient import TestClient

    from conflictmap.web.api import create_app

    started = time.perf_counter()
    app = create_app(f"sqlite:///{path}", token=None, warm=True)
    created = _ms(started)
    for thread in threading.enumerate():
        if thread.name == "conflictmap-warm":
            thread.join()
    report: dict[str, Any] = {"create_app_ms": created, "warm_up_ms": _ms(started)}
    client = TestClient(app)
    report["first_ms"] = first_requests(client, s)
    return app, client, report


def measure(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from conflictmap.web.api import create_app

    app = create_app(f"sqlite:///{path}", token=None)
    s = sample(TestClient(app), args.seed)
    app.state.conflictmap.store.close()
    print("  cold first requests", file=sys.stderr, flush=True)
    first = {} if "cold" in args.skip else cold(path, s)
    print("  warm=True app", file=sys.stderr, flush=True)
    app, client, warm_up = warmed(path, s)
    print(f"    warm-up {warm_up['warm_up_ms']} ms", file=sys.stderr, flush=True)
    rows = [r for r in event_rows(s) + graph_rows(s) if not any(w in r.name for w in args.skip)]
    results = []
    for row in rows:
        print(f"  {row.name}: {row.urls[0]}", file=sys.stderr, flush=True)
        requests = args.slow_requests if row.slow else args.requests
        results.append(timed(client, row, requests, args.budget))
        print(f"    {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    revisit = {
        r.urls[0]: round(_get(client, r.urls[0])[0], 1) for r in rows if r.cache == "view hit"
    }
    app.state.conflictmap.store.close()
    return {"cold_ms": first, "warm_up": warm_up, "endpoints": results, "revisit_ms": revisit}


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| endpoint | cache | distinct | requests | p50 ms | p95 ms | p99 ms | max ms | total "
        "| < 100 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['endpoint']} | {r['cache']} | {r['distinct']} | {r['requests']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['total']} "
            f"| {'yes' if r['meets_goal'] else 'no'} |"
        )
    return "\n".join(lines)


def cold_table(cold: dict[str, float], warm_up: dict[str, Any]) -> str:
    after = warm_up["first_ms"]
    lines = [
        f"warm=True: create_app {warm_up['create_app_ms']} ms, background warm-up "
        f"{warm_up['warm_up_ms']} ms",
        "",
        "| first request | cold ms (warm=False) | after warm-up ms (warm=True) |",
        "|---|---:|---:|",
    ]
    for name in {**cold, **after}:
        lines.append(f"| {name} | {cold.get(name, '')} | {after.get(name, '')} |")
    return "\n".join(lines)


def _git(*command: str) -> str | None:
    try:
        return subprocess.run(
            ["git", *command], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _commit() -> str | None:
    """HEAD's short hash, with ``+uncommitted`` where tracked files differ from it."""
    head = _git("rev-parse", "--short", "HEAD")
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return f"{head}+uncommitted" if head and changed else head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events in the store")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument(
        "--slow-requests", type=int, default=50, help="requests per slow graph endpoint"
    )
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per endpoint (fewer requests)"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        help="skip endpoints whose name contains a word ('cold': the cold first requests)",
    )
    parser.add_argument("--actors", type=int, default=300)
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--per-document", type=int, default=5, help="events per document")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)

    load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "latency.db"
        print(f"building a store of {args.events} synthetic events", file=sys.stderr)
        built = build(path, args)
        print(f"  built in {built['seconds']} s: {built['stats']}", file=sys.stderr)
        measured = measure(path, args)

    print(cold_table(measured["cold_ms"], measured["warm_up"]))
    print(table(measured["endpoints"]))
    result = {
        "benchmark": "api_latency",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_1min_start": load_start,
            "load_1min_end": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "goal_p95_ms": GOAL_MS,
        "build": built,
        **measured,
    }
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
