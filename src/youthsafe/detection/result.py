"""What a scan says about one text: ``ScanResult`` and its parts, and the JSON of the scan contract.

``ScanResult.to_dict`` writes the JSON object of the scan contract (architecture.md); ``ScanResult.from_dict``
reads one back (stored or shipped scans), checking it field by field. The engine (``engine.Engine.scan``) builds
these; the CLI, the pipeline and the web app read them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["CategoryScore", "Evidence", "RuleHit", "ScanResult"]


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
