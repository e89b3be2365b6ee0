"""Scaling of the Ray engine against the local engine, on the same documents, in one run.

Usage (from the repository root)::

    python bench/ray_scaling.py                      # GeoWebNews articles, 1 and 2 workers
    python bench/ray_scaling.py --corpus examples --repeat 2 --out ray.json

Every timed run is ``ingest_documents`` into a fresh temporary SQLite file, on the
de-duplicated documents already read into memory (``bench/throughput.py``'s reader):

- ``local``: ``ingest_documents(documents, store, Extractor())``, one process;
- ``ray_N``: ``ingest_documents(documents, store, RayExtractor(workers=N), streaming=True)``:
  reading, duplicate checks and writes on this driver, extraction on N Ray actors
  (``num_cpus=1`` each; Ray started here with one logical CPU per worker of every pool,
  so that the pools stand side by side: only one of them works at a time);
- ``local_2proc`` (a control, with 2 workers; ``--no-control`` skips it): two local-engine
  processes, each on half the documents, into two stores, at the same time: what this
  machine gives two busy cores with no coordination at all.

Ray's start-up and each worker's model load are timed apart and kept out of the throughput;
every engine is warmed up first, then each repeat runs every step once, in an order rotated
from one repeat to the next; ratios are also given per repeat (``paired_*``: runs next to
each other in time), with their median over the undisturbed pairs (``paired_medians``).
Per-core throughput is docs/s divided by the workers (the local engine: one process, one
core); scaling efficiency is (docs/s with 2 workers / docs/s with 1) / 2. CPU seconds of
the driver, the workers and the whole machine (``/proc/stat``) are recorded for every run,
so that a run disturbed by another process shows (``other_cores``: the machine's busy CPU
less ours, per second); medians are taken over the undisturbed runs (``runs_used``), and
over all runs too (``docs_per_s_all_runs``). Prints one JSON summary.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from throughput import TempDatabases, machine_info, make_unique, peak_rss_mib, read_corpus

GOAL_PER_CORE = 0.90
GOAL_SCALING = 0.85
DOCS_PER_DAY = 1_000_000
SECONDS_PER_DAY = 86_400
TARGET_UTILISATION = 0.7  # cores sized for peaks: the average load is 70% of capacity
WARMUP_DOCS = 8
DISTURBED_CORES = 0.25  # other processes' average CPU use that marks a run as disturbed


@dataclass
class Run:
    engine: str
    repeat: int
    seconds: float
    driver_cpu_s: float
    worker_cpu_s: float
    machine_busy_s: float
    stored: int

    @property
    def other_cores(self) -> float:
        """CPU used by other processes (and Ray's own daemons) on average during the run."""
        ours = self.driver_cpu_s + self.worker_cpu_s
        return max(self.machine_busy_s - ours, 0.0) / self.seconds


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed_ingest(
    engine: str,
    repeat: int,
    documents: list,
    extractor: Any,
    db: Path,
    worker_cpu: Callable[[], float] = lambda: 0.0,
) -> Run:
    """One ``ingest_documents`` into a fresh store; only the call is timed."""
    from conflictmap.ingest.run import ingest_documents
    from conflictmap.store.repository import Store

    with Store(str(db)) as store:
        workers_before, busy, cpu = worker_cpu(), machine_busy_s(), time.process_time()
        start = time.perf_counter()
        report = ingest_documents(documents, store, extractor, streaming=engine != "local")
        seconds = time.perf_counter() - start
        driver_cpu, busy = time.process_time() - cpu, machine_busy_s() - busy
        workers = worker_cpu() - workers_before
    return Run(engine, repeat, seconds, driver_cpu, workers, busy, len(report.stored))


def undisturbed(runs: list[Run]) -> list[Run]:
    """The runs during which other processes used under ``DISTURBED_CORES`` (all if none)."""
    return [r for r in runs if r.other_cores < DISTURBED_CORES] or runs


def summarise(runs: list[Run], docs: int, words: int, workers: int) -> dict[str, Any]:
    """Medians over the undisturbed runs (``docs_per_s_all_runs``: over every run)."""
    used = undisturbed(runs)
    median_s = statistics.median(r.seconds for r in used)
    rate = docs / median_s
    return {
        "runs": [{**asdict(r), "other_cores": r.other_cores} for r in runs],
        "runs_used": len(used),
        "median_s": median_s,
        "docs_per_s": rate,
        "docs_per_s_all_runs": docs / statistics.median(r.seconds for r in runs),
        "words_per_s": words / median_s,
        "workers": workers,
        "docs_per_s_per_core": rate / workers,
        "driver_cpu_s_per_doc": statistics.median(r.driver_cpu_s for r in used) / docs,
        "worker_cpu_s_per_doc": statistics.median(r.worker_cpu_s for r in used) / docs,
        "max_other_cores": max(r.other_cores for r in runs),
    }


def capacity(per_core: float, writer_s_per_doc: float, rss_mib: float) -> dict[str, Any]:
    """Cores (and memory) for ``DOCS_PER_DAY`` at the measured per-core rate."""
    per_core_day = per_core * SECONDS_PER_DAY
    cores = DOCS_PER_DAY / per_core_day
    sized = math.ceil(cores / TARGET_UTILISATION)
    writer_day = SECONDS_PER_DAY / writer_s_per_doc
    return {
        "docs_per_day": DOCS_PER_DAY,
        "docs_per_s_needed": DOCS_PER_DAY / SECONDS_PER_DAY,
        "docs_per_day_per_core": per_core_day,
        "cores_at_full_use": cores,
        "cores_sized": sized,
        "worker_memory_gib": sized * rss_mib / 1024,
        "writer_docs_per_day": writer_day,
        "arithmetic": [
            f"{DOCS_PER_DAY:,} docs/day / {SECONDS_PER_DAY:,} s = "
            f"{DOCS_PER_DAY / SECONDS_PER_DAY:.1f} docs/s on average",
            f"per core: {per_core:.2f} docs/s x {SECONDS_PER_DAY:,} s = {per_core_day:,.0f} "
            "docs/day",
            f"{DOCS_PER_DAY:,} / {per_core_day:,.0f} = {cores:.1f} cores at 100% use; at "
            f"{TARGET_UTILISATION:.0%} average use: {cores:.1f} / {TARGET_UTILISATION} -> "
            f"{sized} worker cores",
            f"memory: {sized} workers x {rss_mib:.0f} MiB peak RSS = "
            f"{sized * rss_mib / 1024:.1f} GiB",
            f"single writer (driver CPU {writer_s_per_doc * 1000:.1f} ms/doc under Ray): "
            f"{SECONDS_PER_DAY:,} / {writer_s_per_doc:.4f} = {writer_day:,.0f} docs/day "
            f"({writer_day / DOCS_PER_DAY:.1f}x the target)",
        ],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/eval/geoparsing/GWN.xml"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--chunk-size", type=int, default=None, help="documents per Ray task")
    parser.add_argument("--limit", type=int, default=None, help="at most this many documents")
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="skip the control: two local processes, each on half the corpus, at once",
    )
    return parser.parse_args(argv)


