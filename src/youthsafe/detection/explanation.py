"""What a result shows a reviewer: evidence spans of the rules and the risk grader, the rules that fired, the
one-line explanation, and the words naming groups of people that never count as model evidence of abuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ahocorasick_rs as ac
import yaml

from youthsafe.detection import taxonomy
from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.policy import WELFARE
from youthsafe.detection.result import CategoryScore, Evidence, RuleHit
from youthsafe.detection.risk import WELFARE_LEVEL, RiskAssessment
from youthsafe.detection.rules import SAFE_LOADER, Hit

_IDENTITY_TERMS = Path(__file__).parent / "data" / "lexicon" / "identity_terms.yaml"
_NOTHING_FOUND = "No violation found."


def identity_terms() -> Any:
    """An automaton over the words naming groups of people (data/lexicon/identity_terms.yaml, normalised);
    used only to discount model evidence, never to flag."""
    doc = yaml.load(_IDENTITY_TERMS.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506  # nosec B506
    terms = sorted({normalize_text(str(t)) for t in doc["terms"]} - {""})
    return ac.AhoCorasick(terms, matchkind=ac.MATCHKIND_STANDARD)


def names_group(norm: str, start: int, end: int, terms: Any) -> bool:
    """Does the span ``[start, end)`` of ``norm`` overlap a word naming a group of people?"""
    window_start = max(0, start - 8)
    window = norm[window_start : end + 8]
    return any(window_start + s < end and window_start + e > start
               for _i, s, e in terms.find_matches_as_indexes(window, overlapping=True))  # fmt: skip


def rule_evidence(hits: list[Hit]) -> list[Evidence]:
    """One evidence span per rule and place (shadow rules never show)."""
    seen: set[tuple[int, int, str]] = set()
    out: list[Evidence] = []
    for h in sorted(hits, key=lambda h: (h.start, h.end)):
        key = (h.start, h.end, h.rule.id)
        if h.rule.shadow or key in seen:
            continue
        seen.add(key)
        category = h.rule.category if h.rule.kind != "suppress" else "suppress"
        out.append(Evidence(h.start, h.end, h.text, category, h.rule.id, h.source))
    return out


def risk_evidence(assessment: RiskAssessment) -> list[Evidence]:
    """The risk grader's evidence: recruitment counts for A07, everything else is a welfare signal."""
    return [
        Evidence(
            e.start,
            e.end,
            e.text,
            "A07" if e.feature == "recruitment" else WELFARE,
            f"risk.{e.feature}",
            "risk",
        )
        for e in assessment.evidence
    ]


def rules_fired(hits: list[Hit]) -> list[RuleHit]:
    """Each rule that matched, once, in the order of its first hit."""
    fired: dict[str, RuleHit] = {}
    for h in hits:
        fired.setdefault(h.rule.id, RuleHit(h.rule.id, h.rule.category, h.rule.shadow, h.rule.version))
    return list(fired.values())


def explain(categories: list[CategoryScore], level: int, recruitment: bool, status: str, violation: bool) -> str:
    """The one-line explanation of a result."""
    if not (violation or level or recruitment) and not status.startswith("rules-only"):
        return _NOTHING_FOUND  # the common case, without building the sentence
    flagged = [c for c in categories if c.flagged and c.id != WELFARE]
    parts = [f"{c.id} {taxonomy.get(c.id).name_en} ({c.score:.2f})" for c in flagged]
    text = "Flagged: " + "; ".join(parts) if parts else "No violation found"
    if level:
        text += f". Suicide risk level {level}/10"
        if level >= WELFARE_LEVEL:
            text += " (welfare signal: route to outreach, never sanction)"
    if recruitment:
        text += ". Group-suicide recruitment"
    if status.startswith("rules-only"):
        text += ". Rules only"
    return text + "."
