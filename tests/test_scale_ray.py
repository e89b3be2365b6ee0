"""The Ray engine stores the same graph as the local engine; ``--engine ray`` on the CLI.

Ray runs on this machine (``num_cpus=2``, dashboard off) and is shut down at the end. The
local engine's store of ``examples/`` is the session's ``examples_db``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conflictmap.cli import cli
from conflictmap.ingest.readers import discover, iter_documents
from conflictmap.ingest.run import ingest_documents
from conflictmap.store.repository import Store

EXAMPLES = Path(__file__).parents[1] / "examples"
# Keys whose values belong to one run rather than to the graph (none are in the export
# today; listed so that a timestamp added later does not make the engines "differ").
RUN_SPECIFIC = {"ingested_at", "created_at", "exported_at", "generated_at", "snapshot"}


def comparable(value: Any) -> Any:
    """The export without run-specific fields, everything else as it is."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in RUN_SPECIFIC}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def console_script() -> str:
    found = Path(sys.executable).parent / "conflictmap"
    return str(found) if found.exists() else (shutil.which("conflictmap") or "conflictmap")


def without_ray_address() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "CONFLICTMAP_DB")}


@pytest.fixture(scope="module")
def ray_cluster(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Any]:
    """Ray on this machine: two CPUs, no dashboard; shut down after this module."""
    ray = pytest.importorskip("ray")
    monkeypatch_module.delenv("RAY_ADDRESS", raising=False)
    monkeypatch_module.setenv("RAY_USAGE_STATS_ENABLED", "0")
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def local_export(examples_db: str) -> dict:
    with Store(examples_db) as store:
        exported = store.export()
    assert len(exported["entities"]) > 50 and exported["events"] and exported["relations"]
    return exported


def test_without_ray_the_error_names_the_extra(tmp_path: Path) -> None:
    """``import ray`` failing (as when the extra is not installed) gives the install line."""
    hide_ray = "import sys; sys.modules['ray'] = None; from conflictmap.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", hide_ray, "--db", str(tmp_path / "t.db"), "ingest"]
        + ["--engine", "ray", str(EXAMPLES)],
        capture_output=True,
        text=True,
        timeout=120,
        env=without_ray_address(),
    )
    assert done.returncode == 1
    assert "pip install conflictmap[ray]" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


def test_workers_without_the_ray_engine_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "t.db"), "ingest", "--workers", "2", str(EXAMPLES)]
    )
    assert result.exit_code == 2
    assert "--engine ray" in result.output


@pytest.mark.slow
def test_ray_engine_stores_what_the_local_engine_stores(
    ray_cluster: Any, local_export: dict, tmp_path: Path
) -> None:
    from conflictmap.scale.ray_engine import RayExtractor

    # chunks of 4 documents: the 34 new documents come back from both workers, interleaved
    with RayExtractor(workers=2, chunk_size=4) as engine, Store(str(tmp_path / "r.db")) as store:
        assert not engine.startup.started_ray  # the test's Ray was joined, not started again
        report = ingest_documents(
            iter_documents(discover([EXAMPLES])), store, engine, streaming=True
        )
        workers = engine.worker_stats()
        again = ingest_documents(
            iter_documents(discover([EXAMPLES])), store, engine, streaming=True
        )
        exported = store.export()
    assert report.ok and report.near_duplicates  # a near-duplicate is stored, not extracted
    assert [w["documents"] > 0 for w in workers] == [True, True]
    assert sum(w["documents"] for w in workers) == len(report.stored)
    assert len({w["pid"] for w in workers}) == 2
    assert comparable(exported) == comparable(local_export)
    assert again.stored == [] and again.near_duplicates == []
    assert len(again.skipped) == len(report.stored) + len(report.near_duplicates)


@pytest.mark.slow
def test_cli_engine_ray_then_rerun_adds_nothing(
    ray_cluster: Any, local_export: dict, tmp_path: Path
) -> None:
    """The console script starts (and stops) its own local Ray; the re-run, in-process,
    joins the test's Ray and finds every document already stored."""
    db = str(tmp_path / "cli.db")
    first = subprocess.run(
        [console_script(), "--db", db, "ingest", "--engine", "ray", "--workers", "2"]
        + ["--json", str(EXAMPLES)],
        capture_output=True,
        text=True,
        timeout=300,
        env=without_ray_address(),
    )
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    stored = [d for d in local_export["documents"] if d["duplicate_of"] is None]
    assert summary["stored"] == len(stored) and summary["failed"] == 0
    with Store(db) as store:
        assert comparable(store.export()) == comparable(local_export)

    again = CliRunner().invoke(
        cli, ["--db", db, "ingest", "--engine", "ray", "--workers", "2", "--json", str(EXAMPLES)]
    )
    assert again.exit_code == 0, again.output
    rerun = json.loads(again.stdout)
    assert (rerun["stored"], rerun["near_duplicates"]) == (0, 0)
    assert rerun["skipped"] == len(local_export["documents"])
    with Store(db) as store:
        assert comparable(store.export()) == comparable(local_export)
