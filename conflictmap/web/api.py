"""The REST API: the store's documents, entities, relations and events, and the time-aware
views (control, leaders, incidents, contradictions, network paths, exports), as JSON.

Reads are open (``conflictmap serve`` binds the loopback address by default); every write
(ingest a pasted report, merge or split entities) needs ``Authorization: Bearer TOKEN`` with
the token of ``CONFLICTMAP_TOKEN``. With no token configured, writes are refused: the API
is never writable by default.

Safety: all text from reports is untrusted and only ever returned inside JSON (never
rendered as HTML here); every response carries a strict Content-Security-Policy and
``nosniff``; request bodies are capped (``MAX_BODY_BYTES``, else 413); nothing in a request
names a file: exports are rendered in memory, reports are posted as text.

Lists are paginated (``limit``, ``offset``) as ``{"items", "total", "limit", "offset"}``;
ids are the store's (entity, relation and event ids are stable for a given store).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import hmac
import io
import json
import os
import pathlib
import re
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conflictmap.config import Settings
from conflictmap.errors import ConflictmapError, EntityNotFoundError
from conflictmap.export import FORMATS, graph_and_snapshot, render
from conflictmap.extract.gazetteer import fold
from conflictmap.store.repository import Store
from conflictmap.store.schema import (
    DecisionRow,
    DocumentRow,
    EntityRow,
    IncidentSplitRow,
    MentionRow,
)

__all__ = ["MAX_BODY_BYTES", "SECURITY_HEADERS", "create_app"]

MAX_BODY_BYTES = 1024 * 1024
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MAX_VIEWS = 64
MAX_LINK_GRAPHS = 4  # whole actor graphs, for paths: a few dates only
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such item."}}
JSON = "application/json"
# a large view answered as the JSON it was cached as (no re-encoding per request)
ENCODED: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: {"content": {JSON: {"schema": {"type": "object"}}}}},
}
MAX_ID = 2**63 - 1  # SQLite's and PostgreSQL's largest integer key
VERSION_TTL_S = 1.0
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'; img-src 'self' data: blob:"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}
MEDIA_TYPES = {
    "json": "application/json",
    "acled-csv": "text/csv; charset=utf-8",
    "stix": "application/stix+json;version=2.1",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "geojson": "application/geo+json",
}
FILE_NAMES = {
    "json": "conflictmap.json",
    "acled-csv": "conflictmap.acled.csv",
    "stix": "conflictmap.stix.json",
    "graphml": "conflictmap.graphml",
    "gexf": "conflictmap.gexf",
    "geojson": "conflictmap.geojson",
}

ExportFormat = Enum("ExportFormat", {f.replace("-", "_"): f for f in FORMATS}, type=str)  # type: ignore[misc]


def _iso_day(value: Any) -> Any:
    """Dates only as ``YYYY-MM-DD`` (pydantic alone would read ``0`` as 1970-01-01)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("a date as YYYY-MM-DD")


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
Name = Annotated[str, Path(min_length=1, max_length=200)]
OptionalText = Annotated[str | None, Query(min_length=1, max_length=200)]


# --- request bodies -----------------------------------------------------------------------


class Body(BaseModel):
    """A write's JSON body: a field it does not know is refused (422), not ignored."""

    model_config = ConfigDict(extra="forbid")


class Report(Body):
    """A pasted report: its text and what is known about it."""

    text: str = Field(min_length=1, max_length=MAX_BODY_BYTES)
    title: str | None = Field(default=None, max_length=500)
    date: Day | None = Field(default=None, description="Publication date (YYYY-MM-DD).")
    source: str | None = Field(default=None, max_length=200, description="The outlet.")
    url: str | None = Field(default=None, max_length=2000)


class Merge(Body):
    keep: str | int = Field(description="Entity id, name or alias that stays.")
    absorb: str | int = Field(description="Entity id, name or alias merged into it.")
    note: str | None = Field(default=None, max_length=2000)


class Split(Body):
    entity: str | int = Field(description="Entity id, name or alias.")
    names: list[str] = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=2000)


