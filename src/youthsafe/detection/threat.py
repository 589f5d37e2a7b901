"""Threat grader: threats of violence against others, extended suicide and crimes arranged online (issue 22).

Like the suicide grader (risk.py): features from the normalised Aho-Corasick ``Lexicon`` and regular expressions
(``data/lexicon/threat.yaml``, which gives each feature its role), no match over a sentence end, masks, context
caps. Levels follow the "pathway to violence": grievance 1-2, violent ideation 3, leakage of intent 4, a direct
threat 5, an identifiable target with intent 6, means acquired or sought (or research) with a motive 7, watching
the target, rehearsal or a time with the means 8, time, place, means and intent 9, attack under way 10; extended
suicide ("死之前拉几个垫背") is its own kind, 7 at least. Crimes arranged online (``arranged_crime``): recruitment
into a fight, robbery or attack (6-10), trading weapons, poison or sedatives (7), "quick money" errands (4),
doxxing so that others hurt someone (7-8); ``grade_reply`` grades a reply with its thread. News, prevention,
fiction, games, victims, jokes, looking back, everyday contexts and the writer's own suicide (without harm named
against others) cap the level at 2; reported speech is not the writer's. No feature names a group of people.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick_rs as ac
import yaml

from youthsafe.detection.lexicon import Lexicon, Match, TermSpec
from youthsafe.detection.normalize import Normalized, normalize, normalize_text, normalize_texts
from youthsafe.detection.rules import SAFE_LOADER

__all__ = [
    "ALERT_LEVEL", "ARRANGED_CRIME", "EXTENDED_LEVEL", "EXTENDED_SUICIDE", "HARM_TO_OTHERS", "KINDS", "NO_THREAT",
    "SIGNAL_LEVEL", "TARGETED_LEVEL", "ThreatAssessment", "ThreatEvidence", "ThreatGrader",
]  # fmt: skip

HARM_TO_OTHERS, ARRANGED_CRIME, EXTENDED_SUICIDE = "harm_to_others", "arranged_crime", "extended_suicide"
KINDS = (HARM_TO_OTHERS, ARRANGED_CRIME, EXTENDED_SUICIDE)
SIGNAL_LEVEL = 3  # violent ideation: from here a post carries a kind (a welfare signal at least)
ALERT_LEVEL = 4  # leakage of intent or more, or an arranged crime, or extended suicide: open an alert
TARGETED_LEVEL = 6  # an identifiable target with intent; with a time in the next 24 h the post is imminent
EXTENDED_LEVEL = 7  # extended suicide is graded at least here (the caller also raises the suicide scale)
_CAP, _DISAVOWED = 2, 3  # the context cap; "我不会真做的" keeps ideation, nothing above it
_WEAK_TERMS, _LONG_POST = 2, 80  # weak words that make a context (one more from this many characters)
_NEAR = 20  # characters between a trading word and the thing traded
_REPORTED_MIN = 7  # a quotation this long (or after a speech verb) reports speech; shorter ones are euphemisms
# Veiled leakage ("惊喜", "你就知道了") counts next to one of these (or a grievance, ideation, a means)
_STRONG_INTENT = {"leakage", "threat", "surveillance", "rehearsal", "in_progress", "extended_suicide", "routine"}
_LOGISTICS = ("time", "place", "means", "target")  # cues of a recruitment
_THREAD_CUES = ("recruitment", "purchase", "errand", "doxxing")  # a reply that joins its thread takes these
_DISSUADE = {"prevention", "victim", "negation"}  # a reply with these does not join its thread
_NOT_ENGAGING = {"grievance", "disavowal", "own_death"}
_BARE_REPLY = re.compile(r"^(1|[0-9]{1,2}|到|收到|好|行|要|有|顶|来)$")
_QUOTED = re.compile(r'“[^”]*”|「[^」]*」|『[^』]*』|"[^"]*"|‘[^’]*’')
_SPEECH = re.compile(
    r"(说|写下?|称|扬言|发布|喊|道|问|句|台词|留言|评论|消息|内容|言论|表示|骂|发了?条?|发过)出?的?[:：]?$"
)
_SENTENCE_END, _PAUSE, _LATIN = re.compile(r"[。！？!?；;\n\r]"), re.compile(r"[，,、：:]"), re.compile("[a-z]")
_HOMOPHONE_GATE = frozenset("呛抢墙腔锵滚衮")  # characters of homophone spellings ("土呛", "甩滚")
_TITLE = "《》"  # a book, film, song or game title: the post is about a work (a strong fiction context)
_PLAIN = r"[^()\[\]\\|?*+{}.^$]"
_LEAD = re.compile(rf"\(({_PLAIN}+(?:\|{_PLAIN}+)*)\)(?![?*]|\{{0)|({_PLAIN}+)")
_GROUPS = re.compile(r"\\.|\[[^\]]*\]|\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
_ANCHOR = re.compile(r"[$^]")
_QUANT = re.compile(r"[?*+]\??|\{[^}]*\}\??")

Span = tuple[int, int, str, str]  # normalised start, end, feature, matched normalised text


@dataclass(frozen=True, slots=True)
class ThreatEvidence:
    """A cue match, with its span in the ORIGINAL text."""

    start: int
    end: int
    text: str
    cue: str


@dataclass(frozen=True, slots=True)
class ThreatAssessment:
    """Result of grading one post: level 0-10 on the pathway to violence, kinds, cues and their evidence."""

    level: int
    kinds: tuple[str, ...]  # of KINDS; none below SIGNAL_LEVEL unless an arranged crime
    cues: tuple[str, ...]
    evidence: tuple[ThreatEvidence, ...]
    recruitment: bool = False  # recruits others into a fight, a robbery or an attack (the organiser pattern)
    imminent: bool = False  # a threat of level 6+ with a time within the next 24 hours, or under way
    masked: bool = False  # a hyperbole, banter or negation was seen (the model may not overrule it upwards)
    capped: bool = False  # a news, prevention, fiction, game, victim, joke, looking-back or everyday context

    @property
    def alert(self) -> bool:
        """Leakage of intent or more, an arranged crime, or extended suicide: the post opens an alert."""
        return self.level >= ALERT_LEVEL or ARRANGED_CRIME in self.kinds or EXTENDED_SUICIDE in self.kinds


NO_THREAT = ThreatAssessment(0, (), (), ())


class ThreatGrader:
    """Rules-based grader; build once (loads ``data/lexicon/threat.yaml``) and call ``grade`` per post."""

    def __init__(self, path: str | Path | None = None) -> None:
        default = resources.files("youthsafe.detection") / "data" / "lexicon" / "threat.yaml"
        src = Path(path) if path else Path(str(default))
        doc: dict[str, Any] = yaml.load(src.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506  # nosec B506
        self.version, self._features = f"threat-{doc['version']}", list(doc["features"])
        specs, patterns, roles = list[TermSpec](), list[tuple[str, str]](), dict[str, set[str]]()
        self._cue, self._strong = dict[str, str](), dict[str, frozenset[str]]()
        for idx, name in enumerate(self._features):
            spec = doc["features"][name]
            roles.setdefault("helper" if spec.get("helper") else spec.get("role", "cue"), set()).add(name)
            self._cue[name] = spec.get("cue", name)
            self._strong[name] = frozenset(normalize_text(str(t)) for t in spec.get("strong", []))
            homophones = {normalize_text(str(t)) for t in spec.get("homophones", [])}
            for term in map(str, [*spec.get("strong", []), *spec.get("terms", []), *homophones]):
                homophone = normalize_text(term) in homophones
                specs.append(TermSpec(term, idx, pinyin=bool(spec.get("pinyin")), homophone=homophone))
            patterns.extend((name, p) for p in spec.get("patterns", []))
        self._lexicon, self._patterns = Lexicon(specs), [(name, re.compile(p)) for name, p in patterns]
        self._masks, self._contexts = roles.get("mask", set()), roles.get("context", set()) | roles.get("self", set())
        self._lifts, self._soft = roles.get("lift", set()), roles.get("context", set()) | roles.get("soft", set())
        # A pattern that begins with literals runs only where one of them occurs (one automaton pass finds them)
        firsts = [_leading(p) for _, p in patterns]
        leads = {lit: [i for i, ls in enumerate(firsts) if lit in ls] for ls in firsts for lit in ls}
        self._always = [i for i, ls in enumerate(firsts) if not ls]
        self._leads, self._gate = list(leads.values()), ac.AhoCorasick(list(leads), matchkind=ac.MATCHKIND_STANDARD)

    def find_many(self, normalized: Sequence[str]) -> list[list[Match]]:
        """The grader's term matches for a whole batch in one pass (``direct`` of ``grade``)."""
        return self._lexicon.find_many(normalized)

    def grade_many(self, texts: Sequence[str]) -> list[ThreatAssessment]:
        """``grade`` for a batch: one normalisation and one automaton pass over all texts."""
        normalized = normalize_texts(list(texts))
        direct = self.find_many(normalized)
        return [self.grade(t, n, None, d) for t, n, d in zip(texts, normalized, direct, strict=True)]

    def grade(self, text: str, normalized: str | None = None, norm: Normalized | None = None,
              direct: list[Match] | None = None) -> ThreatAssessment:  # fmt: skip
        """Grade one post. ``normalized``/``norm`` may be passed in to reuse work done by the rules, and
        ``direct`` its term matches from ``find_many``."""
        spans = self._spans(text, normalized, norm, direct)
        return NO_THREAT if spans is None else self._assess(text, *spans)

    def grade_reply(self, text: str, context: ThreatAssessment) -> ThreatAssessment:
        """Grade a reply in a thread whose opening post (or the thread so far) was graded ``context``: a reply
        that takes part in an arranged crime ("1", "算我一个", "我带两根管子", "多少钱") joins the incident (the
        thread's level and kinds, its own cues and evidence); one that dissuades, reports, asks for help or is
        capped by its own context keeps its own grading."""
        spans = self._spans(text, everything=True)
        own = NO_THREAT if spans is None else self._assess(text, *spans)
        feats = set() if spans is None else {f for _, _, f, _ in spans[0]}
        engaging = feats - self._masks - self._soft - self._lifts - _NOT_ENGAGING
        joins = engaging or _BARE_REPLY.match(normalize_text(text)) or own.alert
        if not (ARRANGED_CRIME in context.kinds or context.recruitment) or own.capped or not joins or feats & _DISSUADE:
            return own
        cues = tuple(sorted({*own.cues, "reply", *(c for c in _THREAD_CUES if c in context.cues)}))
        kinds = tuple(k for k in KINDS if k in own.kinds or k in context.kinds)
        level, imminent = max(own.level, context.level), own.imminent or context.imminent
        return ThreatAssessment(level, kinds, cues, own.evidence, own.recruitment, imminent, own.masked)

    def _spans(
        self, text: str, normalized: str | None = None, norm: Normalized | None = None,
        direct: list[Match] | None = None, *, everything: bool = False,
    ) -> tuple[list[Span], bool, Normalized] | None:  # fmt: skip
        """Matches kept after sentence ends, reported speech and masks; whether a mask was seen; the offsets.
        None when nothing could grade (``everything``: when nothing matched at all)."""
        normalized = normalize_text(text) if normalized is None else normalized
        direct = self._lexicon.find(normalized) if direct is None else direct
        hits = self._gate.find_matches_as_indexes(normalized, overlapping=True) if normalized else []
        gated = sorted({i for idx, _, _ in hits for i in self._leads[idx]}.union(self._always))
        matched = [(m.start(), m.end(), self._patterns[i][0], m.group()) for i in gated
                   for m in self._patterns[i][1].finditer(normalized) if m.end() > m.start()]  # fmt: skip
        latin = _LATIN.search(normalized) is not None
        raw = self._lexicon.find_pinyin(normalized) if latin or not _HOMOPHONE_GATE.isdisjoint(normalized) else []
        # Every feature at one place, none masked or capped, grades at least as high as the post: when even that
        # is nothing, so is the post (most posts stop here, before the offset map)
        alike = [(s, e, self._features[p], normalized[s:e]) for s, e, p in [(m.start, m.end, m.payload) for m in direct]
                 + [r[:3] for r in raw]] + matched  # fmt: skip
        if not alike or not (everything or _graded(_Facts([(0, 0, f, t) for _, _, f, t in alike])).some):
            return None
        norm = norm or normalize(text, normalized)
        # Normalisation drops punctuation, which joins sentences ("不想活了。周五" is not "了周五") and words ("了，
        # 结果" is not "了结"): no match runs over a sentence end and no term over a comma ("家 伙" stays a term).
        pauses, ends = _breaks(norm, _PAUSE), _breaks(norm, _SENTENCE_END)
        found = [(m.start, m.end, self._features[m.payload], normalized[m.start : m.end])
                 for m in self._lexicon.resolve(norm, direct, raw) if not _crosses(pauses, m.start, m.end)]  # fmt: skip
        found = _drop_reported([s for s in found + matched if not _crosses(ends, s[0], s[1])], norm, self._contexts)
        if "《" in text and "》" in text:
            found.append((0, 0, "fiction", _TITLE))
        cues = {(s, e) for s, e, f, _ in found if f not in self._masks and f not in self._soft}
        masks = [(s, e) for s, e, f, _ in found if f in self._masks and not _inside_longer(s, e, cues)]
        kept = [(s, e, f, t) for s, e, f, t in found if f not in self._masks
                and not (f in self._soft and _inside_longer(s, e, cues))  # "不是说说而已", "在新闻上看到"
                and not (f not in self._lifts and any(s < me and ms < e for ms, me in masks))]  # fmt: skip
        return kept, bool(masks), norm

    def _assess(self, text: str, kept: list[Span], masked: bool, norm: Normalized) -> ThreatAssessment:
        """Level, kinds, cues and evidence from the kept matches, then the context cap."""
        x = _Facts(kept)
        grade = _graded(x)
        level = grade.level
        if x.has("disavowal") and not (grade.arranged or x.extended):
            level = min(level, _DISAVOWED)
        flags = (grade.harm and level >= SIGNAL_LEVEL, grade.arranged, x.extended and level >= SIGNAL_LEVEL)
        kinds = tuple(k for k, ok in zip(KINDS, flags, strict=True) if ok)
        weak = _WEAK_TERMS + (len(norm.text) >= _LONG_POST)
        seen = {f: {t for _, _, g, t in kept if g == f} for f in self._contexts & x.count.keys()}
        contexts = {f for f, ts in seen.items() if _TITLE in ts or ts & self._strong[f] or len(ts) >= weak}
        lifted = contexts - {"joke", "game", "self_harm"} if x.has("own_intent") else set()
        lifted |= ({"game"} if x.has("offline") else set()) | ({"self_harm"} if x.others else set())
        capped = level > _CAP and bool(contexts - lifted)
        level, kinds = (_CAP, ()) if capped else (level, kinds)
        cues = grade.cues if kinds else grade.cues & {"grievance"}
        spans = sorted({(s, e, self._cue[f]) for s, e, f, _ in kept if e > s and self._cue[f] in cues})
        evidence = tuple(ThreatEvidence(a, b, text[a:b], cue) for s, e, cue in spans
                         if not any(c == cue and s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2, c in spans)
                         for a, b in [norm.to_original(s, e)])  # fmt: skip
        imminent = bool(kinds) and level >= TARGETED_LEVEL and (x.has("in_progress") or x.has("time_now"))
        return ThreatAssessment(level, kinds, tuple(sorted(cues)), evidence, grade.recruits and bool(kinds), imminent,
                                masked, capped)  # fmt: skip


