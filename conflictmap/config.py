"""One settings object, read from CONFLICTMAP_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "en_core_web_md"


def _default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "conflictmap"


@dataclass(frozen=True)
class Settings:
    db: str = field(default_factory=lambda: os.environ.get("CONFLICTMAP_DB", "conflictmap.db"))
    model: str = field(default_factory=lambda: os.environ.get("CONFLICTMAP_MODEL", DEFAULT_MODEL))
    cache_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("CONFLICTMAP_CACHE", _default_cache()))
    )


def database_url(db: str) -> str:
    """A SQLAlchemy URL from a path or URL: ``events.db`` -> ``sqlite:///events.db``."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser()}"
