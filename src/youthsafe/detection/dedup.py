"""Near-duplicate detection with MinHash over character shingles of the normalised text, plus LSH.

A repost wave (the same ad with a changed emoji, a different contact number or noise characters) should be
one item for reviewers. ``DedupIndex.assign`` gives each text a cluster id: the id of the first indexed
text whose estimated Jaccard similarity of 3-character shingles reaches ``threshold``. Candidates come
from LSH (16 bands of 2 MinHash rows: a pair at Jaccard 0.6 is found with probability > 0.999).
SimHash was tried first and rejected: on 30-character posts one changed digit moved it 11 bits.
Signatures are computed for a whole batch at once with numpy.

Each shingle (3 code points, 21 bits each) is packed into one 64-bit key without collisions and mixed with
splitmix64; permutation ``k`` is ``splitmix64(mixed key XOR seed_k)``. The seeds come from a splitmix64
sequence of a fixed seed, so signatures are the same in every process, on every machine and with every
numpy version. (Signatures of the first version, an ``(a*crc32 + b) mod p`` family with small ``a`` and ``b``,
were not min-wise independent: the shingle with the smallest CRC was the minimum of almost every
permutation, so two texts sharing that one shingle looked like near-duplicates. They cannot be compared
with these; content migration 0003 recomputed the stored ones.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from youthsafe.detection.normalize import normalize_texts

__all__ = ["MIN_CHARS", "DedupIndex", "DedupResult", "minhash_many"]

SHINGLE = 3
_PERMS = 32
_ROWS = 2
MIN_CHARS = 8  # shorter texts have too few shingles for MinHash to mean anything: exact match only
_BITS = 21  # a code point (0..0x10FFFF, lone surrogates included) fits in 21 bits; 3 of them in 63
_PAD = (1 << _BITS) - 1  # above every code point: pads a text shorter than a shingle (one shingle of its own)
_MASK64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # splitmix64's increment and multipliers
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB
_M1, _M2 = np.uint64(_C1), np.uint64(_C2)
_SEED = 20261128


def _seeds(seed: int, n: int) -> npt.NDArray[np.uint64]:
    """The first ``n`` outputs of splitmix64 from ``seed``, in plain Python (no numpy random stream to change)."""
    out = []
    state = seed
    for _ in range(n):
        state = (state + _GAMMA) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * _C1) & _MASK64
        z = ((z ^ (z >> 27)) * _C2) & _MASK64
        out.append(z ^ (z >> 31))
    return np.array(out, dtype=np.uint64)


_SEEDS = _seeds(_SEED, _PERMS + 1)
_KEY_SEED, _PERM_SEEDS = _SEEDS[0], _SEEDS[1:]


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser, in place (a bijection of 64-bit values; multiplication wraps modulo 2**64)."""
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def _shingle_keys(normalized: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The packed shingles of every text, one after another, and how many each text has (0 when empty).

    A text of at least ``SHINGLE`` characters has ``len - SHINGLE + 1`` shingles; a shorter non-empty text is
    one shingle (padded with ``_PAD``, which no character equals)."""
    n = len(normalized)
    lengths = np.fromiter((len(t) for t in normalized), dtype=np.int64, count=n)
    points = np.frombuffer("".join(normalized).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    pad = SHINGLE - 1
    padded = np.full(points.size + pad * n, _PAD, dtype=np.uint64)  # each text followed by ``pad`` pads
    padded[np.arange(points.size) + pad * np.repeat(np.arange(n), lengths)] = points
    counts = np.where(lengths > 0, np.maximum(lengths - pad, 1), 0)
    offsets = np.cumsum(lengths + pad) - (lengths + pad)  # where each text starts in ``padded``
    first = np.cumsum(counts) - counts  # where each text's shingles start in the output
    starts = np.arange(int(counts.sum())) + np.repeat(offsets - first, counts)
    keys = padded[starts]
    for j in range(1, SHINGLE):
        keys <<= np.uint64(_BITS)
        keys |= padded[starts + j]
    return keys, counts


def minhash_many(normalized: Sequence[str]) -> npt.NDArray[np.uint64]:
    """MinHash signatures ``(n, 32)`` of already normalised texts; an empty text gets all zeros."""
    sigs = np.zeros((len(normalized), _PERMS), dtype=np.uint64)
    keys, counts = _shingle_keys(normalized)
    if not keys.size:
        return sigs
    keys ^= _KEY_SEED
    base = _mix(keys)
    nonempty = counts > 0
    starts = (np.cumsum(counts) - counts)[nonempty]
    values = np.empty_like(base)
    for k in range(_PERMS):  # one column at a time: memory stays O(shingles) for long texts and big batches
        np.bitwise_xor(base, _PERM_SEEDS[k], out=values)
        sigs[nonempty, k] = np.minimum.reduceat(_mix(values), starts)
    return sigs


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Cluster of one text; ``duplicate_of`` is the cluster id when the text joined an existing cluster."""

    cluster_id: int
    duplicate_of: int | None


class DedupIndex:
    """In-memory near-duplicate index; cluster ids are the insertion number of each cluster's first text."""

    def __init__(self, threshold: float = 0.6) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be within (0, 1]")
        self.threshold = threshold
        self._exact: dict[str, int] = {}
        self._buckets: dict[bytes, list[int]] = {}
        self._sigs: list[npt.NDArray[np.uint64]] = []  # signature of each cluster's first text
        self._next = 0

    def __len__(self) -> int:
        return self._next

    def assign(self, texts: Sequence[str], *, normalized: Sequence[str] | None = None) -> list[DedupResult]:
        """Assign a cluster to each text (in order), adding new clusters to the index."""
        norms = list(normalized) if normalized is not None else normalize_texts(texts)
        sigs = minhash_many(norms)
        return [self._assign_one(n, sigs[i]) for i, n in enumerate(norms)]

    def _assign_one(self, norm: str, sig: npt.NDArray[np.uint64]) -> DedupResult:
        if norm in self._exact:
            return DedupResult(self._exact[norm], self._exact[norm])
        keys = [bytes([b]) + sig[b * _ROWS : (b + 1) * _ROWS].tobytes() for b in range(_PERMS // _ROWS)]
        found = self._near(sig, keys) if len(norm) >= MIN_CHARS else None
        if found is not None:
            self._exact[norm] = found
            return DedupResult(found, found)
        cid = self._next
        self._next += 1
        self._exact[norm] = cid
        self._sigs.append(sig)
        if len(norm) >= MIN_CHARS:
            for key in keys:
                self._buckets.setdefault(key, []).append(cid)
        return DedupResult(cid, None)

    def _near(self, sig: npt.NDArray[np.uint64], keys: list[bytes]) -> int | None:
        candidates = sorted({cid for key in keys for cid in self._buckets.get(key, ())})
        for cid in candidates:  # lowest id first: join the oldest matching cluster
            if float(np.mean(self._sigs[cid] == sig)) >= self.threshold:
                return cid
        return None
