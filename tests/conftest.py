"""Shared fixtures: one loaded extractor for the whole session, a fresh store per test,
on SQLite and, with ``CONFLICTMAP_TEST_PG``, on PostgreSQL (``store_url``)."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from conflictmap.store.repository import Store


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_module(path: Path) -> ModuleType:
    """A script of ``bench/`` or ``scripts/`` (no packages) as a module, loaded once."""
    name = path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


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


# -- the store on SQLite and on PostgreSQL -------------------------------------------------

PG_ENV = "CONFLICTMAP_TEST_PG"  # a server URL where the tests may create databases
REQUIRE_PG_ENV = "CONFLICTMAP_REQUIRE_PG"  # "1": fail, not skip, without that server
BACKENDS = ("sqlite", "postgresql")


class PostgresServer:
    """Creates and drops one database per test on the server of ``CONFLICTMAP_TEST_PG``.

    New databases copy a template made once per session with PostGIS already created (if
    the server has it): creating the extension takes a second and a half per database.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.template = self._new_name()
        self._execute(f"CREATE DATABASE {self.template} TEMPLATE template0 LOCALE 'C'")
        self._add_postgis(self.template)

    def create(self, template: str | None = None) -> str:
        """A new empty database (a copy of ``template``, by default the session's): its URL."""
        name = self._new_name()
        self._execute(f"CREATE DATABASE {name} TEMPLATE {template or self.template}")
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")

    def close(self) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.engine.dispose()

    def _add_postgis(self, database: str) -> None:
        engine = create_engine(self.url.set(database=database))
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        except DBAPIError:
            pass  # no PostGIS on this server: the stores fall back to plain coordinates
        finally:
            engine.dispose()

    def _execute(self, sql: str) -> None:
        with self.engine.connect() as connection:
            connection.execute(text(sql))

    @staticmethod
    def _new_name() -> str:
        return f"conflictmap_test_{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of ``CONFLICTMAP_TEST_PG``; without one the test skips, or
    fails when ``CONFLICTMAP_REQUIRE_PG=1`` (CI)."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"{PG_ENV} is not set: no PostgreSQL server (scripts/pg-test-server runs one)"
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_PG_ENV}=1")
        pytest.skip(reason)
    server = PostgresServer(url)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after the test."""
    url = pg_server.create()
    try:
        yield url
    finally:
        pg_server.drop(url)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db_store(store_url: str) -> Iterator[Store]:
    """A fresh, migrated store on each backend of ``store_url``."""
    with Store(store_url) as db:
        yield db
