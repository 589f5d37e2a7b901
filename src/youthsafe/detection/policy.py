"""How the engine decides: which categories a post is flagged for, and its risk level.

Rule scores, model probabilities and the risk grader's assessment go in; ``CategoryScore`` decisions and a
level come out. Pure functions over plain values (and the operating points of one engine, ``Thresholds``);
``engine.Engine`` calls them per post.

Flag semantics (architecture.md, "Contracts"): W01 is a welfare signal (regulatory-reference 0.2 principle 3):
it is reported and routed to outreach, never counted as a violation.
"""

from __future__ import annotations

from dataclasses import dataclass

from youthsafe.detection import taxonomy
from youthsafe.detection.result import CategoryScore
from youthsafe.detection.risk import WELFARE_LEVEL, RiskAssessment
from youthsafe.detection.rules import DEFAULT_THRESHOLD, Hit

WELFARE = "W01"
RISK_LABEL = "risk"  # classifier.RISK_LABEL (the classifier module is imported only when a model loads)
DETECTABLE_SET = frozenset(taxonomy.text_detectable_ids())
# Categories with a dedicated rule detector (the risk grader): the model may flag them on its own only above
# this probability; below it, a model flag needs a signal from the grader or the category's rules. Character
# n-grams learn topic words ("一起" from suicide-pact posts, "念" from farewell notes) that ordinary
# statements share, and a suicide flag on a post about a holiday with one's girlfriend is the worst kind of
# false alarm (regulatory-reference 0.2 principle 2, 6.3).
_CORROBORATED = frozenset({"A07", WELFARE, "B09"})
_MODEL_ALONE = 0.95
MODEL_ALONE_ABUSE = 0.8  # B09 without a word of abuse: measured on COLD, SWSR and LCCC (benchmarks/README.md)
# Abuse (B09): the model alone flags it only where a word of abuse is in the text (the
# signal rule below, rules/bullying_hate.yaml): models trained on real comments learn that naming a group
# ("女生", "河南人", "直男") goes with abuse, and flagging a post for naming who people are is what principle
# 0.2.1-2 forbids. The abuse is in the attack, so the attack's words must be there.
ABUSE_SIGNAL = "B09.ctx.abuse"
ABUSE = frozenset({"B09"})
# Without any distress signal from the grader, the model's risk head may raise the level to at most this
# (same bound as for hyperbole and negation): a level of 4 or more always has rule evidence behind it.
MODEL_ONLY_RISK_CAP = 3
# A model score alone never flags a text with fewer letters, digits or CJK characters than this (a greeting,
# one or two words: too little content to judge); a rule, the risk lexicon or a longer text must agree.
_MIN_MODEL_CONTENT = 6
# P(level >= alert level) from which a risk head with classes may raise a level without the rules' distress
# words (``combine_risk``); measured on the held-out graded posts against everyday lines (benchmarks/README.md).
MODEL_ALONE_RISK = 0.5


# Tiers B and C (lawful content restricted for minors, misuse of a minor's image or data; regulatory-reference
# 2.2) are where the model's topic words live: eating, drinking, clothes, idols, study. The model alone flags
# them only when it is sure (0.9), the text says enough (12 characters) and a rule of the category saw it too, or
# when it is all but certain (0.98): everyday dialogue ("喝感冒药嗯喝了的", "今天淘到了一件古着夹克") otherwise
# read as B04 or B08. Abuse (B09) has its own guard (``ABUSE``).
_RESTRICTED = frozenset(
    c for c in DETECTABLE_SET if taxonomy.get(c).tier.value in {"B", "C"} and c not in {"B09", WELFARE}
)
_MODEL_ALONE_RESTRICTED = 0.9
_MODEL_SURE_RESTRICTED = 0.98
_SHORT_MARK = "short"  # in the corroboration set: the text is under ``_MIN_RESTRICTED_CONTENT``
_SHORT = frozenset({_SHORT_MARK})
_MIN_RESTRICTED_CONTENT = 12


def _content(norm: str, enough: int) -> int:
    """Letters, digits and CJK characters of ``norm``, counted up to where ``enough`` is certainly reached."""
    if len(norm) >= 3 * enough:
        return enough
    return sum(ch.isalnum() for ch in norm)


def too_short(norm: str) -> bool:
    """Too little content for the model alone to flag (see ``_MIN_MODEL_CONTENT``)."""
    return _content(norm, _MIN_MODEL_CONTENT) < _MIN_MODEL_CONTENT


def corroboration(
    norm: str, distress: bool, rule_scores: dict[str, float], hits: list[Hit], probs: dict[str, float]
) -> tuple[frozenset[str], dict[str, float]]:
    """The categories with a dedicated detector whose signal is present (``_CORROBORATED``), and the tier B
    and C categories a rule saw (``_RESTRICTED``); and the model probabilities that may speak: none for a
    text too short to judge (only rules and the risk grader speak), all of them otherwise."""
    found = {"A07", WELFARE} if distress else {"A07"} if "A07" in rule_scores else set()
    found |= _RESTRICTED.intersection(rule_scores)
    if any(h.rule.id == ABUSE_SIGNAL for h in hits):
        found |= ABUSE
    if probs and too_short(norm):
        return frozenset(found), {}
    if probs and _content(norm, _MIN_RESTRICTED_CONTENT) < _MIN_RESTRICTED_CONTENT:
        return frozenset(found) | _SHORT, probs
    return frozenset(found), probs