class _Facts:
    """What the kept matches say, as the pathway and the arranged-crime rules read them."""

    def __init__(self, kept: list[Span]) -> None:
        self.kept, has = kept, self.has
        self.count = Counter(f for _, _, f, _ in kept)
        self.distinct = Counter(f for f, _ in {(f, t) for _, _, f, t in kept})
        self.weapon = has("means")  # a weapon word; household things (菜刀, 家伙) are means_household
        self.means = self.weapon or has("means_household") or (has("means_weak") and has("acquired"))
        # Buying or selling: a weapon or sedative next to a trading word, or any means next to covert trading
        trade = self.near({"purchase", "purchase_covert"}, {"means", "sedative"})
        self.purchase = trade or self.near({"purchase_covert"}, {"means_household"})
        self.armed = self.means and (has("acquired") or self.purchase)
        strong = self.weapon or has("means_household") or has("grievance") or has("ideation")
        self.leakage = has("leakage") or (has("leakage_weak") and (strong or not _STRONG_INTENT.isdisjoint(self.count)))
        self.intent = self.leakage or has("threat")
        self.timed = has("time") or has("time_now")
        linked = has("target") or has("grievance") or self.intent  # not a pact: someone who did not choose it
        self.extended = has("extended_suicide") or (has("extended_weak") and linked)
        own = has("own_intent") and (has("target") or has("leakage_weak"))  # "东西买好了 给你留着的" is a motive
        self.motive = self.intent or has("ideation") or has("grievance") or self.extended or own
        # Harm named against others: a suicide plan with means, time and place is the suicide grader's alone
        self.others = self.extended or has("threat") or has("doxx") or (has("recruit") and has("fight"))
        self.others = self.others or (has("target") and (has("ideation") or has("incite")))

    def has(self, feature: str) -> bool:
        return self.count[feature] > 0

    def near(self, features: set[str], others: set[str]) -> bool:
        """A match of ``features`` within ``_NEAR`` characters of a match of ``others``."""
        mine = [(s, e) for s, e, f, _ in self.kept if f in features]
        theirs = [(s, e) for s, e, f, _ in self.kept if f in others] if mine else []
        return any(s - _NEAR < e2 and s2 < e + _NEAR for s, e in mine for s2, e2 in theirs)


