"""Admiralty-style grades for every claim: source reliability A-F, credibility 1-6.

The NATO/Admiralty system grades a report on two independent scales:

* **reliability** of the source: A completely reliable, B usually reliable, C fairly
  reliable, D not usually reliable, E unreliable, F cannot be judged;
* **credibility** of the information: 1 confirmed by other sources, 2 probably true,
  3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged.

conflictmap grades each claim (the evidence sentence of a relation or event) from what the
report says about where the claim comes from. Reliability follows the kind of source
(``Attribution.kind``): an official or a journalist's own observation is usually reliable,
a security source speaking anonymously or a resident fairly reliable, an armed group's
claim about itself not usually reliable. A claim the report makes without naming a
source is the outlet's own, graded by the outlet when the policy names it, else F.
Credibility within one report: 3 (possibly true: one source, not confirmed), 4 when the
report hedges it ("reportedly", "may have"); corroboration across reports (issue 5) raises
it: 2 with two independent sources, 1 with three or more.

Every default can be overridden with a JSON file (``CONFLICTMAP_SOURCES`` or
``GradingPolicy.load(path)``)::

    {"kinds": {"group_claim": "E"}, "outlets": {"Desert Courier": "B", "Rumour Mill": "E"}}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conflictmap.errors import ConflictmapError
from conflictmap.extract.gazetteer import fold

__all__ = ["Grade", "GradingPolicy", "RELIABILITY", "credibility"]

RELIABILITY = "ABCDEF"
DEFAULT_KINDS: dict[str, str] = {
    "official": "B",
    "journalist": "B",
    "anonymous_security": "C",
    "resident_or_witness": "C",
    "group_claim": "D",
}
UNJUDGED = "F"


@dataclass(frozen=True)
class Grade:
    reliability: str
    credibility: int

    @property
    def code(self) -> str:
        """The usual two-character form: "B3"."""
        return f"{self.reliability}{self.credibility}"


def credibility(hedged: bool, independent_sources: int = 1) -> int:
    """1 confirmed (3+ independent sources), 2 probably true (2), 3 possibly true (one
    source), 4 doubtful (one source, hedged)."""
    if independent_sources >= 3:
        return 1
    if independent_sources == 2:
        return 2
    return 4 if hedged else 3


@dataclass(frozen=True)
class GradingPolicy:
    """Reliability per source kind and per outlet (outlets matched case- and
    accent-insensitively)."""

    kinds: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KINDS))
    outlets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> GradingPolicy:
        """The defaults, overridden by the JSON file at ``path`` (default
        ``$CONFLICTMAP_SOURCES``, if set)."""
        path = path or os.environ.get("CONFLICTMAP_SOURCES")
        if not path:
            return cls()
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConflictmapError(f"{path}: cannot read the grading policy: {exc}") from exc
        if not isinstance(data, dict):
            raise ConflictmapError(f"{path}: a grading policy is a JSON object")
        kinds = {**DEFAULT_KINDS, **_letters(path, data.get("kinds", {}))}
        outlets = {fold(k): v for k, v in _letters(path, data.get("outlets", {})).items()}
        return cls(kinds, outlets)

    def reliability(self, kind: str, outlet: str | None) -> str:
        if kind in self.kinds:
            return self.kinds[kind]
        return self.outlets.get(fold(outlet), UNJUDGED) if outlet else UNJUDGED

    def grade(
        self, kind: str, outlet: str | None, hedged: bool, independent_sources: int = 1
    ) -> Grade:
        return Grade(self.reliability(kind, outlet), credibility(hedged, independent_sources))


def _letters(path: str | Path, table: object) -> dict[str, str]:
    if not isinstance(table, dict) or not all(
        isinstance(v, str) and len(v) == 1 and v in RELIABILITY for v in table.values()
    ):
        raise ConflictmapError(f"{path}: reliabilities must be letters A-F, got {table!r}")
    return {str(k): v for k, v in table.items()}
