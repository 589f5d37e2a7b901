"""Suicide and self-harm risk grader on the Tree Hole 0-10 scale (regulatory-reference section 6.1).

The grader finds features (distress, wish, strong wish, plan, farewell, method, time, attempt under way,
recruitment) with the same normalised Aho-Corasick matching as the rules, removes matches that sit inside
a hyperbole ("累死了", "想死你了") or a negation ("不想死"), and climbs the scale:

====  ==========================================================
1-3   distress without a wish to die
4     wish to die, no method or plan;           5  urgent wish / mentions suicide
6     plan, arranged affairs or final farewell;  7  method named with ideation or a plan
8     plan or farewell with a time frame;        9  method with a time frame
10    an attempt may be under way
====  ==========================================================

News and third-person reporting cap the level at 2 (third person, fiction and quotations unless the writer
speaks of themself); prevention language caps it at 2 unless the writer
speaks in the first person. A disclosure is a welfare signal (W01), never a violation (section 0.2
principle 3); group-suicide recruitment is reported separately as ``recruitment`` (A07 in the rules).
Automated levels only prioritise human review (section 6.3 cautions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from youthsafe.detection.lexicon import Lexicon, Match, TermSpec
from youthsafe.detection.normalize import Normalized, normalize, normalize_text
from youthsafe.detection.rules import SAFE_LOADER

__all__ = ["WELFARE_LEVEL", "RiskAssessment", "RiskEvidence", "RiskGrader"]

WELFARE_LEVEL = 4  # level 4 = a wish to die is expressed: route to outreach (section 6.3)
_MASKS = frozenset({"hyperbole", "negation"})
# Context features cap the level (news always; the others unless the writer speaks of themself)
_CONTEXT = frozenset({"news", "prevention", "third_person", "fiction"})
_CAP_CONTEXT = 2
# Weak features count only next to a stronger signal (see ``_level``); alone they are no distress signal
_WEAK = frozenset({"plan_weak", "method_weak", "farewell_weak", "recruitment_weak", "in_progress_weak", "affairs"})
# Two different weak kinds together (a farewell and a time, a means and a preparation) are a distress signal
# with no level of their own: the grader cannot grade them, the model may (engine._combine_risk)
_COMBO_KINDS = _WEAK | {"time"}
_COMBO = "weak_combo"
_CUE = "cue"  # gate for the regular expressions: no level, no signal
_FIRST_PERSON_CONTEXT = frozenset({"third_person", "fiction"})
_SELF_WINDOW = 4  # "我" at most this many characters before a signal makes it the writer's own
_QUOTES = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
# Sentence ends of the original text. Normalisation drops punctuation (so that "自*杀" is "自杀"), which also
# joins sentences: "你会怎么想。自杀是他自己懦弱" would read "想自杀". A feature never spans a sentence end;
# the ASCII full stop is not one, as "自.杀" is a common way of writing around filters.
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]")

@dataclass(frozen=True, slots=True)
class RiskEvidence:
    """A feature match, with its span in the ORIGINAL text."""

    start: int
    end: int
    text: str
    feature: str


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """Result of grading one post: level 0-10, the features seen and their evidence."""

    level: int
    signals: tuple[str, ...]
    evidence: tuple[RiskEvidence, ...]
    recruitment: bool = False
    masked: bool = False  # a hyperbole or negation was seen (the model may not overrule it upwards)
    capped: bool = False  # news or prevention context capped the level

    @property
    def distress(self) -> bool:
        """True when the grader saw any self-harm signal beyond time, news or prevention words."""
        return any(s not in _INERT for s in self.signals)

    @property
    def mild(self) -> bool:
        """True when level-1 wording ("委屈", "好累") is the only self-harm signal the grader saw."""
        return {s for s in self.signals if s not in _INERT} == {"distress1"}

    @property
    def welfare(self) -> bool:
        """True when the post discloses a wish to die or worse (W01, section 6.3 level >= 4)."""
        return self.level >= WELFARE_LEVEL


NO_RISK = RiskAssessment(0, (), ())
MASKED_ZERO = RiskAssessment(0, (), (), masked=True)
_INERT = frozenset({"time", _CUE}) | _CONTEXT | _WEAK


class RiskGrader:
    """Rules-based grader; build once (loads ``data/lexicon/risk.yaml``) and call ``grade`` per post."""

    def __init__(self, path: str | Path | None = None) -> None:
        default = resources.files("youthsafe.detection") / "data" / "lexicon" / "risk.yaml"
        src = Path(path) if path else Path(str(default))
        doc: dict[str, Any] = yaml.load(src.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506  # nosec B506
        self.version = f"risk-{doc['version']}"
        self._features: list[str] = list(doc["features"])
        specs: list[TermSpec] = []
        patterns: list[str] = []
        for idx, name in enumerate(self._features):
            spec = doc["features"][name]
            specs.extend(TermSpec(str(t), idx, pinyin=name in {"wish", "strong_wish"}) for t in spec["terms"])
            patterns.extend(f"(?P<f{idx}_{j}>{p})" for j, p in enumerate(spec.get("patterns", [])))
        self._lexicon = Lexicon(specs)
        self._regex = re.compile("|".join(patterns)) if patterns else None

    def find_many(self, normalized: Sequence[str]) -> list[list[Match]]:
        """The grader's term matches for a whole batch in one pass (``direct`` of ``grade``)."""
        return self._lexicon.find_many(normalized)

    def grade(
        self,
        text: str,
        normalized: str | None = None,
        norm: Normalized | None = None,
        direct: list[Match] | None = None,
    ) -> RiskAssessment:
        """Grade one post. ``normalized``/``norm`` may be passed in to reuse work done by the rules, and
        ``direct`` its term matches from ``find_many``."""
        normalized = normalize_text(text) if normalized is None else normalized
        if direct is None:
            direct = self._lexicon.find(normalized)
        if not direct:
            return NO_RISK
        present = {self._features[m.payload] for m in direct}
        strong = present - _INERT - _MASKS
        if not strong and _CUE not in present and len(present & _COMBO_KINDS) < 2:
            # time, context and weak words alone never raise the level: skip the offset map and the patterns
            return MASKED_ZERO if present & _MASKS else NO_RISK
        norm = norm or normalize(text, normalized)
        found = [(m.start, m.end, self._features[m.payload]) for m in self._lexicon.resolve(norm, direct, [])]
        if self._regex is not None:
            for rx in self._regex.finditer(normalized):
                idx = int((rx.lastgroup or "f0_0")[1:].split("_")[0])
                found.append((rx.start(), rx.end(), self._features[idx]))
        if _SENTENCE_END.search(text):
            found = [(s, e, f) for s, e, f in found if not _spans_sentence_end(norm, s, e)]
        masks = [(s, e) for s, e, f in found if f in _MASKS]
        kept = [(s, e, f) for s, e, f in found if f != _CUE and (f in _MASKS or not _inside_any(s, e, masks))]
        feats = {f for _, _, f in kept}
        if len(feats & _COMBO_KINDS) >= 2:
            feats.add(_COMBO)
        first_person = "我" in normalized
        level = _level(feats, first_person=first_person)
        capped = "news" in feats or ("prevention" in feats and not first_person)
        if not capped and level > _CAP_CONTEXT and _speaks_of_others(normalized, kept, norm):
            capped, level = True, _CAP_CONTEXT
        evidence = tuple(
            RiskEvidence(a, b, text[a:b], f)
            for s, e, f in sorted(kept)
            if f not in _MASKS and (level > 0 or f in _CONTEXT)
            for a, b in [norm.to_original(s, e)]
        )
        signals = tuple(sorted(f for f in feats if f not in _MASKS))
        return RiskAssessment(
            level,
            signals,
            evidence,
            recruitment=_recruits(feats),
            masked=bool(masks),
            capped=capped,
        )