@dataclass(slots=True)
class _Grade:
    level: int
    cues: set[str]
    harm: bool = False
    arranged: bool = False
    recruits: bool = False

    @property
    def some(self) -> bool:
        return self.level > 0 or self.arranged

    def up(self, level: int, *cues: str, harm: bool = True) -> None:
        self.level, self.harm = max(self.level, level), self.harm or harm
        self.cues.update(cues)


def _graded(x: _Facts) -> _Grade:
    grade = _Grade(min(x.count["grievance"], _CAP), set())
    _pathway(x, grade)
    _arranged(x, grade)
    return grade


def _pathway(x: _Facts, g: _Grade) -> None:
    """Grievance, ideation, leakage, target, means, research, surveillance, time and place, attack under way."""
    has = x.has
    g.cues.update(("grievance",) if has("grievance") else ())
    for ok, level, cue in (
        (has("ideation"), 3, "ideation"),
        (x.leakage, 4, "leakage"),
        (has("threat"), 5, "direct_threat"),
    ):
        if ok:
            g.up(level, cue)
    if has("target") and (x.intent or has("ideation")):
        g.up(TARGETED_LEVEL if x.intent else g.level, "target", harm=g.harm)
    if x.armed and (x.motive or (has("target") and x.weapon)):
        g.up(7, "means")
    if has("research") and (x.intent or x.means or has("ideation") or has("grievance")):
        g.up(7, "research")
    routine = has("routine") and (x.distinct["routine"] >= 2 or has("target") or x.means or x.motive)
    routine = routine and (g.level >= SIGNAL_LEVEL or x.means or x.distinct["routine"] >= 2)
    if has("surveillance") or has("rehearsal") or routine:
        g.up(8, *(c for c in ("surveillance", "rehearsal") if has(c)), *(("surveillance",) if routine else ()))
    if x.timed and g.harm and (x.armed or (x.means and (x.intent or has("target")))):
        g.up(8, "time", "means")
    if x.timed and has("place") and has("target") and x.intent:
        g.up(8, "time", "place", "target")
    if x.timed and has("place") and x.means and (x.intent or (x.armed and x.motive)):
        g.up(9, "time", "place", "means")
    if has("in_progress") and (x.means or x.intent or x.extended or x.distinct["in_progress"] >= 2):
        g.up(10, "in_progress", *(("place",) if has("place") else ()))
    if x.extended:
        g.up(8 if x.timed else EXTENDED_LEVEL, "extended_suicide")


