"""What the pages and the API show of an alert: evidence highlighting, level labels, owner and receiver views.

A receiving unit sees only what a dispatch shared: the shared note, level, categories, evidence and the posts'
text; never the owner's claims, reasons, other units' dispatches or identity-request responses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from youthsafe.alerts import config, workflow
from youthsafe.alerts.models import OPEN_STATUSES, Alert, AlertPerson, AlertPost, AlertStatus, Dispatch
from youthsafe.core import kernel
from youthsafe.core.hiddenchars import reveal_html
from youthsafe.core.models import User
from youthsafe.detection import taxonomy
from youthsafe.detection.risk import WELFARE_LEVEL
from youthsafe.pipeline.models import Post

# Tree Hole Rescue 11-point scale, short Chinese labels (regulatory-reference 6.1).
TREE_HOLE: dict[int, str] = {
    0: "未见生存痛苦", 1: "生存痛苦有所表达", 2: "生存痛苦明确", 3: "强烈生存痛苦", 4: "自杀愿望已表达",
    5: "强烈自杀愿望", 6: "自杀已在计划中，日期未明", 7: "自杀方式已确定，日期未明",
    8: "自杀已在计划中，日期大体确定", 9: "自杀方式已确定，近日可能实施", 10: "自杀可能正在进行中",
}
WELFARE = "W01"


def level_label(level: int) -> str:
    return TREE_HOLE.get(level, "")


def level_class(level: int) -> str:
    """Badge colour: emergency (9-10), high (6-8), monitored (<6); 6-10 is the high band of 6.1."""
    return "bad" if level >= 9 else "warn" if level >= 6 else "muted"


def category_label(cid: str) -> str:
    """W01 is a welfare signal, "needs care", never a violation (regulatory-reference 0.2 principle 3)."""
    if cid == WELFARE:
        return _("Needs care (W01)")
    try:
        return f"{cid} {taxonomy.get(cid).name_zh}"
    except KeyError:
        return cid


def category_badges(categories: list[str]) -> list[dict[str, Any]]:
    return [{"id": c, "label": category_label(c), "care": c == WELFARE} for c in categories]


def explanation(result: dict[str, Any]) -> str:
    """Why the engine flagged a post, in the reader's language, built from the stored scan fields (the
    engine's own ``explanation`` string is English and kept only as a fallback for old records). Never
    "no violation found": on a welfare alert that would read as a verdict on the person; a W01 disclosure is
    never a violation (regulatory-reference 0.2 principle 3)."""
    if "categories" not in result and "risk_level" not in result:
        text = str(result.get("explanation", ""))
        return text.removeprefix("No violation found. ").removeprefix("No violation found.").strip()
    parts: list[str] = []
    flagged = [c for c in result.get("categories") or [] if c.get("flagged") and c.get("id") != WELFARE]
    if flagged:
        listed = _("; ").join(f"{category_label(str(c['id']))} ({float(c.get('score', 0)):.2f})" for c in flagged)
        parts.append(_("Flagged: %(categories)s") % {"categories": listed})
    level = int(result.get("risk_level") or 0)
    if level:
        parts.append(_("Suicide risk level %(level)d/10 (%(label)s)") % {"level": level, "label": level_label(level)})
        if level >= WELFARE_LEVEL:
            parts.append(_("Welfare signal: route to outreach, never sanction"))
    if result.get("recruitment"):
        parts.append(_("Recruitment for a group suicide"))
    if str(result.get("model_version", "")).startswith("rules-only"):
        parts.append(_("Rules only (no model loaded)"))
    return _(". ").join(parts) + (_(".") if parts else "")


def _merge(raw: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _spans(text: str, evidence: list[dict[str, Any]]) -> list[tuple[int, int, bool]]:
    """Valid evidence spans, merged where they overlap (the engine reports several rules on one phrase), each
    with ``True`` when it comes from the model alone: the n-grams that pushed a score up are weaker evidence
    than a rule or lexicon hit, and the reviewer should see which is which."""
    rules: list[tuple[int, int]] = []
    model: list[tuple[int, int]] = []
    for item in evidence or []:
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if item.get("category") == "suppress" or not 0 <= start < end <= len(text):
            continue
        (model if item.get("source") == "model" else rules).append((start, end))
    ruled = _merge(rules)
    model_only = [(a, b) for a, b in _merge(model) if not any(a < e and s < b for s, e in ruled)]
    return sorted([(a, b, False) for a, b in ruled] + [(a, b, True) for a, b in model_only])


def highlight(text: str, evidence: list[dict[str, Any]]) -> SafeString:
    """The post text with evidence in ``<mark>`` (model-only evidence ``<mark class="model">``); every piece
    of user text is escaped first, and characters a reader cannot see (right-to-left override, zero-width
    space) are shown as badges (core/hiddenchars.py)."""
    out: list[str] = []
    pos = 0
    for start, end, by_model in _spans(text, evidence):
        out.append(reveal_html(text[pos:start]))
        opening = f'<mark class="model" title="{escape(_("Model evidence"))}">' if by_model else "<mark>"
        out.append(f"{opening}{reveal_html(text[start:end])}</mark>")
        pos = end
    out.append(reveal_html(text[pos:]))
    return mark_safe("".join(out))  # each segment escaped above  # nosec B308, B703


def post_html(post: Post, evidence: list[dict[str, Any]]) -> SafeString:
    """A post's text with its evidence marked; a purged post shows only the note that its text is gone."""
    return highlight(post.shown_text, [] if post.purged_at else evidence)