def _speaks_of_others(normalized: str, kept: list[tuple[int, int, str]], norm: Normalized) -> bool:
    """Third person, fiction or a quotation, and the writer does not speak of themself.

    Third-person and fiction cues ("我朋友说她...", "小说里主角...") count unless a "我" outside the cue phrases
    stands in or just before a signal ("我真的不想活了"); a quotation counts when every signal lies inside
    quotation marks of the original text and no "我" occurs outside them. When in doubt the level stays
    (a missed crisis costs more than a review).
    """
    signals = [(s, e) for s, e, f in kept if f not in _INERT and f not in _MASKS]
    if not signals:
        return False
    cues = [(s, e) for s, e, f in kept if f in _FIRST_PERSON_CONTEXT]
    if cues:
        own = [i for i, c in enumerate(normalized) if c == "我" and not _inside_any(i, i + 1, cues)]
        return not any(s - _SELF_WINDOW <= i < e for s, e in signals for i in own)
    original = norm.original
    if not any(q in original for q in _QUOTES):
        return False
    inside = _quoted_mask(original)
    for s, e in signals:
        a, b = norm.to_original(s, e)
        if not all(inside[a:b]):
            return False
    return not any(c == "我" and not inside[i] for i, c in enumerate(original))


def _spans_sentence_end(norm: Normalized, start: int, end: int) -> bool:
    """True when the original text covered by the normalised span ``[start, end)`` holds a sentence end."""
    a, b = norm.to_original(start, end)
    return _SENTENCE_END.search(norm.original, a, b) is not None


