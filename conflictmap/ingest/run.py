"""Ingest: read reports, skip duplicates, extract, and store one document per transaction.

A document either is stored with its whole extraction in one transaction or is not stored
at all: a crash (even SIGKILL) between transactions leaves no partial document, and the
next run picks up where this one stopped, since stored documents are skipped by id and
text hash. A document that fails (unreadable, unusable text, an extraction or store
error) is reported with its file and reason, and the batch goes on."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import DataError, IntegrityError

from conflictmap.extract.pipeline import Extractor
from conflictmap.extract.timex import find_document_date
from conflictmap.ingest.dedup import NearDuplicateIndex, signature, text_hash
from conflictmap.ingest.readers import ReadError, iter_documents
from conflictmap.ingest.screen import unusable
from conflictmap.model import Document, Extraction
from conflictmap.store.repository import Store

BATCH_SIZE = 16


@dataclass
class IngestReport:
    """What happened to each input: stored, skipped as exact duplicate, near-duplicate, failed."""

    stored: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[ReadError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> dict[str, int]:
        return {
            "stored": len(self.stored),
            "near_duplicates": len(self.near_duplicates),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
        }


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    extractor: Extractor,
    default_date: date | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Read every document under ``paths`` into ``store``; safe to run again on the same input."""
    return ingest_documents(iter_documents(paths, default_date), store, extractor, on_progress)


class ExtractionEngine(Protocol):
    """What ingest needs from an extractor: ``Extractor``, or ``RayExtractor``
    (``conflictmap.scale.ray_engine``), which extracts on a Ray cluster."""

    model_name: str

    def extract_many(self, items: Iterable[tuple]) -> Iterator[Extraction | ExtractionFailed]: ...


NewDocument = tuple[Document, str, bytes, str | None]  # document, text hash, MinHash, dup of


def ingest_documents(
    items: Iterable[Document | ReadError],
    store: Store,
    extractor: ExtractionEngine,
    on_progress: Callable[[str], None] | None = None,
    *,
    streaming: bool = False,
) -> IngestReport:
    """Store every new document of ``items`` in input order (the only writer is this loop).

    By default each batch of 16 new documents is extracted with one ``extract_many`` call.
    With ``streaming``, one call gets the whole stream of new documents and must read it
    lazily and yield in input order (``RayExtractor`` does, keeping its workers busy while
    this loop writes); documents, duplicate checks and writes are the same either way."""
    report = IngestReport()
    near = store.near_duplicate_index()
    seen: set[str] = set()
    new = _new_documents(items, store, near, report, seen)
    if streaming:
        pairs = _streamed(new, extractor)
    else:
        pairs = (
            pair for batch in _batches(new, BATCH_SIZE) for pair in _extracted(batch, extractor)
        )
    for entry, extraction in pairs:
        if isinstance(extraction, ExtractionFailed):
            report.failed.append(failure(entry[0], extraction.reason))
        else:
            _store(store, entry, extraction, extractor.model_name, report, on_progress)
    return report


@dataclass(frozen=True)
class ExtractionFailed:
    """Extraction raised on this document: it is reported, and not stored."""

    document_id: str
    reason: str


Extracted = Extraction | ExtractionFailed


def extract_isolated(extractor: Extractor, items: list[tuple]) -> list[Extracted]:
    """``extract_many`` of ``items``, in order; if the batch raises, each document is
    extracted again alone, so only the one that raises fails (an ``ExtractionFailed``)."""
    try:
        return list(extractor.extract_many(items))
    except Exception as exc:
        if len(items) == 1:
            return [ExtractionFailed(items[0][0], _reason(exc))]
    results: list[Extracted] = []
    for item in items:
        try:
            results.extend(extractor.extract_many([item]))
        except Exception as exc:
            results.append(ExtractionFailed(item[0], _reason(exc)))
    return results


def _reason(exc: Exception) -> str:
    return f"extraction failed: {type(exc).__name__}: {exc}"


