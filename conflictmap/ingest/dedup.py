"""Exact and near-duplicate detection for ingested reports.

``text_hash`` catches copies that differ only in case, whitespace, quote or dash style.
``signature`` + ``NearDuplicateIndex`` catch lightly edited copies (a wire story re-run
with a word changed or a line appended) via MinHash over word 5-shingles.

Signatures are plain bytes (``num_perm`` little-endian uint32 values) so they can be stored
in a database column and compared later without re-reading the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch is imported where used: it pulls in scipy (~0.5 s), which readers and
# ``text_hash`` callers should not pay for.

SHINGLE_SIZE = 5
_SCHEME = "affine32"
_SEED = 1
_DTYPE = np.dtype("<u4")

_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_TRANSLATION = str.maketrans(
    {
        **{c: "'" for c in _QUOTES},
        **{c: '"' for c in _DOUBLE_QUOTES},
        **{c: "-" for c in _DASHES},
        **{c: None for c in _INVISIBLE},
    }
)
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """NFKC, unify quotes and dashes, drop invisible characters, casefold, collapse spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return " ".join(text.casefold().split())


def text_hash(text: str) -> str:
    """SHA-1 hex digest of ``normalise(text)``: equal for case/whitespace/quote variants."""
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Word ``size``-shingles of the normalised text (punctuation ignored).

    A text shorter than ``size`` words is one shingle, so short texts still get a signature.
    """
    words = _WORD.findall(normalise(text))
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME).permutations


def signature(text: str, num_perm: int = 128) -> bytes:
    """MinHash of the text's word 5-shingles, as ``num_perm * 4`` bytes."""
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=num_perm, seed=_SEED, permutations=_permutations(num_perm), scheme=_SCHEME
    )
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash.hashvalues.astype(_DTYPE).tobytes()


def _values(sig: bytes, num_perm: int | None = None) -> np.ndarray:
    if len(sig) % _DTYPE.itemsize:
        raise ValueError(f"signature has {len(sig)} bytes, not a multiple of {_DTYPE.itemsize}")
    values = np.frombuffer(sig, dtype=_DTYPE)
    if num_perm is not None and len(values) != num_perm:
        raise ValueError(
            f"signature has {len(values)} hash values, expected {num_perm} (num_perm mismatch)"
        )
    return values


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    a, b = _values(sig_a), _values(sig_b)
    if len(a) != len(b):
        raise ValueError(f"signatures differ in length ({len(a)} vs {len(b)} hash values)")
    return float(np.count_nonzero(a == b)) / len(a)


def _lean(values: np.ndarray) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=_SEED, hashvalues=values.astype(np.uint32), scheme=_SCHEME)


def _candidate_threshold(threshold: float) -> float:
    """The LSH is tuned a little below the threshold; candidates are then verified."""
    return min(max(threshold - 0.1, 0.1), 0.9)


class NearDuplicateIndex:
    """In-memory LSH index of signatures: ``query`` names a stored near-duplicate."""

    def __init__(self, threshold: float = 0.8, num_perm: int = 128) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=_candidate_threshold(threshold), num_perm=num_perm)
        self._values: dict[str, np.ndarray] = {}
        self._order: dict[str, int] = {}

    def add(self, doc_id: str, sig: bytes) -> None:
        """Store a signature; adding an id again replaces its signature."""
        values = _values(sig, self.num_perm)
        if doc_id in self._values:
            self._lsh.remove(doc_id)
        self._lsh.insert(doc_id, _lean(values))
        self._values[doc_id] = values
        self._order.setdefault(doc_id, len(self._order))

    def query(self, sig: bytes) -> str | None:
        """Id of the stored signature most similar to ``sig`` if at least ``threshold``."""
        values = _values(sig, self.num_perm)
        best: tuple[float, int, str] | None = None
        for doc_id in self._lsh.query(_lean(values)):
            score = float(np.count_nonzero(self._values[doc_id] == values)) / self.num_perm
            key = (score, -self._order[doc_id], doc_id)
            if score >= self.threshold and (best is None or key > best):
                best = key
        return best[2] if best else None

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._values

    def __len__(self) -> int:
        return len(self._values)
