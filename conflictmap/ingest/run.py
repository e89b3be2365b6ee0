"""Ingest: read reports, skip duplicates, extract, and store one document per transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from conflictmap.extract.pipeline import Extractor
from conflictmap.extract.timex import find_document_date
from conflictmap.ingest.dedup import NearDuplicateIndex, signature, text_hash
from conflictmap.ingest.readers import ReadError, iter_documents
from conflictmap.model import Document
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


def ingest_documents(
    items: Iterable[Document | ReadError],
    store: Store,
    extractor: Extractor,
    on_progress: Callable[[str], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    near = store.near_duplicate_index()
    seen: set[str] = set()
    for batch in _batches(_new_documents(items, store, near, report, seen), BATCH_SIZE):
        extractable = [(doc, h, sig, dup) for doc, h, sig, dup in batch if dup is None]
        extractions = extractor.extract_many(
            [(d.id, d.text, d.date, d.source) for d, _, _, _ in extractable]
        )
        by_id = {e.document_id: e for e in extractions}
        for document, digest, sig, duplicate_of in batch:
            store.add(
                document,
                by_id.get(document.id),
                text_hash=digest,
                minhash=sig,
                duplicate_of=duplicate_of,
                extractor=extractor.model_name,
            )
            if duplicate_of:
                report.near_duplicates.append((document.id, duplicate_of))
            else:
                report.stored.append(document.id)
            if on_progress:
                on_progress(document.id)
    return report


def _new_documents(
    items: Iterable[Document | ReadError],
    store: Store,
    near: NearDuplicateIndex,
    report: IngestReport,
    seen: set[str],
) -> Iterator[tuple[Document, str, bytes, str | None]]:
    """Documents not stored yet (by id or normalised text), with their near-duplicate."""
    for chunk in _batches(items, BATCH_SIZE):
        for item in chunk:
            if isinstance(item, ReadError):
                report.failed.append(item)
        documents = [with_text_date(item) for item in chunk if not isinstance(item, ReadError)]
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
