"""Demo outreach: the first half of 2023 as the seed states it (13 online campaigns, 6 school lectures,
400 brochures in the city), the rest of 2023, and this year's events including planned ones and an overdue
follow-up. Everything goes through the services in its own time (an event is recorded on the evening of its
day; the loader runs in ``audit.business_time``), so each event has its audit row and status history when it
happened. Names are invented."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from youthsafe.outreach import services
from youthsafe.outreach.models import OutreachEvent

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

MARKER = "“清朗·护苗”网上主题宣传（第1期）"
CAMPAIGN_DAYS = ["01-06", "01-20", "02-03", "02-17", "03-03", "03-17", "03-31", "04-14", "04-28", "05-12",
                 "05-26", "06-09", "06-30"]
# (day, place, school, audience, brochures)
LECTURES = [("02-24", "JC-JB", "江北区第一中学", 620, 50), ("03-15", "JC-JN", "江南区实验小学", 480, 50),
            ("04-07", "JC-GX", "高新区光谷中学", 750, 50), ("04-26", "JC-LJ", "临江县第二中学", 540, 50),
            ("05-19", "JC-QS", "青山县青山镇中心学校", 390, 50), ("06-16", "JC-JB", "江北区育才初级中学", 810, 50)]


TZ = ZoneInfo("Asia/Shanghai")


def _day(year: int, mmdd: str) -> dt.date:
    return dt.date.fromisoformat(f"{year}-{mmdd}")


def _evening(day: dt.date) -> dt.datetime:
    """When an event of ``day`` is recorded: that evening (or now, for today's)."""
    return min(dt.datetime.combine(day, dt.time(18), tzinfo=TZ), timezone.now())


def _half_year_2023(ctx: DemoContext) -> None:
    actor, p = ctx.users["analyst"], ctx.places
    for n, mmdd in enumerate(CAMPAIGN_DAYS, start=1):
        services.do_create_event(actor=actor, held=True, now=_evening(_day(2023, mmdd)), data={
            "kind": "online_campaign", "title": f"“清朗·护苗”网上主题宣传（第{n}期）", "held_on": _day(2023, mmdd),
            "jurisdiction": p["JC"], "venue": "江城网警微博、微信公众号", "partner": "市委网信办",
            "audience": 12_000 + 1_500 * n, "summary": "防范网络沉迷、网络欺凌与网络诈骗的短视频和图文。"})
    for mmdd, place, school, audience, brochures in LECTURES:
        services.do_create_event(actor=actor, held=True, materials={"brochure": brochures, "poster": 4}, data={
            "kind": "school_lecture", "title": f"网络安全进校园：{school}", "held_on": _day(2023, mmdd),
            "jurisdiction": p[place], "venue": school, "at_school": True, "partner": "市教育局",
            "audience": audience, "summary": "讲解网络欺凌、网络诈骗和不良信息的识别与求助渠道（12356、110）。",
            "follow_up": "向学校收集学生反馈。", "follow_up_due": _day(2023, mmdd) + dt.timedelta(days=14)},
            now=_evening(_day(2023, mmdd)))
    services.do_create_event(actor=actor, held=True, materials={"brochure": 100}, data={
        "kind": "brochure_distribution", "title": "“护苗”宣传册社区发放", "held_on": _day(2023, "05-31"),
        "jurisdiction": p["JC-JN"], "venue": "江南区滨江社区服务中心", "partner": "团市委", "audience": 260},
        now=_evening(_day(2023, "05-31")))
    for mmdd, place in (("03-25", "JC-JB"), ("06-10", "JC-GX")):
        services.do_create_event(actor=actor, held=True, now=_evening(_day(2023, mmdd)), data={
            "kind": "parents_meeting", "title": "家长会：如何陪伴孩子健康上网", "held_on": _day(2023, mmdd),
            "jurisdiction": p[place], "venue": "学校报告厅", "at_school": True, "partner": "市妇联", "audience": 300})
    cancelled = services.do_create_event(actor=actor, materials={"brochure": 80}, data={
        "kind": "school_lecture", "title": "网络安全进校园：临江县第一中学（因天气取消）",
        "held_on": _day(2023, "06-21"),
        "jurisdiction": p["JC-LJ"], "venue": "临江县第一中学", "at_school": True, "partner": "县教育局"},
        now=_evening(_day(2023, "06-01")))
    services.do_cancel(cancelled, actor=actor, reason="暴雨红色预警，学校停课，改期另行安排。",
                       now=_evening(_day(2023, "06-20")))


def _later(ctx: DemoContext) -> None:
    actor, p = ctx.users["analyst"], ctx.places
    for mmdd, kind, title, place, audience, brochures in (
        ("07-20", "online_campaign", "暑期防沉迷网上宣传", "JC", 30_000, 0),
        ("09-05", "school_lecture", "开学第一课：网络安全", "JC-GX", 900, 120),
        ("11-09", "media_post", "网络安全宣传周专题报道", "JC", 50_000, 0),
    ):
        services.do_create_event(actor=actor, held=True, materials={"brochure": brochures}, data={
            "kind": kind, "title": title, "held_on": _day(2023, mmdd), "jurisdiction": p[place],
            "audience": audience, "at_school": kind == "school_lecture"}, now=_evening(_day(2023, mmdd)))
    today = timezone.localdate()
    for months_ago, kind, title, place, audience, brochures in (
        (10, "online_campaign", "寒假网络安全提示", "JC", 25_000, 0),
        (8, "school_lecture", "网络安全进校园：江北区第三中学", "JC-JB", 640, 60),
        (6, "parents_meeting", "家长课堂：识别网络诱导", "JC-JN", 210, 40),
        (4, "brochure_distribution", "防诈宣传册进社区", "JC-QS", 180, 150),
        (2, "online_campaign", "“清朗”暑期专项宣传", "JC", 41_000, 0),
        (1, "school_lecture", "网络安全进校园：高新区实验学校", "JC-GX", 720, 80),
    ):
        held_on = today - dt.timedelta(days=30 * months_ago)
        services.do_create_event(actor=actor, held=True, materials={"brochure": brochures}, data={
            "kind": kind, "title": title, "held_on": held_on, "jurisdiction": p[place], "audience": audience,
            "at_school": kind != "online_campaign", "partner": "市教育局",
            "follow_up": "收集学校反馈" if months_ago == 1 else "",
            "follow_up_due": held_on + dt.timedelta(days=14) if months_ago == 1 else None}, now=_evening(held_on))
    services.do_create_event(actor=ctx.users["analyst_jb"], data={
        "kind": "school_lecture", "title": "网络安全进校园：江北区第一中学（计划）",
        "held_on": today + dt.timedelta(days=12),
        "jurisdiction": p["JC-JB"], "venue": "江北区第一中学", "at_school": True, "partner": "区教育局"})


def load(ctx: DemoContext) -> None:
    if OutreachEvent.objects.filter(title=MARKER).exists():
        ctx.log.append("outreach: demo events already present, kept")
        return
    _half_year_2023(ctx)
    _later(ctx)
    ctx.log.append(f"outreach: {OutreachEvent.objects.count()} demo events created")
