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

Then each endpoint is requested ``--requests`` times through FastAPI's ``TestClient`` (in
process: no network, but the whole ASGI stack, validation and JSON encoding) and the
p50/p95/p99 of the wall time per request are reported. The graph endpoints (entities,
relations, control, contradictions) read ``Store.export()``, cached by the app until the
store changes: the first request (cold, export built) is reported apart from the others
(warm); the slower graph endpoints are requested ``--slow-requests`` times, and any endpoint
stops after ``--budget`` seconds (the JSON gives the requests made).
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
import time
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


def timed(client: Any, url: str, requests: int, cold: bool, budget_s: float) -> dict[str, Any]:
    """``requests`` timed GETs of ``url`` (fewer when they take over ``budget_s`` seconds in
    all); with ``cold`` the first is reported apart."""
    result: dict[str, Any] = {"url": url}
    if cold:
        started = time.perf_counter()
        response = client.get(url)
        result["cold_ms"] = round((time.perf_counter() - started) * 1000, 1)
        response.raise_for_status()
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < requests and (not times or time.perf_counter() < deadline):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    body = response.json()
    result.update(
        requests=len(times),
        p50_ms=round(percentile(times, 50), 1),
        p95_ms=round(percentile(times, 95), 1),
        p99_ms=round(percentile(times, 99), 1),
        mean_ms=round(statistics.fmean(times), 1),
        total=body.get("total") if isinstance(body, dict) else len(body),
        bytes=len(response.content),
    )
    result["meets_goal"] = result["p95_ms"] < GOAL_MS
    return result


def measure(path: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from conflictmap.web.api import create_app

    client = TestClient(create_app(f"sqlite:///{path}", token=None))
    first = client.get("/api/events?limit=1").json()
    total, place = first["total"], first["items"][0]["location"]
    deep = max(0, (total // 2) // 50 * 50)
    middle = START + timedelta(days=DAYS // 2)
    window = f"since={middle.isoformat()}&until={(middle + timedelta(days=30)).isoformat()}"
    n, slow = args.requests, args.slow_requests
    plan = [
        ("events, first page", "/api/events?limit=50", n, False),
        ("events, deep page", f"/api/events?limit=50&offset={deep}", n, False),
        ("events, type + 30 days", f"/api/events?type=Battles&{window}&limit=50", n, False),
        ("events, bbox 1x1 degree", "/api/events?bbox=0,14,1,15&limit=50", n, False),
        ("events, place", f"/api/events?place={place}&limit=50", n, False),
        ("entities (graph)", "/api/entities?limit=50", n, True),
        ("relations as_of (graph)", f"/api/relations?as_of={middle.isoformat()}", slow, False),
        ("control/{place} (graph)", f"/api/control/{place}", slow, False),
        ("contradictions (graph)", "/api/contradictions", slow, False),
    ]
    results = []
    for name, url, requests, cold in plan:
        if any(word in name for word in args.skip):
            continue
        print(f"  {name}: {url}", file=sys.stderr, flush=True)
        results.append({"endpoint": name, **timed(client, url, requests, cold, args.budget)})
        print(f"    {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| endpoint | requests | cold ms | p50 ms | p95 ms | p99 ms | total | < 100 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['endpoint']} | {r['requests']} | {r.get('cold_ms', '')} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['p99_ms']} | {r['total']} | "
            f"{'yes' if r['meets_goal'] else 'no'} |"
        )
    return "\n".join(lines)


def _commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


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
        "--skip", nargs="*", default=[], help="skip endpoints whose name contains a word"
    )
    parser.add_argument("--actors", type=int, default=300)
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--per-document", type=int, default=5, help="events per document")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "latency.db"
        print(f"building a store of {args.events} synthetic events", file=sys.stderr)
        built = build(path, args)
        print(f"  built in {built['seconds']} s: {built['stats']}", file=sys.stderr)
        results = measure(path, args)

    print(table(results))
    result = {
        "benchmark": "api_latency",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "goal_p95_ms": GOAL_MS,
        "build": built,
        "endpoints": results,
    }
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
