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

from youthsafe.detection.dedup import DedupIndex
from youthsafe.detection.explanation import (
    explain,
    identity_terms,
    names_group,
    risk_evidence,
    rule_evidence,
    rules_fired,
)
from youthsafe.detection.lexicon import Match
from youthsafe.detection.normalize import Normalized, normalize, normalize_texts
from youthsafe.detection.policy import (
    ABUSE,
    ABUSE_SIGNAL,
    DETECTABLE_SET,
    MODEL_ALONE_RISK,
    MODEL_ONLY_RISK_CAP,
    RISK_LABEL,
    WELFARE,
    Thresholds,
    combine_risk,
    corroboration,
    too_short,
)
from youthsafe.detection.result import CategoryScore, Evidence, RuleHit, ScanResult
from youthsafe.detection.risk import WELFARE_LEVEL, RiskGrader
from youthsafe.detection.rules import Hit, RuleSet, load_rules

__all__ = ["CategoryScore", "Engine", "Evidence", "RuleHit", "ScanResult"]

log = logging.getLogger(__name__)

_MODEL_EXPLAIN_K = 3
# Model probabilities below this are not reported per post: they flag nothing and would only make every
# result list every label. (A category scored by the rules is always reported.)
_REPORT_FLOOR = 0.05


@dataclass
class _Model:
    """The loaded classifier (duck-typed to ``classifier.TextModel``) or the reason there is none."""

    model: Any | None
    status: str
    labels: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)


