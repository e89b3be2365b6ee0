"""Relation extraction on our own labelled reports: precision/recall per predicate.

Usage (from the repository root)::

    python bench/relations_eval.py
    python bench/relations_eval.py --data bench/data/relations.jsonl --errors --out rel.json

Each line of the data file is one short report we wrote ourselves (wire-news style, many
conflicts and name styles)::

    {"id", "text", "document_date": "YYYY-MM-DD",
     "relations": [{"subject", "predicate", "object", "valid_from", "valid_to", "case"}],
     "negatives": [{"subject", "predicate", "object", "why"}],      # optional
     "same_as": [["Houthis", "Ansar Allah"], ...]}                   # optional

Subjects and objects are the longest surface name of the entity in the text (a demonym's
country where only "Nigerian ..." names it); ``same_as`` lists names that the text itself
declares to denote one entity ("X, known as Y"). ``case`` says how the relation is expressed
(active, passive, nominal, appositive, relative_clause, cross_sentence, coordination,
copular, implicit, reported). ``valid_from`` is the first day of the interval the start
phrase denotes and ``valid_to`` the last day of the end phrase (conflictmap's timex
conventions: "late March" starts on the 21st, "mid-2019" in May, "last week" on Monday);
null where the text gives no bound.

Every report goes through ``Extractor().extract(text, doc_id=id, document_date=date)``.
A predicted relation is mapped back to the labels through its entities: a label matches an
entity when the label (or a name ``same_as`` ties to it) folds equal
(:func:`conflictmap.extract.gazetteer.fold`; a leading "the", a possessive "'s" and a
trailing generic place noun such as "province" or "forest" dropped) to the entity's
canonical name, an alias or the text of one of its mentions. Per report, relations are
compared as sets of (subject, predicate, object); ``fights`` and ``family_of``
are symmetric (either direction matches). A relation the product flags as negated
(``evidence.negated``: "does not support", "denied that X controls") is kept in its output
for contradiction analysis but asserts nothing, so it is not scored as a prediction. Scores:

* per predicate and micro precision/recall/F1: a prediction matching a label is a true
  positive (several predictions of one label count once); every other prediction is a false
  positive, whether it hits a labelled negative or nothing labelled; the false positives are
  broken down (negative hit, wrong direction, wrong predicate for a labelled pair, an entity
  no label names, other), the misses by cause (a labelled entity that no extracted entity
  matches, or both entities found and the relation missed: ``recall_where_both_entities_found``
  isolates the relation stage);
* recall per ``case``;
* negatives violated: labelled negatives (negation, denial, hypothetical or future, pairs
  merely mentioned together) that were predicted;
* time bounds, over matched relations with at least one labelled bound: ``valid_from`` right
  when the predicted ``valid_from.start`` equals the label (null = null), ``valid_to`` right
  when ``valid_to.end`` equals it, and both; of several predictions of one label the best
  is taken. ``spurious_bounds`` counts matched relations with no labelled bound that got one.

``baseline_keyword`` is scored the same way in the same run: for every sentence (split on
end punctuation), every ordered pair of conflictmap's entities mentioned in it, in text
order, gets each predicate whose trigger word appears in the sentence (``TRIGGERS``);
``located_in`` needs the word "in" and a LOCATION object.

One JSON summary is printed last (and written to ``--out``); ``--errors`` adds the violated
negatives to it and lists misses, false positives and wrong bounds on stderr. A missing data
file is skipped with a message and exit status 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from conflictmap.extract.gazetteer import fold
from conflictmap.model import PREDICATES

SYMMETRIC = frozenset({"fights", "family_of"})
GOAL = {"precision": 0.90, "recall": 0.75, "time_bounds_both_right": 0.85}
TRIGGERS = {
    "leader_of": r"leader|leads?\b|led\b|heads?\b|headed|chief|commander|emir",
    "deputy_of": r"deputy|second-in-command",
    "member_of": r"member",
    "splinter_of": r"split|splinter|broke away|break-away",
    "affiliated_with": r"allegiance|affiliate|aegis|branch|loyal",
    "supports": r"support|back",
    "fights": r"clash|fight|fought|attack",
    "controls": r"control|hold|held|occup|seiz|captur|took|retook",
    "located_in": r"in\b",
    "family_of": r"son\b|sons\b|brother|wife|father|cousin|sister|nephew|widow",
}
TRIGGER_RES = {p: re.compile(rf"\b(?:{t})", re.IGNORECASE) for p, t in TRIGGERS.items()}
PLACE_WORDS = frozenset(
    {"province", "region", "district", "state", "territory", "forest", "valley", "governorate"}
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def key(name: str) -> str:
    """Matching key of a name: folded, without a leading article, a possessive or a trailing
    generic place noun ("Kunar province" = "Kunar", "the Wago forest" = "Wago")."""
    name = re.sub(r"['’]s$", "", name.strip())
    folded = fold(name)
    folded = folded[4:] if folded.startswith("the ") else folded
    head, _, last = folded.rpartition(" ")
    return head if head and last in PLACE_WORDS else folded


@dataclass(frozen=True)
class Predicted:
    subject: str  # canonical names, as extracted
    predicate: str
    object: str
    valid_from: str | None = None
    valid_to: str | None = None
    sentence: str = ""


class Labels:
    """The labelled names of one report, grouped into entities by ``same_as``."""

    def __init__(self, row: dict) -> None:
        self.cluster: dict[str, str] = {}  # key -> representative label name
        for group in row.get("same_as") or []:
            for name in group:
                self.cluster[key(name)] = group[0]
        for rel in row["relations"] + (row.get("negatives") or []):
            for name in (rel["subject"], rel["object"]):
                self.cluster.setdefault(key(name), name)

    def of(self, name: str) -> str:
        return self.cluster.get(key(name), name)

    def matching(self, names: Iterable[str]) -> set[str]:
        """Label entities that any of ``names`` (an extracted entity's forms) denotes."""
        return {self.cluster[k] for k in map(key, names) if k in self.cluster}


def triple(s: str, p: str, o: str) -> tuple[str, str, str]:
    if p in SYMMETRIC and o < s:
        s, o = o, s
    return (s, p, o)


def extraction_relations(extraction) -> list[Predicted]:
    return [
        Predicted(
            r.subject,
            r.predicate,
            r.object,
            r.valid_from.start.isoformat() if r.valid_from else None,
            r.valid_to.end.isoformat() if r.valid_to else None,
            r.evidence.sentence,
        )
        for r in extraction.relations
        if not r.evidence.negated  # "Turkey does not support X": kept, flagged, not asserted
    ]


def baseline_relations(extraction) -> list[Predicted]:
    """Keyword co-occurrence: entity pairs of a sentence x trigger words in it."""
    text, out, start = extraction.text, [], 0
    types = {e.canonical: e.type for e in extraction.entities}
    mentions = sorted((s, e.canonical) for e in extraction.entities for s, _, _ in e.mentions)
    for sentence in SENTENCE_END.split(text):
        begin = text.index(sentence, start)
        start = begin + len(sentence)
        names = list(dict.fromkeys(c for s, c in mentions if begin <= s < start))
        predicates = [p for p, rx in TRIGGER_RES.items() if rx.search(sentence)]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                for p in predicates:
                    if p != "located_in" or types[b] == "LOCATION":
                        out.append(Predicted(a, p, b, sentence=sentence))
    return out


@dataclass
class Tally:
    tp: Counter
    fp: Counter
    fn: Counter
    case_total: Counter
    case_found: Counter
    fp_kinds: Counter
    fn_causes: Counter
    violated: list
    errors: list
    bounds: Counter
    bound_errors: list


def new_tally() -> Tally:
    return Tally(*(Counter() for _ in range(7)), [], [], Counter(), [])


def score_item(row: dict, extraction, predicted: list[Predicted], tally: Tally) -> None:
    labels = Labels(row)
    forms: dict[str, set[str]] = {}
    found: dict[str, list[str]] = defaultdict(list)  # label entity -> "canonical/TYPE"
    for e in extraction.entities:
        names = [e.canonical, *e.aliases, *(t for _, _, t in e.mentions)]
        forms[e.canonical] = labels.matching(names)
        for label in forms[e.canonical]:
            found[label].append(f"{e.canonical}/{e.type}")
    gold = {}
    for rel in row["relations"]:
        t = triple(labels.of(rel["subject"]), rel["predicate"], labels.of(rel["object"]))
        gold.setdefault(t, rel)
    negatives = {
        triple(labels.of(n["subject"]), n["predicate"], labels.of(n["object"])): n
        for n in row.get("negatives") or []
    }
    pairs = defaultdict(set)
    for s, p, o in gold:
        pairs[(s, o)].add(p)
        pairs[(o, s)].add(p)

    matched: dict[tuple, list[Predicted]] = defaultdict(list)
    wrong: dict[tuple, tuple[str, Predicted]] = {}
    for pred in predicted:
        subjects = forms.get(pred.subject, set())
        objects = forms.get(pred.object, set())
        candidates = {triple(s, pred.predicate, o) for s in subjects for o in objects}
        hits = candidates & gold.keys()
        if hits:
            for hit in hits:
                matched[hit].append(pred)
            continue
        ident = triple(pred.subject, pred.predicate, pred.object)
        if ident in wrong:
            continue
        violated = candidates & negatives.keys()
        if violated:
            kind = "negative"
        elif not subjects or not objects:
            kind = "entity_not_labelled"
        elif any((o, pred.predicate, s) in gold for s in subjects for o in objects):
            kind = "wrong_direction"
        elif any(pairs.get((s, o)) for s in subjects for o in objects):
            kind = "wrong_predicate"
        else:
            kind = "unlabelled_pair"
        wrong[ident] = (kind, pred)
        if violated:
            n = negatives[sorted(violated)[0]]
            tally.violated.append(
                {"id": row["id"], "relation": [n["subject"], n["predicate"], n["object"]],
                 "why": n.get("why"), "sentence": pred.sentence}
            )  # fmt: skip

    for kind, pred in wrong.values():
        tally.fp[pred.predicate] += 1
        tally.fp_kinds[kind] += 1
        tally.errors.append(("FP", kind, row["id"], pred.subject, pred.predicate, pred.object))
    for t, rel in gold.items():
        case = rel.get("case", "?")
        tally.case_total[case] += 1
        if t not in matched:
            tally.fn[rel["predicate"]] += 1
            cause = "relation_missed" if found[t[0]] and found[t[2]] else "entity_missing"
            tally.fn_causes[cause] += 1
            seen = f"[{' '.join(found[t[0]]) or '-'} | {' '.join(found[t[2]]) or '-'}]"
            tally.errors.append(("FN", case, row["id"], *t, cause, seen))
            continue
        tally.tp[rel["predicate"]] += 1
        tally.case_found[case] += 1
        _score_bounds(row["id"], t, rel, matched[t], tally)


def _score_bounds(doc_id: str, t: tuple, rel: dict, preds: list[Predicted], tally: Tally) -> None:
    want_from, want_to = rel.get("valid_from"), rel.get("valid_to")
    if want_from is None and want_to is None:
        bounded = [p for p in preds if p.valid_from or p.valid_to]
        if bounded:
            tally.bounds["spurious_bounds"] += 1
            got = f"got {bounded[0].valid_from}..{bounded[0].valid_to}"
            tally.bound_errors.append((doc_id, *t, "want no bounds", got))
        return
    best = max(preds, key=lambda p: (p.valid_from == want_from) + (p.valid_to == want_to))
    ok_from, ok_to = best.valid_from == want_from, best.valid_to == want_to
    tally.bounds["labelled"] += 1
    tally.bounds["valid_from_right"] += ok_from
    tally.bounds["valid_to_right"] += ok_to
    tally.bounds["both_right"] += ok_from and ok_to
    if not (ok_from and ok_to):
        tally.bound_errors.append(
            (doc_id, *t, f"want {want_from}..{want_to}", f"got {best.valid_from}..{best.valid_to}")
        )


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def summarise(tally: Tally, with_bounds: bool, with_errors: bool) -> dict:
    micro = _prf(sum(tally.tp.values()), sum(tally.fp.values()), sum(tally.fn.values()))
    out: dict = {
        "micro": micro,
        "per_predicate": {p: _prf(tally.tp[p], tally.fp[p], tally.fn[p]) for p in PREDICATES},
        "recall_per_case": {
            c: {"recall": round(tally.case_found[c] / n, 4), "found": tally.case_found[c], "of": n}
            for c, n in tally.case_total.most_common()
        },
        "false_positives_by_kind": dict(tally.fp_kinds.most_common()),
        "false_negatives_by_cause": dict(tally.fn_causes.most_common()),
        "recall_where_both_entities_found": round(
            micro["tp"] / (micro["tp"] + tally.fn_causes["relation_missed"]), 4
        )
        if micro["tp"] + tally.fn_causes["relation_missed"]
        else None,
        "negatives_violated": len(tally.violated),
    }
    if with_bounds:
        n = tally.bounds["labelled"]
        out["time_bounds"] = {
            "matched_with_labelled_bounds": n,
            **{
                k: round(tally.bounds[k] / n, 4) if n else None
                for k in ("valid_from_right", "valid_to_right", "both_right")
            },
            "spurious_bounds": tally.bounds["spurious_bounds"],
        }
        out["meets_goal"] = (
            micro["precision"] >= GOAL["precision"]
            and micro["recall"] >= GOAL["recall"]
            and (out["time_bounds"]["both_right"] or 0) >= GOAL["time_bounds_both_right"]
        )
    if with_errors:
        out["negatives_violated_list"] = tally.violated
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("bench/data/relations.jsonl"))
    parser.add_argument("--model", help="spaCy pipeline (default: conflictmap's)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--errors", action="store_true", help="list errors on stderr")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: data file {args.data} not found", file=sys.stderr)
        return 0
    rows = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line]

    from conflictmap.config import DEFAULT_MODEL
    from conflictmap.errors import ModelNotFoundError
    from conflictmap.extract.pipeline import Extractor

    start = time.perf_counter()
    try:
        extractor = Extractor(args.model or DEFAULT_MODEL)
    except ModelNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - start

    product, baseline = new_tally(), new_tally()
    start = time.perf_counter()
    for row in rows:
        extraction = extractor.extract(
            row["text"], doc_id=row["id"], document_date=date.fromisoformat(row["document_date"])
        )
        score_item(row, extraction, extraction_relations(extraction), product)
        score_item(row, extraction, baseline_relations(extraction), baseline)
    extract_s = time.perf_counter() - start

    summary = {
        "data": str(args.data),
        "items": len(rows),
        "relations_labelled": sum(product.case_total.values()),
        "negatives_labelled": sum(len(r.get("negatives") or []) for r in rows),
        "labelled_per_predicate": dict(
            Counter(r["predicate"] for row in rows for r in row["relations"]).most_common()
        ),
        "goal": GOAL,
        "conflictmap": summarise(product, True, args.errors),
        "baseline_keyword": summarise(baseline, False, args.errors),
        "model_load_s": round(load_s, 2),
        "extract_s": round(extract_s, 2),
    }
    if args.errors:
        for error in sorted(product.errors):
            print("  ".join(map(str, error)), file=sys.stderr)
        for error in product.bound_errors:
            print("BOUNDS  " + "  ".join(map(str, error)), file=sys.stderr)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