def _quoted_mask(text: str) -> list[bool]:
    """Per character of ``text``: inside a pair of quotation marks (the marks themselves count as inside)."""
    mask = [False] * len(text)
    i = 0
    while i < len(text):
        close = _QUOTES.get(text[i])
        j = text.find(close, i + 1) if close else -1
        if close and j > i:
            for k in range(i, j + 1):
                mask[k] = True
            i = j + 1
        else:
            i += 1
    return mask


def _recruits(feats: set[str]) -> bool:
    """Group-suicide recruitment: a pact phrase, or a pact-like phrase next to ideation, a method or a plan."""
    if "recruitment" in feats:
        return True
    return "recruitment_weak" in feats and bool(feats & {"wish", "strong_wish", "method", "plan", "in_progress"})


def _inside_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when ``[start, end)`` overlaps a mask span (a hyperbole or negation covering the match)."""
    return any(start < me and ms < end for ms, me in spans)


def _level(feats: set[str], *, first_person: bool) -> int:
    """Climb the Tree Hole scale from the set of features present (section 6.1 definitions)."""
    bands = ((3, "distress3"), (2, "distress2"), (1, "distress1"))
    distress = max((n for n, f in bands if f in feats), default=0)
    ideation = bool(feats & {"wish", "strong_wish"})
    clear = ideation or distress >= 2 or "method" in feats
    plan = (
        "plan" in feats
        or "farewell_strong" in feats
        or (bool(feats & {"farewell_weak", "plan_weak"}) and clear)
        # one's affairs after death, being put in order ("后事都交代好了"), not wills as a legal topic
        or ("affairs" in feats and (clear or bool(feats & {"plan_weak", "farewell_weak"})))
    )
    method_named = "method" in feats or ("method_weak" in feats and (ideation or plan or distress >= 2))
    method = method_named and (ideation or plan)
    timed = "time" in feats
    level = distress
    if "wish" in feats:
        level = 4
    if "strong_wish" in feats:
        level = 5
    if plan or _recruits(feats):
        level = max(level, 6)
    if method or ("method" in feats and timed):
        level = max(level, 7)  # a named method with a time frame is a plan in itself (news caps it below)
    if plan and timed:
        level = max(level, 8)
    if method and timed:
        level = max(level, 9)
    if ("in_progress" in feats and (ideation or plan or method_named or distress >= 2)) or (
        "in_progress_weak" in feats and plan and method_named
    ):
        level = 10
    if "news" in feats or ("prevention" in feats and not first_person):
        level = min(level, _CAP_CONTEXT)
    return level
