"""Demo records for supervision: what every page needs today, and the seed's half-year of work.

Current records (relative to today): three inspection plans with due and overdue platforms, inspections in
every state with failed items and evidence, orders in several states (one overdue, flagged by the nightly
job; one refused), sanctions (a disconnection in effect, a fine waiting for approval), security assessments,
referrals, a risk note and an interview. Every step goes through its service with ``now=`` the day it
happened, so the records carry their history and audit trail (the loader keeps the audit rows in that time).

The half-year 2023-01-01 to 2023-07-10 in 江城市 (JC) is ``demo_history``: made through the services too, in
time order, so 2023 has a real history and the indicators report the seed's figures from it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from youthsafe.core.referrals import ReferralRequest
from youthsafe.registry import services as registry
from youthsafe.registry.controls import CONTROLS, CONTROLS_BY_ID
from youthsafe.registry.models import Platform, PlatformKind
from youthsafe.supervision import demo_history
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.demo_history import LEGAL, PROBLEMS, Cast, at, working_days
from youthsafe.supervision.models import (
    ChecklistItem,
    Finding,
    Inspection,
    InspectionStatus,
    ItemResult,
    RectificationOrder,
    Sanction,
    SanctionKind,
)
from youthsafe.supervision.services import assessments, inspections, interviews, nightly, orders, referrals, sanctions

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

# The platforms of today's stories: kept out of the half-year (see demo_history).
STORY = frozenset({"江城智慧课堂", "青苗作业帮", "星河传说", "萌宠大作战", "江城圈", "三国闪电战", "江城直播",
                   "江北家校通", "方块奇遇", "光谷短视频", "树洞倾诉", "临江同城"})


class Today:
    """Today's stories: the cast, the platforms by name, and the moment of a step some days ago."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.today = timezone.localdate()
        self.analyst, self.leader, self.admin = ctx.users["analyst"], ctx.users["leader"], ctx.users["admin"]
        city = ctx.places["JC"]
        self.platforms = {p.name: p for p in Platform.objects.filter(jurisdiction__path__startswith=city.path)
                          .select_related("jurisdiction")}

    def day(self, ago: int) -> dt.date:
        return self.today - dt.timedelta(days=ago)

    def at(self, ago: int, hour: int) -> dt.datetime:
        """``hour`` o'clock ``ago`` days ago (never after the clock: a step of today happens now)."""
        return min(at(self.day(ago), hour), timezone.now())


def _hz_platforms(ctx: DemoContext) -> list[Platform]:
    """Two platforms of the second city, so jurisdiction filters have something to leave out."""
    place = ctx.places["HZ-WA"]
    made = []
    for name, kind in (("海州学习通", PlatformKind.EDUCATION), ("海州游戏大厅", PlatformKind.GAME)):
        found = Platform.objects.filter(name=name).first()
        made.append(found or registry.do_create_platform(actor=ctx.users["admin"], data={
            "name": name, "kind": kind, "operator": f"{name}网络科技有限公司", "jurisdiction": place,
            "registered_users": 90_000, "minor_users": 30_000, "public_opinion": True}))
    return made


def _plans(t: Today) -> None:
    city, jb = t.ctx.places["JC"], t.ctx.places["JC-JB"]
    for data in (
        {"name": "教育平台季度检查", "jurisdiction": city, "kind": PlatformKind.EDUCATION, "interval_months": 3,
         "start_date": t.day(10), "joint_department": "市教育局"},
        {"name": "高风险网络游戏双月检查", "jurisdiction": city, "kind": PlatformKind.GAME, "risk": "high",
         "interval_months": 2, "start_date": t.day(25)},
        {"name": "江北区直播平台月度检查", "jurisdiction": jb, "kind": PlatformKind.LIVE, "interval_months": 1,
         "start_date": t.day(-7), "joint_department": "区文化市场综合执法大队"},
    ):
        inspections.do_create_plan(actor=t.analyst, data=data, now=t.at(30, 9))


def _checklist(t: Today, inspection: Inspection, failed: dict[str, str], ago: int) -> None:
    for control_id, note in failed.items():
        inspections.do_record_item(inspection, control_id, actor=t.analyst, result="failed", note=note,
                                   severity="high" if control_id.startswith("MP") else "medium", now=t.at(ago, 10))
    inspections.do_pass_unchecked(inspection, actor=t.analyst, now=t.at(ago, 11))


