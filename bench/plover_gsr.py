"""PLOVER event coding on the PLOVER gold standard records (one sentence each).

Usage (from the repository root)::

    python bench/plover_gsr.py [--data ../shared/eval/plover/plover_gsr.json] [--errors N]
        [--out FILE]

Each record's ``text`` is parsed with the product's pipeline (``parse`` with the loaded
pipeline, then ``find_entities`` with the default gazetteer, as ``extract_doc`` does) and
coded with ``conflictmap.extract.plover.code_sentence`` sentence by sentence. The main
predicted event is the first event of the first sentence that has one. The record that
documents the file (``event`` DOCUMENT) is skipped.

Splits: the set has no split of its own, so records whose id ends in an odd number
(``...-AGREE-0001``) are the development half, looked at while building the lexicon, and
records with an even number are the test half, reported but never tuned on.

Scores, per split and over both:

- category accuracy: the main predicted category equals the gold ``event``; a record with
  no prediction counts as wrong. Also per gold category, and the most frequent confusions
  (gold, predicted; "none" when nothing was predicted).
- mode accuracy: on records whose gold ``mode`` is a non-empty string, the main event's
  category and mode both equal the gold ones.
- source and target recall: over the gold ``source`` (``target``) actors with a non-empty
  ``actorText`` (targets given as a bare string are malformed and skipped), the share found
  among the main event's predicted source (target) strings. Each predicted string stands
  for itself plus, when it is an entity's canonical name, every surface of that entity in
  the record. Two matches are reported:
  * ``overlap``: after case folding and splitting into words (runs of letters and digits),
    the gold text and a predicted string share a word other than "the a an of and in on
    at for to s its their his her";
  * ``contained``: after case folding and collapsing whitespace, every part of the gold
    text (split at "...") is a substring of one predicted string, or a predicted string is
    a substring of the gold text.
  Recall does not look at the category: it is scored on every record.
- baseline: the first word of the sentence (case folded) found in a small keyword table
  (``BASELINE``) gives the category; no keyword, no prediction.

``--errors N`` prints the first N development records coded wrong (never test records) to
stderr. One JSON summary is printed at the end (and written to ``--out``). An absent data
path is skipped with a message and exit status 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

STOP = frozenset(
    {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "s", "its"}
    | {"their", "his", "her"}
)
WORD = re.compile(r"[^\W_]+")
BASELINE = {
    **dict.fromkeys(["agreed", "agree", "agreement", "promised", "offered"], "AGREE"),
    **dict.fromkeys(["met", "meeting", "talks", "visited", "visit", "hosted"], "CONSULT"),
    **dict.fromkeys(["praised", "welcomed", "supported", "backed", "signed"], "SUPPORT"),
    **dict.fromkeys(["cooperate", "cooperation", "joint"], "COOPERATE"),
    **dict.fromkeys(["aid", "assistance", "donated"], "AID"),
    **dict.fromkeys(["withdrew", "withdrawal", "released", "resigned"], "RETREAT"),
    **dict.fromkeys(["lifted", "eased", "conceded"], "CONCEDE"),
    **dict.fromkeys(["investigation", "investigating", "investigated", "probe"], "INVESTIGATE"),
    **dict.fromkeys(["demanded", "demand", "urged", "called"], "DEMAND"),
    **dict.fromkeys(["accused", "criticized", "condemned", "blamed"], "DISAPPROVE"),
    **dict.fromkeys(["rejected", "refused", "denied", "vetoed"], "REJECT"),
    **dict.fromkeys(["threatened", "threat", "warned"], "THREATEN"),
    **dict.fromkeys(["protest", "protested", "strike", "rally", "rioted"], "PROTEST"),
    **dict.fromkeys(["mobilized", "deployed", "alert"], "MOBILIZE"),
    **dict.fromkeys(["sanctions", "expelled", "suspended", "embargo"], "SANCTION"),
    **dict.fromkeys(["arrested", "detained", "banned", "curfew"], "COERCE"),
    **dict.fromkeys(["killed", "bombing", "kidnapped", "tortured"], "ASSAULT"),
    **dict.fromkeys(["fighting", "clashed", "shelled", "attack"], "FIGHT"),
}


def baseline(text: str) -> str | None:
    """The category of the first keyword of the sentence."""
    return next((BASELINE[w] for w in WORD.findall(text.casefold()) if w in BASELINE), None)


def split_of(record_id: str) -> str:
    return "dev" if int(record_id.rsplit("-", 1)[1]) % 2 else "test"


def gold_actors(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    texts = [a.get("actorText", "") for a in value if isinstance(a, dict)]
    return [t.strip() for t in texts if t and t.strip()]


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if w not in STOP}


def overlaps(gold: str, predicted: list[str]) -> bool:
    wanted = words(gold)
    return any(wanted & words(p) for p in predicted)


def contained(gold: str, predicted: list[str]) -> bool:
    norm = " ".join(gold.casefold().split())
    parts = [p.strip() for p in norm.split("...") if p.strip()]
    for pred in (" ".join(p.casefold().split()) for p in predicted):
        if pred and (all(part in pred for part in parts) or pred in norm):
            return True
    return False


def surfaces(names: tuple[str, ...], table: Any) -> list[str]:
    """Predicted strings, each entity name widened to its surfaces in the record."""
    found: list[str] = []
    for name in names:
        found.append(name)
        entity = table.entities.get(name)
        if entity is not None:
            found += list(entity.aliases)
            found += [m.text for m in table.mentions if m.canonical == name]
    return found


class Scorer:
    def __init__(self) -> None:
        self.n = 0
        self.correct = 0
        self.baseline_correct = 0
        self.no_prediction = 0
        self.per_category: dict[str, Counter] = {}
        self.confusion: Counter = Counter()
        self.mode = Counter()
        self.recall = {"source": Counter(), "target": Counter()}
        self.flags = Counter()

    def add(self, record: dict, event: Any, table: Any, guess: str | None) -> bool:
        gold = record["event"]
        predicted = event.category if event is not None else None
        ok = predicted == gold
        self.n += 1
        self.correct += ok
        self.baseline_correct += guess == gold
        self.no_prediction += predicted is None
        counts = self.per_category.setdefault(gold, Counter())
        counts.update(n=1, correct=int(ok), baseline=int(guess == gold))
        if not ok:
            self.confusion[(gold, predicted or "none")] += 1
        self._mode(record, event)
        self._recall(record, event, table)
        if event is not None:
            self.flags.update(negated=int(event.negated), future=int(event.hypothetical_or_future))
        return ok

    def _mode(self, record: dict, event: Any) -> None:
        mode = record.get("mode")
        if not isinstance(mode, str) or not mode.strip():
            return
        self.mode["n"] += 1
        hit = event is not None and (event.category, event.mode) == (record["event"], mode)
        self.mode["correct"] += hit

    def _recall(self, record: dict, event: Any, table: Any) -> None:
        for role in ("source", "target"):
            predicted = surfaces(getattr(event, role), table) if event is not None else []
            for actor in gold_actors(record.get(role)):
                counts = self.recall[role]
                counts["n"] += 1
                counts["overlap"] += overlaps(actor, predicted)
                counts["contained"] += contained(actor, predicted)

    def summary(self, top: int = 12) -> dict:
        return {
            "records": self.n,
            "category_accuracy": _ratio(self.correct, self.n),
            "baseline_accuracy": _ratio(self.baseline_correct, self.n),
            "no_prediction": self.no_prediction,
            "per_category": {
                cat: {
                    "n": c["n"],
                    "accuracy": _ratio(c["correct"], c["n"]),
                    "baseline": _ratio(c["baseline"], c["n"]),
                }
                for cat, c in sorted(self.per_category.items())
            },
            "confusion_top": [
                {"gold": g, "predicted": p, "count": k}
                for (g, p), k in self.confusion.most_common(top)
            ],
            "mode": {"n": self.mode["n"], "accuracy": _ratio(self.mode["correct"], self.mode["n"])},
            "source_recall": _recall_summary(self.recall["source"]),
            "target_recall": _recall_summary(self.recall["target"]),
            "main_event_negated": self.flags["negated"],
            "main_event_hypothetical_or_future": self.flags["future"],
        }


def _recall_summary(counts: Counter) -> dict:
    return {
        "gold_actors": counts["n"],
        "overlap": _ratio(counts["overlap"], counts["n"]),
        "contained": _ratio(counts["contained"], counts["n"]),
    }


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def main_event(doc: Any, table: Any, code_sentence: Any) -> Any:
    for sent in doc.sents:
        events = code_sentence(sent, table)
        if events:
            return events[0]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/eval/plover/plover_gsr.json"),
        help="PLOVER gold standard records (JSON list)",
    )
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the project's)")
    parser.add_argument("--errors", type=int, default=0, help="print N dev errors to stderr")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found", file=sys.stderr)
        return 0

    from conflictmap.config import DEFAULT_MODEL
    from conflictmap.extract.entities import find_entities
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.extract.pipeline import load_pipeline, parse
    from conflictmap.extract.plover import code_sentence

    records = [
        r
        for r in json.loads(args.data.read_text(encoding="utf-8"))
        if r.get("event") != "DOCUMENT" and (r.get("text") or "").strip()
    ]
    t0 = time.perf_counter()
    nlp = load_pipeline(args.model or DEFAULT_MODEL)
    gazetteer = Gazetteer.default()
    load_s = time.perf_counter() - t0
    scorers = {"dev": Scorer(), "test": Scorer(), "all": Scorer()}
    errors: list[str] = []
    t0 = time.perf_counter()
    for record, doc in zip(records, parse(nlp, [r["text"] for r in records]), strict=True):
        table = find_entities(doc, gazetteer)
        event = main_event(doc, table, code_sentence)
        guess = baseline(record["text"])
        split = split_of(record["id"])
        ok = scorers[split].add(record, event, table, guess)
        scorers["all"].add(record, event, table, guess)
        if not ok and split == "dev" and len(errors) < args.errors:
            errors.append(_error_line(record, event))
    run_s = time.perf_counter() - t0
    for line in errors:
        print(line, file=sys.stderr)
    summary = {
        "benchmark": "plover_gsr",
        "data": str(args.data),
        "model": args.model or DEFAULT_MODEL,
        "splits": "dev = odd id suffix (tuned on), test = even id suffix (reported only)",
        **{name: scorer.summary() for name, scorer in scorers.items()},
        "seconds": {"load": round(load_s, 2), "parse_and_code": round(run_s, 2)},
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def _error_line(record: dict, event: Any) -> str:
    if event is None:
        return f"{record['id']}: gold {record['event']}, predicted none"
    return (
        f"{record['id']}: gold {record['event']}/{record.get('mode') or '-'}, predicted "
        f"{event.category}/{event.mode or '-'} on {event.trigger!r} "
        f"src={list(event.source)} tgt={list(event.target)}"
    )


if __name__ == "__main__":
    sys.exit(main())
