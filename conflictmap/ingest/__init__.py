"""Reading reports into ``Document`` records and spotting duplicates among them."""

from conflictmap.ingest.dedup import NearDuplicateIndex, normalise, signature, similarity, text_hash
from conflictmap.ingest.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    ReadError,
    discover,
    iter_documents,
    parse_date,
    read_file,
    read_stream,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "NearDuplicateIndex",
    "ReadError",
    "discover",
    "iter_documents",
    "normalise",
    "parse_date",
    "read_file",
    "read_stream",
    "signature",
    "similarity",
    "text_hash",
]
