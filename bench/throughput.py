"""Throughput of conflictmap against bare spaCy, on the same texts, in one run.

Usage (from the repository root)::

    python bench/throughput.py --corpus ../shared/eval/geoparsing/GWN.xml
    python bench/throughput.py --corpus ../shared/eval/acled/mali_2012_2013.csv --out acled.json
    python bench/throughput.py --corpus examples --profile

Two steps are timed on the same, de-duplicated documents, already read into memory:

1. ``bare``: ``nlp.pipe(texts, batch_size=16)`` with the pipeline conflictmap loaded, every
   ``Doc`` consumed;
2. ``conflictmap``: ``ingest_documents(documents, store, extractor)`` into a fresh temporary
   SQLite file (exact-duplicate check, MinHash near-duplicate check, document dates, spaCy
   parse, entities/gazetteer, attribution, relations, events, one transaction per document).
   Opening the store (Alembic migrations) is timed separately.

Both run once on a few texts first (warm-up), then ``--repeat`` times in alternating order;
the medians are reported. Model, gazetteer and corpus load times are reported apart from the
throughput. Corpora are read by path and never copied: a CSV with a text column (one
document per row, ``event_date`` as the date when present), an XML file of
``<article><text>`` elements (GeoWebNews), or any file/folder ``iter_documents`` reads.
An absent corpus path is skipped with a message and exit status 0.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import importlib
import inspect
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

BATCH_SIZE = 16  # the batch size conflictmap.ingest.run uses for nlp.pipe
WARMUP_DOCS = 8
ID_COLUMNS = ("data_id", "event_id_cnty", "id")
GOAL = 0.7


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    path: Path
    kind: str
    documents: list[Any]  # conflictmap.model.Document
    read_s: float
    read_errors: list[str] = field(default_factory=list)
    empty: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    renamed_ids: int = 0
    limited_from: int | None = None

    @property
    def words(self) -> int:
        return sum(len(d.text.split()) for d in self.documents)


def read_corpus(path: Path, text_column: str | None, id_column: str | None) -> Corpus:
    """Documents from a CSV, a GeoWebNews-style XML file, or anything iter_documents reads."""
    start = time.perf_counter()
    suffix = path.suffix.lower()
    if path.is_file() and suffix in (".csv", ".tsv"):
        documents, empty = _csv_documents(path, text_column or "notes", id_column)
        corpus = Corpus(path, "csv", documents, 0.0, empty=empty)
    elif path.is_file() and suffix == ".xml" and (articles := _xml_articles(path)) is not None:
        documents, empty = articles
        corpus = Corpus(path, "xml-articles", documents, 0.0, empty=empty)
    else:
        from conflictmap.ingest.readers import ReadError, iter_documents

        documents, errors = [], []
        for item in iter_documents([path]):
            (errors if isinstance(item, ReadError) else documents).append(item)
        kind = "folder" if path.is_dir() else suffix.lstrip(".") or "file"
        corpus = Corpus(path, kind, documents, 0.0, read_errors=[str(e) for e in errors])
    corpus.read_s = time.perf_counter() - start
    return corpus


def _csv_documents(path: Path, text_column: str, id_column: str | None) -> tuple[list, int]:
    from conflictmap.ingest.readers import clean_text, parse_date
    from conflictmap.model import Document

    csv.field_size_limit(sys.maxsize)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    documents, empty = [], 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        columns = reader.fieldnames or []
        if text_column not in columns:
            raise SystemExit(
                f"{path}: no '{text_column}' column (columns: {', '.join(columns)}); "
                "pass --text-column"
            )
        key = id_column or next((c for c in ID_COLUMNS if c in columns), None)
        for row_number, row in enumerate(reader, 1):
            text = clean_text(row.get(text_column) or "")
            if not text:
                empty += 1
                continue
            when = parse_date(row["event_date"]) if row.get("event_date") else None
            name = (row.get(key) or "").strip() if key else ""
            documents.append(
                Document(
                    id=f"{path.stem}:{name or row_number}",
                    text=text,
                    date=when,
                    date_origin="metadata" if when else "none",
                    source=(row.get("source") or None),
                    path=f"{path}:{row_number + 1}",
                )
            )
    return documents, empty


def _xml_articles(path: Path) -> tuple[list, int] | None:
    """``<article><text>`` documents (GeoWebNews layout), or None for other XML (feeds)."""
    from conflictmap.ingest.readers import clean_text
    from conflictmap.model import Document

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return None
    articles = [a for a in root.iter("article") if a.find("text") is not None]
    if not articles:
        return None
    documents, empty = [], 0
    for number, article in enumerate(articles):
        text = clean_text(article.findtext("text") or "")
        if not text:
            empty += 1
            continue
        name = article.get("file") or article.get("id") or str(number)
        documents.append(
            Document(
                id=f"{path.stem}:{name}",
                text=text,
                title=(article.findtext("title") or "").strip() or None,
                url=(article.findtext("link") or "").strip() or None,
                path=f"{path}#{name}",
            )
        )
    return documents, empty


def make_unique(corpus: Corpus, keep_near_duplicates: bool, limit: int | None) -> None:
    """Drop exact duplicates (and, unless kept, near-duplicates); give every id once."""
    from conflictmap.ingest.dedup import NearDuplicateIndex, signature, text_hash

    seen_hashes: set[str] = set()
    seen_ids: Counter[str] = Counter()
    near = NearDuplicateIndex()  # the store's default threshold
    unique = []
    for document in corpus.documents:
        digest = text_hash(document.text)
        if digest in seen_hashes:
            corpus.exact_duplicates += 1
            continue
        seen_hashes.add(digest)
        if not keep_near_duplicates:
            sig = signature(document.text)
            duplicate = near.query(sig) is not None
            near.add(f"{len(unique)}:{corpus.near_duplicates}", sig)
            if duplicate:
                corpus.near_duplicates += 1
                continue
        seen_ids[document.id] += 1
        if seen_ids[document.id] > 1:
            document = replace(document, id=f"{document.id}#{seen_ids[document.id]}")
            corpus.renamed_ids += 1
        unique.append(document)
    if limit is not None and len(unique) > limit:
        corpus.limited_from = len(unique)
        unique = unique[:limit]
    corpus.documents = unique


# --------------------------------------------------------------------------- timed steps


def peak_rss_mib() -> float | None:
    """The process's resident-set high-water mark (getrusage ru_maxrss), in MiB."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_bare(nlp: Any, texts: list[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return time.perf_counter() - start


