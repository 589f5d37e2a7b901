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
from youthsafe.detection.normalize import Normalized, normalize, normalize_text, normalize_texts
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
_CORROBORATED = frozenset({"A07", WELFARE, "B09"})
_MODEL_ALONE = 0.95
_MODEL_ALONE_ABUSE = 0.8  # B09 without a word of abuse: measured on COLD, SWSR and LCCC (benchmarks/README.md)
# Abuse (B09): the model alone flags it only where a word of abuse is in the text (the
# signal rule below, rules/bullying_hate.yaml): models trained on real comments learn that naming a group
# ("女生", "河南人", "直男") goes with abuse, and flagging a post for naming who people are is what principle
# 0.2.1-2 forbids. The abuse is in the attack, so the attack's words must be there.
_ABUSE_SIGNAL = "B09.ctx.abuse"
_ABUSE = frozenset({"B09"})
# Without any distress signal from the grader, the model's risk head may raise the level to at most this
# (same bound as for hyperbole and negation): a level of 4 or more always has rule evidence behind it.
_MODEL_ONLY_RISK_CAP = 3
# A model score alone never flags a text with fewer letters, digits or CJK characters than this (a greeting,
# one or two words: too little content to judge); a rule, the risk lexicon or a longer text must agree.
_MIN_MODEL_CONTENT = 6
# P(level >= alert level) from which a risk head with classes may raise a level without the rules' distress
# words (``_combine_risk``); measured on the held-out graded posts against everyday lines (benchmarks/README.md).
_MODEL_ALONE_RISK = 0.5
RISK_LABEL = "risk"  # classifier.RISK_LABEL (the classifier module is imported only when a model loads)


# Tiers B and C (lawful content restricted for minors, misuse of a minor's image or data; regulatory-reference
# 2.2) are where the model's topic words live: eating, drinking, clothes, idols, study. The model alone flags
# them only when it is sure (0.9), the text says enough (12 characters) and a rule of the category saw it too, or
# when it is all but certain (0.98): everyday dialogue ("喝感冒药嗯喝了的", "今天淘到了一件古着夹克") otherwise
# read as B04 or B08. Abuse (B09) has its own guard (``_ABUSE``).
_RESTRICTED = frozenset(
    c for c in _DETECTABLE if taxonomy.get(c).tier.value in {"B", "C"} and c not in {"B09", WELFARE}
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


def _too_short(norm: str) -> bool:
    """Too little content for the model alone to flag (see ``_MIN_MODEL_CONTENT``)."""
    return _content(norm, _MIN_MODEL_CONTENT) < _MIN_MODEL_CONTENT


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
        # Model labels outside the taxonomy (a softmax model's "none") are never reported.
        self._reported = np.array([lab in _DETECTABLE_SET for lab in self._model.labels], dtype=bool)
        self.dedup = DedupIndex() if dedup else None
        self._identity = _identity_terms()

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
            confident = p_high is not None and p_high[i] >= _MODEL_ALONE_RISK
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
        level = _combine_risk(assessment, risk_value, confident=confident and not _too_short(norm))
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
        corroborated = _corroboration(assessment.distress, rule_scores, hits)
        if probs and _too_short(norm):
            probs = {}  # too little content for the model alone: only rules and the risk grader speak
        elif probs and _content(norm, _MIN_RESTRICTED_CONTENT) < _MIN_RESTRICTED_CONTENT:
            corroborated = corroborated | _SHORT
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
        if cid in _ABUSE:
            return cid in corroborated or model_score >= _MODEL_ALONE_ABUSE
        if cid in _RESTRICTED:
            if _SHORT_MARK in corroborated or model_score < _MODEL_ALONE_RESTRICTED:
                return False
            return cid in corroborated or model_score >= _MODEL_SURE_RESTRICTED

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
            abusive = any(r.rule_id == _ABUSE_SIGNAL for r in out[i].rules_fired)
            for cid, found in per_label.items():
                # Evidence is never a single ordinary character: a model flag whose strongest n-grams are
                # all one character long (你, 好) has nothing a reviewer could check, and is withdrawn. Abuse
                # flagged without a word of abuse stands only on n-grams that do not name a group of people.
                kept = [(s, e) for s, e, _w in found if 0 <= s < e <= len(norm) and e - s >= 2]
                if cid in _ABUSE and not abusive:
                    kept = [(s, e) for s, e in kept if not _names_group(norm, s, e, self._identity)]
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
            level = min(level, _MODEL_ONLY_RISK_CAP)
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
            explanation=_explain(categories, level, result.recruitment, result.model_version, violation),
        )


def _identity_terms() -> Any:
    """An automaton over the words naming groups of people (data/lexicon/identity_terms.yaml, normalised);
    used only to discount model evidence, never to flag."""
    import ahocorasick_rs as ac
    import yaml

    from youthsafe.detection.rules import SAFE_LOADER

    path = Path(__file__).parent / "data" / "lexicon" / "identity_terms.yaml"
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506  # nosec B506
    terms = sorted({normalize_text(str(t)) for t in doc["terms"]} - {""})
    return ac.AhoCorasick(terms, matchkind=ac.MATCHKIND_STANDARD)


def _names_group(norm: str, start: int, end: int, terms: Any) -> bool:
    """Does the span ``[start, end)`` of ``norm`` overlap a word naming a group of people?"""
    window_start = max(0, start - 8)
    window = norm[window_start : end + 8]
    return any(window_start + s < end and window_start + e > start
               for _i, s, e in terms.find_matches_as_indexes(window, overlapping=True))  # fmt: skip


def _corroboration(distress: bool, rule_scores: dict[str, float], hits: list[Hit]) -> frozenset[str]:
    """The categories with a dedicated detector whose signal is present (``_CORROBORATED``), and the tier B
    and C categories a rule saw (``_RESTRICTED``)."""
    found = {"A07", WELFARE} if distress else {"A07"} if "A07" in rule_scores else set()
    found |= _RESTRICTED.intersection(rule_scores)
    if any(h.rule.id == _ABUSE_SIGNAL for h in hits):
        found |= _ABUSE
    return frozenset(found)


def _category_order(c: CategoryScore) -> tuple[float, str]:
    return (-c.score, c.id)


def _combine_risk(assessment: RiskAssessment, model_value: float | None, *, confident: bool = False) -> int:
    """Combine the rules grade with the model's risk head (explainable: rules can veto exaggerations).

    Context caps (news, prevention) bind the model too; when the rules saw no distress signal at all, or
    only hyperbole or negation, or only level-1 wording ("委屈", "好累", "压力太大": some distress, no wish to
    die), the model may add at most up to level 3 (a welfare signal always has rule evidence a reviewer can
    see, and a level-1 word is not evidence of a wish to die: in heated real discussions the model read long
    argumentative comments holding one such word as levels 4-6); otherwise the higher of the two wins,
    because a missed crisis costs far more than an extra review (regulatory-reference 6.3).

    ``confident``: a risk head with classes puts P(level >= alert level) at ``_MODEL_ALONE_RISK`` or more on a
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
