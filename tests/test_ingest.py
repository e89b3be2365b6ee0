"""Ingest: idempotence, exact and near duplicates, bad files, where each date comes from.

The reports are written for these tests (a made-up group, real Nigerien towns).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conflictmap.ingest.run import IngestReport, ingest
from conflictmap.store.repository import Store
from conflictmap.store.schema import MentionRow

pytestmark = pytest.mark.slow

# About 150 words, with an attack, a toll and a named group.
REPORT = (
    "NIAMEY, March 3 (Valley Ledger) - Fighters of the Sahel Liberation Front (SLF) attacked "
    "an army post near Tillaberi on Sunday, killing at least 12 soldiers, a military source "
    "said. The attackers arrived on motorcycles before dawn and withdrew towards the Malian "
    "border after about two hours of fighting, taking weapons and two pickup trucks with them.\n\n"
    "The defence ministry confirmed the attack but gave no toll. It said reinforcements had been "
    "sent from Niamey and that helicopters were searching the area along the river.\n\n"
    "The SLF, a group formed last year by former smugglers and army deserters, has attacked "
    "several checkpoints in the region since January. Residents of Tillaberi said many families "
    "had left villages near the border in recent weeks, fearing reprisals and cattle raids. "
    "Aid workers said the weekly market in the town had been closed on Monday and that schools "
    "would stay shut until the end of the month."
)
PROTEST = (
    "ZINDER, April 9 (Valley Ledger) - Hundreds of students marched through Zinder on Tuesday "
    "to protest against a rise in fuel prices, witnesses said. Police fired tear gas near the "
    "university and arrested about 30 people, a police spokesman said."
)
FLOOD = (
    "Heavy rain flooded low-lying districts of Maradi overnight, and the regional governor said "
    "about 400 homes had been damaged. No deaths were reported."
)
HARVEST = (
    "Farmers around Dosso said the millet harvest was the best in five years, and grain prices "
    "at the central market fell for the third week running."
)
ROAD = (
    "Work began on a new road between Agadez and Arlit, the public works ministry said, with the "
    "first section due to open before the rainy season."
)


def header(title: str, when: str | None = None) -> str:
    lines = [f"Title: {title}", "Source: Valley Ledger"]
    if when:
        lines.append(f"Date: {when}")
    return "\n".join(lines) + "\n\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def mentions_of(store: Store, document_id: str) -> int:
    with Session(store.engine) as session:
        return session.scalar(
            select(func.count())
            .select_from(MentionRow)
            .where(MentionRow.document_id == document_id)
        )


# -- idempotence --------------------------------------------------------------------------


def test_ingest_folder_then_again_adds_nothing(tmp_path: Path, store: Store, extractor) -> None:
    folder = tmp_path / "reports"
    write(folder, "attack.txt", header("Attack near Tillaberi", "2014-03-03") + REPORT)
    write(
        folder,
        "more/feed.jsonl",
        "\n".join(
            json.dumps(r)
            for r in (
                {
                    "id": "protest-1",
                    "text": PROTEST,
                    "date": "2014-04-09",
                    "source": "Valley Ledger",
                },
                {"id": "flood-1", "text": FLOOD, "date": "2014-08-20"},
            )
        )
        + "\n",
    )
    write(folder, "notes.md", "not a report: ignored inside folders")
    progress: list[str] = []

    first = ingest([folder], store, extractor, on_progress=progress.append)
    assert isinstance(first, IngestReport)
    assert first.ok and first.failed == []
    assert len(first.stored) == 3
    assert {"protest-1", "flood-1"} <= set(first.stored)
    assert first.near_duplicates == [] and first.skipped == []
    assert sorted(progress) == sorted(first.stored)
    stats = store.stats()
    assert stats["documents"] == 3
    assert stats["events"] >= 1  # the attack report has at least one event
    documents = store.documents()
    export = store.export()

    again = ingest([folder], store, extractor)
    assert again.summary() == {"stored": 0, "near_duplicates": 0, "skipped": 3, "failed": 0}
    assert sorted(doc_id for doc_id, _ in again.skipped) == sorted(first.stored)
    assert all("already stored" in reason for _, reason in again.skipped)
    assert store.stats() == stats
    assert store.documents() == documents
    assert store.export() == export


def test_exact_duplicate_under_another_name_is_skipped(
    tmp_path: Path, store: Store, extractor
) -> None:
    folder = tmp_path / "reports"
    write(folder, "a_original.txt", header("Protest", "2014-04-09") + PROTEST)
    write(folder, "b_copy.txt", header("Protest (copy)", "2014-04-09") + PROTEST)
    # Same words with other spacing and typographic quotes: still the same text.
    variant = PROTEST.replace(" - ", " \u2013 ").replace(", witnesses", ",\n  witnesses")
    write(folder, "c_variant.txt", header("Protest (variant)", "2014-04-09") + variant)

    report = ingest([folder], store, extractor)
    assert len(report.stored) == 1
    assert report.failed == [] and report.near_duplicates == []
    assert len(report.skipped) == 2
    assert store.stats()["documents"] == 1
    [doc] = store.documents()
    assert Path(doc["path"]).name == "a_original.txt"

    # A later run with the same text under a new name: skipped, naming the stored copy.
    later = write(tmp_path / "later", "again.txt", PROTEST)
    second = ingest([later], store, extractor, default_date=date(2014, 4, 10))
    assert second.stored == []
    [(_, reason)] = second.skipped
    assert doc["id"] in reason
    assert store.stats()["documents"] == 1


def test_near_duplicate_is_stored_as_duplicate_without_extraction(
    tmp_path: Path, store: Store, extractor
) -> None:
    assert 140 <= len(REPORT.split()) <= 170
    edited = REPORT.replace("motorcycles", "camels", 1)
    assert edited != REPORT and len(edited.split()) == len(REPORT.split())

    first = ingest(
        [write(tmp_path / "a", "original.txt", REPORT)],
        store,
        extractor,
        default_date=date(2014, 3, 3),
    )
    [original_id] = first.stored
    before = store.stats()
    assert before["events"] + before["relations"] > 0  # so "nothing extracted" means something
    assert mentions_of(store, original_id) > 0

    second = ingest(
        [write(tmp_path / "b", "rerun.txt", edited)],
        store,
        extractor,
        default_date=date(2014, 3, 4),
    )
    assert second.stored == [] and second.skipped == [] and second.failed == []
    [(dup_id, of)] = second.near_duplicates
    assert of == original_id
    assert dup_id != original_id
    rows = {d["id"]: d for d in store.documents()}
    assert rows[dup_id]["duplicate_of"] == original_id
    assert rows[original_id]["duplicate_of"] is None

    after = store.stats()
    assert after["documents"] == before["documents"] + 1
    assert after["duplicates"] == 1
    for key in ("entities", "relations", "events", "evidence"):
        assert after[key] == before[key], key
    assert mentions_of(store, dup_id) == 0
    export = store.export()
    assert all(r["evidence"]["document_id"] != dup_id for r in export["relations"])
    assert all(e["document_id"] != dup_id for e in export["events"])


def test_near_duplicates_in_one_run_are_detected(tmp_path: Path, store: Store, extractor) -> None:
    folder = tmp_path / "reports"
    write(folder, "1.txt", REPORT)
    write(folder, "2.txt", REPORT.replace("cattle raids", "cattle thefts"))
    write(folder, "3.txt", PROTEST)
    report = ingest([folder], store, extractor, default_date=date(2014, 3, 3))
    assert len(report.stored) == 2
    [(dup_id, original_id)] = report.near_duplicates
    assert original_id in report.stored
    assert mentions_of(store, dup_id) == 0


# -- bad inputs ---------------------------------------------------------------------------


def test_bad_files_are_reported_and_good_files_stored(
    tmp_path: Path, store: Store, extractor
) -> None:
    folder = tmp_path / "mixed"
    good = write(folder, "good.txt", header("Attack", "2014-03-03") + REPORT)
    bad = {
        "empty": (write(folder, "empty.txt", b""), "empty file"),
        "blank": (write(folder, "blank.txt", b"  \n\t\n"), "empty file"),
        "png": (write(folder, "scan.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256))), "binary"),
        "nul": (write(folder, "nul.html", b"<p>text\x00\x00\x01</p>"), "binary"),
        "latin1": (
            write(folder, "latin1.txt", "Caf\u00e9 in Niamey.".encode("latin-1")),
            "invalid UTF-8",
        ),
    }
    missing = tmp_path / "missing.txt"
    unsupported = write(tmp_path, "report.pdf", b"%PDF-1.4 not really")

    report = ingest([folder, missing, unsupported], store, extractor)
    assert not report.ok
    assert [Path(d["path"]).name for d in store.documents()] == [good.name]
    assert len(report.stored) == 1

    failed = {Path(e.path): e.reason for e in report.failed}
    assert len(report.failed) == len(bad) + 2
    for path, reason in bad.values():
        assert path in failed, path
        assert reason in failed[path], (path, failed[path])
    assert "no such file" in failed[missing]
    assert "unsupported file type" in failed[unsupported]
    assert "'.pdf'" in failed[unsupported]
    # The invalid UTF-8 error says where, and what to do.
    latin1 = next(e for e in report.failed if Path(e.path) == bad["latin1"][0])
    assert latin1.line == 1
    assert "byte 3" in latin1.reason and "UTF-8" in latin1.reason
    assert str(bad["latin1"][0]) in str(latin1)


def test_bad_jsonl_lines_fail_alone(tmp_path: Path, store: Store, extractor) -> None:
    lines = [
        json.dumps({"id": "ok-1", "text": PROTEST, "date": "2014-04-09"}),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "bad-date", "text": FLOOD, "date": "next Tuesday"}),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    report = ingest([path], store, extractor)
    assert report.stored == ["ok-1"]
    assert sorted(e.line for e in report.failed) == [2, 3, 4]
    assert all(e.path == str(path) for e in report.failed)
    reasons = {e.line: e.reason for e in report.failed}
    assert "invalid JSON" in reasons[2]
    assert "missing 'text'" in reasons[3]
    assert "unparseable date" in reasons[4]


# -- dates --------------------------------------------------------------------------------


def test_date_origin_metadata_cli_text_none(tmp_path: Path, store: Store, extractor) -> None:
    # Metadata wins over --date.
    meta = write(tmp_path / "a", "meta.txt", header("Protest", "2014-04-09") + PROTEST)
    # No metadata, no dateline: --date is used.
    plain = write(tmp_path / "a", "plain.txt", FLOOD)
    feed = write(tmp_path / "a", "feed.jsonl", json.dumps({"id": "j1", "text": HARVEST}))
    report = ingest([meta, plain, feed], store, extractor, default_date=date(2014, 8, 21))
    assert len(report.stored) == 3

    # No metadata, no --date, a full date in the dateline: dated from the text.
    dateline = REPORT.replace("NIAMEY, March 3", "NIAMEY, 3 March 2014")
    dated = write(tmp_path / "b", "dated.txt", dateline)
    # Nothing at all: no date.
    undated = write(tmp_path / "b", "undated.txt", ROAD)
    report = ingest([dated, undated], store, extractor)
    assert len(report.stored) == 2

    rows = {Path(d["path"].split(":")[0]).name: d for d in store.documents()}
    assert (rows["meta.txt"]["date"], rows["meta.txt"]["date_origin"]) == ("2014-04-09", "metadata")
    assert (rows["plain.txt"]["date"], rows["plain.txt"]["date_origin"]) == ("2014-08-21", "cli")
    assert (rows["feed.jsonl"]["date"], rows["feed.jsonl"]["date_origin"]) == ("2014-08-21", "cli")
    assert (rows["dated.txt"]["date"], rows["dated.txt"]["date_origin"]) == ("2014-03-03", "text")
    assert (rows["undated.txt"]["date"], rows["undated.txt"]["date_origin"]) == (None, "none")

    # The text date anchors relative expressions: "on Sunday" before Monday 3 March 2014.
    dated_id = rows["dated.txt"]["id"]
    events = [e for e in store.events() if e["document_id"] == dated_id]
    assert events, "the attack report should yield an event"
    assert "2014-03-02" in {e["date"] for e in events}
    assert all(e["date"] is None or e["date"] <= "2014-03-03" for e in events)


def test_a_document_whose_extraction_raises_fails_alone(
    tmp_path: Path, store: Store, extractor
) -> None:
    """spaCy refuses a text over its ``max_length`` (lowered here to make one report too
    long): that report fails with the reason, the others of its batch are stored, and a
    rerun once the limit is back stores it."""
    folder = tmp_path / "reports"
    folder.mkdir()
    long_report = " ".join([FLOOD] * 20)  # longer than the other two
    write(folder, "a.txt", REPORT)
    write(folder, "b.txt", long_report)
    write(folder, "c.txt", PROTEST)
    limit = extractor.nlp.max_length
    extractor.nlp.max_length = len(long_report) - 1
    try:
        first = ingest([folder], store, extractor)
    finally:
        extractor.nlp.max_length = limit
    [failure] = first.failed
    assert failure.path.endswith("b.txt") and "extraction failed: ValueError" in failure.reason
    assert len(first.stored) == 2 and store.stats()["documents"] == 2
    again = ingest([folder], store, extractor)
    assert len(again.stored) + len(again.near_duplicates) == 1 and again.failed == []
