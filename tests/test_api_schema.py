"""Property-based run of schemathesis over the REST API's own OpenAPI spec, on a real store
built once from ``examples/``.

Every documented operation is called with generated input, valid and invalid, and with
methods it does not have. Reads must never answer 5xx, must answer with a documented status
code and content type, must match the documented response schema and must reject invalid
input. Writes are sent with no token and with a wrong one: they must be refused (401/403)
and the store must stay as it was.

``REGRESSIONS`` are the defects this run found, each with its own request, which must not
show again. The tests after the property test read what it called: run the module as a
whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from conflictmap.web import create_app

pytestmark = pytest.mark.slow

TOKEN = "schema-token-0123456789"
WRONG = {"Authorization": "Bearer not-the-token"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]
# POST-only paths that GET /api/entities/{entity_id} also matches: a GET there is a read
# with a non-integer id (422), not an undeclared method (405).
SHADOWED = {"/api/entities/merge", "/api/entities/split"}

# The spec does not depend on the data: it is read at collection time from an app over an
# empty in-memory store, and the cases are sent to ``app``, over the examples store.
# (``schemathesis.pytest.from_fixture`` would avoid this, but 4.32.5's lazy loader sets
# ``Function._nodeid``, which pytest 9.2 no longer has.)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app("sqlite://", token=TOKEN))
SPEC = schema.raw_schema
CALLED: set[tuple[str, str]] = set()  # (METHOD, path template) of every operation called


def _documents(path: str, status: str, media_type: str | None = None) -> bool:
    """Whether the spec documents ``status`` (with ``media_type``) for ``GET path``."""
    responses = SPEC["paths"][path]["get"]["responses"]
    content = responses.get(status, {}).get("content", {})
    return status in responses and (media_type is None or media_type in content)


class RefusedBeforeAuth(AssertionError):
    """A write without a valid token answered with something else than 401/403."""


@dataclass(frozen=True)
class Regression:
    """A defect a generated case once found, and ``shows``, its own request."""

    reason: str
    shows: Callable[[TestClient], bool]


REGRESSIONS = {
    "undocumented 404": Regression(
        "unknown ids and names answer 404 (as intended), but the spec documents only 200 and "
        "422 there: add responses={404: ...} (GET /api/events/999999999)",
        lambda c: (
            c.get("/api/events/999999999").status_code == 404
            and not _documents("/api/events/{event_id}", "404")
        ),
    ),
    "numbers accepted as dates": Regression(
        "date query parameters (format: date) accept numbers, read by pydantic as Unix "
        "timestamps: GET /api/relations?as_of=0 is 200 (1970-01-01), not 422",
        lambda c: c.get("/api/relations", params={"as_of": "0"}).status_code == 200,
    ),
    "GeoJSON content type undocumented": Regression(
        "GET /api/map/events answers application/geo+json; the spec documents application/json",
        lambda c: (
            c.get("/api/map/events").headers["content-type"].startswith("application/geo+json")
            and not _documents("/api/map/events", "200", "application/geo+json")
        ),
    ),
    "unparsable write body answered before auth": Regression(
        "a write with no valid token and a body that is not JSON answers 422 (JSON decode "
        "error) or 400 (not UTF-8), not 401: FastAPI reads the body before the auth "
        "dependency runs (POST /api/ingest, body \\x00, no Authorization)",
        lambda c: c.post("/api/ingest", content=b"\x00", headers=JSON).status_code == 422,
    ),
    "entity id overflows SQLite": Regression(
        "GET /api/entities/9223372036854775808 (over 2**63-1) raises OverflowError in "
        "SQLAlchemy, a 500: the path parameter has ge=1 but no le",
        lambda c: c.get(f"/api/entities/{2**63}").status_code == 500,
    ),
    "bbox 422 is not a validation error": Regression(
        "a bbox that matches the pattern but is not four numbers in range answers 422 with a "
        "string detail; the documented 422 body (HTTPValidationError) has a list "
        "(GET /api/events?bbox=0,0,200,1)",
        lambda c: isinstance(
            c.get("/api/events", params={"bbox": "0,0,200,1"}).json()["detail"], str
        ),
    ),
}
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app(examples_db: str) -> Iterator[FastAPI]:
    """The examples store, writable only with ``TOKEN``, which no generated request sends."""
    application = create_app(examples_db, token=TOKEN)
    yield application
    application.state.conflictmap.store.close()


@pytest.fixture(scope="module")
def version_before(app: FastAPI) -> tuple:
    return app.state.conflictmap.version()


def test_spec_is_the_served_one(app: FastAPI) -> None:
    assert app.openapi() == SPEC


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case: Case, app: FastAPI, version_before: tuple) -> None:
    documented = case.operation.method.upper()
    CALLED.add((documented, case.operation.path))
    if documented == "POST" == case.method.upper():
        _assert_write_refused(case, app)
        return
    undeclared = case.method.upper() != documented
    checks = [not_a_server_error] if undeclared and case.operation.path in SHADOWED else CHECKS
    case.call_and_validate(app=app, checks=checks)


def _assert_write_refused(case: Case, app: FastAPI) -> None:
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    for headers in ({}, WRONG):
        response = case.call(app=app, headers=headers)
        if response.status_code in (401, 403):
            continue
        raise RefusedBeforeAuth(f"{response.status_code}: {response.text[:300]}")


def test_every_operation_was_called(app: FastAPI) -> None:
    """The property test called every documented operation, and every route of the app
    under ``/api`` is documented (so none escaped it)."""
    operations = (result.ok() for result in schema.get_all_operations())
    documented = {(op.method.upper(), op.path) for op in operations}
    assert documented and documented <= CALLED, sorted(documented - CALLED)
    routes = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/api/")
        for method in getattr(route, "methods", ())
        if method != "HEAD"
    }
    assert routes <= documented, sorted(routes - documented)


def test_refused_writes_left_the_store_unchanged(app: FastAPI, version_before: tuple) -> None:
    assert {"POST"} == {method for method, _ in CALLED} - {"GET"}
    assert app.state.conflictmap.version() == version_before


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_a_fixed_defect_stays_fixed(name: str, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    assert not REGRESSIONS[name].shows(client), REGRESSIONS[name].reason
