"""Demo leads: one in every state (one dispatched to 江北区 JC-JB awaiting acknowledgement), a linked
investigation, and the seed's first half of 2023 in the 江城市 subtree.

The half-year's leads come from superiors, own work, public reports and other units; those verified were
reported upward on a date inside the period (64 of them), others were dispatched (the city's to a district, a
district's to its police station) or were unfounded, and a few received at the end of June were reported
upward only after 2023-07-10. Every lead goes through the services step by step in its own time, so 2023 has
its status history and audit trail (the loader runs in ``kernel.batch`` and ``audit.business_time``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from youthsafe.content.models import ContentItem, PublicReport, ReportStatus
from youthsafe.core.demo import DemoContext
from youthsafe.core.models import Jurisdiction
from youthsafe.leads import services
from youthsafe.leads.models import Lead, LeadDispatch, LeadSource
from youthsafe.registry.models import Platform

TZ = ZoneInfo("Asia/Shanghai")
SEED_START = dt.date(2023, 1, 1)
SEED_END = dt.date(2023, 7, 10)
SEED_REPORTED = 64
SOURCES: list[tuple[str, int]] = [(LeadSource.SUPERIOR, 30), (LeadSource.OWN_WORK, 35),
                                  (LeadSource.PUBLIC_REPORT, 25), (LeadSource.OTHER_UNIT, 10)]
TITLES = ["网络赌博引流至未成年人", "群聊售卖学生个人信息", "短视频平台传播校园欺凌视频", "游戏账号交易诈骗学生",
          "直播间诱导未成年人打赏", "网盘传播淫秽视频", "论坛贩卖管制刀具", "自残打卡群组", "冒充客服退款诈骗",
          "社交平台隔空猥亵线索"]


def load(ctx: DemoContext) -> None:
    if Lead.objects.filter(source_detail="市网信办通报〔2026〕31号").exists():
        ctx.log.append("leads: demo leads already present, kept")
    else:
        _current(ctx)
    if Lead.objects.filter(received_at__date__gte=SEED_START, received_at__date__lte=SEED_END).exists():
        ctx.log.append("leads: 2023 half-year already present, kept")
    else:
        ctx.log.append(f"leads: 2023 half-year: {_half_year(ctx)} leads")


def _current(ctx: DemoContext) -> None:
    now = timezone.now()
    p, u = ctx.places, ctx.users
    analyst, leader, responder = u["analyst"], u["leader"], u["responder_jb"]
    platforms = list(Platform.objects.filter(jurisdiction__path__startswith=p["JC"].path).order_by("id"))

    def ago(hours: float) -> dt.datetime:
        return now - dt.timedelta(hours=hours)

    def lead(title: str, source: str = LeadSource.SUPERIOR, detail: str = "", hours: int = 20,
             verified: str = "") -> Lead:
        made = services.do_create_lead({"jurisdiction": p["JC"], "source": source, "source_detail": detail,
                                        "title": title, "summary": f"{title}。请核查涉及的平台和账号。",
                                        "platform": platforms[hours % len(platforms)]}, actor=analyst, now=ago(hours))
        if verified:
            services.do_verify(made, actor=analyst, founded=True, note=verified, now=ago(hours - 1))
        return made

    lead("网络游戏账号交易诈骗学生", detail="市网信办通报〔2026〕31号", hours=2)  # new
    report = PublicReport.objects.filter(reason="A15", status=ReportStatus.RECEIVED).first()
    if report is not None:
        services.do_lead_from_report(report, actor=analyst, note="内容具体，有链接，转为线索核查。", now=ago(1))
    lead("短视频平台传播校园欺凌视频", LeadSource.OWN_WORK, hours=30, verified="视频仍可访问，涉及本市某中学。")
    waiting = lead("群聊售卖学生个人信息", LeadSource.OTHER_UNIT, "省厅网安总队转交", hours=26,
                   verified="群号有效，已截图固定。")
    services.do_report_upward(waiting, actor=analyst, note="已报市局网安支队。", now=ago(24))
    services.do_dispatch(waiting, actor=leader, to=p["JC-JB"], instructions="请江北区核查群主身份并反馈处置结果。",
                         now=ago(3))
    acked = lead("直播间诱导未成年人打赏", hours=50, verified="主播账号在江北区注册。")
    d = services.do_dispatch(acked, actor=leader, to=p["JC-JB"], instructions="请约谈平台并反馈。", now=ago(40))
    services.do_acknowledge(d, actor=responder, note="已签收。", now=ago(38))
    fed = lead("网盘传播淫秽视频", LeadSource.OWN_WORK, hours=100, verified="分享链接有效。")
    d = services.do_dispatch(fed, actor=leader, to=p["JC-JB"], instructions="请核查并处置。", now=ago(90))
    services.do_acknowledge(d, actor=responder, now=ago(88))
    services.do_feedback(d, actor=responder, feedback="已约谈网盘平台，删除链接37条，封禁账号2个。", now=ago(60))
    item = ContentItem.objects.filter(group__isnull=True, signature__gt="").exclude(status="dismissed").first()
    if item is not None:
        services.do_link(fed, actor=analyst, items=[item], now=ago(59))
    closed = lead("论坛贩卖管制刀具", hours=200, verified="帖子属实。")
    services.do_close(closed, actor=analyst, outcome="平台已删帖封号，线索办结。", now=ago(150))
    rejected = lead("疑似自残打卡群组", LeadSource.PUBLIC_REPORT, hours=70)
    services.do_verify(rejected, actor=analyst, founded=False, note="群组为康复互助群，无引诱内容。", now=ago(69))
    dup = lead("网络游戏账号交易诈骗学生（重复）", hours=1)
    original = Lead.objects.get(source_detail="市网信办通报〔2026〕31号")
    services.do_merge(dup, into=original, actor=analyst, reason="同一通报的重复录入。", now=ago(0.5))
    # The case's platform check waits for a person to decide (referral to supervision or no issue).
    services.do_open_case(fed, {
        "jurisdiction": p["JC"], "title": "网盘传播淫秽视频案", "offender": "网盘账号 jc_share_77（化名）",
        "summary": "嫌疑人通过网盘分享链接向学生群体传播淫秽视频。", "platform": platforms[-1],
        "platform_failure": "未落实未成年人模式下的内容过滤，举报后48小时未处置。"}, actor=analyst, now=ago(58))


@dataclass
class _Plan:
    """One 2023 lead: when it came in, what became of it, and where it was dispatched (if it was)."""

    n: int
    fate: str  # reported | late | dispatched | rejected
    place: Jurisdiction
    source: str
    title: str
    platform: Platform
    received: dt.datetime
    reported: dt.datetime | None
    to: Jurisdiction | None = None


def _plans(ctx: DemoContext) -> list[_Plan]:
    """The half-year's leads, drawn from the seeded generator as they always were."""
    rng = random.Random(64)  # seeded demo data, not security  # nosec B311
    places = [ctx.places[c] for c in ("JC", "JC", "JC-JB", "JC-JN", "JC-GX", "JC-LJ", "JC-QS")]
    districts = [ctx.places[c] for c in ("JC-JB", "JC-JN", "JC-GX", "JC-LJ", "JC-QS")]
    platforms = list(Platform.objects.filter(jurisdiction__path__startswith=ctx.places["JC"].path))
    days = (SEED_END - SEED_START).days
    fates = ["reported"] * SEED_REPORTED + ["late"] * 4 + ["dispatched"] * 22 + ["rejected"] * 11
    rng.shuffle(fates)
    plans: list[_Plan] = []
    for n, fate in enumerate(fates):
        if fate == "late":
            day = SEED_END - dt.timedelta(days=rng.randint(0, 3))
        else:
            day = SEED_START + dt.timedelta(days=rng.randint(0, days - 3))
        received = dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=TZ)
        source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
        reported = None
        if fate == "reported":
            reported = min(received + dt.timedelta(hours=rng.uniform(2, 60)),
                           dt.datetime.combine(SEED_END, dt.time(18), tzinfo=TZ))
        elif fate == "late":
            reported = dt.datetime.combine(SEED_END + dt.timedelta(days=rng.randint(1, 5)), dt.time(11), tzinfo=TZ)
        plans.append(_Plan(n, fate, rng.choice(places), source, rng.choice(TITLES), rng.choice(platforms),
                           received, reported))
    for plan in plans:
        if plan.fate in {"rejected", "late"} or (plan.fate == "reported" and plan.place.code != "JC"):
            continue
        if plan.place.code != "JC":  # a district's lead goes to its police station
            plan.to = ctx.places[f"{plan.place.code}-01"]
        elif plan.fate == "dispatched" or rng.random() >= .5:
            plan.to = rng.choice(districts)
    return plans


