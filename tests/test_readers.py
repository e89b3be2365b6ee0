"""Readers: every format, every input problem, one item per problem."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from conflictmap.ingest.dedup import text_hash
from conflictmap.ingest.readers import (
    ReadError,
    discover,
    iter_documents,
    parse_date,
    read_file,
    read_stream,
)
from conflictmap.model import Document

BODY = (
    "Flood water reached the lower streets of the river town on Monday, officials said.\n"
    "Two schools were closed and a field clinic moved to higher ground."
)

HTML_PAGE = """<!doctype html>
<html><head>
<title>River town floods | Valley Ledger</title>
<link rel="canonical" href="https://example.org/ledger/river-floods">
<meta property="og:site_name" content="Valley Ledger">
<meta property="article:published_time" content="2019-04-08T09:15:00+02:00">
</head><body>
<nav><a href="/">Home</a> | <a href="/weather">Weather</a></nav>
<article>
<h1>River town floods</h1>
<p>Flood water reached the lower streets of the river town on Monday, officials said.</p>
<p>Two schools were closed and a field clinic moved to higher ground while pumps ran.</p>
</article>
<footer>Copyright 2015 Valley Ledger</footer>
</body></html>
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Hill Country Bulletin</title><link>https://example.org/hcb</link>
<item>
  <title>Ferry service resumes</title>
  <link>https://example.org/hcb/ferry</link>
  <pubDate>Fri, 20 Jul 2012 23:30:00 -0500</pubDate>
  <description>&lt;p&gt;The ferry ran again on &lt;b&gt;Friday&lt;/b&gt; after repairs.&lt;/p&gt;
  &lt;p&gt;Tickets were free for the first day.&lt;/p&gt;</description>
</item>
<item>
  <title>Market day moved</title>
  <link>https://example.org/hcb/market</link>
  <description>The weekly market moves to Thursday this month.</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Upland Notes</title>
  <id>urn:example:upland</id>
  <updated>2013-02-03T10:00:00Z</updated>
  <entry>
    <title>New well opens</title>
    <id>urn:example:upland:1</id>
    <link href="https://example.org/upland/well"/>
    <updated>2013-02-03T10:00:00Z</updated>
    <summary>short summary</summary>
    <content type="html">&lt;p&gt;A new well opened in the upper village.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read(path: Path, **kwargs: object) -> list[Document | ReadError]:
    return list(iter_documents([path], **kwargs))


def only_doc(path: Path, **kwargs: object) -> Document:
    items = read(path, **kwargs)
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def only_error(path: Path, **kwargs: object) -> ReadError:
    items = read(path, **kwargs)
    assert len(items) == 1 and isinstance(items[0], ReadError), items
    return items[0]


# --------------------------------------------------------------------------- plain text


def test_txt_without_header_is_all_text(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.txt", "\n\n" + BODY.replace("\n", "\r\n") + "\r\n\r\n")
    doc = only_doc(path)
    assert doc.text == BODY
    assert doc.title is None and doc.date is None and doc.date_origin == "none"
    assert doc.id == text_hash(BODY)[:16]
    assert doc.path == str(path)


def test_txt_header(tmp_path: Path) -> None:
    header = (
        "Title: Floods close schools\nDATE: 20 July 2012\nsource: Valley Ledger\n"
        "Url: https://example.org/a\n\n"
    )
    doc = only_doc(write(tmp_path, "head.TXT", header + BODY))
    assert doc.text == BODY
    assert doc.title == "Floods close schools"
    assert doc.source == "Valley Ledger"
    assert doc.url == "https://example.org/a"
    assert (doc.date, doc.date_origin) == (date(2012, 7, 20), "metadata")


def test_txt_header_subset_and_default_date(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path, "a.txt", "Title: Only a title\n\n" + BODY), default_date=None)
    assert doc.title == "Only a title" and doc.text == BODY and doc.date_origin == "none"
    cli = date(2020, 1, 2)
    doc = only_doc(write(tmp_path, "b.text", "Source: Ledger\n\n" + BODY), default_date=cli)
    assert (doc.date, doc.date_origin, doc.source) == (cli, "cli", "Ledger")


