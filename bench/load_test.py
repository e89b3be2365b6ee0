"""Load test: concurrent clients against a real ``conflictmap serve`` on loopback.

Usage (from the repository root)::

    python bench/load_test.py                          # 50,000 events, 8 clients, 60 s
    python bench/load_test.py --events 5000 --clients 4 --duration 20 --out /tmp/load.json
    python bench/load_test.py --store /tmp/s50k.db     # build it there once, reuse it after

The store is built as ``bench/api_latency.py`` builds it (``build``: synthetic actors,
places, relations and events through ``Store.add``, fixed ``--seed``), in a temporary file,
or at ``--store`` (reused when it exists). Then ``conflictmap --db STORE serve --port PORT``
runs as a subprocess on 127.0.0.1 (a free port; read-only: no ``CONFLICTMAP_TOKEN``),
and the test waits until ``/api/config`` says its warm-up is ``done``.

Requests hit real data: actor and place names, entity and event ids, dates and name
fragments are sampled from the server first, with a share of deliberate misses (unknown
ids and names: a 404 is expected; a search for a string no name holds: an empty 200). The
mix has three kinds, drawn with equal odds: ``search`` (``/api/search``, ``/api/entities?q=``),
``graph`` (``/api/network`` whole, at a date and around an actor, ``/api/timeline?actor=``,
``/api/relations?as_of=``, ``/api/entities/{id}``, ``/api/control/{place}``,
``/api/network/path``) and ``events`` (``/api/events`` pages and filters,
``/api/events/{id}``, ``/api/map/events``). The parameters come from bounded pools (about
40 dates, 30 actors...): more distinct views than the app's view cache holds, so cached
views are hit, missed and evicted all along.

Phases, one server process: ``prime`` (every distinct URL of the mix once, one client, not
measured: the view cache is full before memory is compared), ``baseline``
(``--baseline-clients``, default 1, for ``--baseline-duration`` s), then ``load``
(``--clients`` for ``--duration`` s). Each client is a thread with its own keep-alive
``httpx.Client``, drawing requests from its own seeded random stream until the phase ends.
An error is any status other than the expected one (200, or 404 for a deliberate miss), an
empty body, or any exception (timeout, connection refused, reset). Per kind, per request
type and overall: requests, errors, p50/p95/p99/max ms, requests/s.

Memory: the server's RSS (``VmRSS`` of ``/proc/PID/status``) every 0.5 s, from start to end.
Reported: after the warm-up, after priming, at the start, end and max of the load phase,
the peak (``VmHWM``), the median of its first and last quarters, and the least-squares slope
in MiB/min. Verdict ``flat``: the last quarter's median is at most the first quarter's plus
``--flat-rel`` of it plus ``--flat-mib`` (default 5% + 16 MiB: room for the allocator and
for view-cache entries of different sizes, none for a leak that grows with requests).

The server is stopped at the end (SIGTERM, then SIGKILL after 10 s). Prints markdown tables
(stdout), progress (stderr), then the JSON summary; ``--out`` writes the JSON too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
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

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_latency  # noqa: E402  (the synthetic store, percentiles, commit)

KINDS = ("search", "graph", "events")
MIB = 1024 * 1024
FLAT_REL, FLAT_MIB = 0.05, 16.0
SAMPLE_EVERY_S = 0.5
MISS_ID = 10**12  # far above any stored id, below the API's largest accepted id
UNKNOWN = "Qqzx Unknown Front"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the store ---------------------------------------------------------------------------


def build_store(
    path: Path,
    events: int,
    seed: int = 6,
    actors: int = 300,
    places: int = 300,
    per_document: int = 5,
) -> dict[str, Any]:
    """A synthetic store of ``events`` events at ``path``, as ``bench/api_latency.py``
    builds it (same seed, same store)."""
    settings = argparse.Namespace(
        events=events, seed=seed, actors=actors, places=places, per_document=per_document
    )
    return api_latency.build(path, settings)


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).parent / "conflictmap"
    if script.exists():
        return [str(script)]
    found = shutil.which("conflictmap")
    return [found] if found else [sys.executable, "-m", "conflictmap.cli"]


class Server:
    """``conflictmap --db DB serve --port PORT`` as a subprocess; its output goes to
    ``log_path``. A context manager: stopped on exit, whatever happened."""

    def __init__(self, db: Path | str, log_path: Path) -> None:
        self.db = str(db)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.base = ""
        self.killed = False  # SIGTERM was not enough
        self._log: Any = None

    def start(self, attempts: int = 3) -> None:
        """Starts the server on a free port (another one if that one was taken meanwhile)."""
        env = {
            k: v for k, v in os.environ.items() if k not in ("CONFLICTMAP_DB", "CONFLICTMAP_TOKEN")
        }
        for _ in range(attempts):
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            command = [*serve_command(), "--db", self.db, "serve", "--port", str(self.port)]
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            if self._listening(60.0):
                return
            self.stop()
        raise RuntimeError(f"conflictmap serve did not start:\n{self.log_tail()}")

    def _listening(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def wait_warm(self, timeout: float) -> tuple[str, float]:
        """Waits until ``/api/config`` says ``warm_up: done`` (or ``timeout`` s): the state
        reached and the seconds waited."""
        started = time.monotonic()
        state = "unknown"
        with httpx.Client(base_url=self.base, timeout=30.0) as client:
            while time.monotonic() - started < timeout:
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"conflictmap serve exited:\n{self.log_tail()}")
                try:
                    state = client.get("/api/config").json().get("warm_up", "unknown")
                except httpx.HTTPError:
                    state = "unreachable"
                if state in ("done", "off"):
                    break
                time.sleep(0.25)
        return state, round(time.monotonic() - started, 1)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def status_kib(self, field: str) -> int | None:
        """A ``/proc/PID/status`` field in KiB (``VmRSS``, ``VmHWM``); None once gone."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            return None
        return None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s; the exit status (None if never started)."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.killed = True
                    self.process.kill()
                    self.process.wait(timeout=10)
            code = self.process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class RssSampler(threading.Thread):
    """The server's RSS every ``every`` s: ``(seconds since start, phase, MiB)``."""

    def __init__(self, server: Server, every: float = SAMPLE_EVERY_S) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.server = server
        self.every = every
        self.phase = "warm-up"
        self.samples: list[tuple[float, str, float]] = []
        self._halt = threading.Event()
        self._t0 = time.monotonic()

    def run(self) -> None:
        while not self._halt.is_set():
            self.take()
            self._halt.wait(self.every)

    def take(self) -> float | None:
        kib = self.server.status_kib("VmRSS")
        if kib is None:
            return None
        mib = round(kib / 1024, 1)
        self.samples.append((round(time.monotonic() - self._t0, 2), self.phase, mib))
        return mib

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    def of(self, phase: str) -> list[tuple[float, float]]:
        return [(t, mib) for t, p, mib in self.samples if p == phase]