# --- middleware (plain ASGI) --------------------------------------------------------------

ASGIApp = Callable[..., Awaitable[None]]


class SecurityHeaders:
    """Adds ``headers`` (default ``SECURITY_HEADERS``) to every HTTP response, errors
    included."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = headers or SECURITY_HEADERS

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                known = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.encode(), v.encode())
                    for k, v in self.headers.items()
                    if k.encode() not in known
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, by Content-Length or as read."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class WriteGuard:
    """Refuses a write (a ``(method, path)`` of ``writes``) without the right bearer
    token before its body is read: 403 where the server has no token, 401 where the
    request's is missing or wrong. The ``authorised`` dependency checks again, and
    documents the scheme in the OpenAPI spec."""

    def __init__(self, app: ASGIApp, token: str | None, writes: set[tuple[str, str]]) -> None:
        self.app = app
        self.token = token
        self.writes = writes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in self.writes:
            await self.app(scope, receive, send)
            return
        if self.token is None:
            await _refuse(send, 403, "writes are disabled: the server has no CONFLICTMAP_TOKEN")
            return
        given = dict(scope.get("headers", [])).get(b"authorization", b"")
        if not hmac.compare_digest(given, b"Bearer " + self.token.encode()):
            await _refuse(send, 401, "a valid bearer token is required")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Callable, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _too_large(send: Callable, limit: int) -> None:
    payload = json.dumps({"detail": f"request body over {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


# --- the app ------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The server's CONFLICTMAP_TOKEN.")


def authorised(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Writes need the configured token; with none configured they are refused."""
    token = request.app.state.conflictmap.token
    if token is None:
        raise HTTPException(403, "writes are disabled: the server has no CONFLICTMAP_TOKEN")
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})


