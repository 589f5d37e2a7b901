"""Demo records for supervision: what every page needs today, and the seed's half-year of work.

Current records (relative to today): three inspection plans with due and overdue platforms, inspections in
every state with failed items and evidence, orders in several states (one overdue, flagged by the nightly
job; one refused), sanctions (a disconnection in effect, a fine waiting for approval), security assessments
and referrals. They are made through the services, so they carry history and audit rows.

The half-year 2023-01-01 to 2023-07-10 in 江城市 (JC): signed inspections spread over the city's platforms,
districts and working days, the findings they made, the orders those findings led to, and the sanctions that
followed refusals. The indicators report 638 inspections, 12 websites shut and 7 apps removed for that period
because those records exist. They are written with bulk_create so the demo loads in seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from youthsafe.core.models import Jurisdiction, User
from youthsafe.registry import services as registry
from youthsafe.registry.controls import CONTROLS, CONTROLS_BY_ID
from youthsafe.registry.models import Platform, PlatformKind
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    ChecklistItem,
    DocumentCounter,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    ItemResult,
    RectificationOrder,
    Sanction,
    SanctionKind,
)
from youthsafe.supervision.services import assessments, inspections, interviews, nightly, orders, referrals, sanctions

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

HALF_START = dt.date(2023, 1, 1)
HALF_END = dt.date(2023, 7, 10)
# Findings per failed control: (severity, description).
PROBLEMS: dict[str, str] = {
    "CSL-21-LOGS": "网络日志留存不足六个月", "CSL-21-OFFICER": "未明确网络安全负责人",
    "CSL-24-REALNAME": "发布信息未落实真实身份认证", "CSL-25-INCIDENT": "未制定网络安全事件应急预案",
    "CSL-47-CONTENT": "发现违法信息未及时处置、留存记录并报告", "CSL-49-COMPLAINTS": "投诉举报渠道未公布",
    "MP-9-MINORMODE": "未成年人模式缺少时长和消费限制", "MP-10-AGE": "未区分未成年人身份，直播打赏功能未限制",
    "MP-11-BULLYING": "缺少网络欺凌预警和保护设置", "MP-12-PI": "未成年人个人信息未取得监护人同意",
    "MP-13-LABELS": "可能影响未成年人身心健康的信息未作提示", "SA-3-LOGS": "用户操作日志留存不全",
}
LEGAL = "《未成年人网络保护条例》第五十四条、《网络安全法》第五十九条"


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


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _historical(ctx: DemoContext, rng: random.Random, hz: list[Platform]) -> None:
    """The half-year's records (see the module docstring), plus a few around it that must not count."""
    city = ctx.places["JC"]
    jc = list(Platform.objects.filter(jurisdiction__path__startswith=city.path).order_by("id"))
    analysts = [ctx.users["analyst"], ctx.users["analyst_jb"]]
    leader = ctx.users["leader"]
    days = _working_days(HALF_START, HALF_END)
    # 638 signed inspections in the period in JC; 20 cancelled ones; 40 signed after the period; 15 in HZ.
    plan: list[tuple[Platform, dt.date, str]] = [(rng.choice(jc), rng.choice(days), InspectionStatus.SIGNED)
                                                 for _ in range(638)]
    plan += [(rng.choice(jc), rng.choice(days), InspectionStatus.CANCELLED) for _ in range(20)]
    plan += [(rng.choice(jc), rng.choice(_working_days(dt.date(2023, 7, 11), dt.date(2023, 9, 30))),
              InspectionStatus.SIGNED) for _ in range(40)]
    plan += [(rng.choice(hz), rng.choice(days), InspectionStatus.SIGNED) for _ in range(15)]
    plan.sort(key=lambda row: row[1])
    seq = 0
    rows = []
    for platform, day, status in plan:
        signed = status == InspectionStatus.SIGNED and platform.jurisdiction_id != ctx.places["HZ-WA"].pk
        seq += signed
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))
        rows.append(Inspection(
            platform=platform, jurisdiction_id=platform.jurisdiction_id, status=status, inspected_on=day,
            number=f"江网安检〔{day.year}〕{seq:03d}号" if signed else "", inspectors="李分析、赵民警",
            joint_department=rng.choice(["", "", "市教育局", "市文化市场综合执法支队"]),
            summary="检查完成" if status == InspectionStatus.SIGNED else "被检查单位停业，检查取消",
            created_by=rng.choice(analysts), signed_by=leader if status == InspectionStatus.SIGNED else None,
            signed_at=at if status == InspectionStatus.SIGNED else None))
    made = Inspection.objects.bulk_create(rows)
    DocumentCounter.objects.update_or_create(scheme="record", org="江", year=2023, defaults={"last": seq})
    failable = list(PROBLEMS)
    items: list[ChecklistItem] = []
    failed_at: dict[int, list[str]] = {}
    for inspection in made:
        if inspection.status != InspectionStatus.SIGNED:
            continue
        failed = rng.sample(failable, rng.choice([0, 0, 0, 1, 1, 2, 3]))
        failed_at[inspection.pk] = failed
        for control in CONTROLS:
            result = ItemResult.FAILED if control.id in failed else (
                ItemResult.NOT_APPLICABLE if control.id == "MP-14-LARGE" and rng.random() < 0.7 else ItemResult.PASSED)
            items.append(ChecklistItem(inspection=inspection, control_id=control.id, result=result,
                                       note=PROBLEMS.get(control.id, "") if result == ItemResult.FAILED else ""))
    created_items = ChecklistItem.objects.bulk_create(items, batch_size=2000)
    by_key = {(i.inspection_id, i.control_id): i for i in created_items if i.result == ItemResult.FAILED}
    findings = Finding.objects.bulk_create([
        Finding(inspection=inspection, item=by_key[(inspection.pk, cid)], description=PROBLEMS[cid],
                severity=rng.choice(["medium", "medium", "high", "low", "critical"]),
                legal_basis=CONTROLS_BY_ID[cid].basis, created_by=inspection.created_by,
                created_at=inspection.signed_at or timezone.now())
        for inspection in made if failed_at.get(inspection.pk) for cid in failed_at[inspection.pk]], batch_size=2000)
    per_inspection: dict[int, list[Finding]] = {}
    for finding in findings:
        per_inspection.setdefault(finding.inspection_id, []).append(finding)
    _historical_orders(ctx, rng, made, per_inspection)