def _arranged(x: _Facts, g: _Grade) -> None:
    """Recruitment into a fight, a robbery or an attack; buying weapons, poison or sedatives; "quick money"
    errands; doxxing a person so that others hurt them."""
    has, means = x.has, x.means
    surveil, place, target = has("surveillance") or has("rehearsal"), has("place"), has("target")
    if has("recruit") and (has("fight") or x.weapon or (target and x.intent) or surveil or has("in_progress")
                           or (means and x.timed and place)):  # fmt: skip
        level = 7 if target or means or x.intent else 6
        level = 8 if surveil or (x.timed and (place or means)) else level
        level = 9 if x.timed and place and means else level
        level = 10 if has("in_progress") and (place or means) else level
        g.up(
            level, "recruitment", *(c for c, ok in zip(_LOGISTICS, (x.timed, place, means, target), strict=True) if ok)
        )
        g.arranged = g.recruits = True
    elif has("join_strong") and (has("fight") or x.weapon or has("recruit")) and not has("benign"):
        g.up(7 if x.weapon else 6, "recruitment", *(("means",) if x.weapon else ()))  # "算我一个 几点集合", "我带家伙"
        g.arranged = g.recruits = True
    if x.purchase or (has("sedative") and (has("errand_secret") or has("acquired") or has("purchase_covert"))):
        g.up(7, "purchase", *(("means",) if x.weapon else ()), harm=g.harm)
        g.arranged = True
    parts = sum(has(f) for f in ("errand_pay", "errand_secret", "errand_minor"))
    if (has("errand_task") and parts >= 2) or parts == 3:
        g.up(4, "errand", harm=g.harm)
        g.arranged = True
    if has("incite") and (has("doxx") or x.distinct["doxx_detail"] >= 2):
        g.up(8 if has("surveillance") else 7, "doxxing", "target")
        g.arranged, g.recruits = True, g.recruits or has("recruit")


