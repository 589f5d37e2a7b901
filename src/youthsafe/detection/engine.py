"""The detection engine: normalise, match rules, grade risk, combine with the classifier, explain.

``Engine.scan`` is the one entry point the CLI, the pipeline and the web app use. It never raises on
content: any text, including empty strings and unusual Unicode, yields a ``ScanResult``. When no
classifier model is available (or it fails to load or to predict) the engine runs rules-only and says so
in ``model_version``.

Flag semantics (architecture.md, "Contracts"): ``flagged`` is true when a violation category passes its
threshold or the risk level reaches ``alert_level``. W01 is a welfare signal (regulatory-reference 0.2
principle 3): it is reported through ``welfare`` and never counts as a violation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from youthsafe.detection import taxonomy
from youthsafe.detection.dedup import DedupIndex
from youthsafe.detection.lexicon import Match
from youthsafe.detection.normalize import Normalized, normalize, normalize_texts
from youthsafe.detection.risk import WELFARE_LEVEL, RiskAssessment, RiskGrader
from youthsafe.detection.rules import DEFAULT_THRESHOLD, Hit, RuleSet, load_rules

__all__ = ["CategoryScore", "Engine", "Evidence", "RuleHit", "ScanResult"]

log = logging.getLogger(__name__)

WELFARE = "W01"
_MODEL_EXPLAIN_K = 3
# Model probabilities below this are not reported per post: they flag nothing and would only make every
# result list every label. (A category scored by the rules is always reported.)
_REPORT_FLOOR = 0.05
_DETECTABLE = tuple(taxonomy.text_detectable_ids())
_DETECTABLE_SET = frozenset(_DETECTABLE)
# Categories with a dedicated rule detector (the risk grader): the model may flag them on its own only above
# this probability; below it, a model flag needs a signal from the grader or the category's rules. Character
# n-grams learn topic words ("一起" from suicide-pact posts, "念" from farewell notes) that ordinary
# statements share, and a suicide flag on a post about a holiday with one's girlfriend is the worst kind of
# false alarm (regulatory-reference 0.2 principle 2, 6.3).
_CORROBORATED = frozenset({"A07", WELFARE})
_A07_ONLY = frozenset({"A07"})
_NONE: frozenset[str] = frozenset()
_MODEL_ALONE = 0.95
# Without any distress signal from the grader, the model's risk head may raise the level to at most this
# (same bound as for hyperbole and negation): a level of 4 or more always has rule evidence behind it.
_MODEL_ONLY_RISK_CAP = 3


@dataclass(slots=True)
class CategoryScore:
    """Score of one category in [0, 1] and whether it passes its threshold.

    The result types are plain (not frozen) slotted dataclasses: a frozen one costs four times as much to
    build, and the engine builds several per post. Treat them as read-only; ``dataclasses.replace`` copies.
    """

    id: str
    score: float
    flagged: bool


@dataclass(slots=True)
class Evidence:
    """Why something fired: a span ``[start, end)`` of the ORIGINAL text and the rule or model behind it."""

    start: int
    end: int
    text: str
    category: str
    rule_id: str
    source: str  # term | pinyin | homophone | regex | combination | risk | model


@dataclass(slots=True)
class RuleHit:
    """A rule that fired on the post; shadow rules are reported but never act."""

    rule_id: str
    category: str
    shadow: bool
    version: int


@dataclass(slots=True)
class ScanResult:
    """Findings for one text. ``to_dict`` gives the JSON object of the scan contract (architecture.md)."""

    categories: list[CategoryScore]
    risk_level: int
    recruitment: bool
    flagged: bool
    violation: bool
    welfare: bool
    evidence: list[Evidence]
    rules_fired: list[RuleHit]
    model_version: str
    rules_version: str
    explanation: str
    cluster_id: int | None = None
    duplicate_of: int | None = None

    def with_cluster(self, cluster_id: int, duplicate_of: int | None) -> ScanResult:
        """Copy with the near-duplicate cluster filled in."""
        return replace(self, cluster_id=cluster_id, duplicate_of=duplicate_of)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: plain lists and dicts of str, int, float, bool and None.

        Written out rather than ``dataclasses.asdict``, which deep-copies every value and was the largest
        single cost of storing scan records during ingestion.
        """
        return {
            "categories": [{"id": c.id, "score": c.score, "flagged": c.flagged} for c in self.categories],
            "risk_level": self.risk_level,
            "recruitment": self.recruitment,
            "flagged": self.flagged,
            "violation": self.violation,
            "welfare": self.welfare,
            "evidence": [
                {"start": e.start, "end": e.end, "text": e.text, "category": e.category, "rule_id": e.rule_id,
                 "source": e.source}
                for e in self.evidence
            ],
            "rules_fired": [
                {"rule_id": r.rule_id, "category": r.category, "shadow": r.shadow, "version": r.version}
                for r in self.rules_fired
            ],
            "model_version": self.model_version,
            "rules_version": self.rules_version,
            "explanation": self.explanation,
            "cluster_id": self.cluster_id,
            "duplicate_of": self.duplicate_of,
        }


    @classmethod
    def from_dict(cls, data: Any) -> ScanResult:
        """The result ``to_dict`` wrote (a stored or shipped scan, e.g. backfill results), checked field by
        field: raise ``ValueError`` naming the first field that is missing or of the wrong type."""
        if not isinstance(data, dict):
            raise ValueError("not an object")

        def get(name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
            value = data.get(name)
            if value is None and optional:
                return None
            if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
                raise ValueError(f"{name} missing or of the wrong type")
            return value

        def items(name: str, keys: dict[str, type | tuple[type, ...]]) -> list[dict[str, Any]]:
            out = []
            for item in get(name, list):
                if not isinstance(item, dict) or any(
                    not isinstance(item.get(k), t) or (isinstance(item.get(k), bool) and t in (int, (int, float)))
                    for k, t in keys.items()
                ):
                    raise ValueError(f"{name}: an entry missing a field or of the wrong type")
                out.append(item)
            return out

        level = get("risk_level", int)
        if not 0 <= level <= 10:
            raise ValueError("risk_level outside 0-10")
        return cls(
            categories=[CategoryScore(c["id"], float(c["score"]), c["flagged"])
                        for c in items("categories", {"id": str, "score": (int, float), "flagged": bool})],
            risk_level=level,
            recruitment=get("recruitment", bool),
            flagged=get("flagged", bool),
            violation=get("violation", bool),
            welfare=get("welfare", bool),
            evidence=[Evidence(e["start"], e["end"], e["text"], e["category"], e["rule_id"], e["source"])
                      for e in items("evidence", {"start": int, "end": int, "text": str, "category": str,
                                                  "rule_id": str, "source": str})],
            rules_fired=[RuleHit(r["rule_id"], r["category"], r["shadow"], r["version"])
                         for r in items("rules_fired", {"rule_id": str, "category": str, "shadow": bool,
                                                        "version": int})],
            model_version=get("model_version", str),
            rules_version=get("rules_version", str),
            explanation=get("explanation", str),
            cluster_id=get("cluster_id", int, optional=True),
            duplicate_of=get("duplicate_of", int, optional=True),
        )


@dataclass
class _Model:
    """The loaded classifier (duck-typed to ``classifier.TextModel``) or the reason there is none."""

    model: Any | None
    status: str
    labels: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)


