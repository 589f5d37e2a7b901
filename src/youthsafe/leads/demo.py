"""Demo leads: one in every state (one dispatched to 江北区 JC-JB awaiting acknowledgement), a linked
investigation, and the seed's first half of 2023 in the 江城市 subtree.

The half-year's leads come from superiors, own work, public reports and other units; those verified were
reported upward on a date inside the period (64 of them), others were dispatched to the districts or were
unfounded, and a few received at the end of June were reported upward only after 2023-07-10.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from youthsafe.content.models import ContentItem, PublicReport, ReportStatus
from youthsafe.core.demo import DemoContext
from youthsafe.leads import services
from youthsafe.leads.models import DispatchStatus, Lead, LeadDispatch, LeadSource, LeadStatus
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

    def lead(title: str, source: str = LeadSource.SUPERIOR, detail: str = "", hours: int = 20) -> Lead:
        return services.do_create_lead({"jurisdiction": p["JC"], "source": source, "source_detail": detail,
                                        "title": title, "summary": f"{title}。请核查涉及的平台和账号。",
                                        "platform": platforms[hours % len(platforms)]}, actor=analyst,
                                       now=now - dt.timedelta(hours=hours))

    lead("网络游戏账号交易诈骗学生", detail="市网信办通报〔2026〕31号", hours=2)  # new
    report = PublicReport.objects.filter(reason="A15", status=ReportStatus.RECEIVED).first()
    if report is not None:
        services.do_lead_from_report(report, actor=analyst, note="内容具体，有链接，转为线索核查。")
    verified = lead("短视频平台传播校园欺凌视频", LeadSource.OWN_WORK, hours=30)
    services.do_verify(verified, actor=analyst, founded=True, note="视频仍可访问，涉及本市某中学。")
    waiting = lead("群聊售卖学生个人信息", LeadSource.OTHER_UNIT, "省厅网安总队转交", hours=26)
    services.do_verify(waiting, actor=analyst, founded=True, note="群号有效，已截图固定。")
    services.do_report_upward(waiting, actor=analyst, note="已报市局网安支队。")
    services.do_dispatch(waiting, actor=leader, to=p["JC-JB"], instructions="请江北区核查群主身份并反馈处置结果。",
                         now=now - dt.timedelta(hours=3))
    acked = lead("直播间诱导未成年人打赏", hours=50)
    services.do_verify(acked, actor=analyst, founded=True, note="主播账号在江北区注册。")
    d = services.do_dispatch(acked, actor=leader, to=p["JC-JB"], instructions="请约谈平台并反馈。",
                             now=now - dt.timedelta(hours=40))
    services.do_acknowledge(d, actor=responder, note="已签收。")
    fed = lead("网盘传播淫秽视频", LeadSource.OWN_WORK, hours=100)
    services.do_verify(fed, actor=analyst, founded=True, note="分享链接有效。")
    d = services.do_dispatch(fed, actor=leader, to=p["JC-JB"], instructions="请核查并处置。",
                             now=now - dt.timedelta(hours=90))
    services.do_acknowledge(d, actor=responder)
    services.do_feedback(d, actor=responder, feedback="已约谈网盘平台，删除链接37条，封禁账号2个。")
    item = ContentItem.objects.filter(group__isnull=True, signature__gt="").exclude(status="dismissed").first()
    if item is not None:
        services.do_link(fed, actor=analyst, items=[item])
    closed = lead("论坛贩卖管制刀具", hours=200)
    services.do_verify(closed, actor=analyst, founded=True, note="帖子属实。")
    services.do_close(closed, actor=analyst, outcome="平台已删帖封号，线索办结。")
    rejected = lead("疑似自残打卡群组", LeadSource.PUBLIC_REPORT, hours=70)
    services.do_verify(rejected, actor=analyst, founded=False, note="群组为康复互助群，无引诱内容。")
    dup = lead("网络游戏账号交易诈骗学生（重复）", hours=1)
    original = Lead.objects.get(source_detail="市网信办通报〔2026〕31号")
    services.do_merge(dup, into=original, actor=analyst, reason="同一通报的重复录入。")
    case = services.do_open_case(fed, {
        "jurisdiction": p["JC"], "title": "网盘传播淫秽视频案", "offender": "网盘账号 jc_share_77（化名）",
        "summary": "嫌疑人通过网盘分享链接向学生群体传播淫秽视频。", "platform": platforms[-1],
        "platform_failure": "未落实未成年人模式下的内容过滤，举报后48小时未处置。"}, actor=analyst)
    del case  # the platform check waits for a person to decide (referral to supervision or no issue)


def _half_year(ctx: DemoContext) -> int:
    rng = random.Random(64)  # seeded demo data, not security  # nosec B311
    places = [ctx.places[c] for c in ("JC", "JC", "JC-JB", "JC-JN", "JC-GX", "JC-LJ", "JC-QS")]
    districts = [ctx.places[c] for c in ("JC-JB", "JC-JN", "JC-GX", "JC-LJ", "JC-QS")]
    platforms = list(Platform.objects.filter(jurisdiction__path__startswith=ctx.places["JC"].path))
    analyst = ctx.users["analyst"]
    days = (SEED_END - SEED_START).days
    fates = ["reported"] * SEED_REPORTED + ["late"] * 4 + ["dispatched"] * 22 + ["rejected"] * 11
    rng.shuffle(fates)
    leads: list[Lead] = []
    meta: list[tuple[str, dt.datetime]] = []
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
        status = {"reported": LeadStatus.CLOSED, "late": LeadStatus.CLOSED, "dispatched": LeadStatus.FED_BACK,
                  "rejected": LeadStatus.REJECTED}[fate]
        verified_at = received + dt.timedelta(hours=1)
        leads.append(Lead(
            jurisdiction=rng.choice(places), source=source, title=rng.choice(TITLES),
            source_detail=f"2023-{n + 1:03d}", summary="2023年上半年线索。", received_at=received,
            received_by=analyst, status=status, verified_at=verified_at,
            verification="核查属实" if fate != "rejected" else "核查不属实", reported_upward_at=reported,
            reported_upward_note="已上报" if reported else "", platform=rng.choice(platforms),
            closed_at=(reported + dt.timedelta(days=2)) if reported else None,
            outcome="已办结" if reported else ""))
        meta.append((fate, received))
    created = Lead.objects.bulk_create(leads)
    dispatches = []
    for lead, (fate, received) in zip(created, meta, strict=True):
        if fate in {"rejected", "late"} or lead.jurisdiction.code != "JC" or (fate == "reported" and rng.random() < .5):
            continue
        sent = received + dt.timedelta(hours=2)
        dispatches.append(LeadDispatch(
            lead=lead, to_jurisdiction=rng.choice(districts), sent_at=sent, sent_by=analyst,
            instructions="请属地核查处置并反馈。", ack_due_at=sent + dt.timedelta(hours=24),
            feedback_due_at=sent + dt.timedelta(days=7), status=DispatchStatus.FED_BACK,
            acknowledged_at=sent + dt.timedelta(hours=3), feedback="已核查处置。",
            fed_back_at=sent + dt.timedelta(days=3)))
    LeadDispatch.objects.bulk_create(dispatches)
    return len(created)
