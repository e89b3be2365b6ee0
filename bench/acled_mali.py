"""Places, actors and event types on ACLED's Mali 2012-2013 events, from the ``notes`` text.

Usage (from the repository root)::

    python bench/acled_mali.py --data ../shared/eval/acled/mali_2012_2013.csv [--out X.json]

Each row's ``notes`` is one document, dated by its ``event_date``, run through
``Extractor().extract_many``. Rows of 2012 are the development split, rows of 2013 the test
split (``../shared/eval/README.md``); both are scored separately. One JSON summary is printed
at the end (and written to ``--out`` when given).

1. Places, on rows with ``geo_precision`` 1. The extracted event place is the ``location`` of
   the first extracted event that has one, with coordinates from that entity's ``geo``; with
   no such event, the first LOCATION entity whose ``geo`` is a city (the fallback; ``strict``
   scores leave it out). A hit lies within 25 km of ACLED's coordinates. Scored on rows whose
   ``location`` name appears in the note (folded, whole words) and on all precision-1 rows.
2. Actors: ``actor1`` normalised (the part before ":" and the part after it, each without a
   trailing year range such as "(2012-2013)"), matched by folded equality against every
   extracted entity's canonical name and aliases; ACLED's generic state names ("Military
   Forces of X", "Mutiny of Police Forces of X", "Government of X") also match a
   STATE_FORCE entity named after country X. A compatible
   type is STATE_FORCE for ``inter1`` 1 and 8, ARMED_GROUP or ORGANIZATION for 2-4, any type
   otherwise. Generic, unnamed actors ("Unidentified ...", "Protesters (X)", "Civilians (X)",
   "Rioters (X)") are counted apart and scores are given with and without them.
3. Event types: the share of rows with some extracted event of ACLED's ``event_type``, and
   of its ``sub_event_type``.

Failure causes are categorised automatically and the most frequent are listed per split and
over both. An absent data path is skipped with a message and exit status 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

RADIUS_KM = 25.0
YEAR_RANGE = re.compile(r"\s*\(\d{4}\s*-\s*(?:\d{4})?\)\s*$")
STATE_FORCE_NAME = re.compile(r"\b(?:Forces|Government) of (?P<country>[^()]+?)$")
GENERIC_ACTOR = re.compile(
    r"^(?:Unidentified\b.*|(?:Protesters|Rioters|Civilians|Prisoners)(?: \([^)]*\))?)$"
)
SPLITS = {"2012": "dev_2012", "2013": "test_2013"}
ACTOR_TYPES = ("STATE_FORCE", "ARMED_GROUP", "ORGANIZATION", "PERSON")
COMPATIBLE = {
    "1": ("STATE_FORCE",),
    "8": ("STATE_FORCE",),
    "2": ("ARMED_GROUP", "ORGANIZATION"),
    "3": ("ARMED_GROUP", "ORGANIZATION"),
    "4": ("ARMED_GROUP", "ORGANIZATION"),
}


def normalise_actor(name: str) -> set[str]:
    """ACLED dictionary name -> plain names: before ":" and after it, no year range."""
    parts = name.split(":", 1)
    names = {YEAR_RANGE.sub("", part).strip() for part in parts}
    return {n for n in names if n}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


class Scorer:
    """Accumulates one split's counts and failure causes."""

    def __init__(self, gazetteer: Any, fold: Any) -> None:
        self.gaz = gazetteer
        self.fold = fold
        self.c: Counter[str] = Counter()
        self.causes: Counter[str] = Counter()

    # --- places -------------------------------------------------------------------------
    def _event_place(self, ext: Any) -> tuple[Any, bool, str | None]:
        """(GeoRef or None, fallback used, reason when None)."""
        by_name = {e.canonical: e for e in ext.entities}
        for event in ext.events:
            if event.location:
                entity = by_name.get(event.location)
                if entity is None or entity.geo is None:
                    return None, False, "event location has no coordinates"
                return entity.geo, False, None
        for entity in ext.entities:
            geo = entity.geo
            if entity.type == "LOCATION" and geo is not None and geo.feature == "city":
                return geo, True, None
        if not ext.events:
            return None, False, "no event and no city entity"
        return None, False, "no event location and no city entity"

    def event_place(self, ext: Any) -> Any:
        """The row's extracted place: the first event's place, else the first town."""
        return self._event_place(ext)[0]

    def places(self, row: dict[str, str], ext: Any) -> None:
        if row["geo_precision"].strip() != "1":
            return
        lat, lon = float(row["latitude"]), float(row["longitude"])
        loc = self.fold(row["location"])
        note = self.fold(row["notes"])
        named = _contains(note, loc)
        geo, fallback, reason = self._event_place(ext)
        hit = geo is not None and haversine_km(lat, lon, geo.latitude, geo.longitude) <= RADIUS_KM
        self.c["p1_rows"] += 1
        self.c["p1_hit"] += hit
        self.c["p1_hit_strict"] += hit and not fallback
        self.c["p1_fallback"] += fallback
        if not named:
            if not hit:
                self.causes["place: ACLED location name absent from note"] += 1
            return
        self.c["named_rows"] += 1
        self.c["named_hit"] += hit
        self.c["named_hit_strict"] += hit and not fallback
        self.c["named_fallback"] += fallback
        if hit:
            return
        self.causes[self._place_cause(loc, lat, lon, ext, geo, reason)] += 1

    def _place_cause(
        self, loc: str, lat: float, lon: float, ext: Any, geo: Any, reason: str | None
    ) -> str:
        matching = [
            e
            for e in ext.entities
            if loc in {self.fold(n) for n in (e.canonical, *e.aliases, *(m[2] for m in e.mentions))}
        ]
        near = [
            e
            for e in matching
            if e.geo is not None
            and haversine_km(lat, lon, e.geo.latitude, e.geo.longitude) <= RADIUS_KM
        ]
        if not self.gaz.candidates(loc):
            return "place: location name not in gazetteer"
        if not matching:
            partial = [e for e in ext.entities if loc in self.fold(e.canonical).split(" ")]
            if partial:
                return "place: location inside a longer entity span"
            return "place: location not extracted as an entity"
        if all(e.type != "LOCATION" for e in matching):
            return f"place: location typed {matching[0].type}"
        if near:
            if geo is None:
                return f"place: right place entity, but {reason}"
            if geo.feature != "city":
                return f"place: event attached to a {geo.feature}, not the town"
            return "place: event attached to another town"
        located = [e for e in matching if e.geo is not None]
        if not located:
            return "place: location entity left unresolved (no geo)"
        return "place: gazetteer resolved the name to another place (>25 km)"

    # --- actors -------------------------------------------------------------------------
    def found_types(self, actor: str, entities: Iterable[Any]) -> list[str]:
        """Types of the extracted entities that match an ACLED actor name (see docstring)."""
        names = normalise_actor(actor)
        folded = {self.fold(n) for n in names}
        country = self._state_country(names)
        found: list[str] = []
        for e in entities:
            keys = {self.fold(k) for k in (e.canonical, *e.aliases)}
            if keys & folded or (
                country is not None
                and e.type == "STATE_FORCE"
                and self.fold(e.canonical).startswith(self.fold(country.name) + " ")
            ):
                found.append(e.type)
        return found

    def _state_country(self, names: set[str]) -> Any:
        for n in names:
            m = STATE_FORCE_NAME.search(n)
            if m:
                return self.gaz.country(m.group("country"))
        return None

    def actors(self, row: dict[str, str], ext: Any) -> None:
        actor = row["actor1"].strip()
        inter = row["inter1"].strip()
        names = normalise_actor(actor)
        folded = {self.fold(n) for n in names}
        generic = any(GENERIC_ACTOR.match(n) for n in names)
        country = self._state_country(names)
        found_types = self.found_types(actor, ext.entities)
        wanted = COMPATIBLE.get(inter)
        compatible = any(wanted is None or t in wanted for t in found_types)
        any_type = bool(found_types)
        self.c["actor_rows"] += 1
        self.c["actor_compatible"] += compatible
        self.c["actor_any"] += any_type
        if generic:
            self.c["actor_generic_rows"] += 1
            return
        self.c["actor_named_rows"] += 1
        self.c["actor_named_compatible"] += compatible
        self.c["actor_named_any"] += any_type
        if compatible:
            return
        if found_types:
            self.causes[f"actor: inter{inter} actor typed {found_types[0]}"] += 1
            return
        note = self.fold(row["notes"])
        if country is not None:
            forces = [e for e in ext.entities if e.type == "STATE_FORCE"]
            if forces:
                self.causes["actor: STATE_FORCE extracted for another country"] += 1
            else:
                self.causes["actor: no STATE_FORCE entity for a state actor"] += 1
            return
        if not any(_contains(note, n) for n in folded):
            self.causes[f"actor: inter{inter} actor1 name absent from note"] += 1
            return
        partial = [
            e
            for e in ext.entities
            if any(
                _contains(self.fold(e.canonical), n) or _contains(n, self.fold(e.canonical))
                for n in folded
            )
        ]
        if partial:
            self.causes["actor: name in note, entity span/canonical differs"] += 1
        else:
            self.causes["actor: name in note, not extracted as an entity"] += 1

    # --- event types --------------------------------------------------------------------
    def events(self, row: dict[str, str], ext: Any) -> None:
        etype, sub = row["event_type"].strip(), row["sub_event_type"].strip()
        types = [e.event_type for e in ext.events]
        self.c["event_rows"] += 1
        self.c["event_type_hit"] += etype in types
        self.c["sub_event_type_hit"] += sub in {e.sub_event_type for e in ext.events}
        self.c["event_none"] += not types
        if etype in types:
            return
        if not types:
            self.causes[f"event: no event extracted ({etype})"] += 1
        else:
            self.causes[f"event: {etype} extracted as {Counter(types).most_common(1)[0][0]}"] += 1

    def summary(self, top: int) -> dict[str, Any]:
        c = self.c
        return {
            "rows": c["event_rows"],
            "places": {
                "precision1_rows": c["p1_rows"],
                "named_rows": c["named_rows"],
                "named_within_25km": _share(c["named_hit"], c["named_rows"]),
                "named_within_25km_strict": _share(c["named_hit_strict"], c["named_rows"]),
                "named_fallback_used": c["named_fallback"],
                "all_p1_within_25km": _share(c["p1_hit"], c["p1_rows"]),
                "all_p1_within_25km_strict": _share(c["p1_hit_strict"], c["p1_rows"]),
                "all_p1_fallback_used": c["p1_fallback"],
            },
            "actors": {
                "rows": c["actor_rows"],
                "generic_actor1_rows": c["actor_generic_rows"],
                "found_compatible_type": _share(c["actor_compatible"], c["actor_rows"]),
                "found_any_type": _share(c["actor_any"], c["actor_rows"]),
                "named_rows": c["actor_named_rows"],
                "named_found_compatible_type": _share(
                    c["actor_named_compatible"], c["actor_named_rows"]
                ),
                "named_found_any_type": _share(c["actor_named_any"], c["actor_named_rows"]),
            },
            "events": {
                "event_type_agreement": _share(c["event_type_hit"], c["event_rows"]),
                "sub_event_type_agreement": _share(c["sub_event_type_hit"], c["event_rows"]),
                "rows_without_event": c["event_none"],
            },
            "failures": self.causes.most_common(top),
        }