def _inside_longer(start: int, end: int, spans: set[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e and e - s > end - start for s, e in spans)


def _drop_reported(found: list[Span], norm: Normalized, contexts: set[str]) -> list[Span]:
    """Drop matches (not context words) inside reported speech: a quotation after a speech verb or right after
    another reported one, or a long one. Short quotations are euphemisms ("“关照”一下") and stay."""
    text, spans = norm.original, list[tuple[int, int]]()
    for m in _QUOTED.finditer(text):
        inner, chained = len("".join(m.group()[1:-1].split())), bool(spans) and spans[-1][1] == m.start()
        if inner >= _REPORTED_MIN or chained or _SPEECH.search(text[max(0, m.start() - 6) : m.start()].strip()):
            spans.append((m.start(), m.end()))
    if not spans:
        return found
    where = [norm.to_original(s, e) for s, e, _, _ in found]
    return [
        m
        for m, (a, b) in zip(found, where, strict=True)
        if m[2] in contexts or not any(s <= a and b <= e for s, e in spans)
    ]


def _breaks(norm: Normalized, marks: re.Pattern[str]) -> list[int]:
    """Positions of the normalised text before which the original has one of ``marks``."""
    if marks.search(norm.original) is None:
        return []
    return sorted({bisect_left(norm.starts, m.start()) for m in marks.finditer(norm.original)})


def _crosses(breaks: list[int], start: int, end: int) -> bool:
    """True when the normalised span ``[start, end)`` runs over one of ``breaks``."""
    i = bisect_right(breaks, start)
    return i < len(breaks) and breaks[i] < end


def _leading(pattern: str) -> list[str]:
    """Literals one of which every match of ``pattern`` holds: its first plain literal or group of plain
    alternatives that is not optional (empty: none, the pattern runs on every text)."""
    i = 0
    while "|" not in _GROUPS.sub("", pattern) and i < len(pattern):  # a top-level alternation has no such literal
        m = _LEAD.match(pattern, i)
        if m and m.group(1) is not None:
            return m.group(1).split("|")
        run = m.group(2)[:-1] if m and pattern.startswith(("?", "*", "{0", "{,"), m.end()) else m and m.group(2)
        if run:
            return [run]
        item = m or _GROUPS.match(pattern, i) or _ANCHOR.match(pattern, i)
        if item is None:
            return []
        i = q.end() if (q := _QUANT.match(pattern, item.end())) else item.end()
    return []
