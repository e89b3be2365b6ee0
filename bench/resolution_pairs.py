"""Pairwise actor resolution: conflictmap.resolve against exact folded-name matching.

Usage (from the repository root)::

    python bench/resolution_pairs.py --pairs bench/data/alias_pairs.jsonl
    python bench/resolution_pairs.py --pairs bench/data/alias_pairs.jsonl --out pairs.json --errors

Each line of the pairs file is ``{"a": {...}, "b": {...}, "same": bool, "why": str}`` where an
entity is ``{"name", "type", "aliases", "country"}``. Two systems score every pair in the
same run:

* ``baseline``: what the store does today, same if any folded name/alias of one equals a
  folded name/alias of the other and the types are compatible;
* ``resolve``: :func:`conflictmap.resolve.same_actor` at ``SAME_ACTOR_THRESHOLD``, plus a
  precision/recall table over thresholds.

Precision, recall and F1 are over pairs labelled ``same``. One JSON summary is printed (and
written to ``--out``); ``--errors`` also lists the misclassified pairs on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from conflictmap.extract.gazetteer import fold
from conflictmap.resolve import SAME_ACTOR_THRESHOLD, Candidate, same_actor, types_compatible


def _candidate(d: dict) -> Candidate:
    return Candidate(
        name=d["name"],
        type=d["type"],
        aliases=tuple(d.get("aliases") or ()),
        country=d.get("country"),
        context=frozenset(d.get("context") or ()),
    )


def baseline(a: Candidate, b: Candidate) -> bool:
    """Exact folded name/alias match with compatible types (the store's current rule)."""
    if not types_compatible(a.type, b.type):
        return False
    fa = {fold(n) for n in (a.name, *a.aliases)}
    fb = {fold(n) for n in (b.name, *b.aliases)}
    return bool(fa & fb)


def _prf(pred: list[bool], gold: list[bool]) -> dict:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=Path("bench/data/alias_pairs.jsonl"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--errors", action="store_true", help="list misclassified pairs")
    args = parser.parse_args(argv)
    if not args.pairs.exists():
        print(f"pairs file not found: {args.pairs}", file=sys.stderr)
        return 0
    rows = [json.loads(line) for line in args.pairs.read_text("utf-8").splitlines() if line]
    pairs = [(_candidate(r["a"]), _candidate(r["b"])) for r in rows]
    gold = [bool(r["same"]) for r in rows]

    t0 = time.perf_counter()
    scores = [same_actor(a, b) for a, b in pairs]
    elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a, b in pairs:
        same_actor(a, b)
    warm = time.perf_counter() - t0
    base = [baseline(a, b) for a, b in pairs]
    pred = [s >= SAME_ACTOR_THRESHOLD for s in scores]

    table = []
    for t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        table.append({"threshold": t, **_prf([s >= t for s in scores], gold)})

    misses: Counter[str] = Counter()
    false_merges: Counter[str] = Counter()
    errors = []
    for r, s, p, g in zip(rows, scores, pred, gold, strict=True):
        if p != g:
            (false_merges if p else misses)[r.get("why", "?")] += 1
            errors.append((round(s, 3), g, r["a"]["name"], r["b"]["name"], r.get("why")))

    summary = {
        "pairs": len(rows),
        "positives": sum(gold),
        "negatives": len(gold) - sum(gold),
        "threshold": SAME_ACTOR_THRESHOLD,
        "resolve": _prf(pred, gold),
        "baseline_exact_fold": _prf(base, gold),
        "pr_table": table,
        "misses_by_why": dict(misses.most_common()),
        "false_merges_by_why": dict(false_merges.most_common()),
        "us_per_pair_cold": round(elapsed / max(len(pairs), 1) * 1e6, 1),
        "us_per_pair_warm_cache": round(warm / max(len(pairs), 1) * 1e6, 1),
    }
    if args.errors:
        for e in sorted(errors):
            print("score={:.3f} gold={}  {!r} ~ {!r}  ({})".format(*e), file=sys.stderr)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
