"""Extraction on Ray: a pool of actors, each loading the spaCy model once, fed in order.

Only extraction leaves the driver. ``ingest_documents(..., streaming=True)`` reads the
documents, detects exact and near duplicates and writes every document to the store, in
input order, on the driver (the store's only writer); ``RayExtractor.extract_many`` takes
the stream of new documents, sends them to the workers in chunks, keeps ``in_flight`` chunks
queued on each worker so that none waits while the driver writes, and yields the
extractions back in input order. Extraction is a pure function of the document, so both
engines store the same graph.

Ray is an optional extra (``pip install conflictmap[ray]``) and is imported only here.
Without an address (``--address`` or ``RAY_ADDRESS``) Ray starts on this machine with the
dashboard off and usage statistics off; with one, it joins that cluster, whose every node
needs conflictmap and the spaCy model installed in the same Python environment.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from types import ModuleType
from typing import Any

from conflictmap.config import DEFAULT_MODEL
from conflictmap.errors import ConflictmapError
from conflictmap.grading import GradingPolicy
from conflictmap.ingest.run import ExtractionFailed, extract_isolated
from conflictmap.model import Extraction

INSTALL_HINT = "pip install conflictmap[ray]"
CHUNK_SIZE = 16  # documents per Ray task (one nlp.pipe batch on the worker)
IN_FLIGHT = 2  # chunks queued on each worker: one running, one waiting
READY_TIMEOUT_S = 600.0


class RayNotAvailableError(ConflictmapError):
    """``--engine ray`` without Ray installed, or a Ray cluster that cannot run the workers."""


def import_ray() -> ModuleType:
    """The ``ray`` module, or an error that says how to install it."""
    try:
        import ray
    except ImportError as error:
        raise RayNotAvailableError(
            f"the Ray engine needs Ray, an optional extra: `{INSTALL_HINT}`"
        ) from error
    return ray


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def peak_rss_mib() -> float:
    """This process's resident-set high-water mark (Linux ``ru_maxrss`` is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ExtractionWorker:
    """What each Ray actor holds: one ``Extractor`` (model, gazetteer, policy), loaded once."""

    def __init__(self, model: str, policy: GradingPolicy) -> None:
        self.model = model
        self.policy = policy
        self.extractor: Any = None
        self.load_s = 0.0
        self.documents = 0
        self.busy_s = 0.0
        self.cpu_s = 0.0  # the whole process, Ray's own threads included
        self.thread_cpu_s = 0.0  # the extracting thread only

    def load(self) -> dict[str, Any]:
        """Load the model and the gazetteer; raises ``ModelNotFoundError`` as the driver would."""
        from conflictmap.extract.pipeline import Extractor

        start = time.perf_counter()
        self.extractor = Extractor(self.model, policy=self.policy)
        self.load_s = time.perf_counter() - start
        return self.stats()

    def extract(self, items: list[tuple]) -> list[Extraction | ExtractionFailed]:
        """``extract_isolated`` of one chunk, in its order: a document that raises comes
        back as an ``ExtractionFailed``, and the rest of its chunk as extractions."""
        start, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
        extractions = extract_isolated(self.extractor, items)
        self.busy_s += time.perf_counter() - start
        self.cpu_s += time.process_time() - cpu
        self.thread_cpu_s += time.thread_time() - thread
        self.documents += len(items)
        return extractions

    def reset(self) -> None:
        self.documents, self.busy_s, self.cpu_s, self.thread_cpu_s = 0, 0.0, 0.0, 0.0

    def stats(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "load_s": self.load_s,
            "documents": self.documents,
            "busy_s": self.busy_s,
            "cpu_s": self.cpu_s,
            "thread_cpu_s": self.thread_cpu_s,
            "peak_rss_mib": peak_rss_mib(),
        }


@dataclass
class Startup:
    """Seconds spent before the first document: joining or starting Ray, loading models."""

    connect_s: float = 0.0
    workers_s: float = 0.0
    started_ray: bool = False
    address: str | None = None
    workers: list[dict[str, Any]] = field(default_factory=list)


