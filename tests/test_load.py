"""A bounded load test, scaled down for CI: ``conflictmap serve`` as a real subprocess on
loopback, over a synthetic store of 2,000 events, with 5 concurrent clients for 12 s on
search, graph and events requests (``bench/load_test.py``: the same code, run at 50,000
events for docs/benchmarks.md).

Nothing lost: every request answers its expected status (200, or 404 for a deliberate miss)
with a body, and the server logs no traceback. Memory: the server's RSS does not grow over
the run. No timing is asserted (speed is measured in bench/, not tested); the latency
percentiles are only checked to be recorded.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from conftest import load_module

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)"),
]

BENCH = Path(__file__).resolve().parents[1] / "bench" / "load_test.py"
EVENTS, CLIENTS, DURATION = 2_000, 5, 12.0
BASELINE_DURATION = 3.0
# loose, but a leak would fail it: last-quarter median RSS <= first-quarter median * 1.25
# + 20 MiB (the bench's own verdict, stricter, is reported in docs/benchmarks.md)
FLAT_REL, FLAT_MIB = 0.25, 20.0
KINDS = ("search", "graph", "events")


def _bench() -> Any:
    """``bench/load_test.py`` as a module (bench/ is no package)."""
    return load_module(BENCH)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bench = _bench()
    tmp = tmp_path_factory.mktemp("load")
    store = tmp / "load.db"
    built = bench.build_store(store, EVENTS, seed=6)
    assert built["stats"]["events"] == EVENTS
    return bench.load_test(
        store,
        clients=CLIENTS,
        duration=DURATION,
        baseline_clients=1,
        baseline_duration=BASELINE_DURATION,
        seed=6,
        warm_timeout=120.0,
        request_timeout=60.0,
        flat_rel=FLAT_REL,
        flat_mib=FLAT_MIB,
        log_path=tmp / "serve.log",
    )


def test_the_server_warmed_up_and_stopped_cleanly(run: dict[str, Any]) -> None:
    server = run["server"]
    assert server["warm_up"] == "done"
    assert server["alive_at_end"], server["log_tail"]
    assert not server["killed"], "SIGTERM did not stop the server"
    assert server["log_tracebacks"] == 0, server["log_tail"]


def test_no_request_failed(run: dict[str, Any]) -> None:
    assert run["prime"]["errors"] == 0, run["prime"]["error_examples"]
    assert run["prime"]["requests"] == sum(r["distinct"] for r in run["mix"])
    for name, phase in run["phases"].items():
        assert phase["errors"] == 0, (name, phase["error_examples"])
        assert all(row["errors"] == 0 for row in phase["by"].values()), name


def test_every_kind_and_request_type_was_exercised(run: dict[str, Any]) -> None:
    # every distinct URL of the mix once (priming), real data and deliberate misses both
    assert {r["expect"] for r in run["mix"]} == {200, 404}
    assert {r["kind"] for r in run["mix"]} == {"search", "graph", "events"}
    assert run["prime"]["requests"] == sum(r["distinct"] for r in run["mix"]) > 100
    # then every kind, concurrently
    for name, clients in (("baseline", 1), ("load", CLIENTS)):
        phase = run["phases"][name]
        assert phase["clients"] == clients
        by = phase["by"]
        for kind in ("search", "graph", "events"):
            assert by[kind]["requests"] > 0, (name, kind)
        assert by["overall"]["requests"] == sum(by[k]["requests"] for k in KINDS)


def test_latency_percentiles_are_recorded(run: dict[str, Any]) -> None:
    for phase in run["phases"].values():
        for key in ("overall", *KINDS):
            row = phase["by"][key]
            for p in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
                assert math.isfinite(row[p]) and row[p] > 0, (key, p, row)
            assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert phase["by"]["overall"]["per_s"] > 0


def test_memory_stays_flat(run: dict[str, Any]) -> None:
    load = run["memory"]["load"]
    assert load["samples"] >= DURATION  # one every 0.5 s: at least half of them taken
    assert load["flat"], load
    assert run["rss_mib"]["after_warm_up"] > 0