def test_metadata_date_beats_default_date(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "Date: 2012-07-20\n\n" + BODY)
    doc = only_doc(path, default_date=date(2020, 1, 1))
    assert (doc.date, doc.date_origin) == (date(2012, 7, 20), "metadata")


def test_txt_first_line_not_header_keeps_colon_lines(tmp_path: Path) -> None:
    text = "Officials said the bridge was closed.\nDate: unknown\n\nMore text."
    doc = only_doc(write(tmp_path, "c.txt", text))
    assert doc.text == text and doc.date is None


def test_txt_unparseable_date_header_is_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", "Title: X\nDate: sometime soon\n\n" + BODY)
    err = only_error(path)
    assert err.line == 2 and "Date header 'sometime soon'" in err.reason
    assert str(err) == f"{path}:2: {err.reason}"


def test_txt_header_only_is_error(tmp_path: Path) -> None:
    err = only_error(write(tmp_path, "h.txt", "Title: Nothing else\n\n"))
    assert err.reason == "no text after the header lines"


def test_internal_text_kept_exactly(tmp_path: Path) -> None:
    body = "First  line\twith  spaces.\n\n\nThird paragraph “quoted” — dash."
    doc = only_doc(write(tmp_path, "k.txt", "Title: T\n\n" + body + "\n"))
    assert doc.text == body


# --------------------------------------------------------------------------- HTML


def test_html_article(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path, "page.html", HTML_PAGE))
    assert "Flood water reached the lower streets" in doc.text
    assert "Two schools were closed" in doc.text
    assert "Home" not in doc.text and "Copyright" not in doc.text
    assert doc.title == "River town floods"
    assert doc.url == "https://example.org/ledger/river-floods"
    assert doc.source == "Valley Ledger"
    assert (doc.date, doc.date_origin) == (date(2019, 4, 8), "metadata")
    assert doc.text == doc.text.strip() and "\r" not in doc.text


def test_html_without_date_metadata_does_not_guess_from_footer(tmp_path: Path) -> None:
    meta = '<meta property="article:published_time" content="2019-04-08T09:15:00+02:00">\n'
    page = HTML_PAGE.replace(meta, "")
    assert page != HTML_PAGE
    doc = only_doc(write(tmp_path, "page.htm", page), default_date=date(2021, 5, 5))
    assert (doc.date, doc.date_origin) == (date(2021, 5, 5), "cli")


def test_html_fallback_and_no_text(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path, "tiny.html", "<html><body><p>One short line.</p></body></html>"))
    assert doc.text == "One short line."
    err = only_error(write(tmp_path, "none.html", "<html><head><title>x</title></head></html>"))
    assert err.reason == "no article text found in HTML"


# --------------------------------------------------------------------------- JSONL


def test_jsonl_with_malformed_line(tmp_path: Path) -> None:
    lines = [
        '{"id": 7, "text": "  The first report.  ", "date": "2012-07-20T10:00:00Z",'
        ' "source": "Ledger", "toponyms": ["x"]}',
        "",
        '{"text": "broken", ',
        '{"title": "no text here"}',
        "[1, 2]",
        '{"text": "Bad date report.", "date": "soon"}',
        '{"text": "The last report.", "url": "https://example.org/z", "title": "Last"}',
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(lines) + "\n")
    items = read(path, default_date=date(2000, 1, 1))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [d.text for d in docs] == ["The first report.", "The last report."]
    assert docs[0].id == "7" and docs[0].source == "Ledger"
    assert (docs[0].date, docs[0].date_origin) == (date(2012, 7, 20), "metadata")
    assert docs[0].path == f"{path}:1"
    assert docs[1].id == text_hash("The last report.")[:16]
    assert (docs[1].date_origin, docs[1].title, docs[1].url) == ("cli", "Last", docs[1].url)
    assert docs[1].path == f"{path}:7"
    assert [e.line for e in errors] == [3, 4, 5, 6]
    assert errors[0].reason.startswith("invalid JSON: ")
    assert str(errors[0]).startswith(f"{path}:3: invalid JSON")
    assert errors[1].reason == "missing 'text'"
    assert errors[2].reason == "expected a JSON object, got array"
    assert "unparseable date 'soon'" in errors[3].reason