def _load_model(model_dir: Path | None, use_default: bool) -> _Model:
    try:
        from youthsafe.detection import classifier
    except Exception as exc:  # the classifier module is optional: the rules stand alone
        return _Model(None, f"rules-only (classifier unavailable: {type(exc).__name__})")
    model: Any | None
    try:
        if model_dir is not None:
            model = classifier.TextModel.load(model_dir)
        elif use_default:
            model = classifier.load_default_model()
        else:
            model = None
    except Exception as exc:  # a broken model must not stop scanning; say so instead
        log.warning("model failed to load, running rules-only: %s", exc)
        return _Model(None, f"rules-only (model failed to load: {type(exc).__name__}: {exc})"[:200])
    if model is None:
        return _Model(None, "rules-only (no model)")
    return _Model(model, str(model.version), list(model.labels), dict(model.thresholds))


class Engine:
    """Scans batches of texts; build once (loads rules, risk lexicon and model) and reuse across threads."""

    def __init__(
        self,
        model_dir: Path | None = None,
        rules_dir: Path | None = None,
        alert_level: int = 6,
        *,
        use_default_model: bool = True,
        dedup: bool = False,
    ) -> None:
        if not 0 <= alert_level <= 10:
            raise ValueError("alert_level must be between 0 and 10")
        self.alert_level = alert_level
        self.rules: RuleSet = load_rules(rules_dir)
        self._rule_thresholds = dict(self.rules.thresholds)
        self.grader = RiskGrader()
        self._rules_version = f"{self.rules.version}+{self.grader.version}"
        self._model = _load_model(Path(model_dir) if model_dir else None, use_default_model)
        self.dedup = DedupIndex() if dedup else None

    @property
    def model_version(self) -> str:
        """Version of the loaded model, or ``rules-only (...)`` with the reason."""
        return self._model.status

    @property
    def rules_version(self) -> str:
        """Combined version of the rule files and the risk lexicon."""
        return self._rules_version

    def scan(self, texts: Sequence[str]) -> list[ScanResult]:
        """Scan a batch of texts; returns one ``ScanResult`` per text, in order."""
        norms = normalize_texts(texts)
        matched = self.rules.apply_many(texts, norms)
        risk_terms = self.grader.find_many(norms)
        probs, risks, status = self._predict(norms)
        clusters = self.dedup.assign(texts, normalized=norms) if self.dedup is not None else None
        rows = self._reportable(probs, len(texts))
        out: list[ScanResult] = []
        explain: list[tuple[int, Normalized | None, list[str]]] = []
        for i, text in enumerate(texts):
            prob_row = rows[i]
            risk_value = float(risks[i]) if risks is not None else None
            result, normobj, rule_scores = self._scan_one(
                text, norms[i], matched[i], prob_row, risk=(risk_value, risk_terms[i]), status=status
            )
            if prob_row:
                wanted = [c.id for c in result.categories if c.flagged and c.id in prob_row and c.id not in rule_scores]
                if wanted:
                    explain.append((i, normobj, wanted))
            if clusters is not None:
                result = result.with_cluster(clusters[i].cluster_id, clusters[i].duplicate_of)
            out.append(result)
        if explain:
            self._add_model_evidence(texts, norms, out, explain)
        return out

    def _reportable(self, probs: Any, n: int) -> list[dict[str, float]]:
        """Per text, the labels whose probability reaches the report floor (one vectorised pass)."""
        rows: list[dict[str, float]] = [{} for _ in range(n)]
        if probs is None:
            return rows
        labels = self._model.labels
        ii, jj = np.nonzero(probs >= _REPORT_FLOOR)
        for i, j, p in zip(ii.tolist(), jj.tolist(), probs[ii, jj].tolist(), strict=True):
            rows[i][labels[j]] = p
        return rows

    def _predict(self, norms: list[str]) -> tuple[Any, list[float] | None, str]:
        """Both model heads from one feature pass: probabilities (n x labels array) and risk values."""
        model = self._model.model
        if model is None or not norms:
            return None, None, self._model.status
        try:
            if hasattr(model, "predict_both"):
                probs, risk = model.predict_both(norms)
            else:
                probs, risk = model.predict_proba(norms), model.predict_risk(norms)
            risks = None if risk is None else list(risk.tolist())
            return np.asarray(probs, dtype=np.float64), risks, self._model.status
        except Exception as exc:  # keep scanning with rules if the model breaks mid-run
            log.warning("model prediction failed, rules-only for this batch: %s", exc)
            return None, None, f"rules-only (model prediction failed: {type(exc).__name__})"

    def _scan_one(
        self,
        text: str,
        norm: str,
        matched: tuple[list[Hit], Normalized | None],
        probs: dict[str, float],
        *,
        risk: tuple[float | None, list[Match]],
        status: str,
    ) -> tuple[ScanResult, Normalized | None, dict[str, float]]:
        """Everything but the model's evidence spans (added for the whole batch by ``_add_model_evidence``)."""
        hits, normobj = matched
        risk_value, risk_terms = risk
        assessment = self.grader.grade(text, norm, normobj, risk_terms)
        level = _combine_risk(assessment, risk_value)
        if hits:
            rule_scores, factors = self.rules.score(hits)
            evidence = _rule_evidence(hits) + _risk_evidence(assessment)
            recruitment = assessment.recruitment or any(h.rule.id.startswith("A07.recruit") for h in hits)
            fired = _rules_fired(hits)
        else:  # most posts: nothing matched, nothing to collect
            rule_scores, factors = {}, {}
            evidence = _risk_evidence(assessment) if assessment.evidence else []
            recruitment = assessment.recruitment
            fired = []
        corroborated = _CORROBORATED if assessment.distress else _A07_ONLY if "A07" in rule_scores else _NONE
        categories = self._categories(rule_scores, factors, probs, level, corroborated)
        violation = welfare = False
        for c in categories:
            if c.flagged:
                if c.id == WELFARE:
                    welfare = True
                else:
                    violation = True
        result = ScanResult(
            categories=categories,
            risk_level=level,
            recruitment=recruitment,
            flagged=violation or level >= self.alert_level,
            violation=violation,
            welfare=welfare,
            evidence=evidence,
            rules_fired=fired,
            model_version=status,
            rules_version=self._rules_version,
            explanation=_explain(categories, level, recruitment, status, violation),
        )
        return result, normobj, rule_scores

    def _model_flags(self, cid: str, model_score: float, corroborated: frozenset[str]) -> bool:
        """Does the model alone flag ``cid``? (Its threshold, and corroboration where a detector exists.)"""
        if model_score < self._model.thresholds.get(cid, 1.01):  # no threshold: the model alone never flags
            return False
        if cid == WELFARE:
            # A welfare signal always has the grader's first-person distress evidence behind it, however sure
            # the model is: character n-grams of self-descriptions ("我是…") otherwise read as distress, and
            # marking a person at risk for saying who they are is what principle 0.2.2 forbids.
            return cid in corroborated
        return cid not in _CORROBORATED or cid in corroborated or model_score >= _MODEL_ALONE

    def _categories(
        self,
        rule_scores: dict[str, float],
        factors: dict[str, float],
        probs: dict[str, float],
        level: int,
        corroborated: frozenset[str],
    ) -> list[CategoryScore]:
        if not (rule_scores or probs or level):
            return []  # ordinary text with every probability under the report floor: nothing to score
        out: list[CategoryScore] = []
        if level or WELFARE in probs or WELFARE in rule_scores:
            p = probs.get(WELFARE, 0.0)
            score = max(level / 10, p)
            if score > 0 or WELFARE in probs:
                flagged = level >= WELFARE_LEVEL or self._model_flags(WELFARE, p, corroborated)
                out.append(CategoryScore(WELFARE, round(score, 4), flagged))
        if not (rule_scores or factors):
            # The model alone (most posts): same arithmetic as below with no rule score and factor 1.
            thresholds = self._model.thresholds
            for cid, p in probs.items():
                if cid == WELFARE or cid not in _DETECTABLE_SET:
                    continue
                flagged = p >= thresholds.get(cid, 1.01) and self._model_flags(cid, p, corroborated)
                out.append(CategoryScore(cid, round(p, 4), flagged))
            if len(out) > 1:
                out.sort(key=_category_order)
            return out
        rule_thresholds = self._rule_thresholds
        for cid in rule_scores.keys() | probs.keys():
            if cid == WELFARE or cid not in _DETECTABLE_SET:
                continue
            factor = factors.get(cid, 1.0) if factors else 1.0
            rule_score = rule_scores.get(cid, 0.0) * factor
            model_score = probs.get(cid, 0.0) * factor
            score = max(rule_score, model_score)
            if not (score > 0 or cid in probs):
                continue
            flagged = rule_score >= rule_thresholds.get(cid, DEFAULT_THRESHOLD) or (
                cid in probs and self._model_flags(cid, model_score, corroborated)
            )
            out.append(CategoryScore(cid, round(score, 4), flagged))
        if len(out) > 1:
            out.sort(key=_category_order)
        return out

    def _add_model_evidence(
        self,
        texts: Sequence[str],
        norms: list[str],
        out: list[ScanResult],
        wanted: list[tuple[int, Normalized | None, list[str]]],
    ) -> None:
        """Spans from the model's explanation for categories flagged by the model but not by the rules.

        One batched explanation pass (``TextModel.explain_batch``) for every such text of the batch.
        """
        model = self._model.model
        if model is None:
            return
        try:
            spans = model.explain_batch(
                [norms[i] for i, _, _ in wanted], [labs for _, _, labs in wanted], k=_MODEL_EXPLAIN_K
            )
        except Exception as exc:  # an explanation is a courtesy; never lose the result over it
            log.debug("model.explain_batch failed: %s", exc)
            return
        for (i, normobj, _labs), per_label in zip(wanted, spans, strict=True):
            text, norm = texts[i], norms[i]
            if not norm:
                continue
            mapper = normobj or normalize(text, norm)
            extra: list[Evidence] = []
            for cid, found in per_label.items():
                for s, e, _w in found:
                    if 0 <= s < e <= len(norm):
                        a, b = mapper.to_original(s, e)
                        extra.append(Evidence(a, b, text[a:b], cid, f"model.{cid}", "model"))
            if extra:
                out[i] = replace(out[i], evidence=out[i].evidence + extra)