def _category_order(c: CategoryScore) -> tuple[float, str]:
    return (-c.score, c.id)


def combine_risk(assessment: RiskAssessment, model_value: float | None, *, confident: bool = False) -> int:
    """Combine the rules grade with the model's risk head (explainable: rules can veto exaggerations).

    Context caps (news, prevention) bind the model too; when the rules saw no distress signal at all, or
    only hyperbole or negation, or only level-1 wording ("委屈", "好累", "压力太大": some distress, no wish to
    die), the model may add at most up to level 3 (a welfare signal always has rule evidence a reviewer can
    see, and a level-1 word is not evidence of a wish to die: in heated real discussions the model read long
    argumentative comments holding one such word as levels 4-6); otherwise the higher of the two wins,
    because a missed crisis costs far more than an extra review (regulatory-reference 6.3).

    ``confident``: a risk head with classes puts P(level >= alert level) at ``MODEL_ALONE_RISK`` or more on a
    text long enough to judge. Then the model's level stands without the rules' distress words (first-person
    posts of real places say it in words no lexicon holds), with its n-grams as the evidence; context caps
    still bind it.
    """
    level = assessment.level
    if model_value is None:
        return level
    model_level = min(max(round(model_value), 0), 10)
    if assessment.capped:
        return min(max(level, model_level), 2)
    if not confident and (not assessment.distress or (assessment.masked and level == 0) or assessment.mild):
        return min(max(level, model_level), MODEL_ONLY_RISK_CAP)
    return max(level, model_level)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The operating points of one engine: the model's per-label thresholds and the rules' per-category ones."""

    model: dict[str, float]
    rules: dict[str, float]

    def model_flags(self, cid: str, model_score: float, corroborated: frozenset[str]) -> bool:
        """Does the model alone flag ``cid``? (Its threshold, and corroboration where a detector exists.)"""
        if model_score < self.model.get(cid, 1.01):  # no threshold: the model alone never flags
            return False
        if cid == WELFARE:
            # A welfare signal always has the grader's first-person distress evidence behind it, however sure
            # the model is: character n-grams of self-descriptions ("我是…") otherwise read as distress, and
            # marking a person at risk for saying who they are is what principle 0.2.2 forbids.
            return cid in corroborated
        if cid in ABUSE:
            return cid in corroborated or model_score >= MODEL_ALONE_ABUSE
        if cid in _RESTRICTED:
            if _SHORT_MARK in corroborated or model_score < _MODEL_ALONE_RESTRICTED:
                return False
            return cid in corroborated or model_score >= _MODEL_SURE_RESTRICTED

        return cid not in _CORROBORATED or cid in corroborated or model_score >= _MODEL_ALONE

    def categories(
        self,
        rule_scores: dict[str, float],
        factors: dict[str, float],
        probs: dict[str, float],
        level: int,
        corroborated: frozenset[str],
    ) -> list[CategoryScore]:
        """Score and decision of every category the rules or the model (above the report floor) speak of."""
        if not (rule_scores or probs or level):
            return []  # ordinary text with every probability under the report floor: nothing to score
        out: list[CategoryScore] = []
        if level or WELFARE in probs or WELFARE in rule_scores:
            p = probs.get(WELFARE, 0.0)
            score = max(level / 10, p)
            if score > 0 or WELFARE in probs:
                flagged = level >= WELFARE_LEVEL or self.model_flags(WELFARE, p, corroborated)
                out.append(CategoryScore(WELFARE, round(score, 4), flagged))
        if not (rule_scores or factors):
            # The model alone (most posts): same arithmetic as below with no rule score and factor 1.
            thresholds = self.model
            for cid, p in probs.items():
                if cid == WELFARE or cid not in DETECTABLE_SET:
                    continue
                flagged = p >= thresholds.get(cid, 1.01) and self.model_flags(cid, p, corroborated)
                out.append(CategoryScore(cid, round(p, 4), flagged))
            if len(out) > 1:
                out.sort(key=_category_order)
            return out
        rule_thresholds = self.rules
        for cid in rule_scores.keys() | probs.keys():
            if cid == WELFARE or cid not in DETECTABLE_SET:
                continue
            factor = factors.get(cid, 1.0) if factors else 1.0
            rule_score = rule_scores.get(cid, 0.0) * factor
            model_score = probs.get(cid, 0.0) * factor
            score = max(rule_score, model_score)
            if not (score > 0 or cid in probs):
                continue
            flagged = rule_score >= rule_thresholds.get(cid, DEFAULT_THRESHOLD) or (
                cid in probs and self.model_flags(cid, model_score, corroborated)
            )
            out.append(CategoryScore(cid, round(score, 4), flagged))
        if len(out) > 1:
            out.sort(key=_category_order)
        return out
