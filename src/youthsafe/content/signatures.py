"""MinHash signatures of item texts, as stored in ``ContentItem.signature``, and how alike two of them are.

A signature is the 32 MinHash values of ``detection.dedup`` over the normalised text, each as 16 hex digits
(512 characters); a text shorter than ``dedup.MIN_CHARS`` once normalised has none (""). ``services`` uses
these when it records an item and looks for its campaign; content migration 0003 used them to recompute the
stored signatures when the MinHash family changed. A stored signature is only comparable with one computed
by the same family: a change of ``minhash_many`` needs a migration that recomputes them (like 0003).
"""

from __future__ import annotations

from collections.abc import Sequence

from youthsafe.detection.dedup import MIN_CHARS, minhash_many
from youthsafe.detection.normalize import normalize_text

__all__ = ["signature", "signatures", "similarity"]

_HEX = 16  # hex digits of one MinHash value


def signatures(texts: Sequence[str]) -> list[str]:
    """The stored signature of each text (one MinHash batch for all of them)."""
    norms = [normalize_text(text) for text in texts]
    long_enough = [i for i, norm in enumerate(norms) if len(norm) >= MIN_CHARS]
    out = [""] * len(norms)
    sigs = minhash_many([norms[i] for i in long_enough]).astype(">u8")  # big-endian: bytes in hex digit order
    for i, sig in zip(long_enough, sigs, strict=True):
        out[i] = sig.tobytes().hex()
    return out


def signature(text: str) -> str:
    """The stored signature of one text ("" when it is too short for MinHash)."""
    return signatures([text])[0]


def similarity(a: str, b: str) -> float:
    """The share of MinHash values two stored signatures agree on (0 when either is missing)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    parts_a = [a[i:i + _HEX] for i in range(0, len(a), _HEX)]
    parts_b = [b[i:i + _HEX] for i in range(0, len(b), _HEX)]
    return sum(x == y for x, y in zip(parts_a, parts_b, strict=True)) / len(parts_a)