def _replay(ctx: DemoContext, plan: _Plan) -> None:
    """One 2023 lead through the services, each step in its own time, so 2023 has its history and audit."""
    analyst = ctx.users["analyst"]
    lead = services.do_create_lead({
        "jurisdiction": plan.place, "source": plan.source, "title": plan.title, "platform": plan.platform,
        "source_detail": f"2023-{plan.n + 1:03d}", "summary": "2023年上半年线索。"}, actor=analyst, now=plan.received)
    founded = plan.fate != "rejected"
    services.do_verify(lead, actor=analyst, founded=founded, note="核查属实" if founded else "核查不属实",
                       now=plan.received + dt.timedelta(hours=1))
    steps: list[tuple[dt.datetime, Callable[[dt.datetime], object]]] = []
    done = plan.received
    if plan.to is not None:
        to = plan.to
        receiver = ctx.users["responder_jb"] if to.is_within(ctx.places["JC-JB"]) else ctx.users["admin"]
        sent: list[LeadDispatch] = []
        steps += [
            (plan.received + dt.timedelta(hours=2), lambda at: sent.append(services.do_dispatch(
                lead, actor=analyst, to=to, instructions="请属地核查处置并反馈。", now=at))),
            (plan.received + dt.timedelta(hours=5), lambda at: services.do_acknowledge(sent[0], actor=receiver,
                                                                                       now=at)),
            (plan.received + dt.timedelta(days=3, hours=2), lambda at: services.do_feedback(
                sent[0], actor=receiver, feedback="已核查处置。", now=at))]
        done = steps[-1][0]
    if plan.reported is not None:
        steps.append((plan.reported, lambda at: services.do_report_upward(lead, actor=analyst, note="已上报",
                                                                          now=at)))
        steps.append((max(plan.reported + dt.timedelta(days=2), done + dt.timedelta(hours=1)),
                      lambda at: services.do_close(lead, actor=analyst, outcome="已办结", now=at)))
    for at, step in sorted(steps, key=lambda s: s[0]):
        step(at)


def _half_year(ctx: DemoContext) -> int:
    plans = _plans(ctx)
    for plan in plans:
        _replay(ctx, plan)
    return len(plans)