def _signed(t: Today, name: str, ago: int, *failed: str) -> Inspection:
    """A signed inspection ``ago`` days ago with the ``failed`` controls, evidence on the first."""
    made = inspections.do_create_inspection(t.platforms[name], actor=t.analyst, inspected_on=t.day(ago),
                                            inspectors="李分析、赵民警", now=t.at(ago, 9))
    _checklist(t, made, {c: PROBLEMS[c] for c in failed}, ago)
    item = made.items.get(control_id=failed[0]) if failed else made.items.first()
    assert item is not None  # noqa: S101  (the checklist always has items)
    inspections.do_add_evidence(item, actor=t.analyst, note="现场演示截图已存档；运营负责人确认", now=t.at(ago, 12))
    made = inspections.do_complete(made, actor=t.analyst, summary=f"检查{len(CONTROLS)}项，发现问题{len(failed)}项",
                            now=t.at(ago, 16))
    return inspections.do_sign(made, actor=t.leader, now=t.at(ago, 17))


def _order(t: Today, inspection: Inspection, days: int, ago: int) -> RectificationOrder:
    findings = list(inspection.findings.all())
    return orders.do_draft_order(inspection.platform, actor=t.analyst, inspection=inspection, findings=findings,
                                 problems="；".join(f.description for f in findings), legal_basis=LEGAL,
                                 requirements="逐项整改并提交整改报告及佐证材料", period_days=days, now=t.at(ago, 9))


def _issued(t: Today, inspection: Inspection, days: int, issued: int, delivered: int | None = None, *,
            method: str = "直接送达") -> RectificationOrder:
    """An order drafted and issued ``issued`` days ago, delivered ``delivered`` days ago when given."""
    order = _order(t, inspection, days, issued)
    order = orders.do_issue(order, actor=t.analyst, issued_on=t.day(issued), now=t.at(issued, 10))
    if delivered is not None:
        order = orders.do_deliver(order, actor=t.analyst, delivered_on=t.day(delivered), method=method,
                          now=t.at(delivered, 10))
    return order


def _refusal(t: Today) -> None:
    """A platform that refused: a disconnection approved and carried out, a fine waiting for the decision."""
    refused = _issued(t, _signed(t, "青苗作业帮", 45, "MP-12-PI"), 15, 43, 42, method="邮寄送达")
    refused = orders.do_record_refusal(refused, actor=t.analyst, refused_on=t.day(25), now=t.at(25, 10),
                             evidence="期限届满未整改；平台法定代表人在询问笔录中明确表示不予整改")
    cut = sanctions.do_propose(refused, actor=t.analyst, kind=SanctionKind.DISCONNECTION,
                               statute="《计算机信息网络国际联网安全保护管理办法》第二十一条",
                               reason="责令限期改正后拒不改正，情节严重", start_date=t.day(20),
                               end_date=t.day(-70), now=t.at(24, 15))
    cut = sanctions.do_approve(cut, actor=t.leader, note="同意停止联网三个月", now=t.at(22, 11))
    sanctions.do_carry_out(cut, actor=t.analyst, on=t.day(20), note="已通知接入服务商执行", now=t.at(20, 14))
    sanctions.do_propose(refused, actor=t.analyst, kind=SanctionKind.FINE, statute="《未成年人网络保护条例》第五十四条",
                         reason="拒不改正，对单位处罚款", amount=Decimal("100000"), now=t.at(19, 15))


def _orders(t: Today) -> None:
    """Orders in every state: overdue (flagged tonight), refused, issued, evidence received, rectified, draft."""
    _issued(t, _signed(t, "江城智慧课堂", 20, "MP-9-MINORMODE", "CSL-21-LOGS"), 10, 19, 18)
    _refusal(t)
    _issued(t, _signed(t, "星河传说", 8, "MP-10-AGE"), 15, 2)
    evidence = _issued(t, _signed(t, "萌宠大作战", 30, "MP-11-BULLYING"), 20, 28, 27)
    orders.do_receive_evidence(evidence, actor=t.analyst, evidence_on=t.day(3), now=t.at(3, 10),
                               text="已上线欺凌关键词库和陌生人私信屏蔽功能，提交截图12张")
    done = _issued(t, _signed(t, "江城圈", 60, "CSL-49-COMPLAINTS"), 15, 58, 57)
    done = orders.do_receive_evidence(done, actor=t.analyst, evidence_on=t.day(45), text="首页已公布举报电话",
                               now=t.at(45, 10))
    orders.do_recheck(done, actor=t.analyst, passed=True, result="复查合格", recheck_on=t.day(42), now=t.at(42, 10))
    _order(t, _signed(t, "三国闪电战", 3, "CSL-24-REALNAME"), 15, 2)