@dataclass
class PipelineRun:
    seconds: float
    open_s: float
    summary: dict[str, int]


def run_pipeline(
    documents: list, extractor: Any, db_path: Path, profiler: cProfile.Profile | None = None
) -> PipelineRun:
    """``ingest_documents`` into a fresh store; only the ingest call is timed (and profiled)."""
    from conflictmap.ingest.run import ingest_documents
    from conflictmap.store.repository import Store

    start = time.perf_counter()
    store = Store(str(db_path))
    open_s = time.perf_counter() - start
    try:
        gc.collect()
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        try:
            report = ingest_documents(documents, store, extractor)
        finally:
            seconds = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
    finally:
        store.close()
    return PipelineRun(seconds, open_s, report.summary())


class TempDatabases:
    """Fresh SQLite files in one temporary folder, removed at the end."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="conflictmap-bench-")
        self._count = 0

    def new(self) -> Path:
        self._count += 1
        return Path(self._dir.name) / f"run{self._count}.db"

    def cleanup(self) -> None:
        self._dir.cleanup()


# --------------------------------------------------------------------------- stage profile


class StageTimer:
    """Wall time per pipeline stage, by wrapping the stage functions (outermost call only)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._depth: Counter[str] = Counter()
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attr: str, stage: str) -> None:
        had_own = attr in vars(owner)
        original_own = vars(owner).get(attr)
        original = getattr(owner, attr)
        timer = self

        @wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if timer._depth[stage]:
                return original(*args, **kwargs)
            timer._depth[stage] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer.seconds[stage] += time.perf_counter() - start
                timer.calls[stage] += 1
                timer._depth[stage] -= 1

        setattr(owner, attr, timed)
        self._undo.append(
            (lambda: setattr(owner, attr, original_own))
            if had_own
            else (lambda: delattr(owner, attr))
        )

    def wrap_generator(self, owner: Any, attr: str, stage: str) -> None:
        """Time every ``next()`` of the generator a method returns (spaCy's lazy ``pipe``)."""
        original = getattr(owner, attr)
        timer = self

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            iterator = iter(original(*args, **kwargs))
            timer.calls[stage] += 1
            while True:
                start = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    timer.seconds[stage] += time.perf_counter() - start
                    return
                timer.seconds[stage] += time.perf_counter() - start
                yield item

        setattr(owner, attr, timed)
        self._undo.append(lambda: delattr(owner, attr))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


