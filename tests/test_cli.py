"""The ``conflictmap`` command: help, exit codes, JSON outputs, stdin extraction.

Commands run in-process through click's CliRunner (the model is loaded once and cached);
a few run the installed console script in a real subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conflictmap.cli import cli
from conflictmap.errors import EntityNotFoundError

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[1] / "examples"
COMMANDS = {
    "ingest",
    "extract",
    "actors",
    "actor",
    "events",
    "documents",
    "export",
    "demo",
    "control",
    "incidents",
    "contradictions",
    "leaders",
    "relations",
    "network",
    "import",
    "merge",
    "split",
    "decisions",
    "serve",
}

ATTACK = (
    "Title: Attack near Tillaberi\n"
    "Date: 2014-03-03\n"
    "Source: Valley Ledger\n\n"
    "NIAMEY, March 3 (Valley Ledger) - Fighters of the Sahel Liberation Front (SLF) attacked "
    "an army post near Tillaberi on Sunday, killing at least 12 soldiers, a military source "
    "said. The attackers withdrew towards the border after two hours of fighting.\n\n"
    "The SLF, a group formed last year by former smugglers and army deserters, has attacked "
    "several checkpoints in the region since January, residents said."
)
PROTEST = {
    "id": "zinder-protest",
    "title": "Students protest fuel prices",
    "date": "2014-04-09",
    "source": "Valley Ledger",
    "text": (
        "ZINDER, April 9 (Valley Ledger) - Hundreds of students marched through Zinder on "
        "Tuesday to protest against a rise in fuel prices, witnesses said. Police fired tear "
        "gas near the university and arrested about 30 people, a police spokesman said."
    ),
}
STDIN_TEXT = "Fighters seized Gao and Kidal on Monday, a resident said."


def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:  # noqa: A002
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def as_json(result: Result):  # noqa: ANN201
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    (folder / "attack.txt").write_text(ATTACK, encoding="utf-8")
    (folder / "feed.jsonl").write_text(json.dumps(PROTEST) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, reports: Path) -> tuple[str, Result]:
    db = str(tmp_path_factory.mktemp("cli") / "cli.db")
    return db, run("--db", db, "ingest", str(reports))


@pytest.fixture(scope="module")
def db(ingested: tuple[str, Result]) -> str:
    path, result = ingested
    assert result.exit_code == 0, result.output
    return path


# -- help ---------------------------------------------------------------------------------


def test_all_commands_are_registered() -> None:
    assert set(cli.commands) == COMMANDS


@pytest.mark.parametrize("command", [None, *sorted(COMMANDS)])
def test_help_has_an_example(command: str | None) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert "Usage:" in result.output
    if command is not None:
        assert f"conflictmap {command}" in result.output or "conflictmap --db" in result.output


def test_short_help_flag_and_version() -> None:
    assert run("-h").exit_code == 0
    result = run("--version")
    assert result.exit_code == 0
    assert version("conflictmap") in result.output


# -- ingest -------------------------------------------------------------------------------


def test_ingest_prints_summary_and_exits_0(ingested: tuple[str, Result]) -> None:
    _, result = ingested
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "2 stored" in out
    assert "0 failed" in out
    assert "Store: 2 documents" in out


def test_ingest_exits_2_when_a_file_is_bad(tmp_path: Path, reports: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(reports / "attack.txt", folder / "attack.txt")
    (folder / "empty.txt").write_bytes(b"")
    db = str(tmp_path / "bad.db")

    result = run("--db", db, "ingest", str(folder))
    assert result.exit_code == 2, result.output
    out = " ".join(result.stdout.split())
    assert "1 stored" in out and "1 failed" in out
    err = " ".join(result.stderr.split())
    assert "empty.txt" in err and "empty file" in err

    # Again, as JSON: nothing new is stored, the bad file still fails.
    again = run("--db", db, "ingest", "--json", str(folder))
    assert again.exit_code == 2
    summary = json.loads(again.stdout)
    assert summary["stored"] == 0
    assert summary["skipped"] == 1
    assert summary["failed"] == 1
    assert any("empty.txt" in e and "empty file" in e for e in summary["errors"])


def test_ingest_json_exits_0_without_bad_files(tmp_path: Path, reports: Path) -> None:
    result = run("--db", str(tmp_path / "j.db"), "ingest", "--json", str(reports / "feed.jsonl"))
    assert as_json(result) == {
        "stored": 1,
        "near_duplicates": 0,
        "skipped": 0,
        "failed": 0,
        "errors": [],
    }


# -- queries ------------------------------------------------------------------------------


def test_actors_json(db: str) -> None:
    rows = as_json(run("--db", db, "actors", "--json"))
    assert rows, "the attack report names at least one actor"
    for row in rows:
        assert set(row) == {"id", "name", "type", "aliases", "mentions"}
        assert row["type"] != "LOCATION"
    mentions = [r["mentions"] for r in rows]
    assert mentions == sorted(mentions, reverse=True)
    slf = [r for r in rows if "SLF" in r["aliases"] or r["name"] == "SLF"]
    assert len(slf) == 1
    assert slf[0]["type"] == "ARMED_GROUP"

    armed = as_json(run("--db", db, "actors", "--type", "ARMED_GROUP", "--json"))
    assert armed and all(r["type"] == "ARMED_GROUP" for r in armed)
    assert len(as_json(run("--db", db, "actors", "--limit", "1", "--json"))) == 1


def test_actor_profile_json(db: str) -> None:
    profile = as_json(run("--db", db, "actor", "SLF", "--json"))
    assert set(profile) >= {
        "id",
        "name",
        "type",
        "aliases",
        "geo",
        "mentions",
        "documents",
        "relations",
        "events",
    }
    assert "Sahel Liberation Front" in profile["name"]
    assert profile["type"] == "ARMED_GROUP"
    assert profile["mentions"] >= 2
    assert profile["documents"] == 1
    assert profile["events"], "the SLF attack should be among its events"
    for event in profile["events"]:
        assert profile["name"] in event["actors"] + event["targets"]
    # The same lookup is case-insensitive, and the table view works too.
    assert as_json(run("--db", db, "actor", "slf", "--json"))["id"] == profile["id"]
    table = run("--db", db, "actor", "SLF")
    assert table.exit_code == 0
    assert "ARMED_GROUP" in table.stdout


def test_events_json_filters(db: str) -> None:
    battles = as_json(run("--db", db, "events", "--type", "Battles", "--json"))
    assert battles
    for row in battles:
        assert "Battles" in (row["event_type"], row["sub_event_type"])
        assert set(row) >= {
            "id",
            "document_id",
            "actors",
            "targets",
            "location",
            "date",
            "fatalities",
            "evidence",
        }
        assert set(row["evidence"]) >= {"sentence", "start", "end", "attribution", "document_id"}
    assert any(row["fatalities"] == 12 for row in battles)

    at_place = as_json(run("--db", db, "events", "--place", "Tillaberi", "--json"))
    assert at_place and all(row["location"] == "Tillaberi" for row in at_place)

    # "on Sunday" in a report of Monday 3 March 2014.
    sunday = {row["id"] for row in battles if row["date"] == "2014-03-02"}
    assert sunday
    later = as_json(run("--db", db, "events", "--since", "2014-03-04", "--json"))
    assert all(row["date_end"] >= "2014-03-04" for row in later)
    assert not sunday & {row["id"] for row in later}
    until = as_json(run("--db", db, "events", "--until", "2014-03-02", "--json"))
    assert sunday <= {row["id"] for row in until}
    table = run("--db", db, "events", "--type", "Battles")
    assert table.exit_code == 0 and "Battles" in table.stdout


def test_documents_json(db: str, reports: Path) -> None:
    rows = as_json(run("--db", db, "documents", "--json"))
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {
            "id",
            "title",
            "date",
            "date_origin",
            "source",
            "url",
            "path",
            "duplicate_of",
            "extractor",
        }
        assert row["date_origin"] == "metadata"
        assert row["duplicate_of"] is None
    by_id = {r["id"]: r for r in rows}
    assert by_id["zinder-protest"]["date"] == "2014-04-09"
    assert by_id["zinder-protest"]["title"] == PROTEST["title"]
    attack = next(r for r in rows if r["id"] != "zinder-protest")
    assert (attack["date"], attack["title"]) == ("2014-03-03", "Attack near Tillaberi")
    assert Path(attack["path"]) == reports / "attack.txt"


def test_export_json_to_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    result = run("--db", db, "export", "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"format", "version", "documents", "entities", "relations", "events"}
    assert data["format"] == "conflictmap-graph"
    assert len(data["documents"]) == 2
    actors = as_json(run("--db", db, "actors", "--json", "--limit", "0"))
    assert {a["id"] for a in actors} <= {e["id"] for e in data["entities"]}
    # Without -o the same graph goes to stdout.
    assert as_json(run("--db", db, "export")) == data
    assert run("--db", db, "export", "--format", "csv").exit_code == 2


def test_db_from_environment(db: str) -> None:
    rows = as_json(run("actors", "--json", env={"CONFLICTMAP_DB": db}))
    assert any("SLF" in r["aliases"] for r in rows)


# -- errors -------------------------------------------------------------------------------


def test_unknown_actor_in_process(db: str) -> None:
    result = run("--db", db, "actor", "Boko Haram", "--json")
    assert result.exit_code == 1
    assert isinstance(result.exception, EntityNotFoundError)
    assert "conflictmap actors" in str(result.exception)
    events = run("--db", db, "events", "--actor", "Boko Haram")
    assert events.exit_code == 1
    assert isinstance(events.exception, EntityNotFoundError)


def console_script() -> str:
    found = Path(sys.executable).parent / "conflictmap"
    return str(found) if found.exists() else (shutil.which("conflictmap") or "conflictmap")


def test_console_script_unknown_actor_and_documents(db: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_DB")}
    missing = subprocess.run(
        [console_script(), "--db", db, "actor", "Boko Haram"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert missing.returncode == 1
    err = " ".join(missing.stderr.split())
    assert "Boko Haram" in err and "conflictmap actors" in err
    assert "Traceback" not in missing.stderr

    listed = subprocess.run(
        [console_script(), "--db", db, "documents", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    assert {d["id"] for d in json.loads(listed.stdout)} == {
        d["id"] for d in as_json(run("--db", db, "documents", "--json"))
    }


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "--date", "2012-13-45", "."],
        ["ingest", "--date", "20 July", "."],
        ["events", "--since", "yesterday"],
        ["extract", "--date", "2012/07/20", "-"],
    ],
)
def test_bad_date_is_a_usage_error(db: str, args: list[str]) -> None:
    result = run("--db", db, *args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    option = next(a for a in args if a.startswith("--"))
    assert f"Invalid value for '{option}'" in result.output
    assert "YYYY-MM-DD" in result.output


# -- extract ------------------------------------------------------------------------------


def stdin_line(doc_id: str, text: str, **extra) -> str:
    return json.dumps({"id": doc_id, "text": text, "date": "2012-04-02", **extra})


def locations(record: dict) -> set[str]:
    return {m["text"] for m in record["mentions"] if m["type"] == "LOCATION"}


def test_extract_stdin_prints_one_json_line_per_input(db: str) -> None:
    gao = STDIN_TEXT.index("Gao")
    lines = [
        stdin_line("both", STDIN_TEXT),
        stdin_line("only-gao", STDIN_TEXT, toponyms=[{"start": gao, "end": gao + 3}]),
        stdin_line("other", PROTEST["text"]),
    ]
    result = run("--db", db, "extract", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [r["id"] for r in out] == ["both", "only-gao", "other"]
    for record in out:
        assert set(record) >= {"id", "document_date", "entities", "mentions", "relations", "events"}
        assert record["document_date"] == "2012-04-02"
    assert locations(out[0]) == {"Gao", "Kidal"}
    assert locations(out[1]) == {"Gao"}
    [mention] = [m for m in out[1]["mentions"] if m["type"] == "LOCATION"]
    assert (mention["start"], mention["end"]) == (gao, gao + 3)


def test_extract_stdin_bad_line_fails_alone(db: str) -> None:
    lines = ["{not json", stdin_line("good", STDIN_TEXT)]
    result = run("--db", db, "extract", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [r["id"] for r in out] == ["good"]
    assert "invalid JSON" in " ".join(result.stderr.split())


def test_extract_stdin_toponyms_after_a_bad_line(db: str) -> None:
    gao = STDIN_TEXT.index("Gao")
    lines = [
        "{not json",
        stdin_line("only-gao", STDIN_TEXT, toponyms=[{"start": gao, "end": gao + 3}]),
    ]
    result = run("--db", db, "extract", "-", input="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert locations(out[0]) == {"Gao"}


def test_extract_file_with_date(db: str, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(STDIN_TEXT, encoding="utf-8")
    result = run("--db", db, "extract", "--date", "2012-04-02", str(path))
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["document_date"] == "2012-04-02"
    assert {"Gao", "Kidal"} <= locations(record)
    # Nothing was stored by extract.
    assert len(as_json(run("--db", db, "documents", "--json"))) == 2


# -- demo ---------------------------------------------------------------------------------


def test_demo_ingests_examples(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    result = run("--db", db, "demo", str(EXAMPLES), "--profiles", "1")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "0 failed" in out
    assert "Main actors" in out
    documents = as_json(run("--db", db, "documents", "--json"))
    assert len(documents) >= 12  # one or more reports per example file


def test_merge_split_and_decisions_from_the_command_line(tmp_path: Path) -> None:
    from conflictmap.ingest.dedup import text_hash
    from conflictmap.model import Document, Entity, Extraction
    from conflictmap.store.repository import Store

    db = str(tmp_path / "m.db")
    store = Store(db)
    for doc_id, name in (("a", "Katiba Nour"), ("b", "Brigade Annour")):
        text = f"{name} attacked a convoy."
        entity = Entity(name, "ARMED_GROUP", [], [(0, len(name), name)])
        extraction = Extraction(doc_id, text, None, [entity])
        store.add(Document(id=doc_id, text=text), extraction, text_hash=text_hash(text))
    merged = run("--db", db, "merge", "Katiba Nour", "Brigade Annour", "--note", "same", "--json")
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.output)["kind"] == "merge"
    names = [a["name"] for a in json.loads(run("--db", db, "actors", "--json").output)]
    assert names == ["Katiba Nour"]
    split = run("--db", db, "split", "Katiba Nour", "--alias", "Brigade Annour", "--json")
    assert split.exit_code == 0, split.output
    trail = json.loads(run("--db", db, "decisions", "--json").output)
    assert [d["kind"] for d in trail] == ["merge", "split"]
    assert trail[0]["note"] == "same"
    refused = run("--db", db, "merge", "Katiba Nour", "Katiba Nour")
    assert refused.exit_code != 0
