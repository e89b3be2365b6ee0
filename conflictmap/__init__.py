"""conflictmap: news reports about armed conflict in, a sourced, time-aware knowledge graph out.

>>> import conflictmap
>>> result = conflictmap.extract("Rebels seized Gao on April 1.", document_date="2012-04-02")
>>> store = conflictmap.open_store("mali.db")
>>> report = conflictmap.ingest(["examples/"], store)
>>> store.entity("Ansar Dine")["relations"]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from conflictmap.config import DEFAULT_MODEL, Settings
from conflictmap.errors import (
    ConflictmapError,
    EntityNotFoundError,
    ModelNotFoundError,
    StoreError,
)
from conflictmap.extract.pipeline import Extractor
from conflictmap.ingest.run import IngestReport
from conflictmap.model import (
    Attribution,
    Document,
    Entity,
    Event,
    Evidence,
    Extraction,
    GeoRef,
    Relation,
    TimeValue,
)
from conflictmap.store.repository import Store

__all__ = [
    "Attribution",
    "ConflictmapError",
    "Document",
    "Entity",
    "EntityNotFoundError",
    "Event",
    "Evidence",
    "Extraction",
    "Extractor",
    "GeoRef",
    "IngestReport",
    "ModelNotFoundError",
    "Relation",
    "Settings",
    "Store",
    "StoreError",
    "TimeValue",
    "extract",
    "ingest",
    "open_store",
]

_extractors: dict[str, Extractor] = {}


def _extractor(model: str | None) -> Extractor:
    name = model or Settings().model or DEFAULT_MODEL
    if name not in _extractors:
        _extractors[name] = Extractor(name)
    return _extractors[name]


def extract(
    text: str,
    *,
    document_date: date | str | None = None,
    doc_id: str = "doc",
    model: str | None = None,
) -> Extraction:
    """Entities, relations and events of one text (the model is loaded once and reused)."""
    if isinstance(document_date, str):
        document_date = date.fromisoformat(document_date)
    return _extractor(model).extract(text, doc_id=doc_id, document_date=document_date)


def open_store(db: str | None = None) -> Store:
    """Open (and create or migrate) a store: a SQLite path or a SQLAlchemy URL."""
    return Store(db or Settings().db)


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    default_date: date | None = None,
    model: str | None = None,
) -> IngestReport:
    """Read files and folders of reports into ``store``; safe to repeat."""
    from conflictmap.ingest.run import ingest as run_ingest

    return run_ingest(paths, store, _extractor(model), default_date)