# --- issue 4: event coding against ACLED's coders, with a keyword baseline ------------------

BASELINE_KEYWORDS = (  # first keyword found in the note decides (a few lines, on purpose)
    ("suicide", "Explosions/Remote violence", "Suicide bomb"),
    ("airstrike", "Explosions/Remote violence", "Air/drone strike"),
    ("air strike", "Explosions/Remote violence", "Air/drone strike"),
    ("bomb", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("ied", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("mine", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("shell", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("clash", "Battles", "Armed clash"),
    ("fight", "Battles", "Armed clash"),
    ("attack", "Battles", "Armed clash"),
    ("kidnap", "Violence against civilians", "Abduction/forced disappearance"),
    ("abduct", "Violence against civilians", "Abduction/forced disappearance"),
    ("kill", "Violence against civilians", "Attack"),
    ("riot", "Riots", "Violent demonstration"),
    ("protest", "Protests", "Peaceful protest"),
    ("demonstrat", "Protests", "Peaceful protest"),
    ("arrest", "Strategic developments", "Arrests"),
    ("took control", "Battles", "Non-state actor overtakes territory"),
    ("retook", "Battles", "Government regains territory"),
)
BASELINE_FATALITIES = re.compile(r"\b(\d+)\b(?:\s+\w+){0,3}?\s+(?:were\s+)?(?:killed|dead)")


def baseline_coding(note: str) -> tuple[str, str, int]:
    """(event type, sub-event type, fatalities) from keywords: the in-run baseline."""
    low = note.lower()
    hits = [(low.find(k), t, sub) for k, t, sub in BASELINE_KEYWORDS if k in low]
    event_type, sub = ("Strategic developments", "Other")
    if hits:
        _, event_type, sub = min(hits)
    m = BASELINE_FATALITIES.search(low)
    return event_type, sub, int(m.group(1)) if m else 0


class _Named:
    """A bare model span posing as an entity for the baseline's actor matching."""

    def __init__(self, text: str, label: str) -> None:
        self.canonical, self.aliases = text, ()
        self.type = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"}.get(
            label, "ORGANIZATION"
        )


class Coding:
    """Issue 4's row-level measures for one system: the row's event is the first extracted
    event (no event: wrong type, fatalities 0), place within 25 km of a precision-1 row.
    An actor is recalled when it is an extracted entity (as in ``Scorer.found_types``) or,
    for ACLED's unnamed actors ("Protesters (Mali)", "Civilians (Mali)", "Unidentified
    Armed Group (Mali)"), when the row's event codes that side with the same inter code."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        self.c: Counter[str] = Counter()
        self.sub_pairs: list[tuple[str, str]] = []

    def add(
        self,
        row: dict[str, str],
        coded: tuple[str | None, str | None, int],
        entities: list[Any],
        place: Any,
        inters: tuple[int | None, int | None] = (None, None),
    ) -> None:
        event_type, sub, fatalities = coded
        gold_sub = row["sub_event_type"].strip()
        self.c["rows"] += 1
        self.c["type_right"] += event_type == row["event_type"].strip()
        self.c["sub_right"] += sub == gold_sub
        self.sub_pairs.append((gold_sub, sub or "(none)"))
        self.c["fatalities_right"] += fatalities == int(row["fatalities"] or 0)
        for side, role in enumerate(("actor1", "actor2")):
            name = row[role].strip()
            if name:
                self.c[f"{role}_rows"] += 1
                found = bool(self.scorer.found_types(name, entities))
                # an unnamed ACLED actor ("Protesters (Mali)", "Unidentified Armed Group")
                # is found when the row's event codes that side with the same inter code
                generic = any(GENERIC_ACTOR.match(n) for n in normalise_actor(name))
                inter = row[f"inter{side + 1}"].strip()
                coded_inter = inters[side]
                if generic and coded_inter is not None and inter == str(coded_inter):
                    found = True
                self.c[f"{role}_found"] += found
        if row["geo_precision"].strip() == "1":
            self.c["p1_rows"] += 1
            lat, lon = float(row["latitude"]), float(row["longitude"])
            self.c["p1_hit"] += place is not None and (
                haversine_km(lat, lon, place.latitude, place.longitude) <= RADIUS_KM
            )

    def summary(self) -> dict[str, Any]:
        c = self.c
        return {
            "rows": c["rows"],
            "event_type_accuracy": _share(c["type_right"], c["rows"]),
            "sub_event_type_accuracy": _share(c["sub_right"], c["rows"]),
            "sub_event_type_weighted_f1": weighted_f1(self.sub_pairs),
            "actor1_recall": _share(c["actor1_found"], c["actor1_rows"]),
            "actor2_recall": _share(c["actor2_found"], c["actor2_rows"]),
            "actor2_rows": c["actor2_rows"],
            "fatalities_exact": _share(c["fatalities_right"], c["rows"]),
            "place_within_25km_p1_rows": _share(c["p1_hit"], c["p1_rows"]),
        }


def weighted_f1(pairs: list[tuple[str, str]]) -> float | None:
    """F1 per gold class, weighted by its support (scikit-learn's ``average='weighted'``)."""
    if not pairs:
        return None
    gold = Counter(g for g, _ in pairs)
    predicted = Counter(p for _, p in pairs)
    right = Counter(g for g, p in pairs if g == p)
    total = 0.0
    for label, support in gold.items():
        precision = right[label] / predicted[label] if predicted[label] else 0.0
        recall = right[label] / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        total += f1 * support
    return round(total / len(pairs), 4)


def product_inters(ext: Any) -> tuple[int | None, int | None]:
    return (ext.events[0].inter1, ext.events[0].inter2) if ext.events else (None, None)


def product_coding(ext: Any) -> tuple[str | None, str | None, int]:
    if not ext.events:
        return None, None, 0
    main = ext.events[0]
    fatalities = main.fatalities
    if fatalities is None:
        fatalities = max((e.fatalities or 0 for e in ext.events), default=0)
    return main.event_type, main.sub_event_type, fatalities


def baseline_place(doc: Any, gazetteer: Any) -> Any:
    """The most populous gazetteer entry for the bare model's first GPE/LOC span."""
    for ent in doc.ents:
        if ent.label_ in ("GPE", "LOC"):
            candidates = gazetteer.candidates(ent.text)
            if candidates:
                return candidates[0]
    return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/eval/acled/mali_2012_2013.csv"),
        help="ACLED CSV with a notes column",
    )
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the project's)")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("--top", type=int, default=15, help="failure causes to list")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found", file=sys.stderr)
        return 0

    from conflictmap.extract.gazetteer import fold
    from conflictmap.extract.pipeline import Extractor

    with args.data.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("notes") or "").strip()]
    t0 = time.perf_counter()
    extractor = Extractor(args.model) if args.model else Extractor()
    load_s = time.perf_counter() - t0
    items = [
        (r.get("event_id_cnty") or str(i), r["notes"], _date(r["event_date"]))
        for i, r in enumerate(rows)
    ]
    t0 = time.perf_counter()
    extractions = list(extractor.extract_many(items))
    extract_s = time.perf_counter() - t0

    scorers = {name: Scorer(extractor.gazetteer, fold) for name in SPLITS.values()}
    total = Scorer(extractor.gazetteer, fold)
    coding = {name: (Coding(s), Coding(s)) for name, s in scorers.items()}
    bare_docs = extractor.nlp.pipe([r["notes"] for r in rows], batch_size=32)
    for row, ext, bare in zip(rows, extractions, bare_docs, strict=True):
        split = SPLITS.get(row["event_date"].strip()[:4])
        for scorer in (scorers.get(split), total) if split else (total,):
            if scorer is None:
                continue
            scorer.places(row, ext)
            scorer.actors(row, ext)
            scorer.events(row, ext)
        if split in coding:
            product, baseline = coding[split]
            product.add(
                row,
                product_coding(ext),
                ext.entities,
                scorers[split].event_place(ext),
                product_inters(ext),
            )
            named = [_Named(e.text, e.label_) for e in bare.ents]
            place = baseline_place(bare, extractor.gazetteer)
            baseline.add(row, baseline_coding(row["notes"]), named, place)

    result = {
        "data": str(args.data),
        "model": extractor.model_name,
        "documents": len(rows),
        "load_s": round(load_s, 2),
        "extract_s": round(extract_s, 2),
        "radius_km": RADIUS_KM,
        "coding": {
            name: {"conflictmap": product.summary(), "keyword_baseline": baseline.summary()}
            for name, (product, baseline) in coding.items()
        },
        "splits": {name: s.summary(args.top) for name, s in scorers.items()},
        "failures_all": total.causes.most_common(args.top),
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
