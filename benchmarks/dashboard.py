"""Dashboard latency with a year of data: 100,000 posts scanned, 2,000 alerts, 1,000 inspections (with their
checklists and findings), outreach events, 6,000 harmful-content items (with their categories, instructions
and 2,000 public reports) and 1,500 leads (with dispatches and cases), on PostgreSQL (or SQLite).

    YOUTHSAFE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/youthsafe_bench_dashboard \
        .venv/bin/python benchmarks/dashboard.py          # PostgreSQL (the database is recreated)
    .venv/bin/python benchmarks/dashboard.py              # SQLite in a temporary directory

Records are made per app by the functions in ``GENERATORS`` (bulk inserts, the way the records look after a
year of work). An app without a generator here may provide ``bench_records(ctx, rng, start, end, count)``
in its ``demo.py`` (supervision does); the counts come from ``DEFAULT_COUNTS`` or ``--count app=N``.
Requests go through Django's full stack with the test client; prints p50/p95 in milliseconds per
user and page. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

os.environ.setdefault("YOUTHSAFE_VAR_DIR", tempfile.mkdtemp(prefix="ys-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
os.environ.setdefault("YOUTHSAFE_ALLOWED_HOSTS", "testserver")


def _setup_database() -> None:
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = db["NAME"]
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _moment(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    from django.utils import timezone

    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)),
                               tzinfo=timezone.get_current_timezone())


def _places(ctx: Any) -> list[Any]:
    return [p for code, p in ctx.places.items() if code.startswith("JC")]


# --- pipeline: posts and their scans -------------------------------------------------------------------
def _posts(ctx: Any, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    from django.db import connection

    from youthsafe.pipeline.models import Post, ScanRecord, Source

    source = Source.objects.create(name="bench-weibo", jurisdiction=ctx.places["JC"])
    places = _places(ctx)
    for first in range(0, count, 5000):
        posts = Post.objects.bulk_create([
            Post(source=source, external_id=f"b{i}", text=f"演示帖子 {i}", posted_at=_moment(rng, start, end),
                 author_key=f"{rng.randrange(20000):032x}", jurisdiction=rng.choice(places))
            for i in range(first, min(first + 5000, count))])
        ScanRecord.objects.bulk_create([
            ScanRecord(post=p, model_version="bench", rules_version="bench", risk_level=rng.randrange(11),
                       flagged=rng.random() < 0.04, categories=[], result={}) for p in posts])
    with connection.cursor() as cursor:  # received when posted (bulk_create stamps "now")
        cursor.execute("UPDATE pipeline_post SET received_at = posted_at WHERE source_id = %s", [source.pk])


# --- alerts: warnings, people at risk, outcomes ----------------------------------------------------------
def _alerts(ctx: Any, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    from youthsafe.alerts.models import Alert, AlertPerson, Outcome

    places = _places(ctx)
    rows = []
    for i in range(count):
        opened = _moment(rng, start, end)
        status = rng.choices(["closed", "resolved", "new", "acknowledged", "in_intervention"], [40, 50, 3, 4, 3])[0]
        due = opened + dt.timedelta(hours=1) if status in {"new", "acknowledged", "in_intervention"} else None
        rows.append(Alert(status=status, level=rng.randint(6, 10), categories=["W01"], jurisdiction=rng.choice(places),
                          thread_key=f"bt{i}", author_key=f"{i:032x}", opened_at=opened, last_post_at=opened,
                          level_raised_at=opened, ack_due_at=opened + dt.timedelta(minutes=10), due_at=due))
    alerts = Alert.objects.bulk_create(rows, batch_size=2000)
    people, outcomes = [], []
    for alert in alerts:
        for n in range(rng.choice([1, 1, 1, 2, 3])):
            people.append(AlertPerson(alert=alert, author_key=f"{alert.pk:016x}{n:016x}", max_level=alert.level,
                                      first_seen_at=alert.opened_at,
                                      age_band=rng.choice(["minor", "minor", "adult", "unknown"])))
        if alert.status in {"closed", "resolved"}:
            outcomes.append(Outcome(alert=alert, kind=rng.choice(["reached_safe", "reached_safe", "counselling",
                                                                  "false_alarm"]),
                                    recorded_at=alert.opened_at + dt.timedelta(hours=3), unit=alert.jurisdiction))
    AlertPerson.objects.bulk_create(people, batch_size=5000)
    Outcome.objects.bulk_create(outcomes, batch_size=5000)


# --- outreach: campaigns, lectures, materials --------------------------------------------------------------
def _outreach(ctx: Any, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    from youthsafe.outreach.models import EventKind, Material, OutreachEvent

    places = _places(ctx)
    events = OutreachEvent.objects.bulk_create([
        OutreachEvent(kind=rng.choice(EventKind.values), title=f"宣传活动 {i}", status="held",
                      held_on=_moment(rng, start, end).date(), jurisdiction=rng.choice(places),
                      audience=rng.randint(50, 20000)) for i in range(count)])
    Material.objects.bulk_create([Material(event=e, kind="brochure", quantity=rng.randint(10, 200))
                                  for e in events if rng.random() < 0.6])


def _bench_platforms(ctx: Any, rng: random.Random) -> list[Any]:
    """The registry's platforms in the city (supervision's generator made them), or a few of our own."""
    from youthsafe.registry.models import Platform

    found = list(Platform.objects.filter(jurisdiction__code__startswith="JC")[:200])
    return found or Platform.objects.bulk_create([
        Platform(name=f"基准平台 {i}", kind="social", operator=f"某公司 {i}", jurisdiction=rng.choice(_places(ctx)))
        for i in range(50)])


# --- content: harmful-content items with their categories, takedown instructions, public reports ----------
def _content(ctx: Any, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    from youthsafe.content.models import ContentItem, PublicReport, ReportReason, TakedownInstruction
    from youthsafe.detection import taxonomy

    places, platforms = _places(ctx), _bench_platforms(ctx, rng)
    ids = [c.id for c in taxonomy.CATEGORIES.values() if c.tier in {"A", "B", "C"}]
    weights = [8 if c.startswith("A") else 3 if c.startswith("B") else 1 for c in ids]
    statuses = ["handled", "instructed", "confirmed", "recorded", "dismissed", "escalated"]
    items, plans = [], []
    for i in range(count):
        recorded = _moment(rng, start, end)
        cats = sorted(set(rng.choices(ids, weights, k=rng.choice([1, 1, 1, 2, 3]))))
        tier = "A" if any(c[0] == "A" for c in cats) else "C" if any(c[0] == "C" for c in cats) else "B"
        status = rng.choices(statuses, [55, 10, 5, 15, 10, 5])[0]
        issued = recorded + dt.timedelta(hours=rng.randint(1, 24))
        handled = issued + dt.timedelta(hours=rng.randint(4, 96)) if status == "handled" else None
        action = "label" if tier == "B" else "remove"
        items.append(ContentItem(jurisdiction=rng.choice(places), platform=rng.choice(platforms),
                                 location=f"https://bench.example/p/{i}", text=f"有害信息样本 {i}", categories=cats,
                                 tier=tier, found_via=rng.choice(["patrol", "public_report", "detection"]),
                                 found_at=recorded, recorded_at=recorded, status=status, handled_at=handled,
                                 handling=action if handled else ""))
        plans.append((status, issued, handled, action))
    items = ContentItem.objects.bulk_create(items, batch_size=2000)
    state = {"handled": "verified", "instructed": "pending", "confirmed": "confirmed", "escalated": "escalated"}
    TakedownInstruction.objects.bulk_create([
        TakedownInstruction(item=item, platform=item.platform, action=action, issued_at=issued,
                            deadline=issued + dt.timedelta(hours=24), status=state[status],
                            confirmed_at=handled - dt.timedelta(hours=2) if handled else None, verified_at=handled)
        for item, (status, issued, handled, action) in zip(items, plans, strict=True) if status in state],
        batch_size=2000)
    PublicReport.objects.bulk_create([
        PublicReport(ack_number=f"B{i:09d}", jurisdiction=rng.choice(places), reason=rng.choice(ReportReason.values),
                     location=f"https://bench.example/r/{i}", explanation="骗学生扫码付款", good_faith=True,
                     received_at=_moment(rng, start, end)) for i in range(count // 3)], batch_size=2000)


# --- leads: intake, reports upward, dispatches to jurisdictions, cases --------------------------------------
def _leads(ctx: Any, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    from youthsafe.leads.models import Case, Lead, LeadDispatch, LeadSource

    places, platforms = _places(ctx), _bench_platforms(ctx, rng)
    rows = []
    for i in range(count):
        received = _moment(rng, start, end)
        status = rng.choices(["new", "verified", "dispatched", "acknowledged", "closed", "rejected"],
                             [10, 15, 20, 20, 25, 10])[0]
        checked = status not in {"new", "rejected"}
        rows.append(Lead(jurisdiction=rng.choice(places), source=rng.choice(LeadSource.values), title=f"线索 {i}",
                         summary="涉未成年人有害信息", received_at=received, status=status,
                         verified_at=received + dt.timedelta(hours=6) if status != "new" else None,
                         reported_upward_at=received + dt.timedelta(days=1) if checked and rng.random() < 0.3
                         else None))
    leads = Lead.objects.bulk_create(rows, batch_size=2000)
    dispatches, cases = [], []
    for lead in leads:
        if lead.status in {"dispatched", "acknowledged", "closed"} and rng.random() < 0.8:
            sent = lead.received_at + dt.timedelta(hours=8)
            dispatches.append(LeadDispatch(
                lead=lead, to_jurisdiction=rng.choice([p for p in places if p.pk != lead.jurisdiction_id]),
                sent_at=sent, instructions="请核处", ack_due_at=sent + dt.timedelta(hours=24),
                feedback_due_at=sent + dt.timedelta(days=15),
                status="sent" if lead.status == "dispatched" else "acknowledged"))
        if lead.status == "closed" and rng.random() < 0.3:
            cases.append(Case(lead=lead, jurisdiction=lead.jurisdiction, title=f"案件 {lead.pk}", offender="某账号",
                              summary="诱骗未成年人", opened_at=lead.received_at + dt.timedelta(days=2),
                              platform=rng.choice(platforms), platform_failure="未落实实名"))
    LeadDispatch.objects.bulk_create(dispatches, batch_size=2000)
    Case.objects.bulk_create(cases, batch_size=2000)


GENERATORS: dict[str, Callable[[Any, random.Random, dt.date, dt.date, int], None]] = {
    "pipeline": _posts, "alerts": _alerts, "outreach": _outreach, "content": _content, "leads": _leads,
    # Other apps define bench_records(ctx, rng, start, end, count) in their demo.py (supervision: 1,000
    # signed inspections); it is picked up below.
}
DEFAULT_COUNTS = {"pipeline": 100_000, "alerts": 2_000, "outreach": 400, "supervision": 1_000, "content": 6_000,
                  "leads": 1_500}


def _populate(counts: dict[str, int], start: dt.date, end: dt.date) -> dict[str, float]:
    from django.conf import settings
    from django.db import transaction

    from youthsafe.core import demo

    ctx = demo.DemoContext()
    demo._places(ctx)
    demo._users(ctx)
    rng = random.Random(7)
    timings = {}
    for app in settings.YOUTHSAFE_APPS:
        make = GENERATORS.get(app)
        if make is None and find_spec(f"youthsafe.{app}.demo") is not None:
            make = getattr(importlib.import_module(f"youthsafe.{app}.demo"), "bench_records", None)
        if make is None or not counts.get(app):
            continue
        began = time.perf_counter()
        with transaction.atomic():
            make(ctx, rng, start, end, counts[app])
        timings[app] = round(time.perf_counter() - began, 1)
    return timings


class _Counter:
    """A database execute wrapper that records each statement (Django resets its own log per request)."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.seen.append(sql)
        return execute(sql, params, many, context)


