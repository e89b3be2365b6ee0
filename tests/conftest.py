"""Shared fixtures: one loaded extractor for the whole session, a fresh store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictmap.store.repository import Store


@pytest.fixture(scope="session")
def extractor():  # noqa: ANN201 - spaCy is imported lazily, only by tests that need it
    """The spaCy model (~2 s) and the gazetteer (~0.3 s), loaded once per session."""
    from conflictmap.extract.pipeline import Extractor

    return Extractor()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store in the test's temporary directory."""
    db = Store(str(tmp_path / "t.db"))
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory, extractor) -> str:  # noqa: ANN001
    """A store of ``examples/``, built once per session. Read it only: a test that writes
    copies the file first."""
    from conflictmap.ingest.readers import discover, iter_documents
    from conflictmap.ingest.run import ingest_documents

    db = str(tmp_path_factory.mktemp("examples") / "examples.db")
    with Store(db) as built:
        examples = Path(__file__).parents[1] / "examples"
        assert ingest_documents(iter_documents(discover([examples])), built, extractor).stored
    return db
