"""Model versions side by side, before one goes live: the scans each version holds, and which posts and
threads a version would open an alert for that another would not (and the reverse).

The decision is the alerting app's own, registered with pipeline (hooks.py ``Alerting.opens_alert``: risk
level at or above ``YOUTHSAFE_ALERT_LEVEL``, or recruitment for a group suicide), applied to the stored scan
records of both versions over the posts both have scanned. Nothing here changes a record: people decide
whether a version goes live. Authors never appear (not even as pseudonyms): posts are named by their id,
source and external id, threads by the platform's thread key.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, FilteredRelation, Max, Min, Q, QuerySet

from youthsafe.pipeline import hooks
from youthsafe.pipeline.models import Post, ScanRecord
from youthsafe.pipeline.services import default_engine

EXAMPLES = 10


class VersionError(ValueError):
    """A version that has no scans, or a model version scanned under several rule versions."""


@dataclass(frozen=True)
class Version:
    model_version: str
    rules_version: str

    def as_dict(self) -> dict[str, str]:
        return {"model_version": self.model_version, "rules_version": self.rules_version}


def live_version() -> Version:
    """The versions of the engine ingestion scans with: its scans are the ones that open alerts."""
    engine = default_engine()
    return Version(engine.model_version, engine.rules_version)


def version_rows(posts: QuerySet[Post]) -> list[dict[str, Any]]:
    """Each (model, rules) version with its scans among ``posts``, flagged scans and first/last scan time."""
    rows = (ScanRecord.objects.filter(post__in=posts).order_by().values("model_version", "rules_version")
            .annotate(scans=Count("pk"), first=Min("scanned_at"), last=Max("scanned_at")))
    flagged = {
        (r["model_version"], r["rules_version"]): r["n"]
        for r in ScanRecord.objects.filter(post__in=posts, flagged=True).order_by()
        .values("model_version", "rules_version").annotate(n=Count("pk"))
    }
    live = live_version()
    out = []
    for r in sorted(rows, key=lambda r: r["last"], reverse=True):
        key = (r["model_version"], r["rules_version"])
        out.append({**r, "flagged": flagged.get(key, 0), "live": Version(*key) == live})
    return out


def resolve(posts: QuerySet[Post], model_version: str, rules_version: str = "") -> Version:
    """The version named by a model version (and, when it was scanned under several, its rules version)."""
    found = sorted(set(ScanRecord.objects.filter(post__in=posts, model_version=model_version).order_by()
                       .values_list("rules_version", flat=True).distinct()))
    if rules_version:
        if rules_version not in found:
            raise VersionError(f"no scans of model {model_version!r} with rules {rules_version!r}")
        return Version(model_version, rules_version)
    if not found:
        raise VersionError(f"no scans of model version {model_version!r}")
    if len(found) > 1:
        raise VersionError(f"model version {model_version!r} was scanned with {len(found)} rule versions "
                           f"({', '.join(found)}): name one")
    return Version(model_version, found[0])


@dataclass
class Side:
    """Posts that open an alert under one version and not the other."""

    posts: int = 0
    threads: int = 0
    recruitment: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_level: Counter[int] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"posts": self.posts, "threads": self.threads, "recruitment": self.recruitment,
                "by_category": dict(sorted(self.by_category.items())),
                "by_level": {str(k): v for k, v in sorted(self.by_level.items(), reverse=True)},
                "examples": self.examples}


@dataclass
class Diff:
    old: Version
    new: Version
    alert_level: int
    compared: int = 0
    only_old: int = 0
    only_new: int = 0
    alerting_old: int = 0
    alerting_new: int = 0
    added: Side = field(default_factory=Side)
    dropped: Side = field(default_factory=Side)

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.old.as_dict(), "to": self.new.as_dict(), "alert_level": self.alert_level,
                "posts_compared": self.compared, "posts_only_from": self.only_old, "posts_only_to": self.only_new,
                "alerting_from": self.alerting_old, "alerting_to": self.alerting_new,
                "added": self.added.as_dict(), "dropped": self.dropped.as_dict()}

    def lines(self) -> list[str]:
        """The diff for a terminal: counts first, then examples."""
        out = [f"from model {self.old.model_version} (rules {self.old.rules_version})",
               f"to   model {self.new.model_version} (rules {self.new.rules_version})",
               f"posts scanned by both: {self.compared} (only from: {self.only_old}, only to: {self.only_new}); "
               f"alert level {self.alert_level}",
               f"posts that would open an alert: {self.alerting_old} -> {self.alerting_new}"]
        for name, side in (("added", self.added), ("dropped", self.dropped)):
            cats = ", ".join(f"{k} {v}" for k, v in sorted(side.by_category.items())) or "none"
            levels = ", ".join(f"{k}: {v}" for k, v in sorted(side.by_level.items(), reverse=True)) or "none"
            out.append(f"{name}: {side.posts} post(s) in {side.threads} thread(s), recruitment {side.recruitment}; "
                       f"by category: {cats}; by level: {levels}")
            out.extend(f"  post {e['post']} ({e['source']}:{e['external_id']}"
                       f"{', thread ' + e['thread'] if e['thread'] else ''}): level {e['from_level']} -> "
                       f"{e['to_level']}, categories {','.join(e['categories']) or '-'}" for e in side.examples)
        return out


def diff(posts: QuerySet[Post], old: Version, new: Version, *, examples: int = EXAMPLES) -> Diff:
    """Compare the scans of ``old`` and ``new`` over the posts both scanned (see the module docstring).

    One pass over the posts, each joined to its scan by either version (one unique-index lookup each) and
    read in chunks: memory grows with the posts whose decision differs and the threads holding an alerting
    post, not with the archive (a re-scan of years of posts).
    """
    alerting = hooks.alerting()
    opens_alert = alerting.opens_alert

    def of(v: Version) -> QuerySet[ScanRecord]:
        return ScanRecord.objects.filter(post__in=posts, model_version=v.model_version, rules_version=v.rules_version)

    def scan_of(v: Version) -> FilteredRelation:
        return FilteredRelation("scans", condition=Q(scans__model_version=v.model_version,
                                                     scans__rules_version=v.rules_version))

    rows = (
        posts.annotate(a=scan_of(old), b=scan_of(new)).filter(a__isnull=False, b__isnull=False).order_by("pk")
        .values_list("pk", "b__risk_level", "b__recruitment", "b__categories", "a__risk_level", "a__recruitment",
                     "a__categories", "source__name", "external_id", "thread_key")
    )  # fmt: skip
    result = Diff(old, new, alerting.alert_level())
    thread_open: dict[tuple[str, str], list[bool]] = {}  # threads with an alerting post under either version
    for pid, level, rec, cats, old_level, old_rec, old_cats, source, external_id, thread in rows.iterator(2000):
        result.compared += 1
        sa, sb = (old_level, old_rec, list(old_cats or [])), (level, rec, list(cats or []))
        opens_a, opens_b = opens_alert(sa[0], sa[1]), opens_alert(sb[0], sb[1])
        if not (opens_a or opens_b):
            continue
        result.alerting_old += opens_a
        result.alerting_new += opens_b
        key = (source, thread or f"post-{pid}")  # a post outside any thread is its own
        seen = thread_open.setdefault(key, [False, False])
        seen[0], seen[1] = seen[0] or opens_a, seen[1] or opens_b
        if opens_a == opens_b:
            continue
        side, deciding = (result.added, sb) if opens_b else (result.dropped, sa)
        side.posts += 1
        side.recruitment += deciding[1]
        side.by_level[deciding[0]] += 1
        side.by_category.update(deciding[2])
        if len(side.examples) < examples:
            side.examples.append({"post": pid, "source": source, "external_id": external_id, "thread": thread,
                                  "from_level": sa[0], "to_level": sb[0], "from_recruitment": sa[1],
                                  "to_recruitment": sb[1], "categories": sorted(deciding[2])})
    result.only_old = of(old).count() - result.compared
    result.only_new = of(new).count() - result.compared
    result.added.threads = sum(1 for o, n in thread_open.values() if n and not o)
    result.dropped.threads = sum(1 for o, n in thread_open.values() if o and not n)
    return result