# --- the requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request type of the mix: ``urls`` are drawn at random; ``expect``: the status a
    correct server answers (404 for deliberate misses)."""

    kind: str
    name: str
    urls: tuple[str, ...]
    weight: float
    expect: int = 200


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def sample_data(client: httpx.Client, seed: int) -> dict[str, Any]:
    """Names, ids, dates and name fragments from the server, for requests that hit."""
    rng = random.Random(seed)
    first = client.get("/api/events", params={"limit": 1}).raise_for_status().json()
    total = first["total"]
    events: list[dict] = []
    for offset in rng.sample(range(max(1, total - 500)), min(3, max(1, total - 500))):
        page = client.get("/api/events", params={"limit": 500, "offset": offset})
        events += page.raise_for_status().json()["items"]
    entities: list[dict] = []
    while True:
        page = client.get("/api/entities", params={"limit": 500, "offset": len(entities)})
        body = page.raise_for_status().json()
        entities += body["items"]
        if not body["items"] or len(entities) >= body["total"]:
            break
    actors = [e for e in entities if e["type"] != "LOCATION"]
    places = [e for e in entities if e["type"] == "LOCATION"]
    # dates across the store's whole span (a page of events covers a few days only)
    dated = sorted(e["date"][:10] for e in events if e.get("date"))
    last = client.get("/api/events", params={"limit": 1, "offset": max(0, total - 1)})
    oldest = [e["date"][:10] for e in last.raise_for_status().json()["items"] if e.get("date")]
    newest = [e["date"][:10] for e in first["items"] if e.get("date")]
    span = sorted(dated + oldest + newest)
    days = set(dated)
    if span:
        low, high = date.fromisoformat(span[0]), date.fromisoformat(span[-1])
        width = (high - low).days + 1
        days |= {(low + timedelta(days=rng.randrange(width))).isoformat() for _ in range(100)}
    names = [e["name"] for e in actors]
    return {
        "events": total,
        "entities": len(entities),
        "event_ids": sorted({e["id"] for e in events}),
        "entity_ids": sorted(e["id"] for e in entities),
        "actors": sorted(names),
        "places": sorted(e["name"] for e in places),
        "days": sorted(days),
        "fragments": sorted({n[i : i + 4].lower() for n in names for i in (0, 3)}),
    }


def requests_mix(s: dict[str, Any], seed: int) -> list[Request]:
    """The request types of the three kinds, with their parameter pools (bounded: the
    same URLs recur, as a few analysts browsing would make them)."""
    rng = random.Random(seed)

    def pick(values: list, n: int) -> list:
        return rng.sample(values, min(n, len(values))) if values else []

    days = pick(s["days"], 40)
    actors = pick(s["actors"], 30)
    places = pick(s["places"], 20)
    fragments = pick(s["fragments"], 60)
    pages = max(1, s["events"] // 50)
    offsets = sorted({50 * rng.randrange(pages) for _ in range(40)})
    windows = []
    for day in pick(s["days"], 20):
        start = date.fromisoformat(day)
        until = (start + timedelta(days=30)).isoformat()
        kind = rng.choice(list(api_latency.EVENT_TYPES))
        windows.append(f"/api/events?type={_q(kind)}&since={day}&until={until}&limit=50")
    boxes = []
    for _ in range(20):
        lon, lat = rng.uniform(-5.0, 4.0), rng.uniform(10.0, 19.0)
        boxes.append(f"/api/events?bbox={lon:.2f},{lat:.2f},{lon + 1:.2f},{lat + 1:.2f}&limit=50")
    pairs = [tuple(rng.sample(s["actors"], 2)) for _ in range(10)] if len(s["actors"]) > 1 else []
    return [
        # search: names and aliases, document titles
        Request("search", "search?q=", tuple(f"/api/search?q={_q(f)}" for f in fragments), 6),
        Request(
            "search",
            "search?q=, no match",
            tuple(f"/api/search?q=qqzx{i}" for i in range(10)),
            1,
        ),
        Request("search", "entities?q=", tuple(f"/api/entities?q={_q(f)}" for f in fragments), 3),
        # graph: the actor network, timelines, relations, entity pages, control
        Request("graph", "network", ("/api/network",), 2),
        Request("graph", "network?as_of=", tuple(f"/api/network?as_of={d}" for d in days), 3),
        Request("graph", "network?ego=", tuple(f"/api/network?ego={_q(a)}" for a in actors), 2),
        Request(
            "graph", "timeline?actor=", tuple(f"/api/timeline?actor={_q(a)}" for a in actors), 1
        ),
        Request(
            "graph",
            "relations?as_of=",
            tuple(f"/api/relations?as_of={d}&limit=50" for d in days),
            2,
        ),
        Request(
            "graph",
            "entities/{id}",
            tuple(f"/api/entities/{i}" for i in pick(s["entity_ids"], 60)),
            2,
        ),
        Request(
            "graph",
            "entities/{id}, unknown",
            tuple(f"/api/entities/{MISS_ID + i}" for i in range(10)),
            0.5,
            404,
        ),
        Request("graph", "control/{place}", tuple(f"/api/control/{_q(p)}" for p in places), 1),
        Request(
            "graph",
            "network/path",
            tuple(f"/api/network/path?source={_q(a)}&target={_q(b)}" for a, b in pairs),
            0.5,
        ),
        # events: SQL pages and filters, single events, the map's GeoJSON
        Request(
            "events", "events, page", tuple(f"/api/events?limit=50&offset={o}" for o in offsets), 3
        ),
        Request("events", "events, type + 30 days", tuple(windows), 2),
        Request("events", "events, bbox 1x1 degree", tuple(boxes), 2),
        Request(
            "events",
            "events, place",
            tuple(f"/api/events?place={_q(p)}&limit=50" for p in places),
            1,
        ),
        Request(
            "events",
            "events, actor",
            tuple(f"/api/events?actor={_q(a)}&limit=50" for a in actors),
            1,
        ),
        Request(
            "events",
            "events, unknown actor",
            (f"/api/events?actor={_q(UNKNOWN)}&limit=50",),
            0.5,
            404,
        ),
        Request(
            "events",
            "events/{id}",
            tuple(f"/api/events/{i}" for i in pick(s["event_ids"], 100)),
            3,
        ),
        Request(
            "events",
            "events/{id}, unknown",
            tuple(f"/api/events/{MISS_ID + i}" for i in range(10)),
            0.5,
            404,
        ),
        Request("events", "map/events", ("/api/map/events",), 0.5),
    ]


def _usable(mix: list[Request]) -> list[Request]:
    return [r for r in mix if r.urls]


def draw(rng: random.Random, mix: list[Request]) -> tuple[Request, str]:
    """A kind with equal odds, a request type of it by weight, one of its URLs."""
    kind = rng.choice(KINDS)
    of_kind = [r for r in mix if r.kind == kind]
    request = rng.choices(of_kind, weights=[r.weight for r in of_kind])[0]
    return request, rng.choice(request.urls)


def fetch(client: httpx.Client, request: Request, url: str) -> tuple[float, str | None]:
    """The wall time (ms) of one GET, body read; the error, if any."""
    started = time.perf_counter()
    try:
        response = client.get(url)
        body = response.content
    except httpx.HTTPError as error:
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, f"{type(error).__name__}: {error} (GET {url})"
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != request.expect:
        detail = body[:300].decode("utf-8", "replace")
        return elapsed, f"status {response.status_code} (GET {url}): {detail}"
    if not body:
        return elapsed, f"empty body (GET {url})"
    return elapsed, None


def prime(base: str, mix: list[Request], timeout: float) -> dict[str, Any]:
    """Every distinct URL of the mix once (one client), not measured."""
    started = time.monotonic()
    errors: list[str] = []
    with httpx.Client(base_url=base, timeout=timeout) as client:
        urls = [(r, u) for r in mix for u in r.urls]
        for request, url in urls:
            _, error = fetch(client, request, url)
            if error:
                errors.append(error)
    return {
        "requests": len(urls),
        "errors": errors,
        "seconds": round(time.monotonic() - started, 1),
    }


def run_phase(
    base: str,
    mix: list[Request],
    clients: int,
    duration: float,
    seed: int,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """``clients`` threads, each its own keep-alive client and random stream, requesting
    until ``duration`` s have passed: every request's ``(kind, name, ms, error)``."""
    records: list[list[tuple[str, str, float, str | None]]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        out = records[index]
        with httpx.Client(base_url=base, timeout=timeout) as client:
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                request, url = draw(rng, mix)
                ms, error = fetch(client, request, url)
                out.append((request.kind, request.name, ms, error))

    threads = [
        threading.Thread(target=client_loop, args=(i,), name=f"client-{i}", daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + duration
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "duration_s": duration,
        "wall_s": round(wall, 2),
        "records": [r for rs in records for r in rs],
    }


def _latency(times: list[float], wall: float) -> dict[str, Any]:
    if not times:
        return {"requests": 0}
    return {
        "requests": len(times),
        "per_s": round(len(times) / wall, 1),
        "p50_ms": round(api_latency.percentile(times, 50), 1),
        "p95_ms": round(api_latency.percentile(times, 95), 1),
        "p99_ms": round(api_latency.percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def summarise(phase: dict[str, Any]) -> dict[str, Any]:
    """Per kind, per request type and overall: requests, errors, latency percentiles
    (over every request, errors included), requests/s."""
    records, wall = phase["records"], phase["wall_s"]
    groups: dict[str, dict[str, list]] = {"overall": {"times": [], "errors": []}}
    for kind, name, ms, error in records:
        for key in ("overall", kind, f"{kind}: {name}"):
            group = groups.setdefault(key, {"times": [], "errors": []})
            group["times"].append(ms)
            if error:
                group["errors"].append(error)
    summary: dict[str, Any] = {}
    for key, group in groups.items():
        summary[key] = {**_latency(group["times"], wall), "errors": len(group["errors"])}
    for kind in KINDS:
        summary.setdefault(kind, {"requests": 0, "errors": 0})
    errors = groups["overall"]["errors"]
    return {
        "clients": phase["clients"],
        "duration_s": phase["duration_s"],
        "wall_s": wall,
        "by": summary,
        "errors": len(errors),
        "error_examples": errors[:20],
    }


# --- memory --------------------------------------------------------------------------------


def slope_mib_per_min(points: list[tuple[float, float]]) -> float | None:
    """The least-squares slope of RSS over time, MiB per minute."""
    if len(points) < 2:
        return None
    ts = [t / 60 for t, _ in points]
    mean_t, mean_m = statistics.fmean(ts), statistics.fmean(m for _, m in points)
    var = sum((t - mean_t) ** 2 for t in ts)
    if var == 0:
        return None
    return sum((t - mean_t) * (m - mean_m) for t, (_, m) in zip(ts, points, strict=True)) / var


def memory(
    points: list[tuple[float, float]], rel: float = FLAT_REL, mib: float = FLAT_MIB
) -> dict[str, Any]:
    """RSS over one phase: start, end, max, the medians of its first and last quarters,
    the slope, and ``flat``: last-quarter median <= first-quarter median * (1 + rel) + mib."""
    if len(points) < 4:
        return {"samples": len(points), "flat": None}
    quarter = max(1, len(points) // 4)
    first = statistics.median(m for _, m in points[:quarter])
    last = statistics.median(m for _, m in points[-quarter:])
    allowed = first * (1 + rel) + mib
    slope = slope_mib_per_min(points)
    return {
        "samples": len(points),
        "start_mib": points[0][1],
        "end_mib": points[-1][1],
        "max_mib": max(m for _, m in points),
        "first_quarter_median_mib": first,
        "last_quarter_median_mib": last,
        "growth_mib": round(last - first, 1),
        "allowed_mib": round(allowed, 1),
        "slope_mib_per_min": None if slope is None else round(slope, 2),
        "criterion": f"last-quarter median <= first-quarter median * {1 + rel:g} + {mib:g} MiB",
        "flat": last <= allowed,
    }


# --- one whole run -------------------------------------------------------------------------


def load_test(
    store: Path | str,
    *,
    clients: int = 8,
    duration: float = 60.0,
    baseline_clients: int = 1,
    baseline_duration: float = 30.0,
    seed: int = 6,
    warm_timeout: float = 600.0,
    request_timeout: float = 60.0,
    flat_rel: float = FLAT_REL,
    flat_mib: float = FLAT_MIB,
    log_path: Path | None = None,
) -> dict[str, Any]:
    """Serves ``store`` with ``conflictmap serve``, primes it, runs the baseline (skipped
    when ``baseline_clients`` or ``baseline_duration`` is 0) and the load phase, and stops
    the server: the summary (phases, memory, server exit status and log)."""
    with tempfile.TemporaryDirectory(prefix="conflictmap-load-") as tmp:
        server = Server(store, log_path or Path(tmp) / "serve.log")
        with server:
            started = time.monotonic()
            server.start()
            sampler = RssSampler(server)
            sampler.start()
            try:
                result = _drive(
                    server,
                    sampler,
                    clients=clients,
                    duration=duration,
                    baseline_clients=baseline_clients,
                    baseline_duration=baseline_duration,
                    seed=seed,
                    warm_timeout=warm_timeout,
                    request_timeout=request_timeout,
                )
            finally:
                sampler.stop()
            result["server"]["startup_s"] = round(result.pop("ready_at") - started, 1)
            result["server"]["vmhwm_mib"] = _mib(server.status_kib("VmHWM"))
            result["server"]["alive_at_end"] = server.process.poll() is None
            result["server"]["exit_status"] = server.stop()
            result["server"]["killed"] = server.killed
        text = server.log_text()
    result["server"]["log_tracebacks"] = text.count("Traceback")
    result["server"]["log_tail"] = text[-4000:]
    result["memory"] = {
        phase: memory(sampler.of(phase), flat_rel, flat_mib) for phase in ("baseline", "load")
    }
    result["memory"]["samples"] = sampler.samples
    return result


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def _drive(
    server: Server,
    sampler: RssSampler,
    *,
    clients: int,
    duration: float,
    baseline_clients: int,
    baseline_duration: float,
    seed: int,
    warm_timeout: float,
    request_timeout: float,
) -> dict[str, Any]:
    state, waited = server.wait_warm(warm_timeout)
    ready_at = time.monotonic()
    log(f"  server pid {server.pid} on {server.base}: warm-up {state} after {waited} s")
    result: dict[str, Any] = {
        "server": {"pid": server.pid, "warm_up": state, "warm_wait_s": waited},
        "ready_at": ready_at,
        "rss_mib": {"after_warm_up": sampler.take()},
    }
    with httpx.Client(base_url=server.base, timeout=request_timeout) as client:
        data = sample_data(client, seed)
    mix = _usable(requests_mix(data, seed))
    result["data"] = {k: (len(v) if isinstance(v, list) else v) for k, v in data.items()}
    result["mix"] = [
        {
            "kind": r.kind,
            "name": r.name,
            "weight": r.weight,
            "distinct": len(r.urls),
            "expect": r.expect,
        }
        for r in mix
    ]
    sampler.phase = "prime"
    log(f"  priming: {sum(len(r.urls) for r in mix)} distinct URLs")
    primed = prime(server.base, mix, request_timeout)
    result["prime"] = {
        **primed,
        "errors": len(primed["errors"]),
        "error_examples": primed["errors"][:20],
    }
    result["rss_mib"]["after_priming"] = sampler.take()
    result["phases"] = {}
    if baseline_clients > 0 and baseline_duration > 0:
        sampler.phase = "baseline"
        log(f"  baseline: {baseline_clients} client(s) for {baseline_duration} s")
        phase = run_phase(
            server.base, mix, baseline_clients, baseline_duration, seed, request_timeout
        )
        result["phases"]["baseline"] = summarise(phase)
    sampler.phase = "load"
    log(f"  load: {clients} clients for {duration} s")
    phase = run_phase(server.base, mix, clients, duration, seed + 1, request_timeout)
    result["phases"]["load"] = summarise(phase)
    sampler.phase = "end"
    result["rss_mib"]["end"] = sampler.take()
    return result


# --- the report -----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(result: dict[str, Any]) -> str:
    """Per kind and per request type: each phase's requests, errors and latencies."""
    phases = result["phases"]
    names = list(phases)
    head = ["row"]
    for name in names:
        clients = phases[name]["clients"]
        head += [
            f"{name} ({clients}c) {c}" for c in ("requests", "errors", "p50", "p95", "p99", "max")
        ]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    keys = ["overall", *KINDS]
    keys += sorted({k for p in phases.values() for k in p["by"] if ":" in k})
    for key in keys:
        cells = [key]
        for name in names:
            row = phases[name]["by"].get(key, {})
            cells += [
                _cell(row.get(c))
                for c in ("requests", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms")
            ]
        lines.append("| " + " | ".join(cells) + " |")
    throughput = ", ".join(
        f"{name}: {phases[name]['by']['overall'].get('per_s', 0)} requests/s over "
        f"{phases[name]['wall_s']} s"
        for name in names
    )
    return "\n".join(lines) + f"\n\nThroughput: {throughput}."


def memory_table(result: dict[str, Any]) -> str:
    rss = result["rss_mib"]
    lines = [
        f"RSS (MiB): after warm-up {rss['after_warm_up']}, after priming "
        f"{rss['after_priming']}, peak (VmHWM) {result['server']['vmhwm_mib']}",
        "",
        "| phase | samples | start | end | max | first-quarter median | last-quarter median "
        "| growth | slope MiB/min | flat |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for phase in ("baseline", "load"):
        m = result["memory"].get(phase, {})
        if not m.get("samples") or m.get("flat") is None:
            continue
        lines.append(
            f"| {phase} | {m['samples']} | {m['start_mib']} | {m['end_mib']} | {m['max_mib']} "
            f"| {m['first_quarter_median_mib']} | {m['last_quarter_median_mib']} "
            f"| {m['growth_mib']} | {m['slope_mib_per_min']} | {'yes' if m['flat'] else '**no**'} |"
        )
    criterion = result["memory"].get("load", {}).get("criterion")
    if criterion:
        lines += ["", f"Flat: {criterion}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events in a new store")
    parser.add_argument(
        "--store", type=Path, help="the store file: reused if it exists, else built there"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (load phase)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the load phase")
    parser.add_argument("--baseline-clients", type=int, default=1, help="0: no baseline")
    parser.add_argument("--baseline-duration", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--warm-timeout", type=float, default=600.0, help="seconds to wait for warm-up"
    )
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--flat-rel", type=float, default=FLAT_REL)
    parser.add_argument("--flat-mib", type=float, default=FLAT_MIB)
    parser.add_argument("--out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)

    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="conflictmap-store-") as tmp:
        store = args.store or Path(tmp) / "load.db"
        built = None
        if store.exists():
            log(f"reusing the store {store}")
        else:
            log(f"building a store of {args.events} synthetic events at {store}")
            built = build_store(store, args.events, args.seed)
            log(f"  built in {built['seconds']} s: {built['stats']}")
        result = load_test(
            store,
            clients=args.clients,
            duration=args.duration,
            baseline_clients=args.baseline_clients,
            baseline_duration=args.baseline_duration,
            seed=args.seed,
            warm_timeout=args.warm_timeout,
            request_timeout=args.request_timeout,
            flat_rel=args.flat_rel,
            flat_mib=args.flat_mib,
        )
        store_bytes = store.stat().st_size

    print(table(result))
    print()
    print(memory_table(result))
    summary = {
        "benchmark": "load_test",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": api_latency._commit(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_1min_start": load_start,
            "load_1min_end": os.getloadavg()[0],
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "build": built,
        "store_bytes": store_bytes,
        **result,
    }
    text = json.dumps(summary, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    shown = {**summary, "memory": {k: v for k, v in result["memory"].items() if k != "samples"}}
    print(json.dumps(shown, indent=2, default=str))  # the RSS samples: in --out only
    errors = sum(p["errors"] for p in result["phases"].values()) + result["prime"]["errors"]
    flat = result["memory"]["load"].get("flat")
    return 1 if errors or flat is False else 0  # 1: an error, or memory not flat


if __name__ == "__main__":
    sys.exit(main())
