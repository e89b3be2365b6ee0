"""Read reports from files and streams into ``Document`` records.

Every problem with an input becomes a ``ReadError`` value in the output stream instead of an
exception, so one bad file never stops a batch: ``iter_documents`` yields ``Document`` and
``ReadError`` items in input order.

Formats, chosen by extension (case-insensitive):

* ``.txt`` ``.text`` - optional ``Title:`` / ``Date:`` / ``Source:`` / ``URL:`` header
  lines at the top, ended by a blank line, then the text;
* ``.html`` ``.htm`` - main text and metadata via trafilatura, ``<p>`` fallback via lxml;
* ``.jsonl`` ``.ndjson`` - one JSON object per line with ``text`` and optional
  ``id``, ``date``, ``source``, ``url``, ``title``; read line by line, so a dump of any
  size works (the size limit is per line), and a bad line fails alone;
* ``.xml`` ``.rss`` ``.atom`` ``.feed`` - RSS/Atom via feedparser, one document per entry.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from conflictmap.ingest.dedup import text_hash
from conflictmap.model import Document

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # per file; per line for JSONL
MAX_ID_CHARS = 200  # DocumentRow.id's length: PostgreSQL refuses longer ids
BINARY_SNIFF_BYTES = 8192

TEXT_EXTENSIONS = (".txt", ".text")
HTML_EXTENSIONS = (".html", ".htm")
JSONL_EXTENSIONS = (".jsonl", ".ndjson")
FEED_EXTENSIONS = (".xml", ".rss", ".atom", ".feed")
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS + HTML_EXTENSIONS + JSONL_EXTENSIONS + FEED_EXTENSIONS
_EXPECTED = "expected .txt, .html, .jsonl, .xml/.rss/.atom"

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
# terminal escape sequences, then control characters other than tab and newline (C0, DEL,
# C1); vertical tab and form feed are line breaks
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = str.maketrans({"\v": "\n", "\f": "\n"})
_HEADER = re.compile(r"(title|date|source|url)[ \t]*:[ \t]*(.*)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_NUMERIC_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_YEAR = re.compile(r"\b\d{4}\b")
_NUMERIC_ISH = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_DATE_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%d %B, %Y",
    "%Y/%m/%d",
)
_BLOCK_TAGS = frozenset(
    ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")
    + ("blockquote", "tr", "table", "section", "article", "pre")
)


@dataclass(frozen=True)
class ReadError:
    """Why an input (or one line / entry of it) produced no document."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


Item = Document | ReadError
Reader = Callable[[bytes, str, str, date | None], Iterator[Item]]


# --------------------------------------------------------------------------- public API


def discover(paths: Iterable[str | Path] | str | Path) -> list[Path]:
    """Expand folders recursively (sorted, hidden entries skipped); keep other paths as given.

    Paths that do not exist are kept, so ``iter_documents`` can report them. Duplicates
    (same resolved path) are dropped, first occurrence wins.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(_walk(path, set()) if path.is_dir() else [path])
    return _unique(found)


def iter_documents(
    paths: Iterable[str | Path] | str | Path,
    default_date: date | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Documents (and ``ReadError``s) from files and folders, in ``discover`` order."""
    for path in discover(paths):
        yield from read_file(path, default_date, max_bytes=max_bytes)


def read_stream(
    stream: TextIO, name: str = "<stdin>", default_date: date | None = None
) -> Iterator[Item]:
    """Documents from a JSONL text stream (e.g. stdin); ``name`` stands in for the path."""
    lineno = 0
    try:
        for lineno, line in enumerate(stream, 1):
            item = _jsonl_line(line, lineno, name, default_date)
            if item is not None:
                yield item
    except UnicodeDecodeError as exc:
        yield ReadError(name, f"invalid UTF-8 in input ({exc.reason})", lineno + 1)


