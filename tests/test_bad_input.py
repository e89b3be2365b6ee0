"""The bad-input corpus (``scripts/bad_corpus.py``): every file gets its outcome, with the file
and line in each failure, the batch goes on, and a second run adds nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import load_module

from conflictmap.cli import cli
from conflictmap.ingest.readers import ReadError
from conflictmap.ingest.run import IngestReport, ingest
from conflictmap.store.repository import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


bad_corpus = load_module(ROOT / "scripts/bad_corpus.py")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, Path]]:
    return bad_corpus.write_corpus(tmp_path_factory.mktemp("bad-corpus"), big_mb=50)


@pytest.fixture(scope="module")
def ingested(corpus, extractor, tmp_path_factory) -> tuple[Store, IngestReport, IngestReport]:  # noqa: ANN001
    """The corpus ingested twice into one store: the folder, plus the file type that folder
    walks leave out (they ingest only report formats), named directly."""
    db = tmp_path_factory.mktemp("bad-store") / "bad.db"
    store = Store(f"sqlite:///{db}")
    folder = corpus[0][1].parent
    inputs = [folder, folder / "f07-report.docx"]
    first = ingest(inputs, store, extractor)
    second = ingest(inputs, store, extractor)
    yield store, first, second
    store.close()


def _where(error: ReadError) -> tuple[str, int | None]:
    return Path(error.path).name, error.line


def test_every_case_gets_its_outcome(corpus, ingested) -> None:  # noqa: ANN001
    store, first, _ = ingested
    stored_paths = Counter(
        Path(d["path"].rsplit(":", 1)[0] if re.search(r":\d+$", d["path"]) else d["path"]).name
        for d in store.documents()
    )
    failures: dict[str, list[ReadError]] = {}
    for error in first.failed:
        failures.setdefault(_where(error)[0], []).append(error)
    skipped = 0
    for case, path in corpus:
        expected = Counter(e.outcome for e in case.expect)
        assert stored_paths[path.name] == expected["stored"], (case.file, case.what)
        got = failures.get(path.name, [])
        wanted = [e for e in case.expect if e.outcome == "failed"]
        assert len(got) == len(wanted), (case.file, [str(e) for e in got])
        for error, expect in zip(got, wanted, strict=True):
            assert expect.reason in error.reason, (case.file, str(error))
            if expect.line is not None:
                assert error.line == expect.line, (case.file, str(error))
        skipped += expected["skipped"]
    assert len(first.skipped) == skipped
    assert all("already stored" in reason for _, reason in first.skipped)


def test_failures_name_their_file_and_line(ingested) -> None:  # noqa: ANN001
    _, first, _ = ingested
    assert first.failed
    for error in first.failed:
        assert Path(error.path).exists(), str(error)  # a real file, not a document id
        assert error.reason and "Traceback" not in error.reason
        if error.path.endswith(".jsonl"):
            assert error.line is not None, str(error)  # every JSONL problem is on a line


def test_second_run_adds_nothing(ingested) -> None:  # noqa: ANN001
    store, first, second = ingested
    assert second.stored == [] and second.near_duplicates == []
    assert len(second.skipped) == len(first.skipped) + len(first.stored) + len(
        first.near_duplicates
    )
    assert [str(e) for e in second.failed] == [str(e) for e in first.failed]
    documents = store.documents()
    assert len(documents) == len(first.stored) + len(first.near_duplicates)
    assert len({d["id"] for d in documents}) == len(documents)


def test_stored_text_is_clean(ingested) -> None:  # noqa: ANN001
    """No control characters, escape sequences or lone surrogates reach the store, and the
    entity bomb in the feed was never expanded."""
    store, _, _ = ingested
    exported = store.export()
    for document in exported["documents"]:
        for key in ("text", "title", "source"):
            value = document.get(key) or ""
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", value), (document["id"], key)
            value.encode("utf-8")  # raises on a lone surrogate
        assert len(document.get("source") or "") < 200, document["id"]
    texts = {d["path"]: d for d in store.documents()}
    control = next(d for p, d in texts.items() if p.endswith("f04-control-chars.txt"))
    assert control["title"] == "Cleared"


def test_cli_prints_the_counts_and_every_failure(corpus, extractor, tmp_path) -> None:  # noqa: ANN001
    """The command's summary line counts stored, skipped and failed; exit code 2 means some
    inputs failed while the rest were stored."""
    folder = corpus[0][1].parent
    small = [p for _, p in corpus if p.stat().st_size < 2_000_000]
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", "--json", *map(str, small)])
    assert result.exit_code == 2, result.output
    summary = json.loads(result.stdout)
    expected = Counter(e.outcome for case, path in corpus if path in small for e in case.expect)
    assert summary["stored"] + summary["near_duplicates"] == expected["stored"]
    assert summary["failed"] == expected["failed"] == len(summary["errors"])
    assert summary["skipped"] == expected["skipped"]
    assert all(str(folder) in line for line in summary["errors"])