# (stage label, top-level?) in report order; nested stages are shown indented.
STAGES = (
    ("spaCy parse (nlp.pipe)", True),
    ("entities (find_entities)", True),
    ("  of which gazetteer lookups (Gazetteer.*, any caller)", False),
    ("attribution (sentence_attribution)", True),
    ("relations (find_relations)", True),
    ("events (find_events)", True),
    ("extract_doc rest (sentences, sorting, Extraction)", True),
    ("document date from text (with_text_date)", True),
    ("dedup: text_hash", True),
    ("dedup: MinHash signature", True),
    ("dedup: near-duplicate index (query+add)", True),
    ("store: known_document lookup", True),
    ("store: add (one transaction per document)", True),
)


# Module-level helpers timed one by one (inclusive wall time; nested helpers overlap).
DETAIL_MODULES = (
    "conflictmap.extract.entities",
    "conflictmap.extract.events",
    "conflictmap.extract.relations",
    "conflictmap.store.repository",
)
DETAIL_MIN_SHARE = 0.005


def stage_profile(documents: list, extractor: Any, db_path: Path) -> dict[str, Any]:
    """One untimed pipeline run with every stage wrapped; seconds and share per stage."""
    from conflictmap.extract import pipeline
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.ingest import run
    from conflictmap.ingest.dedup import NearDuplicateIndex
    from conflictmap.store.repository import Store

    timer = StageTimer()
    timer.wrap_generator(extractor.nlp, "pipe", "spaCy parse (nlp.pipe)")
    timer.wrap(pipeline, "extract_doc", "extract_doc")
    timer.wrap(pipeline, "find_entities", "entities (find_entities)")
    for method in ("candidates", "is_place", "country", "resolve"):
        if hasattr(Gazetteer, method):
            timer.wrap(Gazetteer, method, "  of which gazetteer lookups (Gazetteer.*, any caller)")
    timer.wrap(pipeline, "sentence_attribution", "attribution (sentence_attribution)")
    timer.wrap(pipeline, "find_relations", "relations (find_relations)")
    timer.wrap(pipeline, "find_events", "events (find_events)")
    timer.wrap(run, "with_text_date", "document date from text (with_text_date)")
    timer.wrap(run, "text_hash", "dedup: text_hash")
    timer.wrap(run, "signature", "dedup: MinHash signature")
    timer.wrap(NearDuplicateIndex, "query", "dedup: near-duplicate index (query+add)")
    timer.wrap(NearDuplicateIndex, "add", "dedup: near-duplicate index (query+add)")
    timer.wrap(Store, "known_document", "store: known_document lookup")
    timer.wrap(Store, "add", "store: add (one transaction per document)")
    details = StageTimer()
    for module_name in DETAIL_MODULES:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[-1]
        for name, value in sorted(vars(module).items()):
            if (
                name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module_name
            ):
                details.wrap(module, name, f"{short}.{name}")
    from sqlalchemy.orm import Session, SessionTransaction

    details.wrap(Session, "flush", "sqlalchemy Session.flush (incl. autoflush)")
    details.wrap(SessionTransaction, "commit", "sqlalchemy transaction commit")
    details.wrap(Session, "scalar", "sqlalchemy Session.scalar (SELECTs)")
    try:
        result = run_pipeline(documents, extractor, db_path)
    finally:
        details.restore()
        timer.restore()
    seconds = dict(timer.seconds)
    inner = sum(
        seconds.get(name, 0.0)
        for name in ("entities (find_entities)", "attribution (sentence_attribution)")
        + ("relations (find_relations)", "events (find_events)")
    )
    rest = "extract_doc rest (sentences, sorting, Extraction)"
    seconds[rest] = max(seconds.pop("extract_doc", 0.0) - inner, 0.0)
    timer.calls[rest] = timer.calls.pop("extract_doc", 0)
    total = result.seconds
    rows = []
    for name, top_level in STAGES:
        value = seconds.get(name, 0.0)
        rows.append(
            {
                "stage": name,
                "seconds": value,
                "share": value / total if total else 0.0,
                "calls": timer.calls.get(name, 0),
                "top_level": top_level,
            }
        )
    covered = sum(r["seconds"] for r in rows if r["top_level"])
    rows.append(
        {
            "stage": "other (ingest loop, batching, generators)",
            "seconds": total - covered,
            "share": (total - covered) / total if total else 0.0,
            "calls": 0,
            "top_level": True,
        }
    )
    helpers = [
        {
            "function": name,
            "seconds": value,
            "share": value / total if total else 0.0,
            "calls": details.calls.get(name, 0),
        }
        for name, value in details.seconds.items()
        if total and value / total >= DETAIL_MIN_SHARE
    ]
    helpers.sort(key=lambda h: h["seconds"], reverse=True)
    return {"total_s": total, "stages": rows, "helpers": helpers}


