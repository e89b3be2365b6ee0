"""What produced an export: the corpus, the model, the code, and when the store last changed.

Every format records this snapshot (see docs/exports.md). ``as_of`` is the time of the last
change to the store (the latest ingestion or analyst decision), not the wall clock: an
unchanged store exports to identical files, and STIX ``modified`` or ACLED ``timestamp``
move only when the data does.
"""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def snapshot(graph: dict, as_of: datetime | None = None) -> dict[str, Any]:
    """The snapshot record of a graph (the output of ``Store.export()``).

    ``as_of`` defaults to the current time, for a graph that did not come from a store.
    """
    documents = graph.get("documents", [])
    ids = sorted(str(d["id"]) for d in documents)
    dates = sorted(d["date"] for d in documents if d.get("date"))
    commit, dirty = git_state()
    return {
        "corpus": {
            "documents": len(documents),
            "sha256": hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest(),
            "first_date": dates[0] if dates else None,
            "last_date": dates[-1] if dates else None,
        },
        "models": sorted({d["extractor"] for d in documents if d.get("extractor")}),
        "conflictmap_version": package_version(),
        "git_commit": commit,
        "git_dirty": dirty,
        "as_of": timestamp(as_of or datetime.now(UTC)),
        "counts": {key: len(graph.get(key, [])) for key in ("entities", "relations", "events")},
    }


def timestamp(moment: datetime) -> str:
    """UTC, to the second, with a Z: ``2013-01-28T10:00:00Z`` (naive times are UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def store_as_of(store: Any) -> datetime | None:
    """When ``store`` last changed: its latest ingestion or merge/split decision."""
    from sqlalchemy import func, select

    from conflictmap.store.schema import DecisionRow, DocumentRow

    with store.engine.connect() as connection:
        times = [
            connection.scalar(select(func.max(DocumentRow.ingested_at))),
            connection.scalar(select(func.max(DecisionRow.created_at))),
        ]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def package_version() -> str:
    try:
        return version("conflictmap")
    except PackageNotFoundError:
        return "unknown"


@cache
def git_state() -> tuple[str | None, bool | None]:
    """The commit of the checkout this package runs from, and whether it has local changes;
    (None, None) for an installed package or where git is missing."""
    if not (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return None, None
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return commit, None if status is None else bool(status)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(PACKAGE_DIR.parent), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()