class _Recent:
    """The values of the last ``size`` keys used (callers hold ``cache_lock``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, key: tuple) -> Any:
        """The value of ``key`` (now the most recent), or None."""
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: tuple, value: Any) -> None:
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class _State:
    """The store, the cached graph and the lazily loaded extractor of one app."""

    def __init__(self, store: Store, token: str | None, model: str) -> None:
        self.store = store
        self.token = token
        self.model = model
        self.write_lock = threading.Lock()
        self.cache_lock = threading.Lock()
        self.extractor_lock = threading.Lock()
        self._extractor: Any = None
        self._cached: tuple[tuple, dict, dict] | None = None
        self._views = _Recent(MAX_VIEWS)
        self._link_graphs = _Recent(MAX_LINK_GRAPHS)
        self._base: dict[tuple, Any] = {}
        self.build_lock = threading.RLock()  # a base view may be built from another
        self._version: tuple | None = None
        self._version_at = 0.0
        self.warm_up = "off"  # "running", then "done" (create_app(warm=True))

    def version(self) -> tuple:
        """Changes whenever the stored graph does: the row counts, and the analysts'
        decisions and incident splits. Read at most once per ``VERSION_TTL_S`` (writes by
        this app are seen at once, writes by other processes within that time)."""
        now = time.monotonic()
        if self._version is not None and now - self._version_at < VERSION_TTL_S:
            return self._version
        with Session(self.store.engine) as session:
            decisions = session.execute(select(func.count(), func.max(DecisionRow.id))).one()
            splits = session.scalar(select(func.count()).select_from(IncidentSplitRow))
        self._version = (*self.store.stats().values(), *decisions, splits)
        self._version_at = now
        return self._version

    def changed(self) -> None:
        """This app wrote to the store: the next read sees a new version."""
        self._version = None

    def write(self, action: Callable[..., Any], *args: Any) -> Any:
        """``action(*args)``, a store write, one at a time; then the graph has changed."""
        with self.write_lock:
            try:
                return action(*args)
            finally:
                self.changed()

    def graph(self) -> tuple[dict, dict]:
        """``Store.export()`` and its snapshot record, recomputed when the store changed.
        Shared between requests: read it, never change it."""
        with self.cache_lock:
            key = self.version()
            if self._cached is None or self._cached[0] != key:
                gc.unfreeze()  # the graph it replaces (frozen by warm()) may go
                graph, meta = graph_and_snapshot(self.store)
                self._cached = (key, graph, meta)
                self._base.clear()
                self._views.clear()
                self._link_graphs.clear()
            return self._cached[1], self._cached[2]

    def view(self, build: Callable[..., Any], *args: Any) -> Any:
        """``build(graph, *args)``, kept until the store changes: the same map, network or
        timeline request is computed once per store version. Views of the whole graph (no
        ``args``) are built once, one at a time, and always kept; views of a date, an actor
        or a page are kept while among the last ``MAX_VIEWS`` used."""
        graph, _ = self.graph()
        with self.cache_lock:
            assert self._cached is not None
            key = (self._cached[0], build.__name__, *args)
            found = self._views.get(key) if args else self._base.get(key)
            if found is not None:
                return found
        if not args:
            with self.build_lock:  # a second request waits for the first's build
                with self.cache_lock:
                    if key in self._base:
                        return self._base[key]
                found = build(graph)
                with self.cache_lock:
                    self._base[key] = found
                return found
        found = build(graph, *args)
        with self.cache_lock:
            self._views.put(key, found)
        return found

    def link_graph(self, as_of: date | None) -> Any:
        """``network.link_graph`` at ``as_of``, kept for the last ``MAX_LINK_GRAPHS`` dates
        asked (a path question otherwise rebuilds the whole actor graph)."""
        from conflictmap.network import link_graph

        graph, _ = self.graph()
        with self.cache_lock:
            key = (self._cached[0], as_of)
            found = self._link_graphs.get(key)
        if found is None:
            found = link_graph(graph, as_of)
            with self.cache_lock:
                self._link_graphs.put(key, found)
        return found

    def network(
        self, graph: dict, as_of: date | None, ego: str | None, radius: int, limit: int
    ) -> bytes:
        """``views.network_elements``, as JSON (a large answer: encoded once, cached)."""
        from conflictmap.web.views import network_elements, network_links

        links = self.view(network_links)
        return _encoded(network_elements(graph, as_of, ego, radius, limit, links))

    def timeline(
        self,
        graph: dict,
        actor: str | None,
        since: date | None,
        until: date | None,
        limit: int,
    ) -> bytes:
        """``views.timeline``, as JSON (a large answer: encoded once, cached)."""
        from conflictmap.web.views import relation_spans, timeline

        spans = self.view(relation_spans)
        return _encoded(timeline(graph, actor, since, until, limit, spans))

    def contradictions_by_name(self, graph: dict) -> dict[str, list[dict]]:
        """The contradictions naming each actor or place."""
        from conflictmap.graph import contradictions

        found: dict[str, list[dict]] = {}
        for record in self.view(contradictions):
            for name in _names_in(record):
                found.setdefault(name, []).append(record)
        return found

    def warm(self) -> None:
        """Build the graph and the views every workbench page starts with, so that the
        first visitor does not wait for them."""
        from conflictmap.fuse import incidents
        from conflictmap.graph import contradictions
        from conflictmap.web import views

        graph, _ = self.graph()
        for build in (
            _events_by_id,
            _control_timelines,
            _incident_of,
            incidents,
            contradictions,
            self.contradictions_by_name,
            _map_events,
            views.network_links,
            views.relation_spans,
        ):
            self.view(build)
        # what the workbench draws first: the network and the timeline as of the last day
        days = [e["date"] for e in graph["events"] if e.get("date")]
        last = date.fromisoformat(max(days)) if days else None
        self.view(self.network, last, None, 1, 150)
        self.view(self.timeline, None, None, None, 2000)
        # the cached graph lives as long as the store does not change: keep the collector
        # from walking it again and again (pauses of up to a second on 50,000 events)
        gc.collect()
        gc.freeze()
        self.warm_up = "done"

    def extractor(self) -> Any:
        with self.extractor_lock:
            if self._extractor is None:
                from conflictmap.extract.pipeline import Extractor

                self._extractor = Extractor(self.model)
            return self._extractor


def create_app(
    store_url: str | None = None,
    token: str | None = None,
    *,
    model: str | None = None,
    allowed_hosts: Iterable[str] | None = None,
    extractor: Any = None,
    tiles: str | None = None,
    warm: bool = False,
) -> FastAPI:
    """The API and the workbench over the store at ``store_url`` (default ``Settings().db``).

    ``token`` (default ``CONFLICTMAP_TOKEN``) authorises writes; without one, writes are
    refused. ``allowed_hosts`` restricts the Host header (against DNS rebinding when served
    on the loopback address). ``extractor``: an ``Extractor`` already loaded (else the
    ``model``'s is loaded on the first ingest). ``tiles``: an online raster tile URL
    (``https://host/{z}/{x}/{y}.png``) the map may show over its offline basemap; its
    origin is allowed by the Content-Security-Policy. ``warm``: build the graph and the
    workbench's views in a background thread now, not on the first request.
    """
    settings = Settings()
    if token is None:
        token = os.environ.get("CONFLICTMAP_TOKEN") or None
    state = _State(Store(store_url or settings.db), token or None, model or settings.model)
    app = FastAPI(
        title="conflictmap",
        summary="A sourced, time-aware knowledge graph of armed conflict, from news reports.",
        description=__doc__,
        version=_version(),
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN: not under this CSP
        redoc_url=None,
    )
    state._extractor = extractor
    app.state.conflictmap = state
    if allowed_hosts is not None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    writes: set[tuple[str, str]] = set()  # filled once the routes are declared, below
    app.add_middleware(WriteGuard, token=state.token, writes=writes)  # before BodyLimit
    # added last: outermost, so on every response
    app.add_middleware(SecurityHeaders, headers=_security_headers(tiles))
    if warm:
        state.warm_up = "running"
        threading.Thread(target=state.warm, name="conflictmap-warm", daemon=True).start()

    @app.exception_handler(EntityNotFoundError)
    async def _not_found(_request: Request, error: EntityNotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(ConflictmapError)
    async def _refused(_request: Request, error: ConflictmapError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    write = [Depends(authorised)]

    # --- the workbench --------------------------------------------------------------------

    static = pathlib.Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    def workbench() -> FileResponse:
        return FileResponse(static / "index.html")

    @app.get("/api/config", tags=["workbench"])
    def config() -> dict:
        """What the workbench needs to know: version, whether writes are possible, the
        optional online tile layer, the store's counts, and whether the views are built
        (``warm_up``: off, running or done)."""
        return {
            "version": app.version,
            "warm_up": state.warm_up,
            "writable": state.token is not None,
            "tiles": tiles,
            "stats": state.store.stats(),
        }

    # --- documents ------------------------------------------------------------------------

    @app.get("/api/documents", tags=["documents"])
    def list_documents(limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict:
        """Stored documents, oldest first: date and its origin, outlet, duplicate status."""
        return _page(state.store.documents(), limit, offset)

    @app.get("/api/documents/{doc_id}", tags=["documents"], responses=NOT_FOUND)
    def get_document(doc_id: Name) -> dict:
        """One document with its text, and the events extracted from it."""
        found = [d for d in state.store.documents() if d["id"] == doc_id]
        if not found:
            raise HTTPException(404, "no such document")
        with Session(state.store.engine) as session:
            text = session.scalar(select(DocumentRow.text).where(DocumentRow.id == doc_id))
        graph, _ = state.graph()
        events = [e for e in graph["events"] if e["document_id"] == doc_id]
        return {**found[0], "text": text, "events": events}

    # --- entities -------------------------------------------------------------------------

    @app.get("/api/entities", tags=["entities"])
    def list_entities(
        type: Annotated[str | None, Query(max_length=40, description="e.g. ARMED_GROUP")] = None,
        q: Annotated[str | None, Query(max_length=200, description="Name or alias part.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Actors and places, by id; filter by type and by a part of a name or alias."""
        graph, _ = state.graph()
        rows = graph["entities"]
        if type:
            rows = [e for e in rows if e["type"] == type.upper()]
        if q:
            rows = _matching(rows, q)
        return _page(rows, limit, offset)

    @app.post("/api/entities/merge", tags=["entities", "writes"], dependencies=write)
    def merge_entities(body: Merge) -> dict:
        """An analyst's merge: ``absorb`` becomes part of ``keep`` (audited)."""
        return state.write(state.store.merge, body.keep, body.absorb, body.note)

    @app.post("/api/entities/split", tags=["entities", "writes"], dependencies=write)
    def split_entity(body: Split) -> dict:
        """An analyst's split: ``names`` become a new entity (audited)."""
        return state.write(state.store.split, body.entity, body.names, body.note)

    @app.get("/api/entities/{entity_id}", tags=["entities"], responses=NOT_FOUND)
    def get_entity(
        entity_id: Annotated[int, Path(ge=1, le=MAX_ID)],
        limit: Annotated[int, Query(ge=1, le=1000, description="Relations and events.")] = 100,
    ) -> dict:
        """An entity's profile: aliases, place, relations over time and events, with evidence."""
        from conflictmap.graph import leadership

        with Session(state.store.engine) as session:
            if session.get(EntityRow, entity_id) is None:
                raise HTTPException(404, f"no entity with id {entity_id}")
        profile = state.store.entity(entity_id, limit)
        for key in ("relations", "events"):
            evidence = _highlighted(state.store, [r["evidence"] for r in profile[key]])
            profile[key] = [
                {**r, "evidence": e} for r, e in zip(profile[key], evidence, strict=True)
            ]
        name = profile["name"]
        spans = state.view(_control_timelines).get(name, [])
        graph, _ = state.graph()
        profile["control"] = [s.to_dict() for s in spans]
        profile["leaders"] = [s.to_dict() for s in leadership(graph, name)]
        profile["contradictions"] = state.view(state.contradictions_by_name).get(name, [])
        return profile

    # --- relations and events -------------------------------------------------------------

    @app.get("/api/relations", tags=["graph"])
    def list_relations(
        predicate: Annotated[str | None, Query(max_length=40)] = None,
        actor: OptionalText = None,
        as_of: Annotated[Day | None, Query(description="Only those holding on this date.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Relations with their validity and evidence; ``as_of`` keeps those that held then."""
        from conflictmap.graph import entity_names, relations_at

        graph, _ = state.graph()
        if as_of is not None:
            rows = relations_at(graph, as_of, actor)
        else:
            rows = graph["relations"]
            if actor:
                names = entity_names(graph, actor) or {actor}
                rows = [r for r in rows if r["subject"] in names or r["object"] in names]
        if predicate:
            rows = [r for r in rows if r["predicate"] == predicate]
        return _page(rows, limit, offset)

    @app.get("/api/events", tags=["graph"], responses=NOT_FOUND)
    def list_events(
        type: Annotated[
            str | None, Query(max_length=80, description="Event/sub-event type")
        ] = None,
        actor: OptionalText = None,
        place: OptionalText = None,
        since: Annotated[Day | None, Query(description="On or after (YYYY-MM-DD).")] = None,
        until: Annotated[Day | None, Query(description="On or before (YYYY-MM-DD).")] = None,
        bbox: Annotated[
            str | None,
            Query(
                pattern=r"^[-+0-9.eE]+(,[-+0-9.eE]+){3}$",
                description="minlon,minlat,maxlon,maxlat",
            ),
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Events, newest first, with their place, actors, toll and evidence; unknown
        ``actor`` or ``place`` names are 404."""
        box = _bbox(bbox) if bbox else None
        rows, total = state.store.events_page(type, place, since, until, actor, limit, offset, box)
        return {"items": rows, "total": total, "limit": limit, "offset": offset}

    @app.get("/api/events/{event_id}", tags=["graph"], responses=NOT_FOUND)
    def get_event(event_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict:
        """One event with its evidence (mentions in the sentence marked) and the incident it
        belongs to: every report of the same happening, tolls side by side."""
        graph, _ = state.graph()
        event = state.view(_events_by_id).get(event_id)
        if event is None:
            raise HTTPException(404, f"no event with id {event_id}")
        documents = {d["id"]: d for d in graph["documents"]}
        incident = state.view(_incident_of).get(event_id)
        return {
            **event,
            "evidence": _highlighted(state.store, [event["evidence"]])[0],
            "incident": incident.to_dict(documents) if incident else None,
        }

    @app.get("/api/search", tags=["graph"])
    def search(
        q: Annotated[str, Query(min_length=1, max_length=200)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    ) -> dict:
        """Actors and places by name or alias, documents by title."""
        graph, _ = state.graph()
        found = _matching(graph["entities"], q)
        key = fold(q)  # "" for a query of punctuation only ("%", "*"), which matches nothing
        documents = [d for d in graph["documents"] if key and key in fold(d.get("title") or "")]
        return {
            "entities": [e for e in found if e["type"] != "LOCATION"][:limit],
            "places": [e for e in found if e["type"] == "LOCATION"][:limit],
            "documents": documents[:limit],
        }

    # --- time-aware views -----------------------------------------------------------------

    @app.get("/api/control/{place}", tags=["timelines"])
    def control(place: Name, at: Annotated[Day | None, Query()] = None) -> list[dict]:
        """Who controlled a place, when, on what evidence (``at``: only who held it then)."""
        from conflictmap.graph import control_timeline

        graph, _ = state.graph()
        spans = control_timeline(graph, place)
        return [s.to_dict() for s in spans if at is None or s.holds(at)]

    @app.get("/api/leaders/{group}", tags=["timelines"])
    def leaders(group: Name) -> list[dict]:
        """A group's leadership succession, with the evidence."""
        from conflictmap.graph import leadership

        graph, _ = state.graph()
        return [s.to_dict() for s in leadership(graph, group)]

    @app.get("/api/incidents", tags=["timelines"])
    def list_incidents(
        all: Annotated[bool, Query(description="Also incidents with one report.")] = False,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Events merged across reports, each with every report as a witness."""
        from conflictmap.fuse import incidents

        graph, _ = state.graph()
        documents = {d["id"]: d for d in graph["documents"]}
        found = [i for i in state.view(incidents) if all or len(i.witnesses) > 1]
        page = [i.to_dict(documents) for i in found[offset : offset + limit]]
        return {"items": page, "total": len(found), "limit": limit, "offset": offset}

    @app.get("/api/contradictions", tags=["timelines"])
    def list_contradictions(
        kind: Annotated[str | None, Query(pattern="^(control|toll)$")] = None,
        about: Annotated[
            str | None, Query(min_length=1, max_length=200, description="A place or actor.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Where reports disagree: who held a place (``control``), or how many died
        (``toll``), each with every side's sources; ``about`` keeps those naming an actor
        or place."""
        from conflictmap.graph import contradictions

        rows = state.view(contradictions)
        if kind:
            rows = [r for r in rows if r["kind"] == kind]
        if about:
            rows = [r for r in rows if _names_in(r) & _names(state, about)]
        return _page(rows, limit, offset)

    @app.get("/api/network/path", tags=["network"])
    def network_path(
        source: Annotated[str, Query(min_length=1, max_length=200)],
        target: Annotated[str, Query(min_length=1, max_length=200)],
        as_of: Annotated[Day | None, Query()] = None,
    ) -> list[dict]:
        """How one actor is linked to another, hop by hop with evidence (empty: not linked)."""
        from conflictmap.network import link_path

        graph, _ = state.graph()
        return link_path(graph, source, target, as_of, links=state.link_graph(as_of))

    # --- what the workbench draws ---------------------------------------------------------

    @app.get(
        "/api/map/events",
        tags=["workbench"],
        response_class=Response,
        responses={200: {"content": {"application/geo+json": {}}}},
    )
    def map_events() -> Response:
        """Every placed event as a GeoJSON point (id, types, date, toll, place, actors)."""
        return Response(state.view(_map_events), media_type="application/geo+json")

    @app.get("/api/map/control", tags=["workbench"])
    def map_control(at: Annotated[Day, Query(description="The date (YYYY-MM-DD).")]) -> list:
        """The places someone holds on ``at``, with coordinates, holders and since when."""
        from conflictmap.web.views import control_map

        graph, _ = state.graph()
        return control_map(graph, state.view(_control_timelines), at)

    @app.get("/api/network", tags=["workbench", "network"], **ENCODED)
    def network(
        as_of: Annotated[Day | None, Query(description="Links holding on this date.")] = None,
        ego: OptionalText = None,
        radius: Annotated[int, Query(ge=1, le=3)] = 1,
        limit: Annotated[int, Query(ge=1, le=1000, description="Most linked actors.")] = 150,
    ) -> Response:
        """The actor network on ``as_of`` as nodes and edges (one per pair and link type,
        with up to 3 evidence records); ``ego``: one actor's neighbourhood."""
        return Response(state.view(state.network, as_of, ego, radius, limit), media_type=JSON)

    @app.get("/api/timeline", tags=["workbench", "timelines"], **ENCODED)
    def get_timeline(
        actor: OptionalText = None,
        since: Annotated[Day | None, Query()] = None,
        until: Annotated[Day | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 2000,
    ) -> Response:
        """Events (the newest ``limit``) and relation spans (control, leadership, membership,
        alliances) over time, optionally of one actor or place."""
        return Response(state.view(state.timeline, actor, since, until, limit), media_type=JSON)

    @app.get(
        "/api/export/{fmt}",
        tags=["exports"],
        response_class=Response,
        responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}},
    )
    def export(fmt: ExportFormat) -> Response:
        """The whole graph in one export format, rendered in memory."""
        graph, meta = state.graph()
        text = render({**graph, "metadata": meta}, fmt.value)
        return Response(
            text,
            media_type=MEDIA_TYPES[fmt.value],
            headers={"content-disposition": f'attachment; filename="{FILE_NAMES[fmt.value]}"'},
        )

    # --- writes ---------------------------------------------------------------------------

    @app.post("/api/ingest", tags=["writes"], dependencies=write)
    def ingest(report: Report) -> dict:
        """Ingest a pasted report the way ``conflictmap ingest`` does (dedup, extract, store)."""
        from conflictmap.ingest.readers import ReadError, read_stream
        from conflictmap.ingest.run import ingest_documents

        record = report.model_dump(exclude_none=True, mode="json")
        items = list(read_stream(io.StringIO(json.dumps(record) + "\n"), "<api>"))
        failed = [str(i) for i in items if isinstance(i, ReadError)]
        if failed:
            raise HTTPException(422, [_invalid(("body", "text"), f) for f in failed])
        extractor = state.extractor()
        done = state.write(ingest_documents, items, state.store, extractor)
        if done.failed:  # a text that cannot be read (not English, no words): nothing stored
            raise HTTPException(422, [_invalid(("body", "text"), e.reason) for e in done.failed])
        return {
            **done.summary(),
            "documents": done.stored,
            "near_duplicates_of": dict(done.near_duplicates),
            "skipped_reasons": dict(done.skipped),
        }

    writes.update(
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and write[0] in route.dependencies
        for method in route.methods
    )
    return app


# --- helpers ------------------------------------------------------------------------------


MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads created from now on (the server's thread
    pool). glibc gives threads arenas of their own, up to 8 per core, and a long-running
    server's memory then creeps up by tens of MiB as each arena fragments (measured: +120 MiB
    over 10 minutes of 8 clients; flat with 2 arenas, at the same throughput). Returns
    whether the cap was set: False off glibc, or where ``MALLOC_ARENA_MAX`` already decides."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def _security_headers(tiles: str | None) -> dict[str, str]:
    """``SECURITY_HEADERS``, with the tile server's origin allowed for images and fetches
    where an online tile layer is configured."""
    if not tiles:
        return SECURITY_HEADERS
    parts = urllib.parse.urlsplit(tiles)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"tiles: an http(s) URL template is needed, not {tiles!r}")
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = SECURITY_HEADERS["content-security-policy"]
    policy = policy.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}")
    policy += f"; connect-src 'self' {origin}"
    return {**SECURITY_HEADERS, "content-security-policy": policy}


def _page(rows: list, limit: int, offset: int) -> dict:
    return {
        "items": rows[offset : offset + limit],
        "total": len(rows),
        "limit": limit,
        "offset": offset,
    }


def _events_by_id(graph: dict) -> dict[int, dict]:
    return {e["id"]: e for e in graph["events"]}


def _incident_of(graph: dict) -> dict[int, Any]:
    """The incident of each event reported more than once, by event id."""
    from conflictmap.fuse import incidents

    return {
        witness["id"]: incident
        for incident in incidents(graph)
        if len(incident.witnesses) > 1
        for witness in incident.witnesses
    }


def _control_timelines(graph: dict) -> dict:
    from conflictmap.web.views import control_timelines

    return control_timelines(graph)


def _map_events(graph: dict) -> bytes:
    from conflictmap.web.views import event_features

    return _encoded(event_features(graph))


def _encoded(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _names_in(record: dict) -> set[str]:
    """The actors and places a contradiction (control dispute or disputed toll) names."""
    names = {record.get("place"), record.get("location"), *record.get("actors", [])}
    names.update(claim["actor"] for claim in record.get("claims", []))
    return {n for n in names if n}


def _names(state: _State, name: str) -> set[str]:
    from conflictmap.graph import entity_names

    graph, _ = state.graph()
    return entity_names(graph, name) or {name}


def _highlighted(store: Store, evidence: list[dict]) -> list[dict]:
    """Each evidence record with ``highlights``: the entity mentions inside its sentence,
    as offsets into the sentence (``start``, ``end``, ``entity_id``, ``text``)."""
    documents = {e["document_id"] for e in evidence}
    by_document: dict[str, list[Any]] = {}
    with Session(store.engine) as session:
        rows = session.execute(
            select(
                MentionRow.document_id,
                MentionRow.start,
                MentionRow.end,
                MentionRow.entity_id,
                MentionRow.text,
            ).where(MentionRow.document_id.in_(documents))
        )
        for row in rows:
            by_document.setdefault(row.document_id, []).append(row)
    found = []
    for record in evidence:
        start, end = record["start"], record["end"]
        marks = sorted(
            {
                (m.start - start, m.end - start, m.entity_id, m.text)
                for m in by_document.get(record["document_id"], [])
                if start <= m.start and m.end <= end
            }
        )
        found.append(
            {
                **record,
                "highlights": [
                    {"start": a, "end": b, "entity_id": i, "text": t} for a, b, i, t in marks
                ],
            }
        )
    return found


def _matching(entities: list[dict], q: str) -> list[dict]:
    key = fold(q)
    if not key:
        return []
    return [e for e in entities if any(key in fold(n) for n in [e["name"], *e["aliases"]])]


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in value.split(","))
    except ValueError as error:
        raise HTTPException(
            422, [_invalid(BBOX, "four numbers: minlon,minlat,maxlon,maxlat")]
        ) from error
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise HTTPException(
            422, [_invalid(BBOX, "need -180<=minlon<=maxlon<=180, -90<=minlat<=maxlat<=90")]
        )
    return min_lon, min_lat, max_lon, max_lat


BBOX = ("query", "bbox")


def _invalid(where: tuple[str, ...], message: str) -> dict:
    """One error in FastAPI's validation format (the documented 422 body)."""
    return {"loc": list(where), "msg": message, "type": "value_error"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("conflictmap")
    except PackageNotFoundError:
        return "0"