def _category_order(c: CategoryScore) -> tuple[float, str]:
    return (-c.score, c.id)


def _combine_risk(assessment: RiskAssessment, model_value: float | None) -> int:
    """Combine the rules grade with the model's risk head (explainable: rules can veto exaggerations).

    Context caps (news, prevention) bind the model too; when the rules saw no distress signal at all, or
    only hyperbole or negation, or only level-1 wording ("委屈", "好累", "压力太大": some distress, no wish to
    die), the model may add at most up to level 3 (a welfare signal always has rule evidence a reviewer can
    see, and a level-1 word is not evidence of a wish to die: in heated real discussions the model read long
    argumentative comments holding one such word as levels 4-6); otherwise the higher of the two wins,
    because a missed crisis costs far more than an extra review (regulatory-reference 6.3).
    """
    level = assessment.level
    if model_value is None:
        return level
    model_level = min(max(round(model_value), 0), 10)
    if assessment.capped:
        return min(max(level, model_level), 2)
    if not assessment.distress or (assessment.masked and level == 0) or assessment.mild:
        return min(max(level, model_level), _MODEL_ONLY_RISK_CAP)
    return max(level, model_level)


def _rule_evidence(hits: list[Hit]) -> list[Evidence]:
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


def _risk_evidence(assessment: RiskAssessment) -> list[Evidence]:
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


def _rules_fired(hits: list[Hit]) -> list[RuleHit]:
    fired: dict[str, RuleHit] = {}
    for h in hits:
        fired.setdefault(h.rule.id, RuleHit(h.rule.id, h.rule.category, h.rule.shadow, h.rule.version))
    return list(fired.values())


def _explain(categories: list[CategoryScore], level: int, recruitment: bool, status: str, violation: bool) -> str:
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


_NOTHING_FOUND = "No violation found."