def cprofile_pipeline(
    documents: list, extractor: Any, db_path: Path, out: Path | None, top: int
) -> dict[str, Any]:
    """One untimed pipeline run under cProfile: top conflictmap functions, time per module."""
    profiler = cProfile.Profile()
    result = run_pipeline(documents, extractor, db_path, profiler)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(out))
    stats = pstats.Stats(profiler, stream=io.StringIO())
    raw: dict = stats.stats  # type: ignore[attr-defined]
    package = f"{os.sep}conflictmap{os.sep}"
    ingest_key = next(
        (k for k in raw if k[2] == "ingest_documents" and k[0].endswith(f"ingest{os.sep}run.py")),
        None,
    )
    total = raw[ingest_key][3] if ingest_key else result.seconds
    functions = []
    for key, (_cc, calls, tottime, cumtime, _callers) in raw.items():
        if package in key[0] and f"{os.sep}bench{os.sep}" not in key[0]:
            functions.append(
                {
                    "function": f"{_short(key[0])}:{key[1]}({key[2]})",
                    "calls": calls,
                    "tottime": tottime,
                    "cumtime": cumtime,
                    "share": cumtime / total if total else 0.0,
                }
            )
    functions.sort(key=lambda f: f["cumtime"], reverse=True)
    groups = {
        "spaCy/thinc (Python-level entry points)": lambda f: (
            f"{os.sep}spacy{os.sep}" in f or f"{os.sep}thinc{os.sep}" in f
        ),
        "SQLAlchemy (all callers)": lambda f: f"{os.sep}sqlalchemy{os.sep}" in f,
        "datasketch MinHash/LSH (all callers)": lambda f: f"{os.sep}datasketch{os.sep}" in f,
    }
    for module in sorted({k[0] for k in raw if package in k[0]}):
        if f"{os.sep}bench{os.sep}" in module:
            continue
        groups[f"{_short(module)} (all callers)"] = lambda f, m=module: f == m
    modules = []
    for label, member in groups.items():
        seconds = _entry_time(raw, member)
        if seconds > 0:
            modules.append(
                {"module": label, "cumtime": seconds, "share": seconds / total if total else 0.0}
            )
    modules.sort(key=lambda m: m["cumtime"], reverse=True)
    return {
        "total_s": total,
        "functions": functions[:top],
        "modules": modules,
        "profile_file": str(out) if out else None,
    }


def _entry_time(raw: dict, member: Callable[[str], bool]) -> float:
    """Inclusive time spent in a group of files: the cumulative time of calls entering it."""
    seconds = 0.0
    for key, (_cc, _nc, _tt, _ct, callers) in raw.items():
        if not member(key[0]):
            continue
        for caller, edge in callers.items():
            if not member(caller[0]):
                seconds += edge[3]
    return seconds