def _inspections(t: Today) -> None:
    """One in progress today, one waiting for the signature, one planned."""
    going = inspections.do_create_inspection(t.platforms["江城直播"], actor=t.analyst, inspected_on=t.today,
                                             joint_department="区文化市场综合执法大队", now=t.at(0, 9))
    for control in CONTROLS[:9]:
        inspections.do_record_item(going, control.id, actor=t.analyst, result="passed", now=t.at(0, 10))
    inspections.do_record_item(going, "MP-10-AGE", actor=t.analyst, result="failed", severity="critical",
                               note="未满16周岁用户可开通直播", now=t.at(0, 10))
    waiting = inspections.do_create_inspection(t.platforms["江北家校通"], actor=t.analyst, inspected_on=t.day(1),
                                               now=t.at(1, 9))
    _checklist(t, waiting, {}, 1)
    inspections.do_complete(waiting, actor=t.analyst, summary="未发现问题", now=t.at(1, 16))
    inspections.do_create_inspection(t.platforms["方块奇遇"], actor=t.analyst, inspected_on=t.day(-5),
                                     now=t.at(2, 9))


def _assessments(t: Today) -> None:
    """One report under review, one failed (an order follows), one just requested."""
    review = assessments.do_request(t.platforms["光谷短视频"], actor=t.analyst, trigger="T3",
                                    note="注册用户一年内增长两倍", requested_on=t.day(30), now=t.at(30, 10))
    assessments.do_receive_report(review, actor=t.analyst, received_on=t.day(6), summary="平台提交自评估报告，共8项",
                                  now=t.at(6, 10))
    for control in assessments.ITEMS[:5]:
        assessments.do_review_item(review, control.id, actor=t.analyst, result="passed", now=t.at(5, 10))
    failed = assessments.do_request(t.platforms["树洞倾诉"], actor=t.analyst, trigger="T4",
                                    note="约死信息在平台传播", requested_on=t.day(40), now=t.at(40, 10))
    assessments.do_receive_report(failed, actor=t.analyst, received_on=t.day(20), summary="自评估报告称已配备审核人员",
                                  now=t.at(20, 10))
    for control in assessments.ITEMS:
        bad = control.id == "SA-4-NAMES"
        assessments.do_review_item(failed, control.id, actor=t.analyst, result="failed" if bad else "passed",
                                   note="群组名称和简介中的违法信息未处置" if bad else "", now=t.at(18, 10))
    failed = assessments.do_verdict(failed, actor=t.analyst, verdict="failed", note="群组功能风险失控",
                                    on=t.day(15), now=t.at(15, 10))
    orders.do_draft_order(failed.platform, actor=t.analyst, assessment=failed,
                          problems="群组名称、简介违法信息处置措施缺失", period_days=15, now=t.at(14, 10),
                          legal_basis="《具有舆论属性或社会动员能力的互联网信息服务安全评估规定》第五条")
    assessments.do_request(t.platforms["江城直播"], actor=t.analyst, trigger="T1", note="新增连麦功能",
                           requested_on=t.day(2), now=t.at(2, 10))