def read_jsonl_file(
    path: Path, default_date: date | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """Documents from a JSONL file read line by line: memory stays bounded by the longest
    line, and an over-long, undecodable or malformed line fails alone."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(BINARY_SNIFF_BYTES)
            problem = _sniff(head, name) if head.strip() else None
            if problem is None and head.startswith(tuple(bom for bom, _ in _BOMS)):
                problem = ReadError(name, "UTF-16/32 JSONL is not supported (save it as UTF-8)")
            if problem is not None:
                yield problem
                return
            handle.seek(0)
            found = yield from _jsonl_lines(handle, name, default_date, max_bytes)
    except OSError as exc:
        yield ReadError(name, f"cannot read file: {exc.strerror or exc}")
        return
    if not found:
        yield ReadError(name, "empty file" if not head else "empty file (only whitespace)")


def _jsonl_lines(
    handle: BinaryIO, name: str, default_date: date | None, max_bytes: int
) -> Generator[Item, None, bool]:
    """Items of each line; returns whether any line held more than whitespace."""
    found = False
    for lineno, raw in enumerate(_bounded_lines(handle, max_bytes), 1):
        if raw is None:
            found = True
            yield ReadError(name, f"line too long (over {_mb(max_bytes)})", lineno)
            continue
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            found = True
            yield ReadError(name, f"invalid UTF-8 at byte {exc.start} of the line", lineno)
            continue
        item = _jsonl_line(line, lineno, name, default_date)
        if item is not None:
            found = True
            yield item
    return found


def _bounded_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line over ``max_bytes`` (read past, not kept)."""
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1024 * 1024)
            yield None
            continue
        yield line