def test_jsonl_type_errors(tmp_path: Path) -> None:
    lines = [
        '{"text": 5}',
        '{"text": "   "}',
        '{"text": "ok", "id": [1]}',
        '{"text": "ok", "url": 3}',
        '{"text": "ok", "id": "' + "x" * 201 + '"}',
        '{"text": "ok", "id": "' + "x" * 200 + '"}',
    ]
    items = read(write(tmp_path, "t.ndjson", "\n".join(lines)))
    reasons = [i.reason for i in items if isinstance(i, ReadError)]
    assert reasons == [
        "'text' must be a string, got number",
        "empty 'text'",
        "'id' must be a string or integer, got array",
        "'url' must be a string, got number",
        "'id' over 200 characters (the store's limit)",
    ]
    assert [i.id for i in items if isinstance(i, Document)] == ["x" * 200]


def test_read_stream() -> None:
    stream = io.StringIO('{"text": "From a pipe.", "id": "p1"}\nnot json\n\n{"text": "Two."}\n')
    items = list(read_stream(stream, default_date=date(2011, 3, 4)))
    assert isinstance(items[0], Document) and items[0].id == "p1"
    assert items[0].path == "<stdin>:1" and items[0].date_origin == "cli"
    assert isinstance(items[1], ReadError) and items[1].line == 2 and items[1].path == "<stdin>"
    assert isinstance(items[2], Document) and items[2].path == "<stdin>:4"
    assert len(items) == 3


# --------------------------------------------------------------------------- feeds


def test_rss(tmp_path: Path) -> None:
    items = read(write(tmp_path, "news.rss", RSS))
    assert all(isinstance(i, Document) for i in items) and len(items) == 2
    first, second = items
    assert (
        first.text
        == "The ferry ran again on Friday after repairs.\nTickets were free for the first day."
    )
    assert first.title == "Ferry service resumes"
    assert first.source == "Hill Country Bulletin"
    assert first.url == "https://example.org/hcb/ferry"
    # the day as written, not shifted to UTC (which would be the 21st)
    assert (first.date, first.date_origin) == (date(2012, 7, 20), "metadata")
    assert second.text == "The weekly market moves to Thursday this month."
    assert second.date is None and second.date_origin == "none"


def test_atom_prefers_content(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path, "notes.atom", ATOM))
    assert doc.text == "A new well opened in the upper village."
    assert (doc.title, doc.source, doc.url) == (
        "New well opens",
        "Upland Notes",
        "https://example.org/upland/well",
    )
    assert doc.date == date(2013, 2, 3)


def test_feed_errors(tmp_path: Path) -> None:
    err = only_error(write(tmp_path, "junk.xml", "this is <not xml at all"))
    assert err.reason.startswith("not a feed: ")
    err = only_error(write(tmp_path, "note.xml", "<?xml version='1.0'?><note><to>x</to></note>"))
    assert err.reason == "not a feed: no RSS or Atom elements found"
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>E</title></channel></rss>'
    assert only_error(write(tmp_path, "empty.rss", empty)).reason == "feed has no entries"


def test_feed_entry_without_text(tmp_path: Path) -> None:
    rss = RSS.replace("</channel>", "<item><title>Headline only</title></item></channel>")
    items = read(write(tmp_path, "f.xml", rss))
    assert [type(i).__name__ for i in items] == ["Document", "Document", "ReadError"]
    assert items[2].reason == "entry 3 ('Headline only'): no text in content or summary"