def _measure(username: str, paths: list[str], rounds: int) -> dict[str, dict[str, float]]:
    from django.db import connection
    from django.test import Client

    from youthsafe.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    results: dict[str, dict[str, float]] = {}
    for path in paths:
        client.get(path)  # warm caches and templates
        queries: list[str] = []
        with connection.execute_wrapper(_Counter(queries)):
            client.get(path)
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        results[f"{username} {path}"] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "queries": len(queries),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--count", action="append", default=[], metavar="APP=N",
                        help="records per app (defaults: pipeline=100000 alerts=2000 outreach=400 supervision=1000 "
                             "content=6000 leads=1500)")
    args = parser.parse_args()
    counts = dict(DEFAULT_COUNTS)
    for item in args.count:
        app, _, n = item.partition("=")
        counts[app] = int(n)
    _setup_database()
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    start = today - dt.timedelta(days=364)
    timings = _populate(counts, start, today)
    print(f"populated {counts} in {timings} s", file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    year = f"from={start}&to={today}"
    paths = ["/dashboard/", f"/dashboard/?{year}", f"/dashboard/?{year}&jurisdiction=1&focus=posts_scanned"]
    results: dict[str, Any] = {"database": connection.vendor, "counts": counts, "period": [str(start), str(today)]}
    results.update(_measure("leader", paths, args.rounds))
    results.update(_measure("analyst_jb", paths[:2], args.rounds))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