def _historical_orders(ctx: DemoContext, rng: random.Random, made: list[Inspection],
                       per_inspection: dict[int, list[Finding]]) -> None:
    """Orders for inspections with findings (in JC, in the half-year); refusals lead to sanctions."""
    leader, analyst = ctx.users["leader"], ctx.users["analyst"]
    hz = ctx.places["HZ-WA"].pk
    with_findings = [i for i in made
                     if i.pk in per_inspection and i.jurisdiction_id != hz and i.inspected_on <= HALF_END]
    order_rows = []
    for seq, inspection in enumerate(with_findings, start=1):
        issued = inspection.inspected_on + dt.timedelta(days=rng.randint(1, 4))
        delivered = issued + dt.timedelta(days=1)
        days = rng.choice([10, 15, 15, 30])
        fate = rng.random()
        order_rows.append(RectificationOrder(
            number=f"江网安责改〔{issued.year}〕{seq:03d}号", platform_id=inspection.platform_id,
            jurisdiction_id=inspection.jurisdiction_id, inspection=inspection,
            status=wf.RECTIFIED if fate < 0.9 else wf.REFUSED, stage=wf.R0 if fate < 0.9 else wf.R4,
            problems="；".join(f.description for f in per_inspection[inspection.pk]), legal_basis=LEGAL,
            period_days=days, issued_on=issued, delivered_on=delivered, delivery_method="直接送达",
            deadline=delivered + dt.timedelta(days=days),
            evidence_on=delivered + dt.timedelta(days=days - 2) if fate < 0.9 else None,
            evidence_text="已完成整改并提交截图和制度文件" if fate < 0.9 else "",
            recheck_on=delivered + dt.timedelta(days=days + 2) if fate < 0.9 else None,
            recheck_result="复查合格" if fate < 0.9 else "",
            refused_on=delivered + dt.timedelta(days=days + 3) if fate >= 0.9 else None,
            refusal_evidence="逾期未整改，经再次书面督促仍拒不改正（询问笔录在卷）" if fate >= 0.9 else "",
            created_by=analyst, created_at=timezone.make_aware(dt.datetime.combine(issued, dt.time(10, 0)))))
    created = RectificationOrder.objects.bulk_create(order_rows)
    DocumentCounter.objects.update_or_create(scheme="notice", org="江", year=2023, defaults={"last": len(created)})
    through = RectificationOrder.findings.through
    through.objects.bulk_create([through(rectificationorder_id=o.pk, finding_id=f.pk)
                                 for o in created for f in per_inspection[o.inspection_id or 0]])
    refused = [o for o in created if o.status == wf.REFUSED]
    _historical_sanctions(rng, refused, per_inspection, leader, analyst)


