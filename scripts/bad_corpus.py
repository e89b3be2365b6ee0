#!/usr/bin/env python3
"""Write the bad-input corpus: files that scrapers really produce, each with the outcome
conflictmap must give it.

    python scripts/bad_corpus.py OUT_DIR            # the full corpus (a 50 MB text file)
    python scripts/bad_corpus.py OUT_DIR --big-mb 21
    python scripts/bad_corpus.py --table            # the cases as a Markdown table

Every case names its file, what is wrong with it, and what ingest must report: each
document ``stored``, or ``failed`` with a reason fragment (and the line, where the problem
has one). ``tests/test_bad_input.py`` ingests the corpus and checks every case;
``docs/reliability.md`` lists them. All report text here was written for this corpus.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

SECOND_REPORT = (
    "Soldiers recaptured the river crossing at Dembi on Friday after two days of fighting "
    "with an armed group, the army said in a statement.\n"
    "Four civilians were wounded by stray gunfire, according to a hospital worker."
)
ATTACKERS = ("Gunmen on motorbikes", "Fighters in pickup trucks", "Armed men", "Militants")
TARGETS = ("a police post", "an army checkpoint", "a customs office", "a gendarmerie camp")
TOWNS = ("Sarki", "Tamba", "Ouro", "Kessi", "Lamdo", "Birni", "Garko", "Doumbi")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def report(number: int) -> str:
    """A short original report; every number gives a different text."""
    pick = random.Random(number)
    return (
        f"{pick.choice(ATTACKERS)} attacked {pick.choice(TARGETS)} near the town of "
        f"{pick.choice(TOWNS)} on {pick.choice(DAYS)}, killing {pick.randint(2, 30)} people, "
        f"a regional official said.\nThe attackers burned {pick.randint(2, 9)} vehicles and "
        f"withdrew towards {pick.choice(TOWNS)}, residents told reporters by phone."
    )


FRENCH = (
    "Des hommes armés ont attaqué un poste de police près de la ville de Sarki mardi, tuant "
    "trois agents, selon un responsable régional. Les assaillants ont incendié deux "
    "véhicules avant de se retirer vers la frontière, ont indiqué des habitants qui "
    "demandent une présence plus forte de l'armée dans la région."
)
RUSSIAN = (
    "Вооружённые люди напали на полицейский пост возле рыночного города во вторник и убили "
    "трёх сотрудников, сообщил региональный чиновник. Нападавшие сожгли две машины и ушли "
    "в сторону границы, рассказали местные жители."
)


@dataclass(frozen=True)
class Expect:
    """One outcome: ``stored``, or ``failed`` with a reason fragment and maybe a line."""

    outcome: str
    reason: str = ""
    line: int | None = None


@dataclass
class Case:
    file: str
    what: str
    expect: list[Expect]
    content: bytes = b""
    size: int = 0  # written in chunks instead of ``content`` (the big files)
    chunk: bytes = field(default=b"", repr=False)

    def write(self, folder: Path) -> Path:
        path = folder / self.file
        if not self.size:
            path.write_bytes(self.content)
            return path
        with path.open("wb") as out:
            written = 0
            while written < self.size:
                out.write(self.chunk)
                written += len(self.chunk)
        return path


def stored(count: int = 1) -> list[Expect]:
    return [Expect("stored")] * count


def failed(reason: str, line: int | None = None) -> Expect:
    return Expect("failed", reason, line)


def _txt(title: str, body: str, day: str = "2024-03-12") -> str:
    return f"Title: {title}\nDate: {day}\n\n{body}\n"


def _jsonl(*records: dict | str) -> bytes:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return "\n".join(lines).encode()


def _raw_json_line(doc_id: str, text: str, escape: str) -> str:
    """A JSONL line whose text ends with a JSON escape written as is (json.dumps would
    refuse to write a lone surrogate)."""
    return json.dumps({"id": doc_id, "text": text})[:-2] + f' {escape}"}}'


def _html_bomb(depth: int) -> bytes:
    body = "<p>" + report(51).replace("\n", "</p><p>") + "</p>"
    return (
        "<!doctype html><html><head><title>Nested</title></head><body>"
        + "<div>" * depth
        + body
        + "</div>" * depth
        + "</body></html>"
    ).encode()


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title>'
        f"<item><title>Post attacked</title><description>{report(50)}</description></item>"
        "</channel></rss>\n"
    ).encode()


def _long_sentence(words: int) -> str:
    rng = random.Random(11)
    items = ["rifles", "crates", "trucks", "radios", "tents", "drums of fuel", "sacks of grain"]
    listed = ", ".join(f"{rng.randint(2, 90)} {rng.choice(items)}" for _ in range(words // 3))
    return f"Customs officers at the northern checkpoint seized {listed}, an official said."


def _random_bytes() -> bytes:
    return b"\x00\x01\x02\x03" + random.Random(5).randbytes(4092)


def cases(big_mb: int = 50) -> list[Case]:
    """The corpus, in the order the files sort (``discover`` reads folders sorted)."""
    rss_item = (
        "<item><title>Convoy ambushed&nbsp;&mdash; officials</title>"
        "<pubDate>Tue, 12 Mar 2024 08:00:00 +0000</pubDate>"
        f"<description>{SECOND_REPORT} &eacute;vacuation &hellip;</description></item>"
    )
    dump_line = json.dumps({"text": " ".join([SECOND_REPORT] * 10)})
    return [
        Case("a01-empty.txt", "empty file", [failed("empty file")]),
        Case(
            "a02-whitespace.txt",
            "only spaces, tabs and newlines",
            [failed("empty file (only whitespace)")],
            b"  \n\t\r\n   \n\n",
        ),
        Case(
            "a03-random-bytes.txt",
            "random binary bytes",
            [failed("binary content (NUL bytes)")],
            _random_bytes(),
        ),
        Case(
            "a04-scan.txt",
            "a PDF renamed .txt",
            [failed("binary content (looks like a PDF document)")],
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        ),
        Case(
            "a05-zip.html",
            "a ZIP archive renamed .html",
            [failed("binary content (looks like a ZIP archive")],
            b"PK\x03\x04\x14\x00\x00\x00" + bytes(64),
        ),
        Case(
            "a06-invalid-utf8.txt",
            "invalid UTF-8 bytes on line 6",
            [failed("invalid UTF-8 at byte", line=6)],
            _txt("Post attacked", report(1)).encode() + b"Broken \xff\xfe\xfa bytes here.\n",
        ),
        Case(
            "a07-windows-1252.txt",
            "Windows-1252 curly quotes",
            [failed("invalid UTF-8", line=4)],
            _txt("Post attacked", "\u201cWe fled at night,\u201d a resident said.").encode(
                "cp1252"
            ),
        ),
        Case(
            "a08-utf16-bom.txt",
            "UTF-16 with a byte-order mark",
            stored(),
            codecs.BOM_UTF16_LE + _txt("Post attacked", report(2)).encode("utf-16-le"),
        ),
        Case(
            "a09-utf8-bom-crlf.txt",
            "UTF-8 with a BOM and Windows line ends",
            stored(),
            codecs.BOM_UTF8
            + _txt("Crossing retaken", SECOND_REPORT).replace("\n", "\r\n").encode(),
        ),
        Case(
            "a10-utf16-broken.txt",
            "UTF-16 BOM followed by an odd number of bytes",
            [failed("invalid UTF-16")],
            codecs.BOM_UTF16_LE + "Broken".encode("utf-16-le") + b"\x00",
        ),
        Case(
            "b01-huge.txt",
            f"{big_mb} MB of text in one file",
            [failed("file too large")],
            size=big_mb * 1024 * 1024,
            chunk=(report(3) + "\n").encode() * 64,
        ),
        Case(
            "b02-dump.jsonl",
            "a JSONL dump over the per-file limit, one report repeated on every line",
            stored(1) + [Expect("skipped")] * 9_999,
            size=0,
            content="\n".join([dump_line] * 10_000).encode(),
        ),
        Case(
            "b03-long-text.txt",
            "one report of 1.2 million characters",
            [failed("text too long")],
            (report(4) + "\n").encode() * (1_200_000 // len(report(5))),
        ),
        Case(
            "b04-long-sentence.txt",
            "one sentence of 20,000 words",
            stored(),
            _txt("Seizure", _long_sentence(20_000)).encode(),
        ),
        Case(
            "c01-html-bomb.html",
            "HTML nested 100,000 elements deep",
            [failed("HTML nested too deeply")],
            _html_bomb(100_000),
        ),
        Case(
            "c02-broken.html",
            "HTML cut off mid-tag, unclosed elements",
            stored(),
            b"<html><body><article><p>" + report(6).encode() + b"</p><p>More <b>text<div><sp",
        ),
        Case(
            "c03-script-only.html",
            "HTML with scripts and no article text",
            [failed("no article text found in HTML")],
            b"<html><head><script>var a = 1;</script></head><body><script>x()</script></body>",
        ),
        Case(
            "d01-malformed.jsonl",
            "JSONL with broken, wrong-typed, nested and truncated lines, NUL, an escape "
            "sequence and a lone surrogate",
            [
                Expect("stored"),
                failed("invalid JSON", line=2),
                failed("expected a JSON object, got array", line=3),
                failed("missing 'text'", line=4),
                failed("'text' must be a string, got number", line=5),
                failed("nested too deeply", line=6),
                failed("'id' over 200 characters", line=7),
                Expect("stored"),
                Expect("stored"),
                failed("invalid JSON", line=10),
            ],
            _jsonl(
                {"id": "jsonl-good-1", "date": "2024-03-12", "text": report(7)},
                '{"id": "cut", "text": "Gunmen attacked',
                "[1, 2, 3]",
                {"id": "no-text", "title": "Nothing"},
                {"id": "number", "text": 42},
                "[" * 100_000 + "]" * 100_000,
                {"id": "x" * 500, "text": SECOND_REPORT},
                {"id": "jsonl-good-2", "text": SECOND_REPORT + "\u0000\u001b[31m red"},
                _raw_json_line("jsonl-surrogate", report(13), "\\ud800"),
                '{"id": "truncated", "text": "The last line was cut',
            ),
        ),
        Case(
            "d02-invalid-utf8.jsonl",
            "JSONL with invalid UTF-8 on line 2",
            [Expect("stored"), failed("invalid UTF-8", line=2)],
            _jsonl({"text": report(8)}) + b"\n" + b'{"text": "bad \xc3\x28 byte"}\n',
        ),
        Case(
            "e01-entities.rss",
            "RSS with HTML entities XML does not define",
            stored(),
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Border Wire</title>'
                + rss_item
                + "</channel></rss>"
            ).encode(),
        ),
        Case(
            "e02-truncated.rss",
            "RSS cut off in its second item",
            stored()
            + [failed("entry 2 ('Second'): no text in content or summary (malformed feed")],
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Border Wire</title>'
                f"<item><title>Post attacked</title><description>{report(9)}</description></item>"
                "<item><title>Second</title><descrip"
            ).encode(),
        ),
        Case(
            "e03-billion-laughs.rss",
            "RSS with exponential entity expansion (a billion laughs): the entities stay "
            "unexpanded",
            stored(),
            _billion_laughs(),
        ),
        Case(
            "e04-not-a-feed.xml",
            "XML that is not RSS or Atom",
            [failed("not a feed")],
            b'<?xml version="1.0"?><inventory><item sku="1">Tent</item></inventory>',
        ),
        Case(
            "f01-french.txt",
            "a report in French",
            [failed("not English")],
            _txt("Poste attaqué", FRENCH).encode(),
        ),
        Case(
            "f02-russian.txt",
            "a report in Russian",
            [failed("not English")],
            _txt("Нападение", RUSSIAN).encode(),
        ),
        Case(
            "f03-numbers.txt",
            "only numbers",
            [failed("no words")],
            "\n".join(
                " ".join(str(random.Random(i).randint(0, 99999)) for _ in range(12))
                for i in range(40)
            ).encode(),
        ),
        Case(
            "f04-control-chars.txt",
            "terminal escape sequences and control characters in the title and text",
            stored(),
            _txt(
                "\x1b[2J\x1b[31mCleared\x07", report(10).replace(" on ", " \x0b\x1b[1mon\x1b[0m ")
            ).encode(),
        ),
        Case(
            "f05-bad-date.txt",
            "a Date header that is not a date",
            [failed("unparseable Date header", line=2)],
            _txt("Post attacked", report(11), day="the day after the rains").encode(),
        ),
        Case(
            "f06-duplicate.txt",
            "the text of a08 again, as plain UTF-8",
            [Expect("skipped", "already stored")],
            _txt("Post attacked", report(2)).encode(),
        ),
        Case(
            "f07-report.docx",
            "an unsupported file type named directly",
            [failed("unsupported file type '.docx'")],
            b"PK\x03\x04" + bytes(32),
        ),
    ]


def write_corpus(folder: Path, big_mb: int = 50) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    return [(case, case.write(folder)) for case in cases(big_mb)]


def table(big_mb: int = 50) -> str:
    """The cases and their outcomes as Markdown rows (docs/reliability.md)."""
    rows = ["| File | What is wrong with it | Outcome |", "| --- | --- | --- |"]
    for case in cases(big_mb):
        rows.append(f"| `{case.file}` | {case.what} | {_outcomes(case.expect)} |")
    return "\n".join(rows)


def _outcomes(expect: list[Expect]) -> str:
    counts: dict[str, int] = {}
    for e in expect:
        counts[e.outcome] = counts.get(e.outcome, 0) + 1
    parts = [f"{n:,} {outcome}" if n > 1 else outcome for outcome, n in counts.items()]
    reasons = [
        f"“{e.reason}”" + (f" (line {e.line})" if e.line else "")
        for e in expect
        if e.outcome == "failed"
    ]
    return ", ".join(parts) + (": " + "; ".join(reasons) if reasons else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, nargs="?", help="folder to write the files into")
    parser.add_argument("--big-mb", type=int, default=50, help="size of the one huge text file")
    parser.add_argument("--table", action="store_true", help="print the cases as Markdown")
    args = parser.parse_args(argv)
    if args.table:
        print(table(args.big_mb))
        return 0
    if args.out is None:
        parser.error("give the folder to write the corpus into (or --table)")
    for case, path in write_corpus(args.out, args.big_mb):
        outcomes = ", ".join(sorted({e.outcome for e in case.expect}))
        print(f"{path}  ({case.what}: {outcomes})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