def read_file(
    path: str | Path, default_date: date | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """Documents from one file; every failure is a ``ReadError`` naming the path."""
    path = Path(path)
    name = str(path)
    reader = _reader_for(path)
    if isinstance(reader, str):
        yield ReadError(name, reader)
        return
    if reader is read_jsonl_file and path.is_file():
        yield from read_jsonl_file(path, default_date, max_bytes=max_bytes)
        return
    loaded = _load(path, max_bytes)
    if isinstance(loaded, ReadError):
        yield loaded
        return
    raw, text = loaded
    try:
        yield from reader(raw, text, name, default_date)
    except Exception as exc:  # a parser bug or odd input must not stop the batch
        yield ReadError(name, f"could not parse file: {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- discovery


def _walk(folder: Path, seen: set[Path]) -> list[Path]:
    real = folder.resolve()
    if real in seen:
        return []
    seen.add(real)
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return [folder]  # reported by read_file
    files: list[Path] = []
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            files.extend(_walk(child, seen))
        elif child.suffix.lower() in SUPPORTED_EXTENSIONS:
            files.append(child)  # inside folders, other files (README.md, images) are not reports
    return files


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out: list[Path] = []
    for path in paths:
        key = path.resolve() if path.exists() else path
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


# --------------------------------------------------------------------------- loading


def _reader_for(path: Path) -> Reader | str:
    """The format reader for a path, or an error reason string."""
    suffix = path.suffix.lower()
    readers = {
        **dict.fromkeys(TEXT_EXTENSIONS, _read_text),
        **dict.fromkeys(HTML_EXTENSIONS, _read_html),
        **dict.fromkeys(JSONL_EXTENSIONS, read_jsonl_file),
        **dict.fromkeys(FEED_EXTENSIONS, _read_feed),
    }
    if suffix in readers:
        return readers[suffix]
    if not path.exists():
        return "no such file or directory"
    if not suffix:
        return f"unsupported file type (no extension) ({_EXPECTED})"
    return f"unsupported file type '{suffix}' ({_EXPECTED})"


def _load(path: Path, max_bytes: int) -> tuple[bytes, str] | ReadError:
    """Raw bytes and decoded text, after the size/empty/binary/encoding checks."""
    name = str(path)
    try:
        if not path.exists():
            return ReadError(name, "no such file or directory")
        if path.is_dir():
            return ReadError(name, "folder could not be listed")
        if not path.is_file():
            return ReadError(name, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            return ReadError(name, f"file too large ({_mb(size)}; limit {_mb(max_bytes)})")
        raw = path.read_bytes()
    except OSError as exc:
        return ReadError(name, f"cannot read file: {exc.strerror or exc}")
    text = decode(raw, name)
    return text if isinstance(text, ReadError) else (raw, text)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def decode(raw: bytes, name: str) -> str | ReadError:
    """Text of a file's bytes: UTF-16/32 with BOM, else strict UTF-8 (BOM optional)."""
    if not raw.strip():
        return ReadError(name, "empty file" if not raw else "empty file (only whitespace)")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _decode_with(raw, codec, name)
    problem = _sniff(raw[:BINARY_SNIFF_BYTES], name)
    if problem is not None:
        return problem
    if raw.startswith(b"\xef\xbb\xbf"):
        return _decode_with(raw, "utf-8", name, skip=3)
    return _decode_with(raw, "utf-8", name)


def _sniff(head: bytes, name: str) -> ReadError | None:
    """Binary content, told by its magic number or NUL bytes in the first bytes."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return ReadError(name, f"binary content (looks like {kind})")
    if b"\x00" in head and not head.startswith(tuple(bom for bom, _ in _BOMS)):
        return ReadError(name, "binary content (NUL bytes)")
    return None


def _decode_with(raw: bytes, codec: str, name: str, skip: int = 0) -> str | ReadError:
    try:
        text = raw[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = raw[:offset].count(b"\n") + 1
        label = codec.upper()
        return ReadError(name, f"invalid {label} at byte {offset} (save the file as UTF-8)", line)
    if not text.strip("\ufeff \t\r\n\f\v"):
        return ReadError(name, "empty file (only whitespace)")
    return text.removeprefix("\ufeff")


def clean_text(text: str) -> str:
    """Unify line ends, drop terminal escapes and control characters (they would reach
    terminals and the store: PostgreSQL refuses NUL), and strip surrounding whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    if "\x1b" in text:
        text = _ANSI_ESCAPE.sub("", text)
    text = _CONTROL.sub("", text)
    # JSON can spell lone surrogates ("\ud800"), which UTF-8 (and so the store) cannot hold
    text = _SURROGATE.sub("\ufffd", text)
    return text.strip()


# --------------------------------------------------------------------------- dates


def parse_date(value: str) -> date | None:
    """A calendar day from metadata: ISO date/datetime, RFC 2822, or '20 July 2012' forms.

    Returns None when the value is not a full, unambiguous day. A time zone never moves
    the day: the date is the one written in the value.
    """
    value = " ".join(value.split())
    if not value:
        return None
    if _ISO_DATE.fullmatch(value):  # ISO-shaped: valid as ISO or not at all
        try:
            return _iso_date(value)
        except ValueError:
            return None
    for parse in (_rfc2822_date, _format_date, _numeric_date, _dateparser_date):
        try:
            found = parse(value)
        except (ValueError, TypeError, OverflowError, IndexError):
            found = None
        if found is not None:
            return found
    return None


def _iso_date(value: str) -> date | None:
    match = _ISO_DATE.fullmatch(value)
    return date(*map(int, match.groups())) if match else None


def _rfc2822_date(value: str) -> date | None:
    if not re.search(r"\d{1,2} \w{3} \d{4} \d{1,2}:\d{2}", value):
        return None
    return parsedate_to_datetime(value).date()


def _format_date(value: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _numeric_date(value: str) -> date | None:
    """'20/07/2012' or '7/20/2012' only when day and month cannot be confused."""
    match = _NUMERIC_DMY.fullmatch(value)
    if not match:
        return None
    first, second, year = map(int, match.groups())
    if first > 12 >= second:
        return date(year, second, first)
    if second > 12 >= first:
        return date(year, first, second)
    if first == second:
        return date(year, first, second)
    raise ValueError("ambiguous day/month order")


def _dateparser_date(value: str) -> date | None:
    if not _YEAR.search(value) or _NUMERIC_DMY.search(value) or _NUMERIC_ISH.search(value):
        return None
    import dateparser  # slow import, needed only for unusual forms

    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    parsed = dateparser.parse(value, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


# --------------------------------------------------------------------------- documents


def _document(
    text: str,
    path: str,
    default_date: date | None,
    *,
    meta_date: date | None = None,
    doc_id: str | None = None,
    **fields: str | None,
) -> Document:
    if meta_date is not None:
        when, origin = meta_date, "metadata"
    elif default_date is not None:
        when, origin = default_date, "cli"
    else:
        when, origin = None, "none"
    return Document(
        id=doc_id or text_hash(text)[:16],
        text=text,
        date=when,
        date_origin=origin,
        path=path,
        **{key: _optional(value) for key, value in fields.items()},
    )


def _optional(value: str | None) -> str | None:
    value = " ".join(clean_text(value).split()) if value else None
    return value or None


# --------------------------------------------------------------------------- plain text


def _read_text(raw: bytes, text: str, name: str, default_date: date | None) -> Iterator[Item]:
    lines = clean_text(text).split("\n")
    headers, body_start = _headers(lines)
    meta_date = None
    if "date" in headers:
        value, lineno = headers["date"]
        meta_date = parse_date(value) if value else None
        if value and meta_date is None:
            reason = f"unparseable Date header '{value}' (use YYYY-MM-DD or '20 July 2012')"
            yield ReadError(name, reason, lineno)
            return
    body = clean_text("\n".join(lines[body_start:]))
    if not body:
        yield ReadError(name, "no text after the header lines")
        return
    fields = {key: headers[key][0] if key in headers else None for key in ("title", "source")}
    url = headers["url"][0] if "url" in headers else None
    yield _document(body, name, default_date, meta_date=meta_date, url=url, **fields)


def _headers(lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Header values (with 1-based line numbers) and the index of the first body line.

    Headers run from the first line to a blank line; a non-header line also ends them
    (and starts the body). No header on the first line means the file is all text.
    """
    headers: dict[str, tuple[str, int]] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            return headers, index + 1 if headers else 0
        match = _HEADER.fullmatch(line.strip())
        if not match:
            return headers, index
        headers[match.group(1).lower()] = (match.group(2).strip(), index + 1)
    return headers, len(lines)


# --------------------------------------------------------------------------- HTML


def _read_html(raw: bytes, text: str, name: str, default_date: date | None) -> Iterator[Item]:
    import trafilatura

    tree = _parse_html(text)
    extracted = trafilatura.bare_extraction(
        text,
        favor_recall=True,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = clean_text(extracted.text or "") if extracted else ""
    body = body or _paragraph_text(tree)
    if not body:
        yield ReadError(name, _no_text_reason(text))
        return
    meta_date = _meta_date(extracted.date) if extracted else None
    title = (extracted.title if extracted else None) or _html_title(tree)
    url = _canonical_url(tree) or (extracted.url if extracted else None)
    source = extracted.sitename if extracted else None
    title, source = _outlet_from_title(_html_title(tree) or title, title, source)
    yield _document(
        body, name, default_date, meta_date=meta_date, title=title, url=url, source=source
    )


TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+(?=[^|–—-]+$)")


def _outlet_from_title(
    page_title: str | None, title: str | None, source: str | None
) -> tuple[str | None, str | None]:
    """ "Headline | Outlet": pages name their outlet after the last separator of <title>. It
    is used when the page declares no site name (only a host name came back)."""
    if not page_title or (source and "." not in source):
        return title, source
    parts = TITLE_SEPARATOR.split(page_title.strip())
    if len(parts) != 2 or not 1 <= len(parts[1].split()) <= 5:
        return title, source
    headline, outlet = parts
    return (headline if not title or title == page_title else title), outlet


def _parse_html(text: str) -> Any:
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except Exception:  # lxml raises on documents with no elements at all
        return None
    return tree


def _no_text_reason(text: str) -> str:
    """Why a page gave no text: libxml2 stops at 256 levels of nesting, or there is none."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")
    with contextlib.suppress(Exception):
        lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    if any("Excessive depth" in error.message for error in parser.error_log):
        return "HTML nested too deeply (over 256 levels): no article text above that depth"
    return "no article text found in HTML"


def _paragraph_text(tree: Any) -> str:
    if tree is None:
        return ""
    paragraphs = (" ".join(p.text_content().split()) for p in tree.iter("p"))
    return "\n".join(p for p in paragraphs if p)


def _html_title(tree: Any) -> str | None:
    if tree is None:
        return None
    for xpath in ("//title", "//h1"):
        for element in tree.xpath(xpath):
            title = " ".join(element.text_content().split())
            if title:
                return title
    return None


def _canonical_url(tree: Any) -> str | None:
    if tree is None:
        return None
    for link in tree.xpath("//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return link.get("href").strip() or None
    return None


def _meta_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(value) if isinstance(value, str) else None


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    import lxml.html

    if "<" not in fragment:
        return clean_text(_unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # unparseable markup: fall back to the raw text
        return clean_text(fragment)
    for element in root.iter():
        if element.tag in ("script", "style"):
            element.text = ""
        if element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# --------------------------------------------------------------------------- JSONL


def _jsonl_line(line: str, lineno: int, name: str, default_date: date | None) -> Item | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return ReadError(name, f"invalid JSON: {exc.msg} (column {exc.colno})", lineno)
    except RecursionError:
        return ReadError(name, "invalid JSON: arrays or objects nested too deeply", lineno)
    if not isinstance(record, dict):
        return ReadError(name, f"expected a JSON object, got {_json_type(record)}", lineno)
    problem = _check_record(record)
    if problem:
        return ReadError(name, problem, lineno)
    meta_date = parse_date(record["date"]) if record.get("date") else None
    if record.get("date") and meta_date is None:
        return ReadError(name, f"unparseable date '{record['date']}' (use YYYY-MM-DD)", lineno)
    doc_id = record.get("id")
    return _document(
        clean_text(record["text"]),
        f"{name}:{lineno}",
        default_date,
        meta_date=meta_date,
        doc_id=str(doc_id) if doc_id not in (None, "") else None,
        title=record.get("title"),
        source=record.get("source"),
        url=record.get("url"),
    )


def _check_record(record: dict[str, Any]) -> str | None:
    """What is wrong with a JSONL record, or None."""
    if "text" not in record:
        return "missing 'text'"
    if not isinstance(record["text"], str):
        return f"'text' must be a string, got {_json_type(record['text'])}"
    if not record["text"].strip():
        return "empty 'text'"
    doc_id = record.get("id")
    if doc_id is not None and (isinstance(doc_id, bool) or not isinstance(doc_id, str | int)):
        return f"'id' must be a string or integer, got {_json_type(doc_id)}"
    if doc_id is not None and len(str(doc_id)) > MAX_ID_CHARS:
        return f"'id' over {MAX_ID_CHARS} characters (the store's limit)"
    for key in ("date", "title", "source", "url"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return f"'{key}' must be a string, got {_json_type(value)}"
    return None


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


# --------------------------------------------------------------------------- feeds


def _read_feed(raw: bytes, text: str, name: str, default_date: date | None) -> Iterator[Item]:
    import feedparser

    parsed = feedparser.parse(io.BytesIO(raw))
    if not parsed.entries or not parsed.get("version"):
        yield ReadError(name, _empty_feed_reason(parsed))
        return
    source = _feed_text(parsed.feed, "title")
    for number, entry in enumerate(parsed.entries, 1):
        item = _feed_entry(entry, number, name, source, default_date)
        if isinstance(item, ReadError) and parsed.get("bozo"):  # e.g. the feed was cut off
            item = ReadError(name, f"{item.reason} (malformed feed: {_bozo_reason(parsed)})")
        yield item


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    message = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
    where = f" at line {exc.getLineNumber()}" if hasattr(exc, "getLineNumber") else ""
    return f"{message}{where}"


def _empty_feed_reason(parsed: Any) -> str:
    if parsed.get("bozo"):
        return f"not a feed: {_bozo_reason(parsed)}"
    if not parsed.get("version"):
        return "not a feed: no RSS or Atom elements found"
    return "feed has no entries"


def _feed_entry(
    entry: Any, number: int, name: str, source: str | None, default_date: date | None
) -> Item:
    title = _feed_text(entry, "title")
    body = _entry_body(entry)
    if not body:
        label = f" ('{title}')" if title else ""
        return ReadError(name, f"entry {number}{label}: no text in content or summary")
    return _document(
        body,
        name,
        default_date,
        meta_date=_entry_date(entry),
        title=title,
        source=source,
        url=entry.get("link"),
    )


def _entry_body(entry: Any) -> str:
    contents = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return _detail_text(best)
    detail = entry.get("summary_detail")
    if detail and (detail.get("value") or "").strip():
        return _detail_text(detail)
    return clean_text(entry.get("summary") or "")


def _detail_text(detail: Any) -> str:
    value = detail.get("value") or ""
    if "html" in (detail.get("type") or "html"):
        return html_to_text(value)
    return clean_text(value)


def _feed_text(node: Any, key: str) -> str | None:
    detail = node.get(f"{key}_detail")
    if detail:
        return _optional(_detail_text(detail))
    return _optional(node.get(key))


def _entry_date(entry: Any) -> date | None:
    """Published (else updated) day as written; feedparser's parsed form is UTC-shifted."""
    for key in ("published", "updated", "created"):
        value = entry.get(key)
        found = parse_date(value) if value else None
        if found:
            return found
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None