def _historical_sanctions(rng: random.Random, refused: list[RectificationOrder],
                          per_inspection: dict[int, list[Finding]], leader: User, analyst: User) -> None:
    """12 website shutdowns and 7 app removals carried out in the half-year, fines and warnings on the other
    refusals, and two that do not count: a shutdown approved but never carried out, a removal after July 10."""
    rng.shuffle(refused)
    in_period = [o for o in refused if o.refused_on and o.refused_on <= HALF_END - dt.timedelta(days=3)]
    kinds = ([SanctionKind.WEBSITE_SHUTDOWN] * 13 + [SanctionKind.APP_REMOVAL] * 8 + [SanctionKind.DISCONNECTION] * 3)
    rows = []
    for index, order in enumerate(in_period):
        kind = kinds[index] if index < len(kinds) else rng.choice([SanctionKind.FINE, SanctionKind.WARNING])
        assert order.refused_on is not None  # noqa: S101  (filtered above)
        done = order.refused_on + dt.timedelta(days=rng.randint(1, 3))
        carried = done if done <= HALF_END else None
        status = wf.IN_EFFECT if carried else wf.APPROVED
        if kind == SanctionKind.WEBSITE_SHUTDOWN and index == 12:
            carried, status = None, wf.APPROVED
        if kind == SanctionKind.APP_REMOVAL and index == 20:
            carried = HALF_END + dt.timedelta(days=5)
        platform = order.platform
        at = timezone.make_aware(dt.datetime.combine(order.refused_on, dt.time(15, 0)))
        rows.append(Sanction(
            number=f"江网安罚决字〔2023〕{index + 1:03d}号", order=order, platform=platform,
            jurisdiction_id=order.jurisdiction_id, kind=kind, status=status,
            statute="《未成年人网络保护条例》第五十四条" if kind != SanctionKind.DISCONNECTION
            else "《计算机信息网络国际联网安全保护管理办法》第二十一条",
            reason="责令限期改正后拒不改正", amount=Decimal(rng.choice([50_000, 100_000, 200_000]))
            if kind == SanctionKind.FINE else None,
            start_date=carried if kind == SanctionKind.DISCONNECTION else None,
            end_date=wf.add_months(carried, 3) if kind == SanctionKind.DISCONNECTION and carried else None,
            app_store="华为应用市场" if kind == SanctionKind.APP_REMOVAL else "",
            app_id=f"com.demo.app{platform.pk}" if kind == SanctionKind.APP_REMOVAL else "",
            website=platform.website if kind == SanctionKind.WEBSITE_SHUTDOWN else "",
            proposed_by=analyst, proposed_at=at, decided_by=leader, decided_at=at + dt.timedelta(hours=20),
            carried_out_on=carried, decision_note="同意"))
    made = Sanction.objects.bulk_create(rows)
    through = Sanction.findings.through
    through.objects.bulk_create([through(sanction_id=s.pk, finding_id=f.pk) for s in made
                                 for f in per_inspection[s.order.inspection_id or 0]])
    DocumentCounter.objects.update_or_create(scheme="sanction", org="江", year=2023, defaults={"last": len(made)})


def _full_checklist(inspection: Inspection, user: User, failed: dict[str, str]) -> None:
    for control_id, note in failed.items():
        inspections.do_record_item(inspection, control_id, actor=user, result="failed", note=note,
                                   severity="high" if control_id.startswith("MP") else "medium")
    inspections.do_pass_unchecked(inspection, actor=user)