# --------------------------------------------------------------------------- file checks


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t \r\n", "empty file (only whitespace)"),
        ("blank16.txt", "   \n ".encode("utf-16"), "empty file (only whitespace)"),
        ("bin.txt", b"abc\x00\x01\x02def", "binary content (NUL bytes)"),
        (
            "doc.html",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "binary content (looks like a PDF document)",
        ),
        (
            "doc.pdf",
            b"%PDF-1.4",
            "unsupported file type '.pdf' (expected .txt, .html, .jsonl, .xml/.rss/.atom)",
        ),
        (
            "README",
            b"hello",
            "unsupported file type (no extension) (expected .txt, .html, .jsonl, .xml/.rss/.atom)",
        ),
    ],
)
def test_file_checks(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = write(tmp_path, name, content)
    err = only_error(path)
    assert (err.path, err.reason) == (str(path), reason)


def test_invalid_utf8_names_byte_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.txt", "Line one.\nCaf\xe9 two.\n".encode("latin-1"))
    err = only_error(path)
    assert err.reason == "invalid UTF-8 at byte 13 (save the file as UTF-8)"
    assert err.line == 2


def test_invalid_utf8_offset_counts_bom(tmp_path: Path) -> None:
    err = only_error(write(tmp_path, "bom.txt", b"\xef\xbb\xbfab\xffc"))
    assert err.reason.startswith("invalid UTF-8 at byte 5 ")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_bom_files_decode(tmp_path: Path, codec: str) -> None:
    text = "Title: Déjà vu\n\nŠtefan’s café reopened."
    raw = text.encode(codec)
    if codec == "utf-16-be":
        raw = b"\xfe\xff" + raw
    doc = only_doc(write(tmp_path, "bom.txt", raw))
    assert doc.title == "Déjà vu" and doc.text == "Štefan’s café reopened."


def test_too_large(tmp_path: Path) -> None:
    err = only_error(write(tmp_path, "big.txt", "word " * 1000), max_bytes=100)
    assert err.reason.startswith("file too large (")


def test_missing_path(tmp_path: Path) -> None:
    for name in ("gone.txt", "gone.pdf", "gone"):
        err = only_error(tmp_path / name)
        assert (err.path, err.reason) == (str(tmp_path / name), "no such file or directory")


# --------------------------------------------------------------------------- folders


def test_folder_mixing_good_and_bad(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = {
        write(folder, "a.txt", "Title: A\n\n" + BODY): 1,
        write(folder, "sub/b.html", HTML_PAGE): 1,
        write(folder, "sub/deeper/c.jsonl", '{"text": "one"}\n{"text": "two"}\n'): 2,
        write(folder, "d.rss", RSS): 2,
    }
    bad = [
        write(folder, "e.txt", b""),
        write(folder, "sub/f.txt", b"%PDF-1.4\x00binary"),
        write(folder, "sub/g.txt", b"\x00\x00\x00"),
        write(folder, "sub/h.txt", b"\x80ok"),
    ]
    write(folder, ".hidden.txt", "not read")
    write(folder, ".git/config.txt", "not read")
    write(folder, "README.md", "# notes about the folder, not a report")
    write(folder, "map.png", b"\x89PNG")
    items = list(iter_documents([folder]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(docs) == sum(good.values())
    per_file = Counter(Path(d.path.removesuffix(":1").removesuffix(":2")) for d in docs)
    assert per_file == good
    assert sorted(e.path for e in errors) == sorted(str(p) for p in bad)
    assert not any(".hidden" in str(i) or ".git" in str(i) for i in items)
    assert not any("README" in str(i) or "map.png" in str(i) for i in items)


def test_discover_order_and_dedup(tmp_path: Path) -> None:
    b = write(tmp_path, "x/b.txt", "b")
    a = write(tmp_path, "x/a.txt", "a")
    c = write(tmp_path, "x/sub/c.txt", "c")
    write(tmp_path, "x/.secret.txt", "s")
    missing = tmp_path / "nope.txt"
    found = discover([tmp_path / "x", a, missing])
    assert found == [a, b, c, missing]
    assert discover(str(a)) == [a]


def test_single_path_argument_and_read_file(tmp_path: Path) -> None:
    path = write(tmp_path, "s.txt", BODY)
    assert [d.text for d in iter_documents(str(path))] == [BODY]  # type: ignore[union-attr]
    assert [d.text for d in read_file(path)] == [BODY]  # type: ignore[union-attr]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2012-07-20", date(2012, 7, 20)),
        ("2012-07-20T23:30:00-05:00", date(2012, 7, 20)),
        ("20 July 2012", date(2012, 7, 20)),
        ("July 20, 2012", date(2012, 7, 20)),
        ("Fri, 20 Jul 2012 23:30:00 -0500", date(2012, 7, 20)),
        ("Friday, 20 July 2012", date(2012, 7, 20)),
        ("20/07/2012", date(2012, 7, 20)),
        ("03/04/2012", None),
        ("2012-13-01", None),
        ("July 2012", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_html_outlet_from_the_title_suffix(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Floods close the river crossing | Valley Ledger</title></head>"
        "<body><article><p>" + BODY + "</p></article></body></html>"
    )
    doc = only_doc(write(tmp_path, "a.html", page))
    assert doc.source == "Valley Ledger"
    assert doc.title == "Floods close the river crossing"


def test_html_title_without_outlet_keeps_its_title(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Floods close the river crossing</title></head>"
        "<body><article><p>" + BODY + "</p></article></body></html>"
    )
    doc = only_doc(write(tmp_path, "a.html", page))
    assert doc.title == "Floods close the river crossing"
    assert doc.source != "Valley Ledger"


def test_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    """The size limit applies per line: a dump larger than it is read, an over-long line
    fails alone with its number, and the lines after it are still read."""
    record = json.dumps({"text": BODY}) + "\n"
    path = tmp_path / "dump.jsonl"
    long_line = json.dumps({"text": "x " * 400}) + "\n"
    path.write_text(record * 3 + long_line + record.replace("Flood", "Rain"))
    items = list(read_file(path, max_bytes=len(record) + 10))
    assert path.stat().st_size > len(record) + 10
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [(4, "line too long")]
    assert [i.path for i in items if isinstance(i, Document)] == [
        f"{path}:1",
        f"{path}:2",
        f"{path}:3",
        f"{path}:5",
    ]


def test_jsonl_bad_line_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": BODY}).encode()
    path.write_bytes(good + b"\n" + b'{"text": "\xff"}\n' + b"[" * 50_000 + b"\n" + good + b"\n")
    items = list(read_file(path))
    assert [(i.line, i.reason) for i in items if isinstance(i, ReadError)] == [
        (2, "invalid UTF-8 at byte 10 of the line"),
        (3, "invalid JSON: arrays or objects nested too deeply"),
    ]
    assert sum(isinstance(i, Document) for i in items) == 2


def test_control_characters_never_reach_a_document(tmp_path: Path) -> None:
    path = tmp_path / "escapes.jsonl"
    record = {
        "title": "\x1b]0;owned\x07\x1b[31mRed\x1b[0m title",
        "text": "A\x00B\x0bC\x1b[2J\ud800 D",
    }
    path.write_text(json.dumps(record) + "\n")
    [document] = read_file(path)
    assert document.title == "Red title"
    assert document.text == "AB\nC\ufffd D"


def test_feed_that_is_not_rss_or_atom(tmp_path: Path) -> None:
    path = tmp_path / "stock.xml"
    path.write_text('<?xml version="1.0"?><stock><item><name>Tent</name></item></stock>')
    assert [str(i) for i in read_file(path)] == [
        f"{path}: not a feed: no RSS or Atom elements found"
    ]


def test_html_nested_too_deeply_says_so(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 2000 + f"<p>{BODY}</p>" + "</div>" * 2000)
    [error] = read_file(path)
    assert "nested too deeply" in error.reason