def _extracted(
    batch: list[NewDocument], extractor: ExtractionEngine
) -> Iterator[tuple[NewDocument, Extracted | None]]:
    """Each entry of a batch with its extraction (None for a near-duplicate)."""
    items = [(d.id, d.text, d.date, d.source) for d, _, _, dup in batch if dup is None]
    by_id = {e.document_id: e for e in extract_isolated(extractor, items)}
    for entry in batch:
        yield entry, by_id.get(entry[0].id)


def failure(document: Document, reason: str) -> ReadError:
    """A document's failure, naming its file (and line, for JSONL) like a read error."""
    path, _, line = (document.path or "").rpartition(":")
    if path and line.isdigit():
        return ReadError(path, reason, int(line))
    return ReadError(document.path or document.id, reason)


def _store(
    store: Store,
    entry: NewDocument,
    extraction: Extraction | None,
    model_name: str,
    report: IngestReport,
    on_progress: Callable[[str], None] | None,
) -> None:
    document, digest, sig, duplicate_of = entry
    try:
        added = store.add(
            document,
            extraction,
            text_hash=digest,
            minhash=sig,
            duplicate_of=duplicate_of,
            extractor=model_name,
        )
    except (DataError, IntegrityError) as exc:  # this document's values; the store is fine
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        report.failed.append(failure(document, f"could not store: {reason}"))
        return
    if not added:  # another process stored it since this one looked (PostgreSQL)
        report.skipped.append((document.id, "stored meanwhile by another writer"))
    elif duplicate_of:
        report.near_duplicates.append((document.id, duplicate_of))
    else:
        report.stored.append(document.id)
    if on_progress:
        on_progress(document.id)


def _streamed(
    new: Iterator[NewDocument], extractor: ExtractionEngine
) -> Iterator[tuple[NewDocument, Extracted | None]]:
    """Each new document with its extraction (None for a near-duplicate), in input order,
    from one ``extract_many`` call that reads ahead of what it has yielded."""
    waiting: deque[NewDocument] = deque()

    def extractable() -> Iterator[tuple]:
        for entry in new:
            waiting.append(entry)
            document, _, _, duplicate_of = entry
            if duplicate_of is None:
                yield (document.id, document.text, document.date, document.source)

    for extraction in extractor.extract_many(extractable()):
        while waiting[0][3] is not None:
            yield waiting.popleft(), None
        entry = waiting.popleft()
        if entry[0].id != extraction.document_id:
            raise RuntimeError(
                f"extraction of {extraction.document_id} came back for {entry[0].id}"
            )
        yield entry, extraction
    while waiting:
        yield waiting.popleft(), None


def _new_documents(
    items: Iterable[Document | ReadError],
    store: Store,
    near: NearDuplicateIndex,
    report: IngestReport,
    seen: set[str],
) -> Iterator[NewDocument]:
    """Documents not stored yet (by id or normalised text), with their near-duplicate."""
    for chunk in _batches(items, BATCH_SIZE):
        documents = []
        for item in chunk:
            problem = None if isinstance(item, ReadError) else unusable(item.text)
            if isinstance(item, ReadError):
                report.failed.append(item)
            elif problem:
                report.failed.append(failure(item, problem))
            else:
                documents.append(with_text_date(item))
        digests = [text_hash(d.text) for d in documents]
        known = store.known_documents([d.id for d in documents], digests)
        for document, digest in zip(documents, digests, strict=True):
            stored = known.get(document.id) or known.get(digest)
            if stored is not None or digest in seen or document.id in seen:
                report.skipped.append((document.id, f"already stored as {stored or document.id}"))
                continue
            seen.update((digest, document.id))
            sig = signature(document.text)
            duplicate_of = near.query(sig)
            near.add(document.id, sig)
            yield document, digest, sig, duplicate_of


def with_text_date(document: Document) -> Document:
    """The document, dated from its dateline when no metadata or --date gave a date."""
    if document.date is not None:
        return document
    found = find_document_date(document.text)
    return replace(document, date=found, date_origin="text") if found else document


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