def _current(ctx: DemoContext) -> None:  # noqa: PLR0915  (one story, told in order)
    today = timezone.localdate()
    analyst, leader, admin = ctx.users["analyst"], ctx.users["leader"], ctx.users["admin"]
    city, jb = ctx.places["JC"], ctx.places["JC-JB"]
    by_name = {p.name: p for p in Platform.objects.filter(jurisdiction__path__startswith=city.path)}
    InspectionPlan.objects.bulk_create([
        InspectionPlan(name="教育平台季度检查", jurisdiction=city, kind=PlatformKind.EDUCATION, interval_months=3,
                       start_date=today - dt.timedelta(days=10), joint_department="市教育局", created_by=analyst),
        InspectionPlan(name="高风险网络游戏双月检查", jurisdiction=city, kind=PlatformKind.GAME, risk="high",
                       interval_months=2, start_date=today - dt.timedelta(days=25), created_by=analyst),
        InspectionPlan(name="江北区直播平台月度检查", jurisdiction=jb, kind=PlatformKind.LIVE, interval_months=1,
                       start_date=today + dt.timedelta(days=7), joint_department="区文化市场综合执法大队",
                       created_by=analyst),
    ])

    def signed(name: str, ago: int, failed: dict[str, str]) -> Inspection:
        made = inspections.do_create_inspection(by_name[name], actor=analyst, inspected_on=today - dt.timedelta(ago),
                                                inspectors="李分析、赵民警")
        _full_checklist(made, analyst, failed)
        item = made.items.get(control_id=next(iter(failed))) if failed else made.items.first()
        assert item is not None  # noqa: S101  (the checklist always has items)
        inspections.do_add_evidence(item, actor=analyst, note="现场演示截图已存档；运营负责人确认")
        inspections.do_complete(made, actor=analyst, summary=f"检查{len(CONTROLS)}项，发现问题{len(failed)}项")
        return inspections.do_sign(made, actor=leader)

    def order_for(inspection: Inspection, days: int) -> RectificationOrder:
        return orders.do_draft_order(inspection.platform, actor=analyst, inspection=inspection,
                                     findings=list(inspection.findings.all()), problems="；".join(
                                         inspection.findings.values_list("description", flat=True)),
                                     legal_basis=LEGAL, requirements="逐项整改并提交整改报告及佐证材料",
                                     period_days=days)

    overdue = order_for(signed("江城智慧课堂", 20, {"MP-9-MINORMODE": PROBLEMS["MP-9-MINORMODE"],
                                                 "CSL-21-LOGS": PROBLEMS["CSL-21-LOGS"]}), 10)
    orders.do_issue(overdue, actor=analyst, issued_on=today - dt.timedelta(days=19))
    orders.do_deliver(overdue, actor=analyst, delivered_on=today - dt.timedelta(days=18), method="直接送达")

    refused = order_for(signed("青苗作业帮", 45, {"MP-12-PI": PROBLEMS["MP-12-PI"]}), 15)
    orders.do_issue(refused, actor=analyst, issued_on=today - dt.timedelta(days=43))
    orders.do_deliver(refused, actor=analyst, delivered_on=today - dt.timedelta(days=42), method="邮寄送达")
    orders.do_record_refusal(refused, actor=analyst, refused_on=today - dt.timedelta(days=25),
                             evidence="期限届满未整改；平台法定代表人在询问笔录中明确表示不予整改")
    refused.refresh_from_db()
    cut = sanctions.do_propose(refused, actor=analyst, kind=SanctionKind.DISCONNECTION,
                               statute="《计算机信息网络国际联网安全保护管理办法》第二十一条",
                               reason="责令限期改正后拒不改正，情节严重", start_date=today - dt.timedelta(days=20),
                               end_date=today + dt.timedelta(days=70))
    sanctions.do_approve(cut, actor=leader, note="同意停止联网三个月")
    sanctions.do_carry_out(cut, actor=analyst, on=today - dt.timedelta(days=20), note="已通知接入服务商执行")
    sanctions.do_propose(refused, actor=analyst, kind=SanctionKind.FINE, statute="《未成年人网络保护条例》第五十四条",
                         reason="拒不改正，对单位处罚款", amount=Decimal("100000"))

    issued = order_for(signed("星河传说", 8, {"MP-10-AGE": PROBLEMS["MP-10-AGE"]}), 15)
    orders.do_issue(issued, actor=analyst, issued_on=today - dt.timedelta(days=2))
    evidence = order_for(signed("萌宠大作战", 30, {"MP-11-BULLYING": PROBLEMS["MP-11-BULLYING"]}), 20)
    orders.do_issue(evidence, actor=analyst, issued_on=today - dt.timedelta(days=28))
    orders.do_deliver(evidence, actor=analyst, delivered_on=today - dt.timedelta(days=27), method="直接送达")
    orders.do_receive_evidence(evidence, actor=analyst, evidence_on=today - dt.timedelta(days=3),
                               text="已上线欺凌关键词库和陌生人私信屏蔽功能，提交截图12张")
    done = order_for(signed("江城圈", 60, {"CSL-49-COMPLAINTS": PROBLEMS["CSL-49-COMPLAINTS"]}), 15)
    orders.do_issue(done, actor=analyst, issued_on=today - dt.timedelta(days=58))
    orders.do_deliver(done, actor=analyst, delivered_on=today - dt.timedelta(days=57))
    orders.do_receive_evidence(done, actor=analyst, evidence_on=today - dt.timedelta(days=45),
                               text="首页已公布举报电话")
    orders.do_recheck(done, actor=analyst, passed=True, result="复查合格", recheck_on=today - dt.timedelta(days=42))
    draft_source = signed("三国闪电战", 3, {"CSL-24-REALNAME": PROBLEMS["CSL-24-REALNAME"]})
    order_for(draft_source, 15)

    going = inspections.do_create_inspection(by_name["江城直播"], actor=analyst, inspected_on=today,
                                             joint_department="区文化市场综合执法大队")
    for control in CONTROLS[:9]:
        inspections.do_record_item(going, control.id, actor=analyst, result="passed")
    inspections.do_record_item(going, "MP-10-AGE", actor=analyst, result="failed", severity="critical",
                               note="未满16周岁用户可开通直播")
    waiting = inspections.do_create_inspection(by_name["江北家校通"], actor=analyst,
                                               inspected_on=today - dt.timedelta(1))
    _full_checklist(waiting, analyst, {})
    inspections.do_complete(waiting, actor=analyst, summary="未发现问题")
    inspections.do_create_inspection(by_name["方块奇遇"], actor=analyst, inspected_on=today + dt.timedelta(days=5))

    review = assessments.do_request(by_name["光谷短视频"], actor=analyst, trigger="T3",
                                    note="注册用户一年内增长两倍", requested_on=today - dt.timedelta(days=30))
    assessments.do_receive_report(review, actor=analyst, received_on=today - dt.timedelta(days=6),
                                  summary="平台提交自评估报告，共8项")
    for control in assessments.ITEMS[:5]:
        assessments.do_review_item(review, control.id, actor=analyst, result="passed")
    failed = assessments.do_request(by_name["树洞倾诉"], actor=analyst, trigger="T4",
                                    note="约死信息在平台传播", requested_on=today - dt.timedelta(days=40))
    assessments.do_receive_report(failed, actor=analyst, received_on=today - dt.timedelta(days=20),
                                  summary="自评估报告称已配备审核人员")
    for control in assessments.ITEMS:
        assessments.do_review_item(failed, control.id, actor=analyst,
                                   result="failed" if control.id == "SA-4-NAMES" else "passed",
                                   note="群组名称和简介中的违法信息未处置" if control.id == "SA-4-NAMES" else "")
    failed = assessments.do_verdict(failed, actor=analyst, verdict="failed", note="群组功能风险失控",
                                    on=today - dt.timedelta(days=15))
    orders.do_draft_order(failed.platform, actor=analyst, assessment=failed,
                          problems="群组名称、简介违法信息处置措施缺失", period_days=15,
                          legal_basis="《具有舆论属性或社会动员能力的互联网信息服务安全评估规定》第五条")
    assessments.do_request(by_name["江城直播"], actor=analyst, trigger="T1", note="新增连麦功能",
                           requested_on=today - dt.timedelta(days=2))

    from youthsafe.core.referrals import ReferralRequest

    for name, kind, reason, label in (
        ("江城圈", "inspection", "有害信息删除指令三次未执行", "有害信息 HI-2026-0012"),
        ("临江同城", "rectification", "一案双查：涉案账号长期在平台招募未成年人刷单", "案件 AJ-2026-0031"),
    ):
        platform = by_name[name]
        request = ReferralRequest(platform_id=platform.pk, kind=kind, reason=reason,  # type: ignore[arg-type]
                                  source_label=label, source_url="", jurisdiction_id=platform.jurisdiction_id)
        referrals.file_referral(request, actor=admin)
    interviews.do_record_interview(
        by_name["江城直播"], actor=analyst, kind=wf.R1, held_on=today - dt.timedelta(days=6),
        attendees="李分析；江城直播运营负责人", matters="夜间连麦直播间出现未成年人打赏，未成年人模式入口不明显。",
        commitments="一周内排查夜间直播间，加强未成年人识别。")
    interviews.do_record_interview(
        by_name["临江同城"], actor=analyst, kind=wf.R2, held_on=today - dt.timedelta(days=3),
        attendees="李分析、赵民警；临江同城法定代表人、安全负责人",
        matters="平台账号长期招募未成年人刷单，举报渠道处理迟缓。",
        commitments="十日内清理涉案账号，完善举报处理流程并书面报告。")
    nightly.run(today=today)  # flags the overdue order and the overdue plan rows, as the operator's job would


