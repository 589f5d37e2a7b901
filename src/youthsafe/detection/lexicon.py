"""Multi-pattern term matching over normalised text, with pinyin matching for evasive spellings.

A ``Lexicon`` holds many terms, each with an opaque integer payload (a rule or feature index). Terms are
normalised with the same function as the text, then matched with one Aho-Corasick automaton
(ahocorasick-rs, overlapping matches so "网赌" and "赌博" both fire inside "网赌博彩"). Memory stays
proportional to the term count: 200,000 terms fit well under 500 MB (see ``tests/detection/test_rules.py``).

Pinyin matching (opt-in per term) catches two evasions:

* Latin pinyin spellings: ``zisha``, ``zi sha``, ``du bo``. Accepted whenever the matched region contains a
  Latin letter, because a Latin run that spells a harmful term's pinyin is rarely an accident.
* Chinese homophones: ``赌搏`` for 赌博. Accepted only for terms marked ``homophone`` because pure-Chinese
  homophone collisions are common (紫砂 "purple clay" reads ``zisha`` like 自杀).

Nine posts in ten have no Latin letter at all (89.6% of COLD test), and in those only homophone terms can
match. They skip the pinyin form (about five times longer than the text) and are matched syllable by syllable
instead: every character becomes one private-use character standing for its tone-less syllable, so the
syllable form has the text's own length and offsets, and a second small automaton holds the homophone
terms in that form.

A pinyin match must start and end on character boundaries of the normalised text, so ``zishan`` (自山)
cannot yield ``zisha``. Latin-edged matches also need a non-letter neighbour in the *original* text, which
restores the word boundaries that normalisation removed (``nov xyz`` does not contain ``vx``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

import ahocorasick_rs as ac
import numpy as np

from youthsafe.detection.normalize import Normalized, normalize_text

__all__ = ["Lexicon", "Match", "TermSpec", "pinyin_form", "syllable_forms"]

# (start, end) in the normalised text, payload, homophone allowed, Latin letters in the term
RawPinyin = tuple[int, int, int, bool, int]
_LATIN = re.compile("[a-zA-Z]")
_SYLLABLE_BASE = 0xE000  # private use area: normalisation drops these characters, so no text contains them
_MIN_PINYIN_LETTERS = 4  # shorter pinyin strings ("dubo" is 4) collide with ordinary words too often


@dataclass(frozen=True, slots=True)
class TermSpec:
    """One term to index: its text, payload, and whether pinyin and Chinese homophones may match it."""

    term: str
    payload: int
    pinyin: bool = False
    homophone: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A term match: span in the *normalised* text, the payload, and how it was found."""

    start: int
    end: int
    payload: int
    source: str  # "term", "pinyin" (Latin spelling) or "homophone" (Chinese characters)


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("ü", "v"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@cache
def _pinyin_table() -> dict[int, str]:
    """Code point → tone-less pinyin of its first reading, for every character pypinyin knows."""
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415  (start-up: 0.25 s; needed once rules load)

    return {cp: _strip_tone(readings.split(",")[0]) for cp, readings in pinyin_dict.items()}


@cache
def _syllable_ids() -> dict[str, str]:
    """Tone-less syllable → its private-use character."""
    syllables = sorted(set(_pinyin_table().values()))
    return {syllable: chr(_SYLLABLE_BASE + i) for i, syllable in enumerate(syllables)}


@cache
def _syllable_table() -> dict[int, str]:
    """Code point → the private-use character of its first reading (the syllable form keeps the length)."""
    ids = _syllable_ids()
    return {cp: ids[syllable] for cp, syllable in _pinyin_table().items()}


@cache
def _syllable_lut() -> Any:
    """``_syllable_table`` as a numpy array over every code point (identity where no reading), for batches."""
    lut = np.arange(0x110000, dtype=np.uint32)
    for cp, ch in _syllable_table().items():
        lut[cp] = ord(ch)
    return lut


def syllable_forms(normalized: list[str]) -> list[str]:
    """The syllable form of each normalised text, in one vectorised pass over the whole batch.

    Same result as ``text.translate(_syllable_table())`` per text (a one-to-one map, so the texts can be
    joined and split again: normalised text never holds the newline used as separator).
    """
    if not normalized:
        return []
    try:
        codes = np.frombuffer("\n".join(normalized).encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # not normalised text (a lone surrogate): one by one
        return [t.translate(_syllable_table()) for t in normalized]
    parts = str(_syllable_lut()[codes].tobytes().decode("utf-32-le")).split("\n")
    if len(parts) != len(normalized):  # not normalised text (it held a newline): one by one
        return [t.translate(_syllable_table()) for t in normalized]
    return parts


def pinyin_form(normalized: str) -> str:
    """Replace each Chinese character of a normalised text with its tone-less pinyin; keep everything else."""
    return normalized.translate(_pinyin_table())


def _phrase_reading(term: str) -> list[str]:
    """pypinyin's tone-less reading of ``term`` as a phrase, one syllable per character it knows."""
    from pypinyin import lazy_pinyin  # noqa: PLC0415  (start-up: needed only to build a lexicon)

    readings: list[str] = lazy_pinyin(term, errors="default")
    return readings


def _term_pinyins(term: str) -> set[str]:
    """Pinyin spellings of a normalised term: per-character first readings and pypinyin's phrase reading."""
    forms = {pinyin_form(term), "".join(_phrase_reading(term))}
    return {normalize_text(f) for f in forms if f != term and len(f) >= _MIN_PINYIN_LETTERS and f.isascii()}


def _term_syllable_forms(term: str) -> set[str]:
    """Syllable forms (see ``_syllable_table``) of a normalised, all-Chinese term, for homophone matching.

    The same readings as ``_term_pinyins``: per-character first readings and pypinyin's phrase reading.
    Terms with other characters, or whose pinyin is too short to be specific, get none.
    """
    table = _pinyin_table()
    if not term or any(ord(c) not in table for c in term):
        return set()
    readings = [[table[ord(c)] for c in term], [normalize_text(r) for r in _phrase_reading(term)]]
    forms: set[str] = set()
    for syllables in readings:
        if len(syllables) != len(term) or len("".join(syllables)) < _MIN_PINYIN_LETTERS:
            continue
        ids = _syllable_ids()
        if all(x in ids for x in syllables):
            forms.add("".join(ids[x] for x in syllables))
    return forms


class Lexicon:
    """An immutable set of terms matched together; build once, share across threads."""

    def __init__(self, specs: Iterable[TermSpec]) -> None:
        by_term: dict[str, list[int]] = {}
        by_pinyin: dict[str, list[tuple[int, bool, int]]] = {}
        by_syllables: dict[str, list[int]] = {}
        for spec in specs:
            term = normalize_text(spec.term)
            if not term:
                continue
            by_term.setdefault(term, []).append(spec.payload)
            if spec.pinyin or spec.homophone:
                latin = sum(_is_latin(c) for c in term)
                for form in _term_pinyins(term):
                    by_pinyin.setdefault(form, []).append((spec.payload, spec.homophone, latin))
            if spec.homophone:
                for form in _term_syllable_forms(term):
                    by_syllables.setdefault(form, []).append(spec.payload)
        self._terms = list(by_term)
        self._term_set = frozenset(self._terms)
        self._payloads = [by_term[t] for t in self._terms]
        self._pinyin_terms = list(by_pinyin)
        self._pinyin_payloads = [by_pinyin[t] for t in self._pinyin_terms]
        self._syllable_terms = list(by_syllables)
        self._syllable_payloads = [by_syllables[t] for t in self._syllable_terms]
        # ContiguousNFA: fastest search of the implementations for large Chinese lexicons, and it builds
        # in about a second for 200k terms (the DFA can take far longer on shared-prefix patterns).
        kw: dict[str, Any] = {
            "matchkind": ac.MATCHKIND_STANDARD,
            "implementation": ac.Implementation.ContiguousNFA,
        }
        self._ac = ac.AhoCorasick(self._terms, **kw) if self._terms else None
        self._pac = ac.AhoCorasick(self._pinyin_terms, **kw) if self._pinyin_terms else None
        self._sac = ac.AhoCorasick(self._syllable_terms, **kw) if self._syllable_terms else None

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, normalized: str) -> list[Match]:
        """All direct term matches in a normalised text (overlapping), without boundary checks."""
        if self._ac is None or not normalized:
            return []
        out: list[Match] = []
        for idx, start, end in self._ac.find_matches_as_indexes(normalized, overlapping=True):
            out.extend(Match(start, end, p, "term") for p in self._payloads[idx])
        return out

    def find_many(self, normalized: Sequence[str]) -> list[list[Match]]:
        """``find`` for every text of a batch, with one automaton pass over the whole batch."""
        out: list[list[Match]] = [[] for _ in normalized]
        if self._ac is None or not normalized:
            return out
        found = _matches_per_text(self._ac, normalized)
        if found is None:
            return [self.find(t) for t in normalized]
        for i, idx, start, end in found:
            out[i].extend(Match(start, end, p, "term") for p in self._payloads[idx])
        return out

    def find_pinyin_many(self, normalized: Sequence[str]) -> list[list[RawPinyin]]:
        """``find_pinyin`` for every text of a batch.

        Texts without a Latin letter share one automaton pass over their syllable forms; texts with one take
        the pinyin path of ``find_pinyin`` one by one.
        """
        out: list[list[RawPinyin]] = [[] for _ in normalized]
        latin = [i for i, t in enumerate(normalized) if _LATIN.search(t)]
        if self._sac is not None and normalized:
            found = _matches_per_text(self._sac, syllable_forms(list(normalized)))
            if found is None:
                return [self.find_pinyin(t) for t in normalized]
            for i, idx, start, end in found:
                out[i].extend((start, end, p, True, 0) for p in self._syllable_payloads[idx])
        for i in latin:
            out[i] = self.find_pinyin(normalized[i])
        return out

    def find_pinyin(self, normalized: str) -> list[RawPinyin]:
        """Pinyin and homophone candidates ``(start, end, payload, homophone, term_latin)`` in the normalised text.

        Only spans on character boundaries are returned; ``resolve`` applies the remaining checks. Without a
        Latin letter only homophone terms can match, through the syllable form (no pinyin string is built).
        """
        if not normalized:
            return []
        if _LATIN.search(normalized) is None:
            if self._sac is None:
                return []
            return [
                (s, e, p, True, 0)
                for idx, s, e in self._sac.find_matches_as_indexes(
                    normalized.translate(_syllable_table()), overlapping=True
                )
                for p in self._syllable_payloads[idx]
            ]
        if self._pac is None:
            return []
        pin = pinyin_form(normalized)
        raw = self._pac.find_matches_as_indexes(pin, overlapping=True)
        if not raw:
            return []
        table = _pinyin_table()
        owner: list[int] = []  # pinyin-form index → normalised index
        for i, ch in enumerate(normalized):
            owner.extend([i] * len(table.get(ord(ch), ch)))
        n = len(owner)
        out: list[RawPinyin] = []
        for idx, s, e in raw:
            if (s == 0 or owner[s] != owner[s - 1]) and (e == n or owner[e] != owner[e - 1]):
                out.extend((owner[s], owner[e - 1] + 1, p, h, latin) for p, h, latin in self._pinyin_payloads[idx])
        return out

    def resolve(self, norm: Normalized, direct: list[Match], raw_pinyin: list[RawPinyin]) -> list[Match]:
        """Apply boundary checks and convert pinyin matches to normalised spans; drop duplicates."""
        out = [m for m in direct if _latin_boundaries_ok(norm, m.start, m.end)]
        if raw_pinyin:
            out.extend(self._pinyin_matches(norm, raw_pinyin))
        seen: set[tuple[int, int, int]] = set()
        unique: list[Match] = []
        for m in out:
            key = (m.start, m.end, m.payload)
            if key not in seen:
                seen.add(key)
                unique.append(m)
        return unique

    def _pinyin_matches(self, norm: Normalized, raw: list[RawPinyin]) -> list[Match]:
        out: list[Match] = []
        for start, end, payload, homophone, term_latin in raw:
            surface = norm.text[start:end]
            if surface in self._term_set:
                continue  # the span is itself a lexicon term: its direct match is the right reading
            # Latin spelling must replace at least one Chinese syllable of the term: "U上" is not "u商"
            has_latin = sum(_is_latin(c) for c in surface) > term_latin
            if (has_latin or homophone) and _latin_boundaries_ok(norm, start, end):
                out.append(Match(start, end, payload, "pinyin" if has_latin else "homophone"))
        return out


def _matches_per_text(automaton: Any, texts: Sequence[str]) -> list[tuple[int, int, int, int]] | None:
    """``(text, pattern, start, end)`` of every match in each text, from one pass over the texts joined by
    newlines: exact, because no pattern holds a newline (patterns are normalised). None when a text holds a
    newline itself (not normalised text): the caller then matches text by text.
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return None
    found = automaton.find_matches_as_indexes(joined, overlapping=True)
    if not found:
        return []
    bases = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    out: list[tuple[int, int, int, int]] = []
    for idx, start, end in found:
        i = bisect_right(bases, start) - 1
        out.append((i, idx, start - bases[i], end - bases[i]))
    return out


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _latin_boundaries_ok(norm: Normalized, start: int, end: int) -> bool:
    """A match starting/ending with a Latin letter must not continue a Latin word in the original text."""
    text = norm.text
    if not text:
        return False
    orig = norm.original
    a, b = norm.to_original(start, end)
    if _is_latin(text[start]) and a > 0 and _is_latin(normalize_text(orig[a - 1])[-1:]):
        return False
    return not (_is_latin(text[end - 1]) and b < len(orig) and _is_latin(normalize_text(orig[b])[:1]))
