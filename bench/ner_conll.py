"""Entity recognition on CoNLL-2003: raw spaCy against conflictmap's entity stage.

Usage (from the repository root)::

    python bench/ner_conll.py --data ../shared/eval/conll2003/test.txt --model en_core_web_md
    python bench/ner_conll.py --data ../shared/eval/conll2003/test.txt --model en_core_web_sm

By default each sentence is one document (``--unit sentence``), as the baseline in the issue
was measured; ``--unit document`` joins the sentences of each CoNLL document with newlines,
so that document-level evidence (one type per surface form, acronyms, surnames) can work.
Tokens are joined with single spaces, character offsets kept. The last line printed is a
JSON summary.
Scores are exact-span micro precision/recall/F1 over PER, ORG and LOC. Gold MISC spans are
ignored; predictions whose label maps to none of the three types are dropped.

- ``spacy``: ``doc.ents`` of ``load_pipeline(model)``; PERSON->PER, ORG->ORG,
  GPE/LOC/FAC->LOC.
- ``conflictmap``: ``find_entities(doc, Gazetteer.default())`` mentions over the product's
  parse (``pipeline.parse``: lines in capitals recased first), typed by their entity;
  PERSON->PER, ORGANIZATION/ARMED_GROUP/STATE_FORCE->ORG, LOCATION->LOC.

An absent data path is skipped with a message and exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

TYPES = ("PER", "ORG", "LOC")
SPACY_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
CM_MAP = {
    "PERSON": "PER",
    "ORGANIZATION": "ORG",
    "ARMED_GROUP": "ORG",
    "STATE_FORCE": "ORG",
    "LOCATION": "LOC",
}

Span = tuple[int, int, str]


def read_documents(path: Path) -> list[tuple[str, set[Span]]]:
    """CoNLL documents (between -DOCSTART- lines), sentences joined by newlines."""
    documents: list[tuple[str, set[Span]]] = []
    parts: list[str] = []
    spans: set[Span] = set()
    offset = 0
    for text, gold, starts_document in _sentences(path):
        if starts_document and parts:
            documents.append(("\n".join(parts), spans))
            parts, spans, offset = [], set(), 0
        parts.append(text)
        spans |= {(s + offset, e + offset, t) for s, e, t in gold}
        offset += len(text) + 1
    if parts:
        documents.append(("\n".join(parts), spans))
    return documents


def read_conll(path: Path) -> list[tuple[str, set[Span]]]:
    """Sentences as (text, gold spans of PER/ORG/LOC) from a 4-column IOB2 CoNLL file."""
    return [(text, gold) for text, gold, _ in _sentences(path)]


def _sentences(path: Path) -> list[tuple[str, set[Span], bool]]:
    """(text, gold spans, first sentence of a document?) for every sentence."""
    sentences: list[tuple[str, set[Span], bool]] = []
    new_document = [True]
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if not tokens:
            return
        parts: list[str] = []
        spans: set[Span] = set()
        offset = 0
        current: list | None = None  # [start, end, type]
        for word, tag in tokens:
            start, end = offset, offset + len(word)
            offset = end + 1
            parts.append(word)
            if tag.startswith("I-") and current is not None and current[2] == tag[2:]:
                current[1] = end
                continue
            if current is not None:
                spans.add(tuple(current))
                current = None
            if tag != "O":
                current = [start, end, tag[2:]]
        if current is not None:
            spans.add(tuple(current))
        sentences.append((" ".join(parts), {s for s in spans if s[2] in TYPES}, new_document[0]))
        new_document[0] = False
        tokens.clear()

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                flush()
                continue
            if line.startswith("-DOCSTART-"):
                flush()
                new_document[0] = True
                continue
            cols = line.split()
            tokens.append((cols[0], cols[-1]))
    flush()
    return sentences


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: list[set[Span]], pred: list[set[Span]]) -> dict[str, tuple[float, float, float]]:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        for s in p:
            (tp if s in g else fp)[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1
    out = {t: prf(tp[t], fp[t], fn[t]) for t in TYPES}
    out["micro"] = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/eval/conll2003/test.txt")
    parser.add_argument("--model", default="en_core_web_md")
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--unit", choices=["sentence", "document"], default="sentence")
    args = parser.parse_args(argv)

    path = Path(args.data)
    if not path.exists():
        print(f"skipped: {path} does not exist")
        return 0

    from conflictmap.extract.entities import find_entities
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.extract.pipeline import load_pipeline, parse

    sentences = read_conll(path) if args.unit == "sentence" else read_documents(path)
    if args.limit is not None:
        sentences = sentences[: args.limit]
    texts = [t for t, _ in sentences]
    gold = [g for _, g in sentences]

    nlp = load_pipeline(args.model)
    gazetteer = Gazetteer.default()
    spacy_pred: list[set[Span]] = []
    cm_pred: list[set[Span]] = []
    t0 = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=args.batch_size):
        spacy_pred.append(
            {
                (e.start_char, e.end_char, SPACY_MAP[e.label_])
                for e in doc.ents
                if e.label_ in SPACY_MAP
            }
        )
    # conflictmap parses as the product does: headlines in capitals recased first
    for doc in parse(nlp, texts, args.batch_size):
        table = find_entities(doc, gazetteer)
        spans: set[Span] = set()
        for m in table.mentions:
            label = CM_MAP.get(table.entities[m.canonical].type)
            if label is not None:
                spans.add((m.start, m.end, label))
        cm_pred.append(spans)
    elapsed = time.perf_counter() - t0

    n_gold = Counter(s[2] for g in gold for s in g)
    print(
        f"{args.model}: {len(sentences)} sentences, gold "
        + ", ".join(f"{t}={n_gold[t]}" for t in TYPES)
        + f", {elapsed:.1f}s",
        file=sys.stderr,
    )
    print("| model | unit | system | type | P | R | F1 |")
    print("|---|---|---|---|---:|---:|---:|")
    summary: dict = {
        "data": str(path),
        "model": args.model,
        "unit": args.unit,
        "items": len(sentences),
        "gold": dict(n_gold),
        "seconds": elapsed,
    }
    for system, pred in (("spaCy", spacy_pred), ("conflictmap", cm_pred)):
        scores = score(gold, pred)
        summary[system] = {
            t: dict(zip(("p", "r", "f1"), v, strict=True)) for t, v in scores.items()
        }
        for t, (p, r, f) in scores.items():
            name = f"**{t}**" if t == "micro" else t
            print(
                f"| {args.model} | {args.unit} | {system} | {name} | {p:.3f} | {r:.3f} | {f:.3f} |"
            )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