class RayExtractor:
    """``Extractor``'s ``extract_many`` and ``model_name``, on a pool of Ray actors.

    Use it with ``ingest_documents(..., streaming=True)`` and close it (or use ``with``):
    closing stops the actors, and Ray too when this object started it.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        workers: int | None = None,
        address: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        in_flight: int = IN_FLIGHT,
        policy: GradingPolicy | None = None,
    ) -> None:
        self.model_name = model
        self.chunk_size = max(1, chunk_size)
        self.in_flight = max(1, in_flight)
        self._ray = import_ray()
        self.startup = Startup()
        self._actors: list[Any] = []
        start = time.perf_counter()
        self.startup.started_ray = _connect(self._ray, address, workers)
        self.startup.connect_s = time.perf_counter() - start
        self.startup.address = _node_address(self._ray)
        try:
            self.workers = workers or _cluster_cpus(self._ray)
            self._start_workers(policy or GradingPolicy.load())
        except BaseException:
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------

    def _start_workers(self, policy: GradingPolicy) -> None:
        ray = self._ray
        available = _cluster_cpus(ray)
        if not 1 <= self.workers <= available:
            raise RayNotAvailableError(
                f"{self.workers} Ray workers need {self.workers} CPUs; the cluster has {available}"
            )
        start = time.perf_counter()
        actor = ray.remote(num_cpus=1)(ExtractionWorker)
        self._actors = [actor.remote(self.model_name, policy) for _ in range(self.workers)]
        self.startup.workers = self._get([a.load.remote() for a in self._actors], "start")
        self.startup.workers_s = time.perf_counter() - start

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self.startup.started_ray and self._ray.is_initialized():
            self._ray.shutdown()

    def __enter__(self) -> RayExtractor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def warm_up(self, items: list[tuple]) -> None:
        """Extract ``items`` on every worker (a fresh model's first documents are slower),
        then zero the workers' counters."""
        self._get([a.extract.remote(items) for a in self._actors], "warm up")
        self._get([a.reset.remote() for a in self._actors], "warm up")

    def worker_stats(self) -> list[dict[str, Any]]:
        """Per worker: pid, host, model load seconds, documents, busy and CPU seconds, peak RSS."""
        return self._get([a.stats.remote() for a in self._actors], "report")

    # -- extraction --------------------------------------------------------------------

    def extract_many(self, items: Iterable[tuple]) -> Iterator[Extraction | ExtractionFailed]:
        """Extract ``(doc_id, text, date[, source])`` items on the workers, in input order
        (an ``ExtractionFailed`` for a document whose extraction raised).

        ``items`` is read lazily, a few chunks ahead of what has been yielded: with
        ``ingest_documents(..., streaming=True)`` the driver reads, de-duplicates and
        writes while the workers extract."""
        chunks = _chunks(iter(items), self.chunk_size)
        queued = [0] * len(self._actors)
        pending: deque[tuple[int, Any]] = deque()
        self._fill(chunks, queued, pending)
        while pending:
            worker, ref = pending.popleft()
            [extractions] = self._get([ref], "extract")
            queued[worker] -= 1
            self._fill(chunks, queued, pending)  # before the driver spends time writing
            yield from extractions

    def _fill(
        self, chunks: Iterator[list[tuple]], queued: list[int], pending: deque[tuple[int, Any]]
    ) -> None:
        """Queue chunks on the least busy workers until each has ``in_flight``."""
        while len(pending) < self.in_flight * len(self._actors):
            chunk = next(chunks, None)
            if chunk is None:
                return
            worker = min(range(len(queued)), key=queued.__getitem__)
            queued[worker] += 1
            pending.append((worker, self._actors[worker].extract.remote(chunk)))

    def _get(self, refs: list[Any], what: str) -> list[Any]:
        ray = self._ray
        try:
            return ray.get(refs, timeout=READY_TIMEOUT_S if what == "start" else None)
        except (ray.exceptions.RayError, TimeoutError) as error:
            cause = getattr(error, "cause", None) or error
            if isinstance(cause, ConflictmapError):
                raise cause from None  # ModelNotFoundError on a worker: the driver's message
            raise RayNotAvailableError(f"Ray workers failed to {what}: {cause}") from error


def _connect(ray: ModuleType, address: str | None, workers: int | None) -> bool:
    """Join ``address`` (or ``RAY_ADDRESS``), or start Ray here; True when started here."""
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports sent anywhere
    ray.init(
        address="local",  # a new instance, even where `ray start` left one running
        num_cpus=workers or usable_cpus(),
        include_dashboard=False,
        logging_level=logging.WARNING,
    )
    return True


def _cluster_cpus(ray: ModuleType) -> int:
    return int(ray.cluster_resources().get("CPU", 0))


def _node_address(ray: ModuleType) -> str | None:
    try:
        return ray.get_runtime_context().gcs_address
    except Exception:  # only informative
        return None


def _chunks(items: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while chunk := list(islice(items, size)):
        yield chunk
