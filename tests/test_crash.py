"""Crash safety: ``conflictmap ingest`` killed with SIGKILL at random points, then run again,
leaves the store a clean ingest would: no partial document, no duplicate, every report once.

Each document is stored with its whole extraction in one transaction (SQLite in WAL mode,
or PostgreSQL), and a rerun skips what is stored, so recovery is running the command again.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conflictmap.ingest.run import ingest
from conflictmap.store.repository import Store

pytestmark = pytest.mark.slow

GROUPS = ("the Red Hills Front", "the Northern Brigades", "the River Movement", "the Volunteers")
TOWNS = ("Sarki", "Tamba", "Ouro", "Kessi", "Lamdo", "Birni", "Garko", "Doumbi", "Falo")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHAPES = (
    "Fighters of {group} attacked an army post in {town} on {day}, killing {n} soldiers, "
    "a military source said. Residents said the attackers fled towards {other}.",
    "Hundreds of traders marched in {town} on {day} to protest against new taxes, and police "
    "fired tear gas and arrested {n} people, witnesses said.",
    "{group} seized the town of {town} on {day} after soldiers withdrew to {other}, "
    "local officials said. At least {n} civilians were wounded in the fighting.",
    "A roadside bomb hit a bus near {town} on {day}, killing {n} passengers, the regional "
    "governor said. No group claimed the blast, but officials blamed {group}.",
)
# reports, and kills per backend; the longer run in docs/reliability.md sets them with
# CONFLICTMAP_CRASH_REPORTS and CONFLICTMAP_CRASH_KILLS
# 80: 4 kills, each letting up to a batch of 16 more be stored, never reach the end
REPORTS = int(os.environ.get("CONFLICTMAP_CRASH_REPORTS") or 80)
KILLS = {"sqlite": 4, "postgresql": 2}


def write_corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        pick = random.Random(number)
        town, other = pick.sample(TOWNS, 2)
        body = pick.choice(SHAPES).format(
            group=pick.choice(GROUPS),
            town=town,
            other=other,
            day=pick.choice(DAYS),
            n=pick.randint(2, 40),
        )
        day = f"2024-{pick.randint(1, 12):02d}-{pick.randint(1, 28):02d}"
        (folder / f"report-{number:03d}.txt").write_text(f"Date: {day}\n\n{body}\n")
    return folder


def _count(engine) -> int:  # noqa: ANN001
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM documents")).scalar()


def _ingest_command(url: str, folder: Path) -> list[str]:
    return [sys.executable, "-m", "conflictmap.cli", "--db", url, "ingest", "--json", str(folder)]


def kill_at_random_points(url: str, folder: Path, kills: int, rng: random.Random) -> list[int]:
    """Start ingest, SIGKILL it once the store has grown by a random amount (then a random
    pause, so some kills land inside a transaction), ``kills`` times; the counts at each kill."""
    Store(url).close()  # migrated, so the store can be counted from the start
    engine = create_engine(url)
    seen: list[int] = []
    try:
        for _ in range(kills):
            before = _count(engine)
            target = before + rng.randint(1, 6)
            process = subprocess.Popen(
                _ingest_command(url, folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                if _count(engine) >= target:
                    time.sleep(rng.uniform(0, 0.05))
                    break
                time.sleep(0.005)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            seen.append(_count(engine))
    finally:
        engine.dispose()
    return seen


def _normalised(export: dict) -> dict:
    """The export without database ids, which PostgreSQL sequences skip after a rollback."""

    def strip(value):  # noqa: ANN001, ANN202
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k != "id" and not (k.endswith("_id") and k != "document_id")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(export)


def test_sigkill_at_random_points_then_rerun(store_url: str, tmp_path: Path, extractor) -> None:  # noqa: ANN001
    folder = write_corpus(tmp_path / "reports", REPORTS)
    backend = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    kills = int(os.environ.get("CONFLICTMAP_CRASH_KILLS") or KILLS[backend])
    seed = int(os.environ.get("CONFLICTMAP_CRASH_SEED") or 8)
    counts = kill_at_random_points(store_url, folder, kills, random.Random(seed))
    print("documents stored at each kill:", counts)
    assert counts == sorted(counts) and counts[-1] < REPORTS, counts  # killed mid-way each time

    finished = subprocess.run(_ingest_command(store_url, folder), capture_output=True, timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]

    with Store(store_url) as crashed, Store(f"sqlite:///{tmp_path / 'clean.db'}") as clean:
        ingest([folder], clean, extractor)
        documents = crashed.documents()
        assert len(documents) == REPORTS == len({d["id"] for d in documents})
        assert sorted(Path(d["path"]).name for d in documents) == sorted(
            p.name for p in folder.iterdir()
        )
        assert _normalised(crashed.export()) == _normalised(clean.export())
        assert crashed.stats() == clean.stats()
    if backend == "sqlite":
        database = store_url.removeprefix("sqlite:///")
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
