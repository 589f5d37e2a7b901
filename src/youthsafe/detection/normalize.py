"""Text normalisation against evasion, with exact offsets back into the original text.

Every original character is mapped *independently* to zero or more output characters through one cached
table, so the normalised text can be computed with a single ``str.translate`` (the fast path used for
matching and for the classifier) and, only when evidence is needed, replayed character by character to
record which original character each output character came from.

Steps folded into the per-character table, in order:

1. emoji and symbol substitutions (small, conservative table ``EMOJI_SUBSTITUTIONS``);
2. homoglyphs: Cyrillic and Greek letters that look like Latin ones (``HOMOGLYPHS``);
3. Unicode NFKC: full-width to half-width, circled digits (① → 1), mathematical digits (𝟘 → 0), ligatures;
4. case folding;
5. traditional to simplified Chinese (OpenCC ``TSCharacters`` single-character table, first choice);
6. noise removal: only letters (L*) and numbers (N*) survive. Spaces, punctuation, symbols, emoji,
   zero-width and other format characters and combining marks are dropped, so ``自*杀``, ``赌 博`` and
   ``加.V.X`` become ``自杀``, ``赌博`` and ``加vx``.

Word boundaries between Latin words are lost by step 6; the lexicon restores them for Latin terms by
checking the *original* text around a match (see ``lexicon.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np
import opencc

__all__ = ["EMOJI_SUBSTITUTIONS", "HOMOGLYPHS", "Normalized", "normalize", "normalize_text", "normalize_texts"]

# Emoji that posters use as stand-ins for a word in harmful offers. Kept deliberately small: each entry is a
# near-universal substitution in Chinese spam/abuse, and a mapping only adds characters to the text (it never
# hides anything), so a wrong entry costs at most a false match that the rules' examples would reveal.
EMOJI_SUBSTITUTIONS: dict[str, str] = {
    "\U0001f48a": "药",  # 💊 pill: "💊代购"
    "\U0001f489": "针",  # 💉 syringe: "瘦脸💉"
    "\U0001f52a": "刀",  # 🔪 kitchen knife
    "\U0001f5e1": "刀",  # 🗡 dagger
    "\U0001f52b": "枪",  # 🔫 pistol
    "\U0001f4a3": "炸弹",  # 💣 bomb
    "\U0001f427": "qq",  # 🐧 penguin: the QQ mascot, "🐧号" / "加🐧"
    "\U0001f4de": "电话",  # 📞
    "\u260e": "电话",  # ☎
    "\U0001f4f1": "手机",  # 📱
    "\U0001f4b0": "钱",  # 💰
    "\U0001f4b5": "钱",  # 💵
    "\U0001f3b0": "赌",  # 🎰 slot machine; 🎲 dice is deliberately absent (board games)
    "\U0001f232": "禁",  # 🈲
    "\U0001f250": "得",  # 🉐
}

# Letters from other scripts that render like Latin letters; mapped before case folding so both cases work.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "А": "a", "в": "b", "В": "b", "е": "e", "Е": "e", "ё": "e", "к": "k", "К": "k",
    "м": "m", "М": "m", "н": "h", "Н": "h", "о": "o", "О": "o", "р": "p", "Р": "p", "с": "c",
    "С": "c", "т": "t", "Т": "t", "у": "y", "У": "y", "х": "x", "Х": "x", "і": "i", "І": "i",
    "ј": "j", "Ј": "j", "ѕ": "s", "Ѕ": "s", "ԁ": "d", "ɡ": "g", "ԛ": "q", "ԝ": "w",
    # Greek
    "α": "a", "Α": "a", "β": "b", "Β": "b", "ε": "e", "Ε": "e", "η": "n", "Η": "h", "ι": "i",
    "Ι": "i", "κ": "k", "Κ": "k", "μ": "u", "Μ": "m", "ν": "v", "Ν": "n", "ο": "o", "Ο": "o",
    "ρ": "p", "Ρ": "p", "τ": "t", "Τ": "t", "υ": "u", "Υ": "y", "χ": "x", "Χ": "x", "ω": "w",
    "Ζ": "z",
}  # fmt: skip

_KEEP_CATEGORIES = frozenset("LN")


@cache
def _t2s_table() -> dict[str, str]:
    """Single-character traditional→simplified map from OpenCC's own dictionary (first choice wins).

    Reading the dictionary file once is ~100x faster than calling ``OpenCC('t2s').convert`` per character
    and keeps a strict one-character-to-one-character mapping, which the offset bookkeeping relies on.
    """
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            src, _, targets = line.rstrip("\n").partition("\t")
            first = targets.split(" ")[0] if targets else ""
            if len(src) == 1 and len(first) == 1 and src != first:
                table[src] = first
    return table


def _map_char(ch: str) -> str:
    """Compute the normalised replacement of one original character (may be empty or several chars)."""
    sub = EMOJI_SUBSTITUTIONS.get(ch)
    if sub is not None:
        return sub
    ch = HOMOGLYPHS.get(ch, ch)
    expanded = unicodedata.normalize("NFKC", ch).casefold()
    t2s = _t2s_table()
    out: list[str] = []
    for raw in expanded:
        c = HOMOGLYPHS.get(raw, raw)
        c = t2s.get(c, c)
        if unicodedata.category(c)[0] in _KEEP_CATEGORIES:
            out.append(c)
    return "".join(out)


class _CharTable(dict[int, str]):
    """Lazily filled ``str.translate`` table: code point → replacement string (``""`` deletes)."""

    def __missing__(self, codepoint: int) -> str:
        value = _map_char(chr(codepoint))
        self[codepoint] = value
        return value


_TABLE = _CharTable()


class _WidthTable(dict[int, str]):
    """Code point → how many characters it becomes, as one character: ``\\x00``, ``\\x01``, or ``\\x02`` for more."""

    def __missing__(self, codepoint: int) -> str:
        value = chr(min(len(_TABLE[codepoint]), 2))
        self[codepoint] = value
        return value


_WIDTHS = _WidthTable()


def _prewarm() -> None:
    # ASCII is the hot path for contact details and pinyin; filling it eagerly costs ~0.1 ms.
    for cp in range(128):
        _TABLE[cp]  # the lookup fills the cache


_prewarm()


def normalize_text(text: str) -> str:
    """Return the normalised form of ``text`` (fast path, no offsets).

    This is the exact string the lexicon matches against and the classifier is trained and run on.
    """
    if text.isascii() and text.isalnum() and text.islower():
        return text  # already canonical: nothing to fold, strip or convert
    return text.translate(_TABLE)


_DELETE = 0xFFFFFFFF  # batch map: the character is dropped
_EXPAND = 0xFFFFFFFE  # batch map: the character becomes several (that text takes ``normalize_text``)
_UNKNOWN = 0xFFFFFFFD  # batch map: not looked up yet
_SEPARATOR = 0x10FFFF  # a noncharacter: joins a batch; it maps to itself only in the batch map
_LUT_SIZE = 0x110000
_BATCH_MIN = 8  # below this the per-text path is as fast


@cache
def _batch_map() -> Any:
    """Code point → normalised code point (or ``_DELETE`` / ``_EXPAND``), filled lazily from ``_TABLE``."""
    lut = np.full(_LUT_SIZE, _UNKNOWN, dtype=np.uint32)
    lut[_SEPARATOR] = _SEPARATOR
    return lut


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """``[normalize_text(t) for t in texts]`` in one vectorised pass over the whole batch.

    The batch is joined with a noncharacter, mapped through a code point array (filled from the same
    per-character table on first sight of a character) and split again. Texts holding a character that
    becomes several characters, or the separator itself, or a lone surrogate, take ``normalize_text``.
    """
    if len(texts) < _BATCH_MIN:
        return [normalize_text(t) for t in texts]
    sep = chr(_SEPARATOR)
    try:
        codes = np.frombuffer(sep.join(texts).encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # a lone surrogate somewhere: the per-text path handles it
        return [normalize_text(t) for t in texts]
    lut = _batch_map()
    mapped = lut[codes]
    unknown = np.unique(codes[mapped == _UNKNOWN])
    if len(unknown):
        for cp in unknown.tolist():
            rep = _TABLE[cp]
            lut[cp] = _DELETE if not rep else ord(rep) if len(rep) == 1 else _EXPAND
        mapped = lut[codes]
    expand = np.flatnonzero(mapped == _EXPAND)
    kept = mapped[(mapped != _DELETE) & (mapped != _EXPAND)]
    parts: list[str] = bytes(kept.tobytes()).decode("utf-32-le").split(sep)
    if len(parts) != len(texts):  # a text held the separator itself
        return [normalize_text(t) for t in texts]
    if len(expand):
        # The texts holding an expanding character, from the positions of the separators.
        redo = set(np.searchsorted(np.flatnonzero(codes == _SEPARATOR), expand).tolist())
        parts = [normalize_text(t) if i in redo else p for i, (t, p) in enumerate(zip(texts, parts, strict=True))]
    return parts


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text plus, for each of its characters, the index of the original character it came from.

    Each original character maps independently, so output character ``i`` always spans exactly
    ``[starts[i], starts[i] + 1)`` in the original; a span of several output characters maps to the
    smallest original span covering them (noise removed in between is included, which is what a reviewer
    wants to see highlighted: ``自*杀``).
    """

    original: str
    text: str
    starts: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span ``[start, end)`` of the normalised text to a span of the original text."""
        if not self.text:
            return (0, 0)
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return (self.starts[start], self.starts[end - 1] + 1)

    def original_slice(self, start: int, end: int) -> str:
        """Return the original text covered by the normalised span ``[start, end)``."""
        a, b = self.to_original(start, end)
        return self.original[a:b]


def normalize(text: str, normalized: str | None = None) -> Normalized:
    """Normalise ``text`` and keep an offset map back into the original (slower than ``normalize_text``).

    ``normalized``: ``normalize_text(text)`` when the caller has it already (it is not computed again).
    """
    widths = text.translate(_WIDTHS)
    if "\x02" not in widths:
        # Every character maps to at most one: the kept positions are the offsets (one C-level pass).
        kept = list(compress(range(len(text)), widths.encode("latin-1")))
        if normalized is None or len(normalized) != len(kept):
            normalized = text.translate(_TABLE)
        return Normalized(original=text, text=normalized, starts=kept)
    table = _TABLE
    parts: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        rep = table[ord(ch)]
        if rep:
            parts.append(rep)
            if len(rep) == 1:
                starts.append(i)
            else:
                starts.extend([i] * len(rep))
    return Normalized(original=text, text="".join(parts), starts=starts)