def _short(filename: str) -> str:
    parts = Path(filename).parts
    for anchor in ("conflictmap", "site-packages"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            start = index if anchor == "conflictmap" else index + 1
            return "/".join(parts[start:])
    return filename


# --------------------------------------------------------------------------- environment


def machine_info(nlp: Any, model: str) -> dict[str, Any]:
    import spacy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    meta = nlp.meta
    try:
        from importlib.metadata import version

        conflictmap_version = version("conflictmap")
    except Exception:  # not installed as a distribution
        conflictmap_version = None
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "model": model,
        "model_package": f"{meta.get('lang', '')}_{meta.get('name', '')}",
        "model_version": meta.get("version"),
        "pipeline": list(nlp.pipe_names),
        "conflictmap": conflictmap_version,
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    """The short commit id, with ``+dirty`` when tracked files have uncommitted changes."""
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    return commit


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


# --------------------------------------------------------------------------- report


def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def summarise(times: list[float], docs: int, words: int) -> dict[str, Any]:
    rates = [_rate(docs, t) for t in times]
    return {
        "seconds": times,
        "median_s": statistics.median(times),
        "docs_per_s": statistics.median(rates),
        "words_per_s": statistics.median(_rate(words, t) for t in times),
        "docs_per_s_min": min(rates),
        "docs_per_s_max": max(rates),
    }


def markdown(result: dict[str, Any]) -> str:
    c, m, b, p = result["corpus"], result["machine"], result["bare"], result["conflictmap"]
    lines = [
        f"## Throughput: {c['path']} ({c['kind']})",
        "",
        f"- {result['date']}; {m['cpus_usable']} usable CPU(s) ({m['cpu']}); Python {m['python']}, "
        f"spaCy {m['spacy']}, model {m['model']} ({m['model_package']} {m['model_version']})",
        f"- {c['documents']} documents, {c['words']:,} words (whitespace tokens); "
        f"removed before timing: {c['exact_duplicates']} exact duplicates, "
        f"{c['near_duplicates']} near-duplicates; {c['read_errors']} read errors, "
        f"{c['empty']} empty"
        + (f"; limited from {c['limited_from']}" if c["limited_from"] else ""),
        f"- {result['repeat']} repeat(s) in alternating order, median reported; "
        f"batch size {BATCH_SIZE}; warm-up on {result['warmup_docs']} documents; "
        f"load average {_load(result['load_average'])}",
        "",
        "| step | median s | docs/s | words/s | docs/s min-max |",
        "|---|---:|---:|---:|---:|",
        _row(f"bare spaCy `nlp.pipe(batch_size={BATCH_SIZE})`", b),
        _row("conflictmap ingest + extract + store", p),
        "",
        f"**Ratio conflictmap / bare spaCy: {result['ratio']:.2f}** "
        f"(goal >= {GOAL}: {'met' if result['ratio'] >= GOAL else 'NOT met'}); "
        f"per-repeat paired ratios: {', '.join(f'{r:.2f}' for r in result['paired_ratios'])}",
        "",
        "| one-off cost (not in throughput) | s |",
        "|---|---:|",
        f"| read corpus into memory | {c['read_s']:.2f} |",
        f"| de-duplicate before timing | {c['prepare_s']:.2f} |",
        f"| load spaCy model | {result['load']['model_s']:.2f} |",
        f"| load gazetteer | {result['load']['gazetteer_s']:.2f} |",
        f"| open store + migrate (median) | {result['load']['store_open_s']:.2f} |",
        "",
    ]
    mem = result["memory"]
    lines.append(
        "Peak RSS (process high-water mark, `resource.getrusage` ru_maxrss): "
        f"{_mib(mem['rss_after_load_mib'])} after loading model + gazetteer, "
        f"{_mib(mem['rss_after_bare_mib'])} after the first bare run, "
        f"{_mib(mem['rss_after_conflictmap_mib'])} after the first conflictmap run "
        f"({mem['first_order']}); {_mib(mem['rss_peak_mib'])} after all timed runs."
        + (
            f" The extra untimed tracemalloc/profile runs raise it to "
            f"{_mib(mem['rss_after_extra_runs_mib'])} (tracemalloc's own bookkeeping)."
            if mem.get("rss_after_extra_runs_mib")
            else ""
        )
    )
    if mem.get("tracemalloc"):
        t = mem["tracemalloc"]
        lines.append(
            f"tracemalloc peak (separate untimed runs; Python/PyMem allocations only, not SQLite "
            f"or other C allocators): bare {_mib(t['bare_peak_mib'])}, "
            f"conflictmap {_mib(t['conflictmap_peak_mib'])}."
        )
    lines.append("")
    if result.get("stages"):
        s = result["stages"]
        lines += [
            f"### Where conflictmap's time goes (wrapped stages, one untimed run, "
            f"{s['total_s']:.2f} s)",
            "",
            "| stage | s | share | calls |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {r['stage']} | {r['seconds']:.2f} | {r['share']:.1%} | {r['calls']} |"
            for r in s["stages"]
        ]
        lines += [
            "",
            "Helpers inside the stages (inclusive wall time, same run; nested helpers overlap, "
            f"so these do not add up; >= {DETAIL_MIN_SHARE:.1%} shown):",
            "",
            "| helper | s | share | calls |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| `{h['function']}` | {h['seconds']:.2f} | {h['share']:.1%} | {h['calls']} |"
            for h in s.get("helpers", [])
        ]
        lines.append("")
    if result.get("cprofile"):
        prof = result["cprofile"]
        lines += [
            f"### cProfile (one untimed run, {prof['total_s']:.2f} s with profiler overhead)",
            "",
            "| module (inclusive, calls entering it) | cumtime s | share |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {r['module']} | {r['cumtime']:.2f} | {r['share']:.1%} |"
            for r in prof["modules"][:15]
        ]
        lines += [
            "",
            "| conflictmap function | calls | tottime s | cumtime s | share |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| `{r['function']}` | {r['calls']} | {r['tottime']:.3f} | {r['cumtime']:.2f} | "
            f"{r['share']:.1%} |"
            for r in prof["functions"]
        ]
        lines.append("")
    return "\n".join(lines)


def _row(label: str, s: dict[str, Any]) -> str:
    return (
        f"| {label} | {s['median_s']:.2f} | {s['docs_per_s']:.1f} | {s['words_per_s']:,.0f} | "
        f"{s['docs_per_s_min']:.1f}-{s['docs_per_s_max']:.1f} |"
    )


def _load(load: dict[str, Any]) -> str:
    if not load.get("start") or not load.get("end"):
        return "n/a"
    return f"{load['start'][0]:.2f} at start, {load['end'][0]:.2f} at end"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} MiB"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="conflictmap vs bare spaCy throughput on the same texts."
    )
    parser.add_argument(
        "--corpus",
        required=True,
        type=Path,
        help="CSV (text column), <article><text> XML, or file/folder of reports",
    )
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: conflictmap's)")
    parser.add_argument(
        "--limit", type=int, default=None, help="time only the first N unique documents"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats (median reported)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--text-column", default=None, help="CSV text column (default: notes)")
    parser.add_argument(
        "--id-column",
        default=None,
        help="CSV id column (default: data_id, event_id_cnty or id if present)",
    )
    parser.add_argument(
        "--keep-near-duplicates",
        action="store_true",
        help="keep near-duplicates (conflictmap then stores them unextracted)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="extra untimed runs under tracemalloc for allocation peaks",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="extra untimed runs: per-stage wall time and cProfile",
    )
    parser.add_argument(
        "--profile-out",
        type=Path,
        default=None,
        help="with --profile: save the cProfile stats (pstats file) here",
    )
    parser.add_argument(
        "--top", type=int, default=25, help="with --profile: conflictmap functions to list"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: corpus {args.corpus} not found (benchmarks read data by path)")
        return 0

    load_before = _loadavg()
    start = time.perf_counter()
    from conflictmap.config import DEFAULT_MODEL
    from conflictmap.errors import ModelNotFoundError
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.extract.pipeline import Extractor, load_pipeline

    import_s = time.perf_counter() - start
    model = args.model or DEFAULT_MODEL

    corpus = read_corpus(args.corpus, args.text_column, args.id_column)
    start = time.perf_counter()
    make_unique(corpus, args.keep_near_duplicates, args.limit)
    prepare_s = time.perf_counter() - start
    documents = corpus.documents
    if not documents:
        print(f"skipped: no documents in {args.corpus} ({len(corpus.read_errors)} read errors)")
        return 0
    texts = [d.text for d in documents]
    words = corpus.words

    start = time.perf_counter()
    try:
        nlp = load_pipeline(model)
    except ModelNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    model_s = time.perf_counter() - start
    start = time.perf_counter()
    gazetteer = Gazetteer.default()
    gazetteer_s = time.perf_counter() - start
    extractor = Extractor(model, gazetteer=gazetteer)
    rss_after_load = peak_rss_mib()

    databases = TempDatabases()
    try:
        warm = documents[:WARMUP_DOCS]
        run_bare(nlp, [d.text for d in warm])
        run_pipeline(warm, extractor, databases.new())

        bare_times: list[float] = []
        runs: list[PipelineRun] = []
        memory: dict[str, Any] = {"rss_after_load_mib": rss_after_load}
        for repeat in range(args.repeat):
            order = ("bare", "conflictmap") if repeat % 2 == 0 else ("conflictmap", "bare")
            for step in order:
                if step == "bare":
                    bare_times.append(run_bare(nlp, texts))
                else:
                    runs.append(run_pipeline(documents, extractor, databases.new()))
                memory.setdefault(f"rss_after_{step}_mib", peak_rss_mib())
                print(
                    f"  repeat {repeat + 1}/{args.repeat} {step}: "
                    f"{(bare_times if step == 'bare' else [r.seconds for r in runs])[-1]:.2f} s",
                    file=sys.stderr,
                )
        memory["first_order"] = "bare ran first"
        memory["rss_peak_mib"] = peak_rss_mib()

        if args.tracemalloc:
            memory["tracemalloc"] = {
                "bare_peak_mib": _traced_peak(lambda: run_bare(nlp, texts)),
                "conflictmap_peak_mib": _traced_peak(
                    lambda: run_pipeline(documents, extractor, databases.new())
                ),
            }
        stages = cprof = None
        if args.profile:
            print("  profiling (stage timing, then cProfile) ...", file=sys.stderr)
            stages = stage_profile(documents, extractor, databases.new())
            cprof = cprofile_pipeline(
                documents, extractor, databases.new(), args.profile_out, args.top
            )
        if args.tracemalloc or args.profile:
            memory["rss_after_extra_runs_mib"] = peak_rss_mib()
    finally:
        databases.cleanup()

    expected = len(documents)
    summary = runs[-1].summary
    if summary["stored"] + summary["near_duplicates"] != expected or summary["failed"]:
        print(f"warning: pipeline summary {summary} for {expected} documents", file=sys.stderr)
    bare = summarise(bare_times, expected, words)
    pipeline = summarise([r.seconds for r in runs], expected, words)
    pipeline["summary"] = summary
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_info(nlp, model),
        "corpus": {
            "path": str(args.corpus),
            "kind": corpus.kind,
            "documents": expected,
            "words": words,
            "exact_duplicates": corpus.exact_duplicates,
            "near_duplicates": corpus.near_duplicates,
            "near_duplicates_kept": args.keep_near_duplicates,
            "renamed_ids": corpus.renamed_ids,
            "read_errors": len(corpus.read_errors),
            "empty": corpus.empty,
            "limited_from": corpus.limited_from,
            "read_s": corpus.read_s,
            "prepare_s": prepare_s,
        },
        "repeat": args.repeat,
        "warmup_docs": len(warm),
        "load": {
            "imports_s": import_s,
            "model_s": model_s,
            "gazetteer_s": gazetteer_s,
            "store_open_s": statistics.median(r.open_s for r in runs),
        },
        "bare": bare,
        "conflictmap": pipeline,
        "ratio": pipeline["docs_per_s"] / bare["docs_per_s"],
        "paired_ratios": [b / p.seconds for b, p in zip(bare_times, runs, strict=True)],
        "goal": GOAL,
        "load_average": {"start": load_before, "end": _loadavg()},
        "memory": memory,
        "stages": stages,
        "cprofile": cprof,
    }
    print(markdown(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results written to {args.out}", file=sys.stderr)
    return 0


def _loadavg() -> list[float] | None:
    """1/5/15-minute load averages: other processes competing for the CPUs skew timings."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _traced_peak(step: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


if __name__ == "__main__":
    sys.exit(main())
