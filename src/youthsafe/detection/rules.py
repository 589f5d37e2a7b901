"""Versioned YAML rules: term lists, regular expressions, combinations and context suppressors.

Each file under ``data/rules/`` carries a ``version`` and a list of rules; each rule has ``id``,
``category``, ``kind`` (term | regex | combination | suppress), ``version``, ``weight``, ``shadow`` and a
``description``, plus ``examples: {hit: [...], miss: [...]}`` that the test suite replays, so every rule
is proven to fire on what it claims and stay quiet on its near misses.

* term: ``terms`` is a list of strings or ``{term: weight}`` maps; optional ``pinyin``/``homophone``.
* regex: ``patterns`` (Python ``re``) matched on the normalised text, or on the original text with
  ``match_on: original`` (URLs need their dots, which normalisation strips).
* combination: fires when every rule in ``requires`` fired (co-occurrence in the same post).
* suppress: ``terms`` that mark prevention, education, news or negation; scores of the ``targets``
  categories are multiplied by ``factor``.

Category ``signal`` marks feature rules (contact details) that fire and are reported but never score on
their own; combinations use them. Shadow rules are matched and reported but never act (no score, no
suppression), so a new rule can be watched in production before it is trusted.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from youthsafe.detection.lexicon import Lexicon, Match, RawPinyin, TermSpec
from youthsafe.detection.normalize import Normalized, normalize
from youthsafe.detection.taxonomy import CATEGORIES

__all__ = ["SIGNAL", "Hit", "Rule", "RuleError", "RuleSet", "load_rules"]

SIGNAL = "signal"
KINDS = frozenset({"term", "regex", "combination", "suppress"})
DEFAULT_THRESHOLD = 0.6
# A Chinese homophone (赌搏 for 赌博) is weaker evidence than the term itself: real words collide.
HOMOPHONE_DISCOUNT = 0.7

# libyaml's safe loader where PyYAML was built with it (it is, in the wheels): the pure-Python one took half
# a second of every start-up. Both construct only plain types (no Python objects).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as loaded from YAML."""

    id: str
    category: str
    kind: str
    version: int
    weight: float
    shadow: bool
    description: str
    file: str
    terms: tuple[tuple[str, float], ...] = ()
    patterns: tuple[str, ...] = ()
    on_original: bool = False
    requires: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    factor: float = 1.0
    pinyin: bool = False
    homophone: bool = False
    examples_hit: tuple[str, ...] = ()
    examples_miss: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule firing on one post, with the span in the ORIGINAL text and the matched original text."""

    rule: Rule
    start: int
    end: int
    text: str
    weight: float
    source: str  # "term", "pinyin", "regex", "combination"


@dataclass
class RuleSet:
    """All loaded rules, compiled for matching; ``apply`` finds hits and ``score`` turns them into scores."""

    rules: list[Rule]
    version: str
    thresholds: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.rules}
        self._term_of: list[tuple[Rule, float]] = []
        specs: list[TermSpec] = []
        for rule in self.rules:
            for term, weight in rule.terms:
                specs.append(TermSpec(term, len(self._term_of), rule.pinyin, rule.homophone))
                self._term_of.append((rule, weight))
        self.lexicon = Lexicon(specs)
        regexes = [r for r in self.rules if r.kind == "regex"]
        self._norm_rx = _compile(r for r in regexes if not r.on_original)
        self._orig_rx = _compile(r for r in regexes if r.on_original)
        self._combos = [r for r in self.rules if r.kind == "combination"]
        # Combinations by the rules they require: a post only checks those whose every part fired.
        self._combos_needing: dict[str, list[Rule]] = {}
        for combo in self._combos:
            for rid in set(combo.requires):
                self._combos_needing.setdefault(rid, []).append(combo)

    def threshold(self, category: str) -> float:
        """Score at which the rules alone flag ``category``."""
        return self.thresholds.get(category, DEFAULT_THRESHOLD)

    def apply(
        self,
        text: str,
        normalized: str,
        *,
        found: tuple[list[Match], list[RawPinyin]] | None = None,
    ) -> tuple[list[Hit], Normalized | None]:
        """Return the hits on one post (offsets into ``text``) and the offset map if one was needed.

        ``found``: its term and pinyin matches if already found for its batch (``apply_many``).
        """
        if found is None:
            direct, raw_pinyin = self.lexicon.find(normalized), self.lexicon.find_pinyin(normalized)
        else:
            direct, raw_pinyin = found
        norm_rx = _find_all(self._norm_rx, normalized)
        orig_rx = _find_all(self._orig_rx, text)
        if not (direct or raw_pinyin or norm_rx or orig_rx):
            return [], None
        norm = normalize(text, normalized)
        hits: list[Hit] = []
        for m in self.lexicon.resolve(norm, direct, raw_pinyin):
            rule, weight = self._term_of[m.payload]
            if m.source == "homophone":
                weight *= HOMOPHONE_DISCOUNT
            a, b = norm.to_original(m.start, m.end)
            hits.append(Hit(rule, a, b, text[a:b], weight, m.source))
        for rx, rule in norm_rx:
            a, b = norm.to_original(rx.start(), rx.end())
            hits.append(Hit(rule, a, b, text[a:b], rule.weight, "regex"))
        for rx, rule in orig_rx:
            hits.append(Hit(rule, rx.start(), rx.end(), rx.group(), rule.weight, "regex"))
        hits.extend(self._combinations(hits))
        return hits, norm

    def apply_many(
        self, texts: Sequence[str], normalized: Sequence[str]
    ) -> list[tuple[list[Hit], Normalized | None]]:
        """``apply`` for a batch: the term and pinyin automata run once over the whole batch."""
        direct = self.lexicon.find_many(normalized)
        raw = self.lexicon.find_pinyin_many(normalized)
        return [
            self.apply(t, n, found=(d, r)) for t, n, d, r in zip(texts, normalized, direct, raw, strict=True)
        ]

    def _combinations(self, hits: list[Hit]) -> list[Hit]:
        first: dict[str, Hit] = {}
        for h in hits:
            first.setdefault(h.rule.id, h)
        candidates: dict[str, Rule] = {}
        for rid in first:
            for combo in self._combos_needing.get(rid, ()):
                candidates[combo.id] = combo
        if not candidates:
            return []
        out: list[Hit] = []
        for combo in sorted(candidates.values(), key=self._combos.index):
            parts = [first.get(rid) for rid in combo.requires]
            if all(p is not None for p in parts):
                anchor = min((p for p in parts if p is not None), key=lambda p: p.start)
                out.append(Hit(combo, anchor.start, anchor.end, anchor.text, combo.weight, "combination"))
        return out

    def score(self, hits: Iterable[Hit]) -> tuple[dict[str, float], dict[str, float]]:
        """Category scores from live hits and the suppression factor per category.

        Each rule contributes its strongest hit once (several words from one list are one piece of
        evidence, so a weak list can never flag by repetition); different rules of a category combine by
        noisy-OR, which keeps scores in [0, 1] and rewards independent evidence. Suppression factors are
        returned separately so the engine can apply them to the classifier's probabilities as well.
        """
        best: dict[str, tuple[str, float]] = {}
        factors: dict[str, float] = {}
        for h in hits:
            rule = h.rule
            if rule.shadow:
                continue
            if rule.kind == "suppress":
                for cat in rule.targets:
                    factors[cat] = min(factors.get(cat, 1.0), rule.factor)
                continue
            if rule.category == SIGNAL:
                continue
            if rule.id not in best or best[rule.id][1] < h.weight:
                best[rule.id] = (rule.category, h.weight)
        miss: dict[str, float] = {}
        for cat, weight in best.values():
            miss[cat] = miss.get(cat, 1.0) * (1.0 - min(max(weight, 0.0), 1.0))
        scores = {cat: round(1.0 - m, 4) for cat, m in miss.items()}
        return scores, factors


# One compiled rule: its patterns joined as alternatives (for the matches) and each alone (for the quick test).
_Compiled = tuple[re.Pattern[str], tuple[re.Pattern[str], ...], Rule]


def _find_all(patterns: list[_Compiled], text: str) -> list[tuple[re.Match[str], Rule]]:
    """Every match of every rule. Almost every post matches none, so each pattern is first tried alone with
    ``search`` (Python's engine skips ahead to a pattern's literal prefix, which an alternation hides)."""
    out: list[tuple[re.Match[str], Rule]] = []
    for joined, singles, rule in patterns:
        for single in singles:
            if single.search(text) is not None:
                out.extend((m, rule) for m in joined.finditer(text))
                break
    return out


def _compile(rules: Iterable[Rule]) -> list[_Compiled]:
    """Each rule searched on its own rather than one alternation over every rule: separate searches are
    faster, and every rule reports its matches even where another rule's match overlaps them; a rule's own
    patterns still yield non-overlapping matches (they are joined as alternatives for ``finditer``).
    """
    out: list[_Compiled] = []
    for rule in rules:
        patterns = list(rule.patterns)
        joined = patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)
        out.append((re.compile(joined), tuple(re.compile(p) for p in patterns), rule))
    return out


def default_rules_dir() -> Path:
    """Directory of the rule files shipped with the package."""
    return Path(str(resources.files("youthsafe.detection") / "data" / "rules"))


def load_rules(rules_dir: str | Path | None = None) -> RuleSet:
    """Load and validate every ``*.yaml`` file of ``rules_dir`` (default: the packaged rules)."""
    directory = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RuleError(f"no rule files (*.yaml) in {directory}")
    rules: list[Rule] = []
    thresholds: dict[str, float] = {}
    digest = hashlib.sha256()
    for path in files:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506  # nosec B506
        file_rules, file_thresholds = _parse_file(path.name, doc)
        rules.extend(file_rules)
        thresholds.update(file_thresholds)
        digest.update(f"{path.name}@{doc['version']}:".encode())
        digest.update(",".join(f"{r.id}@{r.version}" for r in file_rules).encode())
    _check_references(rules)
    return RuleSet(rules, f"rules-{len(files)}f-{digest.hexdigest()[:10]}", thresholds)


def _parse_file(name: str, doc: Any) -> tuple[list[Rule], dict[str, float]]:
    if not isinstance(doc, dict) or "version" not in doc or not isinstance(doc.get("rules"), list):
        raise RuleError(f"{name}: expected a mapping with 'version' and a list 'rules'")
    thresholds = {str(k): float(v) for k, v in (doc.get("thresholds") or {}).items()}
    return [_parse_rule(name, raw) for raw in doc["rules"]], thresholds


def _parse_rule(name: str, raw: Any) -> Rule:
    if not isinstance(raw, dict) or "id" not in raw:
        raise RuleError(f"{name}: every rule needs an 'id'")
    where = f"{name}:{raw['id']}"
    kind, category = raw.get("kind"), str(raw.get("category", ""))
    if kind not in KINDS:
        raise RuleError(f"{where}: kind must be one of {sorted(KINDS)}")
    if kind != "suppress" and category != SIGNAL and category not in CATEGORIES:
        raise RuleError(f"{where}: unknown category {category!r}")
    for key in ("version", "description"):
        if key not in raw:
            raise RuleError(f"{where}: missing {key!r}")
    weight = float(raw.get("weight", 0.5))
    examples = raw.get("examples") or {}
    rule = Rule(
        id=str(raw["id"]), category=category, kind=kind, version=int(raw["version"]), weight=weight,
        shadow=bool(raw.get("shadow", False)), description=str(raw["description"]), file=name,
        terms=tuple(_terms(where, raw.get("terms") or [], weight)),
        patterns=tuple(str(p) for p in raw.get("patterns") or []),
        on_original=raw.get("match_on", "normalized") == "original",
        requires=tuple(str(r) for r in raw.get("requires") or []),
        targets=tuple(str(t) for t in raw.get("targets") or []),
        factor=float(raw.get("factor", 1.0)), pinyin=bool(raw.get("pinyin", False)),
        homophone=bool(raw.get("homophone", False)),
        examples_hit=tuple(examples.get("hit") or []), examples_miss=tuple(examples.get("miss") or []),
    )  # fmt: skip
    _check_shape(where, rule)
    return rule


def _terms(where: str, items: list[Any], default: float) -> Iterable[tuple[str, float]]:
    for item in items:
        if isinstance(item, str | int) and not isinstance(item, bool):
            yield str(item), default  # YAML reads hotline numbers such as 12356 as integers
        elif isinstance(item, dict) and len(item) == 1:
            ((term, weight),) = item.items()
            yield str(term), float(weight)
        else:
            raise RuleError(f"{where}: a term is a string or a one-entry {{term: weight}} map, got {item!r}")


def _check_shape(where: str, rule: Rule) -> None:
    if rule.kind in {"term", "suppress"} and not rule.terms:
        raise RuleError(f"{where}: {rule.kind} rule needs 'terms'")
    if rule.kind == "regex":
        if not rule.patterns:
            raise RuleError(f"{where}: regex rule needs 'patterns'")
        for p in rule.patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise RuleError(f"{where}: bad pattern {p!r}: {exc}") from exc
    if rule.kind == "combination" and not rule.requires:
        raise RuleError(f"{where}: combination rule needs 'requires'")
    if rule.kind == "suppress" and not (rule.targets and 0.0 <= rule.factor < 1.0):
        raise RuleError(f"{where}: suppress rule needs 'targets' and a factor in [0, 1)")
    if not math.isfinite(rule.weight) or not 0.0 <= rule.weight <= 1.0:
        raise RuleError(f"{where}: weight must be within [0, 1]")


def _check_references(rules: list[Rule]) -> None:
    ids = [r.id for r in rules]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuleError(f"duplicate rule ids: {sorted(dupes)}")
    known = set(ids)
    for r in rules:
        missing = [q for q in r.requires if q not in known]
        if missing:
            raise RuleError(f"{r.file}:{r.id}: requires unknown rules {missing}")
        bad = [t for t in r.targets if t not in CATEGORIES]
        if bad:
            raise RuleError(f"{r.file}:{r.id}: unknown target categories {bad}")