def as_items(documents: list) -> list[tuple]:
    return [(d.id, d.text, d.date, d.source) for d in documents]


class LocalPair:
    """Control, not an engine: two local-engine processes, each ingesting half the corpus
    into its own store at the same time. How this machine's throughput grows from one busy
    core to two with no coordination at all: the ceiling for any 2-worker engine here."""

    def __init__(self, documents: list, model: str, folder: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = context.Queue()
        self.commands = [context.Queue(), context.Queue()]
        halves = [documents[0::2], documents[1::2]]
        self.processes = [
            context.Process(
                target=_pair_child,
                args=(half, model, str(folder), index, commands, self.results),
                daemon=True,
            )
            for index, (half, commands) in enumerate(zip(halves, self.commands, strict=True))
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.results.get(timeout=600)  # each has loaded the model and warmed up

    def run(self, repeat: int) -> Run:
        busy, start = machine_busy_s(), time.perf_counter()
        for commands in self.commands:
            commands.put(repeat)
        done = [self.results.get(timeout=3600) for _ in self.processes]
        seconds = time.perf_counter() - start
        busy = machine_busy_s() - busy
        cpu, stored = sum(d[0] for d in done), sum(d[1] for d in done)
        return Run("local_2proc", repeat, seconds, cpu, 0.0, busy, stored)

    def close(self) -> None:
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(timeout=60)


def _pair_child(
    documents: list, model: str, folder: str, index: int, commands: Any, results: Any
) -> None:
    from conflictmap.extract.pipeline import Extractor

    extractor = Extractor(model)
    timed_ingest("local", -1, documents[:WARMUP_DOCS], extractor, Path(folder) / f"w{index}.db")
    results.put(("ready", index))
    while (repeat := commands.get()) is not None:
        db = Path(folder) / f"pair{index}-{repeat}.db"
        run = timed_ingest("local", repeat, documents, extractor, db)
        results.put((run.driver_cpu_s, run.stored))


def start_engine(model: str, workers: int, chunk_size: int | None, warm: list) -> Any:
    """A warmed-up Ray pool; its start-up (actors, model loads, warm-up) timed apart."""
    from conflictmap.scale.ray_engine import CHUNK_SIZE, RayExtractor

    start = time.perf_counter()
    engine = RayExtractor(model, workers=workers, chunk_size=chunk_size or CHUNK_SIZE)
    engine.warm_up(as_items(warm))
    engine.started_s = time.perf_counter() - start
    return engine


def timed_step(step: str, repeat: int, documents: list, tools: dict[str, Any]) -> Run:
    """One timed run of ``step``: "local", "local_2proc" or "ray_N"."""
    db = tools["databases"].new()
    if step == "local":
        return timed_ingest(step, repeat, documents, tools["local"], db)
    if step == "local_2proc":
        return tools["local_2proc"].run(repeat)
    engine = tools[step]

    def worker_cpu() -> float:
        return sum(w["cpu_s"] for w in engine.worker_stats())

    return timed_ingest(step, repeat, documents, engine, db, worker_cpu)


def rounds(steps: list[str], repeats: int, documents: list, tools: dict) -> dict[str, list[Run]]:
    """Every step once per repeat, the order rotated from one repeat to the next."""
    runs: dict[str, list[Run]] = {step: [] for step in steps}
    for repeat in range(repeats):
        turn = repeat % len(steps)
        for step in steps[turn:] + steps[:turn]:
            run = timed_step(step, repeat, documents, tools)
            runs[step].append(run)
            print(f"  repeat {repeat + 1} {step}: {run.seconds:.2f} s", file=sys.stderr)
    return runs


def run_bench(args: argparse.Namespace, corpus: Any, model: str) -> dict[str, Any]:
    """Start everything (timed apart), then the timed rounds; Ray is stopped at the end."""
    import ray

    from conflictmap.extract.pipeline import Extractor

    documents, words = corpus.documents, corpus.words
    counts = [int(n) for n in args.workers.split(",")]
    start = time.perf_counter()
    tools: dict[str, Any] = {"local": Extractor(model), "databases": TempDatabases()}
    local_load_s = time.perf_counter() - start
    warm = documents[:WARMUP_DOCS]
    timed_ingest("local", -1, warm, tools["local"], tools["databases"].new())
    steps = ["local", *(f"ray_{n}" for n in counts)]
    if args.control:
        folder = tools["databases"].new().parent
        tools["local_2proc"] = LocalPair(documents, model, folder)
        steps.append("local_2proc")
    start = time.perf_counter()
    # one logical CPU per worker of every pool, so that the pools stand side by side; only
    # one pool extracts at a time, so no more processes compete than in a real 2-CPU run
    ray.init(address="local", num_cpus=sum(counts), include_dashboard=False)
    ray_init_s = time.perf_counter() - start
    try:
        for n in counts:
            tools[f"ray_{n}"] = start_engine(model, n, args.chunk_size, warm)
        runs = rounds(steps, args.repeat, documents, tools)
        results = {
            step: summarise(step_runs, len(documents), words, step_workers(step))
            for step, step_runs in runs.items()
        }
        for n in counts:
            results[f"ray_{n}"].update(engine_details(tools[f"ray_{n}"]))
    finally:
        for n in counts:
            if f"ray_{n}" in tools:
                tools[f"ray_{n}"].close()
        ray.shutdown()
        if "local_2proc" in tools:
            tools["local_2proc"].close()
        tools["databases"].cleanup()
    results["local"].update(model_load_s=local_load_s, peak_rss_mib=peak_rss_mib())
    return {**results, "ray_init_s": ray_init_s, "_nlp": tools["local"].nlp}


def step_workers(step: str) -> int:
    """Cores a step keeps busy with extraction: N for "ray_N", 2 for the control pair."""
    if step.startswith("ray_"):
        return int(step.removeprefix("ray_"))
    return 2 if step == "local_2proc" else 1


def engine_details(engine: Any) -> dict[str, Any]:
    return {
        "startup_s": engine.started_s,
        "startup": asdict(engine.startup),
        "worker_stats": engine.worker_stats(),
        "chunk_size": engine.chunk_size,
        "in_flight": engine.in_flight,
    }


def verdicts(result: dict[str, Any], counts: list[int]) -> dict[str, Any]:
    local = result["local"]["docs_per_s"]
    out: dict[str, Any] = {}
    for n in counts:
        engine = result[f"ray_{n}"]
        engine["per_core_vs_local"] = engine["docs_per_s_per_core"] / local
        engine["paired_per_core_vs_local"] = paired(result["local"]["runs"], engine["runs"], n)
    if 1 in counts and 2 in counts:
        efficiency = result["ray_2"]["docs_per_s"] / result["ray_1"]["docs_per_s"] / 2
        out["scaling_efficiency_1_to_2"] = efficiency
        out["paired_scaling_efficiency"] = paired(
            result["ray_1"]["runs"], result["ray_2"]["runs"], 2
        )
        out["goal_scaling_met"] = efficiency >= GOAL_SCALING
    if "local_2proc" in result and 2 in counts:
        pair = result["local_2proc"]["docs_per_s"]
        out["machine_scaling_efficiency"] = pair / local / 2  # two local processes vs one
        out["paired_machine_scaling_efficiency"] = paired(
            result["local"]["runs"], result["local_2proc"]["runs"], 2
        )
        out["ray_2_vs_local_2proc"] = result["ray_2"]["docs_per_s"] / pair
    top = result[f"ray_{max(counts)}"]
    out["per_core_vs_local"] = top["per_core_vs_local"]
    out["goal_per_core_met"] = top["per_core_vs_local"] >= GOAL_PER_CORE
    out["goals"] = {"per_core_vs_local": GOAL_PER_CORE, "scaling_efficiency": GOAL_SCALING}
    out["disturbed_above_other_cores"] = DISTURBED_CORES
    out["paired_medians"] = {
        "per_core_vs_local": median_undisturbed(top["paired_per_core_vs_local"]),
        "scaling_efficiency": median_undisturbed(out.get("paired_scaling_efficiency", [])),
        "machine_scaling_efficiency": median_undisturbed(
            out.get("paired_machine_scaling_efficiency", [])
        ),
    }
    return out


def median_undisturbed(pairs: list[dict]) -> float | None:
    ratios = [p["ratio"] for p in pairs if p["undisturbed"]]
    return statistics.median(ratios) if ratios else None


def paired(base_runs: list[dict], runs: list[dict], factor: int) -> list[dict]:
    """Per repeat: (docs/s of ``runs``) / (docs/s of ``base_runs``) / ``factor``."""
    twins = {x["repeat"]: x for x in base_runs}
    return [
        {
            "repeat": r["repeat"],
            "ratio": twins[r["repeat"]]["seconds"] / r["seconds"] / factor,
            "undisturbed": max(r["other_cores"], twins[r["repeat"]]["other_cores"])
            < DISTURBED_CORES,
        }
        for r in runs
        if r["repeat"] in twins
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: corpus {args.corpus} not found (benchmarks read data by path)")
        return 0
    try:
        import ray  # noqa: F401
    except ImportError:
        print("skipped: Ray is not installed (pip install conflictmap[ray])")
        return 0
    from conflictmap.config import DEFAULT_MODEL

    load_before, started = os.getloadavg(), datetime.now(UTC)
    model = args.model or DEFAULT_MODEL
    corpus = read_corpus(args.corpus, None, None)
    make_unique(corpus, False, args.limit)
    result = run_bench(args, corpus, model)
    nlp = result.pop("_nlp")
    counts = [int(n) for n in args.workers.split(",")]
    summary = report(args, corpus, result, counts)
    summary["machine"] = machine_info(nlp, model)
    summary["date"] = f"{started:%Y-%m-%d %H:%M}-{datetime.now(UTC):%H:%M} UTC"
    summary["load_average"] = {"before": load_before, "after": os.getloadavg()}
    text = json.dumps(summary, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def report(
    args: argparse.Namespace, corpus: Any, result: dict[str, Any], counts: list[int]
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "corpus": {
            "path": str(corpus.path),
            "kind": corpus.kind,
            "documents": len(corpus.documents),
            "words": corpus.words,
            "exact_duplicates_removed": corpus.exact_duplicates,
            "near_duplicates_removed": corpus.near_duplicates,
        },
        "repeat": args.repeat,
        **result,
        **verdicts(result, counts),
    }
    top = result[f"ray_{max(counts)}"]
    rss = max(w["peak_rss_mib"] for w in top["worker_stats"])
    summary["capacity"] = capacity(top["docs_per_s_per_core"], top["driver_cpu_s_per_doc"], rss)
    return summary


if __name__ == "__main__":
    sys.exit(main())
