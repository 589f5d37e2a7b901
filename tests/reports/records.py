"""Records with known figures, built through the services, and a count of each figure made in Python
from the specification (not from the database), so the indicator module is checked independently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from tests.alerts.factories import engine, feed, scan_post, source
from tests.conftest import Tree
from tests.reports.work_records import WorkRecords, build_work, expected_work
from youthsafe.alerts import services as alert_services
from youthsafe.core.models import Jurisdiction, User
from youthsafe.outreach import services as outreach_services
from youthsafe.pipeline.models import Post

TZ = ZoneInfo("Asia/Shanghai")
START, END = dt.date(2023, 1, 1), dt.date(2023, 7, 10)
TEXT = "我已经买好了安眠药，今晚就走，再见了大家"


@dataclass(frozen=True)
class AlertSpec:
    at: dt.datetime  # local time
    place: str  # attribute of Tree
    level: int
    outcome: str | None
    bands: tuple[str, ...] = ("unknown",)


@dataclass(frozen=True)
class EventSpec:
    day: dt.date
    place: str
    kind: str
    status: str  # held | planned | cancelled
    audience: int
    brochures: int = 0
    posters: int = 0


@dataclass(frozen=True)
class PostSpec:
    received: dt.datetime  # local time
    place: str
    flagged: bool = False  # its scan flagged it (an ordinary post otherwise)


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


ALERTS = [
    AlertSpec(_t("2023-01-01T00:10"), "north", 9, "reached_safe", ("minor",)),  # first minute of the period
    AlertSpec(_t("2022-12-31T23:50"), "north", 8, "reached_safe", ("minor",)),  # the day before: out
    AlertSpec(_t("2023-03-05T14:00"), "station", 7, "reached_safe", ("adult",)),
    AlertSpec(_t("2023-04-01T09:00"), "south", 8, "counselling", ("minor",)),
    AlertSpec(_t("2023-05-20T20:00"), "south", 6, "false_alarm"),
    AlertSpec(_t("2023-06-30T22:00"), "city", 10, "reached_safe", ("minor", "minor", "adult")),
    AlertSpec(_t("2023-07-10T23:30"), "north", 8, None),  # last evening of the period (15:30 UTC): in
    AlertSpec(_t("2023-07-11T00:30"), "north", 8, "reached_safe", ("minor",)),  # next day local (UTC 10th): out
    AlertSpec(_t("2023-02-02T10:00"), "other_city", 9, "reached_safe", ("minor",)),
]
EVENTS = [
    EventSpec(START, "north", "school_lecture", "held", 500, brochures=50, posters=3),
    EventSpec(END, "station", "school_lecture", "held", 300, brochures=70),
    EventSpec(START - dt.timedelta(days=1), "north", "school_lecture", "held", 999, brochures=999),
    EventSpec(END + dt.timedelta(days=1), "south", "online_campaign", "held", 999),
    EventSpec(dt.date(2023, 2, 1), "city", "online_campaign", "held", 20_000),
    EventSpec(dt.date(2023, 3, 1), "south", "online_campaign", "held", 15_000),
    EventSpec(dt.date(2023, 3, 2), "south", "school_lecture", "cancelled", 0, brochures=80),
    EventSpec(dt.date(2030, 3, 3), "north", "school_lecture", "planned", 0, brochures=40),
    EventSpec(dt.date(2023, 4, 4), "south", "brochure_distribution", "held", 120, brochures=100),
    EventSpec(dt.date(2023, 5, 5), "north", "parents_meeting", "held", 80),
    EventSpec(dt.date(2023, 5, 6), "other_city", "parents_meeting", "held", 60),
    EventSpec(dt.date(2023, 6, 6), "other_city", "school_lecture", "held", 400, brochures=30),
    EventSpec(dt.date(2023, 6, 7), "station", "media_post", "held", 7_000),
]
POSTS = [PostSpec(_t("2023-01-01T00:01"), "north"), PostSpec(_t("2023-07-10T23:59"), "south"),
         PostSpec(_t("2023-07-11T00:01"), "north"), PostSpec(_t("2023-03-03T12:00"), "other_city"),
         PostSpec(_t("2022-12-31T23:59"), "city"),
         PostSpec(_t("2023-01-01T00:00"), "station", flagged=True), PostSpec(_t("2023-07-10T23:59"), "south", True),
         PostSpec(_t("2023-07-11T00:00"), "north", flagged=True), PostSpec(_t("2022-12-31T23:59"), "north", True),
         PostSpec(_t("2023-04-04T12:00"), "other_city", flagged=True)]


@dataclass
class Built:
    tree: Tree
    alerts: list[AlertSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    posts: list[PostSpec] = field(default_factory=list)
    work: WorkRecords | None = None


def build(tree: Tree, admin: User) -> Built:
    src = source(tree.city, "figures-src")
    for n, spec in enumerate(ALERTS):
        place = getattr(tree, spec.place)
        result = replace(engine().scan([TEXT])[0], risk_level=spec.level, flagged=True)
        alert = feed(src, f"{TEXT} {n}", author=f"author-{n}", thread=f"thread-{n}", now=spec.at,
                     jurisdiction=place, posted_at=spec.at, result=result)
        assert alert is not None
        for extra, _band in enumerate(spec.bands[1:], start=1):  # more people in the same thread
            joined = feed(src, f"带我一个，我也不想活了 {n}-{extra}", author=f"author-{n}-{extra}",
                          thread=f"thread-{n}", now=spec.at + dt.timedelta(minutes=extra), jurisdiction=place,
                          posted_at=spec.at + dt.timedelta(minutes=extra), result=result)
            assert joined is not None
            assert joined.pk == alert.pk
        people = list(alert.people.order_by("first_seen_at", "id"))
        assert len(people) == len(spec.bands)
        for person, band in zip(people, spec.bands, strict=True):
            if band != "unknown":
                alert_services.do_set_age_band(person, actor=admin, band=band, reason="学校确认")
        if spec.outcome:
            alert_services.do_record_outcome(alert, actor=admin, kind=spec.outcome, note="核查", resolve=True,
                                             now=spec.at + dt.timedelta(hours=2))
    for n, event in enumerate(EVENTS):
        materials = {"brochure": event.brochures, "poster": event.posters}
        created = outreach_services.do_create_event(
            actor=admin, held=event.status == "held", materials=materials,
            data={"kind": event.kind, "title": f"活动{n}", "held_on": event.day,
                  "jurisdiction": getattr(tree, event.place), "audience": event.audience})
        if event.status == "cancelled":
            outreach_services.do_cancel(created, actor=admin, reason="停课")
    for n, post in enumerate(POSTS):
        # A flagged post is scanned as flagged below the alert level, so it opens no alert of its own.
        flagged = replace(engine().scan([TEXT])[0], risk_level=1, flagged=True) if post.flagged else None
        stored, scan, _result = scan_post(src, f"普通帖子 {n}", author=f"reader-{n}",
                                          jurisdiction=getattr(tree, post.place), result=flagged)
        assert scan.flagged == post.flagged
        Post.objects.filter(pk=stored.pk).update(received_at=post.received)
    return Built(tree, ALERTS, EVENTS, POSTS, build_work(tree, admin))


def within(node: Jurisdiction, root: Jurisdiction | None) -> bool:
    """By walking parents (not the materialised path the indicators use)."""
    if root is None:
        return True
    current: Jurisdiction | None = node
    while current is not None:
        if current.pk == root.pk:
            return True
        current = current.parent
    return False


def expected(built: Built, start: dt.date, end: dt.date, root: Jurisdiction | None) -> dict[str, int]:
    tree = built.tree
    alerts = [a for a in built.alerts if start <= a.at.date() <= end and within(getattr(tree, a.place), root)]
    held = [e for e in built.events if e.status == "held" and start <= e.day <= end
            and within(getattr(tree, e.place), root)]
    posts = [p for p in built.posts if start <= p.received.date() <= end and within(getattr(tree, p.place), root)]
    safe = [b for a in alerts if a.outcome == "reached_safe" for b in a.bands]
    work = expected_work(built.work, tree, start, end, lambda node: within(node, root)) if built.work else {}
    return {
        **work,
        # the alerts' own posts were received "now" (years after these periods): only these posts count
        "posts_scanned": len(posts),
        "posts_flagged": sum(p.flagged for p in posts),
        "warnings_issued": len(alerts),
        "people_at_risk": sum(len(a.bands) for a in alerts),
        "people_reached_safe": len(safe),
        "minors_reached_safe": safe.count("minor"),
        "outreach_events": len(held),
        "online_campaigns": sum(e.kind == "online_campaign" for e in held),
        "school_lectures": sum(e.kind == "school_lecture" for e in held),
        "parents_meetings": sum(e.kind == "parents_meeting" for e in held),
        "outreach_audience": sum(e.audience for e in held),
        "brochures": sum(e.brochures for e in held),
    }


def expected_levels(built: Built, start: dt.date, end: dt.date, root: Jurisdiction | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a in built.alerts:
        if start <= a.at.date() <= end and within(getattr(built.tree, a.place), root):
            counts[str(a.level)] = counts.get(str(a.level), 0) + 1
    return counts