def _referrals_and_interviews(t: Today) -> None:
    for name, kind, reason, label, ago in (
        ("江城圈", "inspection", "有害信息删除指令三次未执行", "有害信息 HI-2026-0012", 2),
        ("临江同城", "rectification", "一案双查：涉案账号长期在平台招募未成年人刷单", "案件 AJ-2026-0031", 1),
    ):
        platform = t.platforms[name]
        request = ReferralRequest(platform_id=platform.pk, kind=kind, reason=reason,  # type: ignore[arg-type]
                                  source_label=label, source_url="", jurisdiction_id=platform.jurisdiction_id)
        referrals.file_referral(request, actor=t.admin, now=t.at(ago, 11))
    interviews.do_record_interview(
        t.platforms["江城直播"], actor=t.analyst, kind=wf.R1, held_on=t.day(6), now=t.at(6, 15),
        attendees="李分析；江城直播运营负责人", matters="夜间连麦直播间出现未成年人打赏，未成年人模式入口不明显。",
        commitments="一周内排查夜间直播间，加强未成年人识别。")
    interviews.do_record_interview(
        t.platforms["临江同城"], actor=t.analyst, kind=wf.R2, held_on=t.day(3), now=t.at(3, 15),
        attendees="李分析、赵民警；临江同城法定代表人、安全负责人",
        matters="平台账号长期招募未成年人刷单，举报渠道处理迟缓。",
        commitments="十日内清理涉案账号，完善举报处理流程并书面报告。")


def _current(ctx: DemoContext) -> None:
    t = Today(ctx)
    _plans(t)
    _orders(t)
    _inspections(t)
    _assessments(t)
    _referrals_and_interviews(t)
    nightly.run(today=t.today)  # flags the overdue order and the overdue plan rows, as the operator's job would


def load(ctx: DemoContext) -> None:
    if Inspection.objects.exists():
        ctx.log.append("supervision: records already present, kept")
        return
    rng = random.Random(20230710)  # fixed seed: the demo looks the same on every machine  # nosec B311
    hz = _hz_platforms(ctx)
    city = ctx.places["JC"]
    jc = list(Platform.objects.filter(jurisdiction__path__startswith=city.path).exclude(name__in=STORY)
              .select_related("jurisdiction").order_by("id"))
    cast = Cast(ctx.users["analyst"], ctx.users["analyst_jb"], ctx.users["leader"], ctx.places["JC-JB"])
    demo_history.load(cast, rng, jc)
    demo_history.haizhou(hz, rng, ctx.users["admin"])
    _current(ctx)
    ctx.log.append(f"supervision: {Inspection.objects.count()} inspections, {Sanction.objects.count()} sanctions")


def bench_records(ctx: DemoContext, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    """``count`` signed inspections spread over ``start``..``end`` and the city's places, each with its
    checklist and a finding now and then, for benchmarks/dashboard.py (a year of work: 1,000 inspections).
    Platforms are made first when the benchmark database has none. Written in bulk: a benchmark measures the
    dashboard's queries over many records, not the services that would make them."""
    places = [p for code, p in ctx.places.items() if code.startswith("JC")]
    platforms = list(Platform.objects.filter(jurisdiction__in=places))
    if not platforms:
        kinds = [PlatformKind.EDUCATION, PlatformKind.GAME, PlatformKind.SOCIAL]
        Platform.objects.bulk_create([
            Platform(name=f"基准平台{i:03d}", kind=rng.choice(kinds), operator=f"基准平台{i:03d}科技有限公司",
                     jurisdiction=rng.choice(places)) for i in range(60)])
        platforms = list(Platform.objects.filter(jurisdiction__in=places))
    days = working_days(start, end)
    leader, analyst = ctx.users["leader"], ctx.users["analyst"]
    rows = []
    for seq in range(1, count + 1):
        platform, day = rng.choice(platforms), rng.choice(days)
        rows.append(Inspection(platform=platform, jurisdiction_id=platform.jurisdiction_id,
                               status=InspectionStatus.SIGNED, inspected_on=day,
                               number=f"基准检〔{day.year}〕{seq:04d}号", inspectors="基准", summary="检查完成",
                               created_by=analyst, signed_by=leader, signed_at=at(day, 16)))
    made = Inspection.objects.bulk_create(rows, batch_size=1000)
    items = [ChecklistItem(inspection=i, control_id=c.id, result=ItemResult.PASSED) for i in made for c in CONTROLS]
    ChecklistItem.objects.bulk_create(items, batch_size=5000)
    Finding.objects.bulk_create([
        Finding(inspection=i, description=PROBLEMS[cid], severity="medium", legal_basis=CONTROLS_BY_ID[cid].basis,
                created_by=analyst, created_at=i.signed_at or timezone.now())
        for i in made if rng.random() < 0.3 for cid in rng.sample(list(PROBLEMS), 1)], batch_size=2000)

