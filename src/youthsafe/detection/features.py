"""Character n-gram features computed with numpy only (no sklearn at inference time).

Why not ``TfidfVectorizer``: it builds Python strings for every n-gram of every post and looks them up in a
dict, which caps a whole scan at ~6,000 posts/s per core. Here a batch of texts is turned into one array of
code points, characters are mapped to a dense alphabet, and each n-gram becomes an exact 64-bit integer key
(``bits`` per character, so n-grams of different lengths cannot collide). Keys are found in the vocabulary
with a vectorised open-addressing hash table, and n-grams are only looked up where both of their
(n-1)-gram parts were found: the vocabulary is chosen by document frequency, which never grows with n, so
it is closed under sub-n-grams and the "apriori" shortcut is exact.

The same code builds the vocabulary at training time and extracts features at inference time, so the two
can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["NgramSpace", "code_points", "sublinear"]

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

_SEP = "\x00"  # joins texts in a batch; code point 0 is never in the alphabet, so no n-gram spans two texts
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier: spreads consecutive keys evenly


def code_points(texts: list[str]) -> npt.NDArray[np.uint32]:
    """All texts joined by a separator, as one array of code points (one element per ``str`` index)."""
    joined = _SEP.join(texts)
    return np.frombuffer(joined.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def sublinear(counts: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """Sublinear term frequency ``1 + log(count)``: ten repeats of a word are not ten times the evidence."""
    out: npt.NDArray[np.float32] = (1.0 + np.log(counts)).astype(np.float32)
    return out


@dataclass(frozen=True, slots=True)
class _Occurrences:
    """Vocabulary n-grams found in a batch: feature index, start position in the joined text, length."""

    feature: I64
    start: I64
    length: I64


class NgramSpace:
    """A vocabulary of character n-grams (1..``n_max`` characters) over an alphabet of code points.

    ``alphabet`` holds sorted code points (id = position + 1; 0 means "not in the alphabet"), ``keys`` the
    sorted 64-bit keys of the vocabulary n-grams; feature index = position in ``keys``.
    """

    def __init__(self, alphabet: npt.NDArray[np.uint32], keys: U64, n_max: int) -> None:
        if not 1 <= n_max <= 5:
            raise ValueError(f"n-gram length must be 1 to 5, got {n_max}")
        self.alphabet = np.asarray(alphabet, dtype=np.uint32)
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.n_max = n_max
        self.bits = max(1, len(self.alphabet).bit_length())
        if self.bits * n_max > 63:
            raise ValueError(f"alphabet of {len(self.alphabet)} characters is too large for {n_max}-grams")
        top = int(self.alphabet[-1]) + 2 if len(self.alphabet) else 1
        # Dense code point -> alphabet id table; the last slot is a 0 sentinel for code points above the top.
        self._lut = np.zeros(top, dtype=np.uint16 if len(self.alphabet) < 65535 else np.uint32)
        self._lut[self.alphabet] = np.arange(1, len(self.alphabet) + 1)
        self._build_table()

    def __len__(self) -> int:
        return len(self.keys)

    def _build_table(self) -> None:
        size = 1 << max(4, (2 * max(1, len(self.keys))).bit_length())  # load factor <= 0.5: short probes
        self._shift = np.uint64(64 - size.bit_length() + 1)
        self._mask = size - 1
        self._slot_key = np.zeros(size, dtype=np.uint64)
        self._slot_idx = np.full(size, -1, dtype=np.int32)
        pending = np.arange(len(self.keys), dtype=np.int64)
        slot = self._hash(self.keys)
        self._probes = 0
        while len(pending):  # insert in rounds: each round places the first claimant of every free slot
            want = slot[pending]
            free = self._slot_idx[want] < 0
            cand, cslot = pending[free], want[free]
            _, first = np.unique(cslot, return_index=True)
            self._slot_idx[cslot[first]] = cand[first]
            self._slot_key[cslot[first]] = self.keys[cand[first]]
            placed = np.zeros(len(self.keys), dtype=bool)
            placed[cand[first]] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & self._mask
            self._probes += 1

    def _hash(self, keys: U64) -> I64:
        return ((keys * _MULT) >> self._shift).astype(np.int64)

    def _lookup(self, keys: U64) -> I64:
        """Feature index of every key, -1 when absent."""
        result = np.full(len(keys), -1, dtype=np.int64)
        active = np.arange(len(keys), dtype=np.int64)
        slot = self._hash(keys)
        for _ in range(self._probes + 1):
            idx = self._slot_idx[slot]
            hit = (idx >= 0) & (self._slot_key[slot] == keys[active])
            result[active[hit]] = idx[hit]
            more = (idx >= 0) & ~hit  # occupied by another key: probe on; an empty slot ends the search
            active, slot = active[more], (slot[more] + 1) & self._mask
            if not len(active):
                break
        return result

    def char_ids(self, cps: npt.NDArray[np.uint32]) -> U64:
        """Alphabet id of each code point (0 when outside the alphabet)."""
        clipped = np.minimum(cps, len(self._lut) - 1)
        return self._lut[clipped].astype(np.uint64)

    def occurrences(self, cps: npt.NDArray[np.uint32]) -> _Occurrences:
        """Every vocabulary n-gram occurring in the joined code point array."""
        ids = self.char_ids(cps)
        shift = np.uint64(self.bits)
        feats: list[I64] = []
        starts: list[I64] = []
        lengths: list[I64] = []
        keys = ids
        found = np.full(len(ids), -1, dtype=np.int64)
        nz = ids != 0
        found[nz] = self._lookup(keys[nz])  # unigram keys are the ids; absent unigrams block longer n-grams
        for n in range(1, self.n_max + 1):
            if n > 1:
                keys = (keys[:-1] << shift) | ids[n - 1 :]
                cand = np.flatnonzero((found[:-1] >= 0) & (found[1:] >= 0))
                found = np.full(len(keys), -1, dtype=np.int64)
                found[cand] = self._lookup(keys[cand])
            pos = np.flatnonzero(found >= 0)
            feats.append(found[pos])
            starts.append(pos)
            lengths.append(np.full(len(pos), n, dtype=np.int64))
        return _Occurrences(np.concatenate(feats), np.concatenate(starts), np.concatenate(lengths))

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        """Document x feature matrix of raw n-gram counts (float32), duplicates summed, indices sorted."""
        cps = code_points(texts)
        occ = self.occurrences(cps)
        lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        bounds = np.cumsum(lens)  # position p belongs to text searchsorted(bounds, p, "right")
        rows = np.searchsorted(bounds, occ.start, side="right")
        data = np.ones(len(rows), dtype=np.float32)
        matrix = sp.csr_matrix((data, (rows, occ.feature)), shape=(len(texts), len(self.keys)))
        matrix.sum_duplicates()
        return matrix

    def spans(self, text: str) -> tuple[I64, I64, I64]:
        """(feature, start, end) of every vocabulary n-gram occurrence in one text."""
        occ = self.occurrences(code_points([text]))
        return occ.feature, occ.start, occ.start + occ.length

    @classmethod
    def fit(cls, texts: list[str], *, n_max: int, min_df: int, max_features: int | None) -> NgramSpace:
        """Choose the vocabulary: n-grams in at least ``min_df`` texts (threshold raised to fit the cap).

        Built level by level; a level only counts n-grams whose two (n-1)-gram parts survived, which keeps
        the vocabulary closed under sub-n-grams (the inference shortcut relies on it) and training fast.
        """
        cps = code_points(texts)
        lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens)[: len(cps)]
        chars, char_df = _doc_freq(cps.astype(np.uint64), doc)
        alphabet = chars[(chars != 0) & (char_df >= min_df)].astype(np.uint32)
        ids = cls(alphabet, np.zeros(0, dtype=np.uint64), n_max).char_ids(cps)
        shift = np.uint64(max(1, len(alphabet).bit_length()))
        keys, alive = ids, ids != 0
        level_keys: list[U64] = []
        level_df: list[I64] = []
        for n in range(1, n_max + 1):
            if n > 1:
                keys = (keys[:-1] << shift) | ids[n - 1 :]
                alive = alive[:-1] & alive[1:]
            k, df = _doc_freq(keys[alive], doc[: len(keys)][alive])
            ok = df >= min_df
            level_keys.append(k[ok])
            level_df.append(df[ok])
            alive = np.isin(keys, k[ok])
        merged, merged_df = np.concatenate(level_keys), np.concatenate(level_df)
        if max_features is not None and len(merged) > max_features:
            # Raise the frequency threshold rather than cutting at a rank: ties stay together and the
            # vocabulary stays closed under sub-n-grams.
            cut = np.sort(merged_df)[::-1][max_features]
            merged = merged[merged_df > cut]
        return cls(alphabet, np.sort(merged), n_max)


def _doc_freq(keys: U64, doc: I64) -> tuple[U64, I64]:
    """Distinct keys and the number of distinct documents each occurs in."""
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    order = np.lexsort((doc, keys))
    k, d = keys[order], doc[order]
    new_pair = np.ones(len(k), dtype=bool)
    new_pair[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
    uniq, df = np.unique(k[new_pair], return_counts=True)
    return uniq, df.astype(np.int64)
