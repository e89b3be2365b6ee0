"""Admiralty-style grades: policy defaults, overrides, credibility, and grades on extraction."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conflictmap.errors import ConflictmapError
from conflictmap.grading import Grade, GradingPolicy, credibility


def test_reliability_follows_the_kind_of_source() -> None:
    policy = GradingPolicy()
    assert policy.reliability("official", None) == "B"
    assert policy.reliability("anonymous_security", None) == "C"
    assert policy.reliability("group_claim", None) == "D"


def test_unattributed_claim_takes_the_outlets_reliability() -> None:
    policy = GradingPolicy(outlets={"desert courier": "B"})
    assert policy.reliability("unattributed", "Desert Courier") == "B"
    assert policy.reliability("unattributed", "Unknown Blog") == "F"
    assert policy.reliability("unattributed", None) == "F"


@pytest.mark.parametrize(
    ("hedged", "sources", "expected"), [(False, 1, 3), (True, 1, 4), (True, 2, 2), (False, 5, 1)]
)
def test_credibility(hedged: bool, sources: int, expected: int) -> None:
    assert credibility(hedged, sources) == expected


def test_grade_code() -> None:
    assert Grade("C", 4).code == "C4"


def test_policy_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "sources.json"
    path.write_text(json.dumps({"kinds": {"group_claim": "E"}, "outlets": {"Sahel Wire": "A"}}))
    policy = GradingPolicy.load(path)
    assert policy.reliability("group_claim", None) == "E"
    assert policy.reliability("official", None) == "B"  # untouched default
    assert policy.reliability("unattributed", "SAHEL WIRE") == "A"


@pytest.mark.parametrize(
    "content", ["[1, 2]", '{"kinds": {"official": "Z"}}', "{not json", '{"outlets": {"X": 3}}']
)
def test_bad_policy_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "sources.json"
    path.write_text(content)
    with pytest.raises(ConflictmapError, match="sources.json"):
        GradingPolicy.load(path)


def test_environment_names_the_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "policy.json"
    path.write_text('{"outlets": {"Lake Gazette": "C"}}')
    monkeypatch.setenv("CONFLICTMAP_SOURCES", str(path))
    assert GradingPolicy.load().reliability("unattributed", "Lake Gazette") == "C"


@pytest.mark.slow
def test_every_claim_of_an_extraction_is_graded() -> None:
    from conflictmap.extract.pipeline import Extractor

    extractor = Extractor(policy=GradingPolicy(outlets={"lake gazette": "B"}))
    text = (
        "Fighters reportedly attacked an army post near Gao on Tuesday, a security source "
        "said. Rebels seized the town of Kidal on Friday."
    )
    out = extractor.extract(text, doc_id="g", document_date=date(2012, 4, 2), source="Lake Gazette")
    grades = {
        e["evidence"]["sentence"][:8]: e["evidence"]["grade"]["code"]
        for e in out.to_dict()["events"]
    }
    assert grades == {"Fighters": "C4", "Rebels s": "B3"}  # hedged security source; outlet
