"""Near-duplicate detection with 64-bit SimHash over character shingles of the normalised text.

A repost wave (the same ad with a changed emoji, a different contact number or noise characters) should be
one item for reviewers. ``DedupIndex.assign`` gives each text a cluster id: the id of the first text
within ``max_distance`` bits of Hamming distance, found through 4 bands of 16 bits (by pigeonhole, any
hash within 3 bits shares at least one band exactly). Hashing is vectorised over a batch with numpy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from youthsafe.detection.normalize import normalize_text

__all__ = ["DedupIndex", "DedupResult", "simhash_many"]

SHINGLE = 3
_BANDS = 4
_BAND_BITS = 16
_MIN_CHARS = 8  # shorter texts have too few shingles for SimHash to mean anything: exact match only


def _shingle_hashes(text: str) -> list[int]:
    """Deterministic 64-bit hashes of the character shingles (two CRC32s; stable across processes)."""
    count = max(len(text) - SHINGLE + 1, 1)
    grams = [text[i : i + SHINGLE] for i in range(count)]
    out = []
    for g in grams:
        b = g.encode("utf-8", "surrogatepass")
        out.append((zlib.crc32(b) << 32) | zlib.crc32(b, 0x9E3779B9))
    return out


def simhash_many(normalized: Sequence[str]) -> npt.NDArray[np.uint64]:
    """SimHash of each (already normalised) text; an empty text hashes to 0."""
    hashes: list[int] = []
    owners: list[int] = []
    for i, text in enumerate(normalized):
        if text:
            hs = _shingle_hashes(text)
            hashes.extend(hs)
            owners.extend([i] * len(hs))
    result = np.zeros(len(normalized), dtype=np.uint64)
    if not hashes:
        return result
    arr = np.array(hashes, dtype=np.uint64)
    bits = np.unpackbits(arr.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little").astype(np.int32)
    votes = np.zeros((len(normalized), 64), dtype=np.int32)
    np.add.at(votes, np.array(owners), bits * 2 - 1)
    packed = np.packbits((votes > 0).astype(np.uint8), axis=1, bitorder="little")
    result[:] = packed.view(np.uint64).reshape(-1)
    return result


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Cluster of one text; ``duplicate_of`` is the cluster id when the text joined an existing cluster."""

    cluster_id: int
    duplicate_of: int | None


class DedupIndex:
    """In-memory near-duplicate index; cluster ids are the insertion number of each cluster's first text."""

    def __init__(self, max_distance: int = 3) -> None:
        if not 0 <= max_distance < _BANDS:
            raise ValueError(f"max_distance must be in [0, {_BANDS - 1}] for {_BANDS} bands")
        self.max_distance = max_distance
        self._exact: dict[str, int] = {}
        self._bands: list[dict[int, list[tuple[int, int]]]] = [{} for _ in range(_BANDS)]
        self._next = 0

    def __len__(self) -> int:
        return self._next

    def assign(self, texts: Sequence[str], *, normalized: Sequence[str] | None = None) -> list[DedupResult]:
        """Assign a cluster to each text (in order), adding new clusters to the index."""
        norms = list(normalized) if normalized is not None else [normalize_text(t) for t in texts]
        hashes = simhash_many(norms)
        return [self._assign_one(n, int(h)) for n, h in zip(norms, hashes, strict=True)]

    def _assign_one(self, norm: str, h: int) -> DedupResult:
        if norm in self._exact:
            return DedupResult(self._exact[norm], self._exact[norm])
        found = self._near(h) if len(norm) >= _MIN_CHARS else None
        if found is not None:
            self._exact[norm] = found
            return DedupResult(found, found)
        cid = self._next
        self._next += 1
        self._exact[norm] = cid
        if len(norm) >= _MIN_CHARS:
            for b, band in enumerate(self._bands):
                band.setdefault((h >> (b * _BAND_BITS)) & 0xFFFF, []).append((h, cid))
        return DedupResult(cid, None)

    def _near(self, h: int) -> int | None:
        best: int | None = None
        for b, band in enumerate(self._bands):
            for other, cid in band.get((h >> (b * _BAND_BITS)) & 0xFFFF, ()):
                if (h ^ other).bit_count() <= self.max_distance and (best is None or cid < best):
                    best = cid
        return best