def sla(alert: Alert, now: dt.datetime) -> str:
    return workflow.sla_state(alert.status, alert.level, alert.due_at, now, config.bands())


def queue_order(alerts: QuerySet[Alert], now: dt.datetime) -> QuerySet[Alert]:
    """The database version of workflow.sort_key: overdue first, then level, then time left."""
    overdue = Case(When(status__in=OPEN_STATUSES, due_at__lt=now, then=Value(0)), default=Value(1),
                   output_field=IntegerField())
    return alerts.annotate(overdue=overdue).order_by("overdue", "-level", F("due_at").asc(nulls_last=True), "-id")


@dataclass
class PostView:
    post: Post
    role: str
    level: int
    html: SafeString
    trigger: bool = False
    result: dict[str, Any] = field(default_factory=dict)


def post_views(alert: Alert) -> list[PostView]:
    rows = alert.posts.select_related("post", "scan").order_by("post__posted_at", "id")
    out = []
    for ap in rows:
        result = ap.scan.result if ap.scan is not None else {}
        out.append(PostView(ap.post, ap.get_role_display(), ap.level, post_html(ap.post, result.get("evidence", [])),
                            ap.is_trigger, result))
    return out


def trigger(alert: Alert) -> AlertPost | None:
    return alert.posts.select_related("post", "scan").filter(is_trigger=True).first()


def triggers(alert_ids: list[int]) -> dict[int, AlertPost]:
    """The trigger post of each alert, in one query (for lists: one query per row made the queue slow)."""
    out: dict[int, AlertPost] = {}
    for ap in (AlertPost.objects.filter(alert_id__in=alert_ids, is_trigger=True).select_related("post")
               .order_by("pk")):
        out.setdefault(ap.alert_id, ap)  # the first, as trigger() takes it
    return out


def people_counts(alert_ids: list[int]) -> dict[int, int]:
    """How many people each alert concerns, in one query."""
    rows = (AlertPerson.objects.filter(alert_id__in=alert_ids).values("alert_id")
            .annotate(n=Count("id")).values_list("alert_id", "n"))
    return dict(rows)


def earlier_posts(alert: Alert, limit: int = 20) -> list[Post]:
    """The first author's other posts in the window before the alert (pseudonymous: text and time only)."""
    first = trigger(alert)
    if first is None or not alert.author_key:
        return []
    since = alert.opened_at - config.window()
    in_alert = alert.posts.values("post_id")
    return list(Post.objects.filter(source_id=first.post.source_id, author_key=alert.author_key,
                                    received_at__gte=since).exclude(pk__in=in_alert).order_by("-id")[:limit])


def received_dispatches(user: User) -> QuerySet[Dispatch]:
    """Dispatches to units within the user's jurisdiction (the receiving unit's list)."""
    return (Dispatch.objects.received_by(user).select_related("alert", "to_jurisdiction")
            .order_by("acknowledged_at", "ack_due_at", "-id"))


def history(alert: Alert) -> list[dict[str, Any]]:
    """The alert's moves (core's status history), oldest first, with state names in the reader's language."""
    return kernel.history(workflow.ALERT.name, alert.pk, dict(AlertStatus.choices))


def shared_view(alert: Alert, user: User) -> dict[str, Any]:
    """The receiver's view of an alert: only what its dispatches shared."""
    dispatches = list(received_dispatches(user).filter(alert=alert))
    return {
        "alert_id": alert.pk, "level": alert.level, "level_label": level_label(alert.level),
        "categories": list(alert.categories), "status": alert.status, "recruitment": alert.recruitment,
        "dispatches": [{"id": d.pk, "to": d.to_jurisdiction.name, "shared_note": d.note,
                        "sent_at": d.sent_at, "ack_due_at": d.ack_due_at, "acknowledged_at": d.acknowledged_at,
                        "reported_back_at": d.reported_at, "status": d.status} for d in dispatches],
        "posts": [{"text": pv.post.shown_text, "posted_at": pv.post.posted_at, "level": pv.level,
                   "evidence": [e for e in pv.result.get("evidence", []) if e.get("category") != "suppress"]}
                  for pv in post_views(alert)],
    }