def load(ctx: DemoContext) -> None:
    if Inspection.objects.exists():
        ctx.log.append("supervision: records already present, kept")
        return
    rng = random.Random(20230710)  # fixed seed: the demo looks the same on every machine  # nosec B311
    hz = _hz_platforms(ctx)
    _historical(ctx, rng, hz)
    _current(ctx)
    ctx.log.append(f"supervision: {Inspection.objects.count()} inspections, {Sanction.objects.count()} sanctions")


__all__ = ["Jurisdiction", "load"]


def bench_records(ctx: DemoContext, rng: random.Random, start: dt.date, end: dt.date, count: int) -> None:
    """``count`` signed inspections spread over ``start``..``end`` and the city's places, each with its
    checklist and a finding now and then, for benchmarks/dashboard.py (a year of work: 1,000 inspections).
    Platforms are made first when the benchmark database has none."""
    places = [p for code, p in ctx.places.items() if code.startswith("JC")]
    platforms = list(Platform.objects.filter(jurisdiction__in=places))
    if not platforms:
        kinds = [PlatformKind.EDUCATION, PlatformKind.GAME, PlatformKind.SOCIAL]
        Platform.objects.bulk_create([
            Platform(name=f"基准平台{i:03d}", kind=rng.choice(kinds), operator=f"基准平台{i:03d}科技有限公司",
                     jurisdiction=rng.choice(places)) for i in range(60)])
        platforms = list(Platform.objects.filter(jurisdiction__in=places))
    days = _working_days(start, end)
    leader, analyst = ctx.users["leader"], ctx.users["analyst"]
    rows = []
    for seq in range(1, count + 1):
        platform, day = rng.choice(platforms), rng.choice(days)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(16, 0)))
        rows.append(Inspection(platform=platform, jurisdiction_id=platform.jurisdiction_id,
                               status=InspectionStatus.SIGNED, inspected_on=day,
                               number=f"基准检〔{day.year}〕{seq:04d}号", inspectors="基准", summary="检查完成",
                               created_by=analyst, signed_by=leader, signed_at=at))
    made = Inspection.objects.bulk_create(rows, batch_size=1000)
    failable = list(PROBLEMS)
    items = [ChecklistItem(inspection=i, control_id=c.id, result=ItemResult.PASSED) for i in made for c in CONTROLS]
    ChecklistItem.objects.bulk_create(items, batch_size=5000)
    Finding.objects.bulk_create([
        Finding(inspection=i, description=PROBLEMS[cid], severity="medium", legal_basis=CONTROLS_BY_ID[cid].basis,
                created_by=analyst, created_at=i.signed_at or timezone.now())
        for i in made if rng.random() < 0.3 for cid in rng.sample(failable, 1)], batch_size=2000)
