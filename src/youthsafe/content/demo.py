"""Demo harmful-content records: current work for every page, and the seed's first half of 2023.

Every record goes through the services, so it is scanned, has its status history and its audit trail (the
demo loader runs inside ``kernel.batch()`` and ``audit.business_time()``: a 2023 step is audited in 2023).
Current records: public reports in every state, items with instructions pending, confirmed, verified and
overdue, a Tier-B item with a label instruction and a campaign of near-duplicate reposts. The half-year
(2023-01-01..2023-07-10, 江城市 "JC" subtree): every item handled in that period was recorded, instructed,
confirmed by the platform and verified by a person, spread over platforms, districts, categories and dates;
some items recorded in the period were dismissed or handled only after it, as happens.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.utils import timezone

from youthsafe.content import services, workflow
from youthsafe.content.models import ContentItem, FoundVia, PublicReport, ReportStatus
from youthsafe.core import audit
from youthsafe.core.demo import DemoContext
from youthsafe.core.models import Jurisdiction, User
from youthsafe.registry.models import Platform

TZ = ZoneInfo("Asia/Shanghai")
_T = TypeVar("_T")
SEED_START = dt.date(2023, 1, 1)
SEED_END = dt.date(2023, 7, 10)
SEED_HANDLED = 337  # how many the seed's unit handled in the half-year; the records below produce it
# (category, weight) of the half-year's items: what a city unit meets most
SEED_CATEGORIES: list[tuple[list[str], int]] = [
    (["A01"], 70), (["A15"], 52), (["A09"], 38), (["A06"], 30), (["A16"], 26), (["A11"], 22), (["A07"], 14),
    (["A17"], 18), (["A04"], 12), (["A01", "A02"], 6), (["C02"], 15), (["C01"], 8), (["B08"], 20),
    (["B05"], 12), (["B01"], 9), (["B10"], 5),
]
SEED_PLACES = ("JC-JB", "JC-JB", "JC-JN", "JC-JN", "JC-GX", "JC-LJ", "JC-QS", "JC")  # weighted by repetition
SEED_USERS = ("analyst", "analyst_jb", "reviewer")
SEED_SOURCES: list[tuple[str, int]] = [(FoundVia.PATROL, 55), (FoundVia.PUBLIC_REPORT, 18),
                                       (FoundVia.SUPERIOR, 12), (FoundVia.INSPECTION, 8), (FoundVia.DETECTION, 7)]
CAMPAIGN = [
    "低价出售游戏账号，未成年也能买，加V：jc2023 立刻到账，先付款后发货",
    "低价出售游戏账号，未成年也能买，加V：jc2024 立刻到账，先付款后发货🔥🔥",
    "低价出售游戏账号!!未成年也能买，加V: jc2025 立刻到账，先付款后发货",
]


def load(ctx: DemoContext) -> None:
    if PublicReport.objects.filter(location__startswith="https://demo.jcsp.example/").exists():
        ctx.log.append("content: demo records already present, kept")
    else:
        _current(ctx)
    if ContentItem.objects.filter(recorded_at__date__lte=SEED_END, recorded_at__date__gte=SEED_START).exists():
        ctx.log.append("content: 2023 half-year already present, kept")
    else:
        n = _half_year(ctx)
        ctx.log.append(f"content: 2023 half-year: {n} items")


def _platforms(place: Jurisdiction) -> list[Platform]:
    return list(Platform.objects.filter(jurisdiction__path__startswith=place.path).order_by("id"))


def _current(ctx: DemoContext) -> None:
    now = timezone.now()
    places = ctx.places
    analyst, reviewer = ctx.users["analyst"], ctx.users["reviewer"]
    platforms = _platforms(places["JC"])
    by_place = {code: _platforms(places[code]) or platforms for code in ("JC-JB", "JC-JN", "JC-GX")}
    # Public reports: one waiting, one about a person in distress, one rejected. (Reports that became leads
    # are made by the leads demo through the leads service.)
    reports = [
        ({"reason": "A15", "location": "https://demo.jcsp.example/post/88121", "platform_name": platforms[0].name,
          "explanation": "有人在群里以“免费领皮肤”为名骗学生扫码付款。", "contact": "", "good_faith": True}, "1.1.1.1"),
        ({"reason": "W01", "location": "https://demo.jcsp.example/u/night-rain", "platform_name": "",
          "explanation": "同学在动态里说活着没意思，最近一直在告别，我很担心她。", "contact": "",
          "good_faith": True}, "1.1.1.2"),
        ({"reason": "other", "location": "https://demo.jcsp.example/post/1", "platform_name": "",
          "explanation": "广告太多了。", "contact": "", "good_faith": True}, "1.1.1.3"),
        ({"reason": "A02", "location": "https://demo.jcsp.example/album/402", "platform_name": platforms[1].name,
          "explanation": "相册里出售未成年人不雅照片。", "contact": "138-0000-0000", "good_faith": True}, "1.1.1.4"),
    ]
    made = [services.submit_report(data, ip=ip, now=now - dt.timedelta(hours=5 - i)) for i, (data, ip)
            in enumerate(reports)]
    services.do_triage_report(made[2], actor=reviewer, outcome=ReportStatus.REJECTED, note="商业广告，不属于有害信息。",
                              reply="感谢举报。经核查，该内容不属于有害信息。")

    def item(code: str, text: str, cats: list[str], *, via: str = FoundVia.PATROL, hours: int = 30,
             platform: Platform | None = None) -> ContentItem:
        return services.do_record_item({
            "jurisdiction": places[code], "platform": platform or by_place[code][0],
            "location": f"https://demo.jcsp.example/{code.lower()}/{zlib.crc32(text.encode()) % 100000}", "text": text,
            "categories": cats, "found_via": via}, actor=analyst, now=now - dt.timedelta(hours=hours))

    pending = item("JC-JB", "加微信看福利视频，未成年萝莉资源打包出售", ["A01", "A02"], hours=3)
    services.do_instruct(pending, actor=analyst, note="请立即删除并保存日志，2小时内回复。",
                         now=now - dt.timedelta(hours=2))
    overdue = item("JC-JN", "网赌平台充值返利，学生党也能玩，日入过千", ["A06"], hours=60,
                   platform=by_place["JC-JN"][0])
    services.do_instruct(overdue, actor=analyst, note="限期删除。", now=now - dt.timedelta(hours=50))
    confirmed = item("JC-GX", "出售全班同学身份证号和手机号，打包价50元", ["A16", "C02"], hours=40,
                     platform=by_place["JC-GX"][0])
    ins = services.do_instruct(confirmed, actor=analyst, note="请删除并封禁账号。", now=now - dt.timedelta(hours=39))
    services.do_confirm(ins, actor=analyst, confirmation="平台回复：已删除帖子并封禁账号 jc_seller_01。",
                        confirmed_at=now - dt.timedelta(hours=30))
    done = item("JC-JB", "约架视频合集，打得越狠越火，转发抽奖", ["A04"], hours=80)
    ins = services.do_instruct(done, actor=analyst, note="删除。", now=now - dt.timedelta(hours=79))
    services.do_confirm(ins, actor=analyst, confirmation="已删除。", confirmed_at=now - dt.timedelta(hours=70))
    services.do_verify(ins, actor=analyst, done=True, note="复查链接已失效，搜索无结果。")
    label = item("JC-JN", "挑战一口气喝完十瓶能量饮料，不敢的是胆小鬼", ["B01"], hours=20,
                 platform=by_place["JC-JN"][0])
    services.do_instruct(label, actor=analyst, note="请添加提示标识，不得向未成年人推荐。",
                         now=now - dt.timedelta(hours=19))
    # A campaign of reposts on several platforms: one case with many locations.
    for i, text in enumerate(CAMPAIGN):
        services.do_record_item({
            "jurisdiction": places["JC-GX"], "platform": platforms[(i * 7) % len(platforms)],
            "location": f"https://demo.jcsp.example/repost/{i + 1}", "text": text, "categories": ["A15"],
            "found_via": FoundVia.DETECTION}, actor=analyst, now=now - dt.timedelta(hours=10 - i))


def _weighted(rng: random.Random, pairs: Sequence[tuple[_T, int]]) -> _T:
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=TZ)


@dataclass(frozen=True)
class _Seed:
    """One half-year item and the times of its steps."""

    fate: str  # handled (within the period), late (handled after it) or dismissed
    data: dict[str, Any]
    by: User
    recorded: dt.datetime
    issued: dt.datetime
    confirmed: dt.datetime
    verified: dt.datetime


def _seed(n: int, fate: str, rng: random.Random, ctx: DemoContext, platforms: dict[str, list[Platform]]) -> _Seed:
    code = rng.choice(SEED_PLACES)
    place = ctx.places[code]
    users = [ctx.users[name] for name in SEED_USERS]
    cats = list(_weighted(rng, SEED_CATEGORIES))
    if fate == "late":  # found in the last days, verified after the period ends
        found = _at(SEED_END - dt.timedelta(days=rng.randint(0, 2)), rng)
    else:
        found = _at(SEED_START + dt.timedelta(days=rng.randint(0, (SEED_END - SEED_START).days - 2)), rng)
    recorded = found + dt.timedelta(minutes=rng.randint(5, 60))
    issued = recorded + dt.timedelta(minutes=rng.randint(15, 180))
    confirmed = issued + dt.timedelta(hours=rng.uniform(0.5, 20 if workflow.action_for(cats) == workflow.REMOVE
                                                        else 60))
    verified = confirmed + dt.timedelta(hours=rng.uniform(1, 30))
    if fate == "late":
        verified = max(verified, dt.datetime.combine(SEED_END + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    elif verified.date() > SEED_END:  # handled within the period: checked on its last afternoon at the latest
        verified = dt.datetime.combine(SEED_END, dt.time(17), tzinfo=TZ)
        confirmed = min(confirmed, verified - dt.timedelta(hours=1))
    platform = rng.choice(platforms[code])
    by = rng.choice(users)
    if not by.can_write_in(place):  # the district's analyst works in the district only
        by = users[0]
    data: dict[str, Any] = {
        "jurisdiction": place, "platform": platform, "location": f"https://{platform.pk}.jcsp.example/p/{230000 + n}",
        "categories": cats, "found_via": _weighted(rng, SEED_SOURCES), "found_at": found}
    return _Seed(fate, data, by, recorded, issued, confirmed, verified)


def _steps(seed: _Seed) -> list[tuple[dt.datetime, str]]:
    if seed.fate == "dismissed":
        return [(seed.recorded, "record"), (seed.issued, "dismiss")]
    return [(seed.recorded, "record"), (seed.issued, "instruct"), (seed.confirmed, "confirm"),
            (seed.verified, "verify")]


def _take(step: str, seed: _Seed, made: dict[str, Any]) -> None:
    """One step of one half-year item, through its service; ``made`` holds the item's records so far."""
    if step == "record":
        made["item"] = services.do_record_item(seed.data, actor=seed.by, now=seed.recorded)
    elif step == "dismiss":
        services.do_dismiss(made["item"], actor=seed.by, reason="经核查不属于有害信息", now=seed.issued)
    elif step == "instruct":
        made["instruction"] = services.do_instruct(made["item"], actor=seed.by, note="限期处置", now=seed.issued)
    elif step == "confirm":
        made["instruction"] = services.do_confirm(made["instruction"], actor=seed.by, confirmation="平台回复已处置",
                                                  confirmed_at=seed.confirmed, now=seed.confirmed)
    else:
        services.do_verify(made["instruction"], actor=seed.by, done=True, note="复查确认", now=seed.verified)


def _half_year(ctx: DemoContext) -> int:
    """Items recorded over the half-year; exactly SEED_HANDLED of them verified as handled within it. The steps
    of all items are taken in time order (references and the audit trail read as the work happened); the audit
    rows are appended to the chain in one go at the end (audit.deferred)."""
    rng = random.Random(20230710)  # seeded demo data, not security  # nosec B311
    platforms = {code: _platforms(ctx.places[code]) or _platforms(ctx.places["JC"]) for code in set(SEED_PLACES)}
    plan: list[str] = (["handled"] * SEED_HANDLED + ["late"] * 9 + ["dismissed"] * 21)
    rng.shuffle(plan)
    seeds = [_seed(n, fate, rng, ctx, platforms) for n, fate in enumerate(plan)]
    made: list[dict[str, Any]] = [{} for _ in seeds]
    with audit.deferred():
        for _when, n, step in sorted((when, n, step) for n, seed in enumerate(seeds) for when, step in _steps(seed)):
            _take(step, seeds[n], made[n])
    return len(seeds)