def _load_model(model_dir: Path | None, use_default: bool) -> _Model:
    try:
        # Processes that import the engine only for ``ScanResult`` (the web app) never load scipy.
        from youthsafe.detection import classifier  # noqa: PLC0415  (start-up: scipy only when a model loads)
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
        self.grader = RiskGrader()
        self._rules_version = f"{self.rules.version}+{self.grader.version}"
        self._model = _load_model(Path(model_dir) if model_dir else None, use_default_model)
        self._thresholds = Thresholds(self._model.thresholds, dict(self.rules.thresholds))
        # Model labels outside the taxonomy (a softmax model's "none") are never reported.
        self._reported = np.array([lab in DETECTABLE_SET for lab in self._model.labels], dtype=bool)
        self.dedup = DedupIndex() if dedup else None
        self._identity = identity_terms()

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
        probs, risks, p_high, status = self._predict(norms)
        clusters = self.dedup.assign(texts, normalized=norms) if self.dedup is not None else None
        rows = self._reportable(probs, len(texts))
        out: list[ScanResult] = []
        explain: list[tuple[int, Normalized | None, list[str]]] = []
        for i, text in enumerate(texts):
            prob_row = rows[i]
            risk_value = float(risks[i]) if risks is not None else None
            confident = p_high is not None and p_high[i] >= MODEL_ALONE_RISK
            result, normobj, rule_scores = self._scan_one(
                text, norms[i], matched[i], prob_row, risk=(risk_value, risk_terms[i], confident), status=status
            )
            wanted = []
            if prob_row:
                wanted = [c.id for c in result.categories if c.flagged and c.id in prob_row and c.id not in rule_scores]
            if result.risk_level >= WELFARE_LEVEL and not any(e.source == "risk" for e in result.evidence):
                wanted.append(RISK_LABEL)  # a level the model gave alone: its n-grams are the evidence
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
        ii, jj = np.nonzero((probs >= _REPORT_FLOOR) & self._reported)
        for i, j, p in zip(ii.tolist(), jj.tolist(), probs[ii, jj].tolist(), strict=True):
            rows[i][labels[j]] = p
        return rows

    def _predict(self, norms: list[str]) -> tuple[Any, list[float] | None, list[float] | None, str]:
        """Both model heads from one feature pass: probabilities (n x labels array), risk values and, for a
        risk head with classes, P(level >= alert level)."""
        model = self._model.model
        if model is None or not norms:
            return None, None, None, self._model.status
        try:
            p_high = None
            if hasattr(model, "predict_scan"):
                probs, risk, high = model.predict_scan(norms)
                p_high = None if high is None else list(high.tolist())
            elif hasattr(model, "predict_both"):
                probs, risk = model.predict_both(norms)
            else:
                probs, risk = model.predict_proba(norms), model.predict_risk(norms)
            risks = None if risk is None else list(risk.tolist())
            return np.asarray(probs, dtype=np.float64), risks, p_high, self._model.status
        except Exception as exc:  # keep scanning with rules if the model breaks mid-run
            log.warning("model prediction failed, rules-only for this batch: %s", exc)
            return None, None, None, f"rules-only (model prediction failed: {type(exc).__name__})"

    def _scan_one(
        self,
        text: str,
        norm: str,
        matched: tuple[list[Hit], Normalized | None],
        probs: dict[str, float],
        *,
        risk: tuple[float | None, list[Match], bool],
        status: str,
    ) -> tuple[ScanResult, Normalized | None, dict[str, float]]:
        """Everything but the model's evidence spans (added for the whole batch by ``_add_model_evidence``)."""
        hits, normobj = matched
        risk_value, risk_terms, confident = risk
        assessment = self.grader.grade(text, norm, normobj, risk_terms)
        level = combine_risk(assessment, risk_value, confident=confident and not too_short(norm))
        if hits:
            rule_scores, factors = self.rules.score(hits)
            evidence = rule_evidence(hits) + risk_evidence(assessment)
            recruitment = assessment.recruitment or any(h.rule.id.startswith("A07.recruit") for h in hits)
            fired = rules_fired(hits)
        else:  # most posts: nothing matched, nothing to collect
            rule_scores, factors = {}, {}
            evidence = risk_evidence(assessment) if assessment.evidence else []
            recruitment = assessment.recruitment
            fired = []
        corroborated, probs = corroboration(norm, assessment.distress, rule_scores, hits, probs)
        categories = self._thresholds.categories(rule_scores, factors, probs, level, corroborated)
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
            explanation=explain(categories, level, recruitment, status, violation),
        )
        return result, normobj, rule_scores

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
                [norms[i] for i, _, _ in wanted], [labs for _, _, labs in wanted], k=2 * _MODEL_EXPLAIN_K
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
            unsupported: set[str] = set()
            abusive = any(r.rule_id == ABUSE_SIGNAL for r in out[i].rules_fired)
            for cid, found in per_label.items():
                # Evidence is never a single ordinary character: a model flag whose strongest n-grams are
                # all one character long (你, 好) has nothing a reviewer could check, and is withdrawn. Abuse
                # flagged without a word of abuse stands only on n-grams that do not name a group of people.
                kept = [(s, e) for s, e, _w in found if 0 <= s < e <= len(norm) and e - s >= 2]
                if cid in ABUSE and not abusive:
                    kept = [(s, e) for s, e in kept if not names_group(norm, s, e, self._identity)]
                kept = kept[:_MODEL_EXPLAIN_K]
                if not kept:
                    unsupported.add(cid)
                category = WELFARE if cid == RISK_LABEL else cid
                for s, e in kept:
                    a, b = mapper.to_original(s, e)
                    extra.append(Evidence(a, b, text[a:b], category, f"model.{cid}", "model"))
            result = out[i]
            if unsupported:
                result = self._withdrawn(result, unsupported)
            if extra:
                result = replace(result, evidence=result.evidence + extra)
            out[i] = result

    def _withdrawn(self, result: ScanResult, cids: set[str]) -> ScanResult:
        """``result`` with the model flags of ``cids`` withdrawn (scores kept, decisions recomputed); for
        ``RISK_LABEL``, a level the model gave alone falls back to what the model may give without evidence."""
        level = result.risk_level
        if RISK_LABEL in cids:
            level = min(level, MODEL_ONLY_RISK_CAP)
            cids = cids | {WELFARE}
        categories = [CategoryScore(c.id, c.score, False) if c.id in cids else c for c in result.categories]
        violation = any(c.flagged and c.id != WELFARE for c in categories)
        welfare = any(c.flagged and c.id == WELFARE for c in categories)
        return replace(
            result,
            categories=categories,
            violation=violation,
            welfare=welfare,
            risk_level=level,
            flagged=violation or level >= self.alert_level,
            explanation=explain(categories, level, result.recruitment, result.model_version, violation),
        )
